//===- Pooling.cpp - reference pooling and resampling ---------------------===//

#include "reference/Pooling.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cnnc::reference {

/// The maximum, or the sum, of rows [y0, y1) and columns [x0, x1) of a plane.
double reduceWindow(const double *plane, int64_t width, int64_t y0, int64_t y1, int64_t x0,
                    int64_t x1, bool isMax) {
  double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
  for (int64_t y = y0; y < y1; ++y)
    for (int64_t x = x0; x < x1; ++x)
      acc = isMax ? maxKeepingNan(acc, plane[y * width + x]) : acc + plane[y * width + x];
  return acc;
}

/// Max or average pooling with PyTorch's window rules; the output size
/// (ceil mode included) comes from the op's result type.
Tensor pool2d(const Tensor &in, llvm::ArrayRef<int64_t> window, const Geometry &g,
              bool isMax, bool countIncludePad, std::vector<int64_t> outShape) {
  Tensor out(std::move(outShape));
  int64_t N = in.dim(0), C = in.dim(1), H = in.dim(2), W = in.dim(3);
  int64_t OH = out.dim(2), OW = out.dim(3), KH = window[0], KW = window[1];
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        int64_t y0 = oy * g.strideH - g.padTop, x0 = ox * g.strideW - g.padLeft;
        // The divisor counts padding, but not beyond the padded input.
        int64_t y1 = std::min(y0 + KH, H + g.padBottom), x1 = std::min(x0 + KW, W + g.padRight);
        int64_t padded = (y1 - y0) * (x1 - x0);
        y0 = std::max<int64_t>(y0, 0);
        x0 = std::max<int64_t>(x0, 0);
        y1 = std::min(y1, H);
        x1 = std::min(x1, W);
        double acc = reduceWindow(&in.data[nc * H * W], W, y0, y1, x0, x1, isMax);
        if (!isMax)
          acc /= double(countIncludePad ? padded : (y1 - y0) * (x1 - x0));
        out.data[(nc * OH + oy) * OW + ox] = acc;
      }
  return out;
}

/// PyTorch's adaptive pooling: cell i covers floor(i*H/oh) to ceil((i+1)*H/oh).
Tensor adaptivePool2d(const Tensor &in, int64_t OH, int64_t OW, bool isMax) {
  int64_t N = in.dim(0), C = in.dim(1), H = in.dim(2), W = in.dim(3);
  Tensor out({N, C, OH, OW});
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        int64_t y0 = oy * H / OH, y1 = ((oy + 1) * H + OH - 1) / OH;
        int64_t x0 = ox * W / OW, x1 = ((ox + 1) * W + OW - 1) / OW;
        double acc = reduceWindow(&in.data[nc * H * W], W, y0, y1, x0, x1, isMax);
        if (!isMax)
          acc /= double((y1 - y0) * (x1 - x0));
        out.data[(nc * OH + oy) * OW + ox] = acc;
      }
  return out;
}

// torchvision's roi_pool: box corners rounded after scaling, each box split
// into an oh x ow grid of (possibly empty) cells, the maximum of each cell.
Tensor roiPool(const Tensor &in, const Tensor &rois, int64_t PH, int64_t PW, double scale) {
  int64_t C = in.dim(1), H = in.dim(2), W = in.dim(3), R = rois.dim(0);
  Tensor out({R, C, PH, PW});
  for (int64_t r = 0; r < R; ++r) {
    const double *roi = &rois.data[r * 5];
    int64_t n = std::clamp<int64_t>(int64_t(roi[0]), 0, in.dim(0) - 1);
    // torchvision computes the corners and cell edges in the input's type,
    // float: so do we, step by step, or edges land on other pixels.
    auto corner = [&](int k) { return int64_t(std::round(float(roi[k]) * float(scale))); };
    int64_t startW = corner(1), startH = corner(2), endW = corner(3), endH = corner(4);
    float binH = float(std::max<int64_t>(endH - startH + 1, 1)) / float(PH);
    float binW = float(std::max<int64_t>(endW - startW + 1, 1)) / float(PW);
    for (int64_t c = 0; c < C; ++c)
      for (int64_t ph = 0; ph < PH; ++ph)
        for (int64_t pw = 0; pw < PW; ++pw) {
          auto edge = [](int64_t i, float bin, bool up) {
            float at = float(i) * bin;
            return int64_t(up ? std::ceil(at) : std::floor(at));
          };
          int64_t y0 = std::clamp<int64_t>(edge(ph, binH, false) + startH, 0, H);
          int64_t y1 = std::clamp<int64_t>(edge(ph + 1, binH, true) + startH, 0, H);
          int64_t x0 = std::clamp<int64_t>(edge(pw, binW, false) + startW, 0, W);
          int64_t x1 = std::clamp<int64_t>(edge(pw + 1, binW, true) + startW, 0, W);
          double best = (y1 <= y0 || x1 <= x0) ? 0.0 : -std::numeric_limits<double>::infinity();
          for (int64_t y = y0; y < y1; ++y)
            for (int64_t x = x0; x < x1; ++x)
              best = maxKeepingNan(best, double(in.data[((n * C + c) * H + y) * W + x]));
          out.data[((r * C + c) * PH + ph) * PW + pw] = best;
        }
  }
  return out;
}

// PyTorch's interpolate with an output size: nearest takes floor(dst * in/out);
// bilinear maps dst to (dst + 0.5) * in/out - 0.5 (clamped at 0), or with
// align_corners to dst * (in - 1)/(out - 1).
Tensor upsample(const Tensor &in, int64_t OH, int64_t OW, bool bilinear, bool alignCorners) {
  int64_t N = in.dim(0), C = in.dim(1), H = in.dim(2), W = in.dim(3);
  Tensor out({N, C, OH, OW});
  auto source = [&](int64_t dst, int64_t inSize, int64_t outSize) {
    if (alignCorners)
      return outSize > 1 ? double(dst) * double(inSize - 1) / double(outSize - 1) : 0.0;
    return std::max(0.0, (dst + 0.5) * float(double(inSize) / double(outSize)) - 0.5);
  };
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        const double *plane = &in.data[nc * H * W];
        double value;
        if (!bilinear) {
          int64_t y = std::min<int64_t>(int64_t(std::floor(oy * float(double(H) / OH))), H - 1);
          int64_t x = std::min<int64_t>(int64_t(std::floor(ox * float(double(W) / OW))), W - 1);
          value = plane[y * W + x];
        } else {
          double sy = source(oy, H, OH), sx = source(ox, W, OW);
          int64_t y0 = int64_t(sy), x0 = int64_t(sx);
          int64_t y1 = std::min(y0 + 1, H - 1), x1 = std::min(x0 + 1, W - 1);
          double ly = sy - y0, lx = sx - x0;
          value = (1 - ly) * ((1 - lx) * plane[y0 * W + x0] + lx * plane[y0 * W + x1]) +
                  ly * ((1 - lx) * plane[y1 * W + x0] + lx * plane[y1 * W + x1]);
        }
        out.data[(nc * OH + oy) * OW + ox] = value;
      }
  return out;
}

} // namespace cnnc::reference
