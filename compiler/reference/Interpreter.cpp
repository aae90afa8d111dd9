//===- Interpreter.cpp - the reference interpreter of the cnn dialect -----===//

#include "reference/Interpreter.h"
#include "reference/Movement.h"
#include "reference/Normalization.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/ErrorHandling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <thread>

namespace cnnc::reference {

std::string Tensor::shapeString() const {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

namespace {

/// Runs body(i) for i in [0, count) on all cores. Each i writes its own
/// outputs, so the result does not depend on the split.
template <typename Body> void parallelFor(int64_t count, Body body) {
  int64_t workers = std::max<int64_t>(1, std::min<int64_t>(
                                              count, std::thread::hardware_concurrency()));
  if (workers == 1) {
    for (int64_t i = 0; i < count; ++i)
      body(i);
    return;
  }
  std::vector<std::thread> threads;
  for (int64_t w = 0; w < workers; ++w)
    threads.emplace_back([&, w] {
      for (int64_t i = w; i < count; i += workers)
        body(i);
    });
  for (std::thread &t : threads)
    t.join();
}

std::vector<int64_t> shapeOf(mlir::Value value) {
  auto shape = llvm::cast<mlir::RankedTensorType>(value.getType()).getShape();
  return {shape.begin(), shape.end()};
}

struct Geometry {
  int64_t strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW;
};

Geometry geometry(llvm::ArrayRef<int64_t> stride, llvm::ArrayRef<int64_t> pad,
                  llvm::ArrayRef<int64_t> dilation) {
  return {stride[0], stride[1], pad[0], pad[1], pad[2], pad[3], dilation[0], dilation[1]};
}

/// The output positions o in [0, outSize) whose input o * stride + offset
/// lies inside [0, inSize): the part of a row a kernel tap can reach.
std::pair<int64_t, int64_t> validRange(int64_t offset, int64_t stride, int64_t inSize,
                                       int64_t outSize) {
  int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t hi = inSize - offset <= 0 ? 0 : (inSize - offset - 1) / stride + 1;
  return {lo, std::max(lo, std::min(hi, outSize))};
}

// out[n, co, y, x] = bias[co] + sum over ci in co's group, ky, kx of
//   in[n, g * Cin/G + ci, y * sh - pt + ky * dh, x * sw - pl + kx * dw] * w[co, ci, ky, kx]
// Each output plane accumulates in double, taps in (ci, ky, kx) order.
Tensor conv2d(const Tensor &in, const Tensor &w, const Tensor *bias, const Geometry &g,
              int64_t groups, std::vector<int64_t> outShape) {
  Tensor out(std::move(outShape));
  int64_t N = in.dim(0), C = in.dim(1), H = in.dim(2), W = in.dim(3);
  int64_t K = out.dim(1), OH = out.dim(2), OW = out.dim(3);
  int64_t cpg = C / groups, kpg = K / groups, KH = w.dim(2), KW = w.dim(3);
  parallelFor(N * K, [&](int64_t nk) {
    int64_t n = nk / K, k = nk % K, group = k / kpg;
    std::vector<double> plane(OH * OW, bias ? bias->data[k] : 0.0);
    for (int64_t ci = 0; ci < cpg; ++ci) {
      const double *input = &in.data[(n * C + group * cpg + ci) * H * W];
      for (int64_t ky = 0; ky < KH; ++ky) {
        auto [y0, y1] = validRange(ky * g.dilationH - g.padTop, g.strideH, H, OH);
        for (int64_t kx = 0; kx < KW; ++kx) {
          auto [x0, x1] = validRange(kx * g.dilationW - g.padLeft, g.strideW, W, OW);
          double weight = w.data[((k * cpg + ci) * KH + ky) * KW + kx];
          int64_t shift = kx * g.dilationW - g.padLeft;
          for (int64_t oy = y0; oy < y1; ++oy) {
            const double *__restrict row =
                input + (oy * g.strideH - g.padTop + ky * g.dilationH) * W + shift;
            double *__restrict sums = &plane[oy * OW];
            if (g.strideW == 1) // the common case, which the compiler vectorises
              for (int64_t ox = x0; ox < x1; ++ox)
                sums[ox] += weight * row[ox];
            else
              for (int64_t ox = x0; ox < x1; ++ox)
                sums[ox] += weight * row[ox * g.strideW];
          }
        }
      }
    }
    std::copy(plane.begin(), plane.end(), out.data.begin() + (n * K + k) * OH * OW);
  });
  return out;
}

// The transpose of conv2d: in[n, ci, iy, ix] contributes w[ci, co, ky, kx]
// to out[n, g * Cout/G + co, iy * sh - pt + ky * dh, ix * sw - pl + kx * dw].
// Computed by gathering, so each output is one double sum.
Tensor convTranspose2d(const Tensor &in, const Tensor &w, const Tensor *bias,
                       const Geometry &g, int64_t groups, std::vector<int64_t> outShape) {
  Tensor out(std::move(outShape));
  int64_t N = in.dim(0), C = in.dim(1), H = in.dim(2), W = in.dim(3);
  int64_t K = out.dim(1), OH = out.dim(2), OW = out.dim(3);
  int64_t cpg = C / groups, kpg = K / groups, KH = w.dim(2), KW = w.dim(3);
  parallelFor(N * K, [&](int64_t nk) {
    int64_t n = nk / K, k = nk % K, group = k / kpg, kk = k % kpg;
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        double sum = bias ? bias->data[k] : 0.0;
        for (int64_t ky = 0; ky < KH; ++ky) {
          int64_t ty = oy + g.padTop - ky * g.dilationH;
          if (ty < 0 || ty % g.strideH != 0 || ty / g.strideH >= H)
            continue;
          int64_t iy = ty / g.strideH;
          for (int64_t kx = 0; kx < KW; ++kx) {
            int64_t tx = ox + g.padLeft - kx * g.dilationW;
            if (tx < 0 || tx % g.strideW != 0 || tx / g.strideW >= W)
              continue;
            int64_t ix = tx / g.strideW;
            for (int64_t ci = 0; ci < cpg; ++ci) {
              int64_t c = group * cpg + ci;
              sum += double(in.data[((n * C + c) * H + iy) * W + ix]) *
                     double(w.data[((c * kpg + kk) * KH + ky) * KW + kx]);
            }
          }
        }
        out.data[((n * K + k) * OH + oy) * OW + ox] = sum;
      }
  });
  return out;
}

Tensor dense(const Tensor &in, const Tensor &w, const Tensor *bias) {
  int64_t N = in.dim(0), K = in.dim(1), M = w.dim(0);
  Tensor out({N, M});
  parallelFor(M, [&](int64_t m) {
    for (int64_t n = 0; n < N; ++n) {
      double sum = bias ? bias->data[m] : 0.0;
      for (int64_t k = 0; k < K; ++k)
        sum += double(in.data[n * K + k]) * double(w.data[m * K + k]);
      out.data[n * M + m] = sum;
    }
  });
  return out;
}

// out[n, m, p] = bias[m] + sum over k of w[m, k] * in[n, k, p] + residual[n, m, p],
// p running over the positions after the channel dimension (none for dense).
Tensor gemm(const Tensor &in, const Tensor &w, const Tensor *bias, const Tensor *residual,
            std::vector<int64_t> outShape) {
  Tensor out(std::move(outShape));
  int64_t N = in.dim(0), K = in.dim(1), M = w.dim(0), P = int64_t(in.size()) / (N * K);
  parallelFor(M, [&](int64_t m) {
    for (int64_t n = 0; n < N; ++n)
      for (int64_t p = 0; p < P; ++p) {
        double sum = bias ? bias->data[m] : 0.0;
        for (int64_t k = 0; k < K; ++k)
          sum += w.data[m * K + k] * in.data[(n * K + k) * P + p];
        size_t i = (n * M + m) * P + p;
        out.data[i] = sum + (residual ? residual->data[i] : 0.0);
      }
  });
  return out;
}


template <typename F> Tensor map(const Tensor &in, F f) {
  Tensor out(in.shape);
  for (size_t i = 0; i < in.size(); ++i)
    out.data[i] = f(double(in.data[i]));
  return out;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// max(a, b) that keeps a NaN from either side, as PyTorch's max pooling and
/// reductions do (std::max keeps `a` when `b` is NaN).
double maxKeepingNan(double a, double b) { return std::isnan(b) || b > a ? b : a; }

/// f(x), or x itself when it is NaN: PyTorch's activations pass NaN through.
template <typename F> auto keepingNan(F f) {
  return [f](double x) { return std::isnan(x) ? x : f(x); };
}

/// The activation a fused kernel applies last, as the separate ops define it.
Tensor activate(const Tensor &in, cnn::Activation kind, double alpha, double lo,
                double hi) {
  switch (kind) {
  case cnn::Activation::none: return in;
  case cnn::Activation::relu:
    return map(in, keepingNan([](double x) { return x > 0 ? x : 0.0; }));
  case cnn::Activation::clip:
    return map(in, keepingNan([=](double x) { return std::clamp(x, lo, hi); }));
  case cnn::Activation::leaky_relu:
    return map(in, keepingNan([=](double x) { return x > 0 ? x : alpha * x; }));
  case cnn::Activation::sigmoid: return map(in, keepingNan(sigmoid));
  case cnn::Activation::tanh: return map(in, keepingNan([](double x) { return std::tanh(x); }));
  case cnn::Activation::silu:
    return map(in, keepingNan([](double x) { return x * sigmoid(x); }));
  case cnn::Activation::hardswish:
    return map(in,
               keepingNan([](double x) { return x * std::clamp(x + 3.0, 0.0, 6.0) / 6.0; }));
  case cnn::Activation::hardsigmoid:
    return map(in, keepingNan([](double x) { return std::clamp(x + 3.0, 0.0, 6.0) / 6.0; }));
  case cnn::Activation::gelu:
    return map(in, keepingNan([](double x) { return x * (1 + std::erf(x * M_SQRT1_2)) / 2; }));
  }
  llvm_unreachable("unknown activation");
}

// f[c] = scale[c] / sqrt(var[c] + eps); w'[c, ...] = w[c, ...] * f[c];
// b'[c] = (b[c] - mean[c]) * f[c] + shift[c].
std::pair<Tensor, Tensor> foldBatchNorm(const Tensor &weight, const Tensor *bias,
                                        const Tensor &scale, const Tensor &shift,
                                        const Tensor &mean, const Tensor &var,
                                        double epsilon) {
  Tensor folded(weight.shape), foldedBias({weight.dim(0)});
  size_t perChannel = weight.size() / weight.dim(0);
  for (int64_t c = 0; c < weight.dim(0); ++c) {
    double factor = scale.data[c] / std::sqrt(var.data[c] + epsilon);
    for (size_t i = 0; i < perChannel; ++i)
      folded.data[c * perChannel + i] = weight.data[c * perChannel + i] * factor;
    foldedBias.data[c] = ((bias ? bias->data[c] : 0.0) - mean.data[c]) * factor + shift.data[c];
  }
  return {std::move(folded), std::move(foldedBias)};
}

// multiplier[c] = scale[c] / sqrt(var[c] + eps); offset[c] = shift[c] - mean[c] * multiplier[c].
std::pair<Tensor, Tensor> batchNormAffine(const Tensor &scale, const Tensor &shift,
                                          const Tensor &mean, const Tensor &var,
                                          double epsilon) {
  Tensor multiplier(scale.shape), offset(scale.shape);
  for (size_t c = 0; c < scale.size(); ++c) {
    multiplier.data[c] = scale.data[c] / std::sqrt(var.data[c] + epsilon);
    offset.data[c] = shift.data[c] - mean.data[c] * multiplier.data[c];
  }
  return {std::move(multiplier), std::move(offset)};
}

/// A kernel's input prologue: activation(x[c] * multiplier[c] + offset[c]).
/// Applied to the tensor itself, so a convolution's padding stays zero.
Tensor prologue(const Tensor &in, const Tensor *multiplier, const Tensor *offset,
                cnn::Activation kind) {
  if (!multiplier)
    return in;
  Tensor out(in.shape);
  int64_t N = in.dim(0), C = in.dim(1), P = planeSize(in);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t p = 0; p < P; ++p) {
        size_t i = (n * C + c) * P + p;
        out.data[i] = in.data[i] * multiplier->data[c] + offset->data[c];
      }
  return activate(out, kind, 0, 0, 0);
}

/// NumPy broadcasting of two tensors (the shorter shape gains leading 1s).
template <typename F>
Tensor broadcast(Tensor a, Tensor b, std::vector<int64_t> outShape, F f) {
  Tensor out(std::move(outShape));
  size_t rank = out.shape.size();
  for (Tensor *t : {&a, &b})
    t->shape.insert(t->shape.begin(), rank - t->shape.size(), 1);
  std::vector<int64_t> index(rank, 0);
  for (size_t i = 0; i < out.size(); ++i) {
    size_t ia = 0, ib = 0;
    for (size_t d = 0; d < rank; ++d) {
      ia = ia * a.shape[d] + (a.shape[d] == 1 ? 0 : index[d]);
      ib = ib * b.shape[d] + (b.shape[d] == 1 ? 0 : index[d]);
    }
    out.data[i] = f(double(a.data[ia]), double(b.data[ib]));
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out.shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

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

Tensor concat(const std::vector<const Tensor *> &inputs, int64_t axis,
              std::vector<int64_t> outShape) {
  Tensor out(std::move(outShape));
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= out.shape[d];
  for (size_t d = axis + 1; d < out.shape.size(); ++d)
    inner *= out.shape[d];
  int64_t offset = 0;
  for (const Tensor *t : inputs) {
    int64_t slice = t->shape[axis] * inner;
    for (int64_t o = 0; o < outer; ++o)
      std::copy_n(&t->data[o * slice], slice,
                  &out.data[o * out.shape[axis] * inner + offset]);
    offset += slice;
  }
  return out;
}

Tensor softmax(const Tensor &in, int64_t axis) {
  Tensor out(in.shape);
  int64_t outer = 1, inner = 1, length = in.shape[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= in.shape[d];
  for (size_t d = axis + 1; d < in.shape.size(); ++d)
    inner *= in.shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) { return (o * length + j) * inner + i; };
      double top = -std::numeric_limits<double>::infinity(), sum = 0;
      for (int64_t j = 0; j < length; ++j)
        top = maxKeepingNan(top, double(in.data[at(j)]));
      for (int64_t j = 0; j < length; ++j)
        sum += std::exp(double(in.data[at(j)]) - top);
      for (int64_t j = 0; j < length; ++j)
        out.data[at(j)] = std::exp(double(in.data[at(j)]) - top) / sum;
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

} // namespace

void Interpreter::initialize(mlir::ModuleOp module) {
  if (mlir::func::FuncOp init = cnn::initFunction(module))
    run(init, {});
}

std::vector<Tensor> Interpreter::run(mlir::func::FuncOp function,
                                     std::vector<Tensor> inputs) {
  // Values are shared, not copied: a weight is the parameter itself, and a
  // tensor is released after the last op that reads it.
  llvm::DenseMap<mlir::Value, std::shared_ptr<const Tensor>> values;
  for (auto [argument, input] : llvm::zip(function.getArguments(), inputs))
    values[argument] = std::make_shared<const Tensor>(std::move(input));
  auto get = [&](mlir::Value v) -> const Tensor & { return *values.find(v)->second; };
  auto optional = [&](mlir::Value v) -> const Tensor * {
    return v ? values.find(v)->second.get() : nullptr;
  };
  llvm::DenseMap<mlir::Value, mlir::Operation *> lastUse;
  for (mlir::Operation &op : function.getBody().front())
    for (mlir::Value operand : op.getOperands())
      lastUse[operand] = &op;

  std::vector<Tensor> results;
  for (mlir::Operation &op : function.getBody().front()) {
    if (auto ret = llvm::dyn_cast<mlir::func::ReturnOp>(op)) {
      for (mlir::Value v : ret.getOperands())
        results.push_back(get(v));
      break;
    }
    mlir::Value result = op.getNumResults() ? op.getResult(0) : mlir::Value();
    if (auto w = llvm::dyn_cast<cnn::WeightOp>(op)) {
      const Tensor &parameter = parameters.at(w.getName().str());
      values[result] = std::shared_ptr<const Tensor>(&parameter, [](const Tensor *) {});
      continue;
    }
    if (auto store = llvm::dyn_cast<cnn::StoreOp>(op)) {
      parameters[store.getName().str()] = get(store.getValue());
      continue;
    }
    if (auto affine = llvm::dyn_cast<cnn::BatchNormAffineOp>(op)) {
      auto [multiplier, offset] =
          batchNormAffine(get(affine.getScale()), get(affine.getShift()), get(affine.getMean()),
                          get(affine.getVariance()), affine.getEpsilon().convertToDouble());
      values[affine.getMultiplier()] = std::make_shared<const Tensor>(std::move(multiplier));
      values[affine.getOffset()] = std::make_shared<const Tensor>(std::move(offset));
      continue;
    }
    if (auto fold = llvm::dyn_cast<cnn::FoldBatchNormOp>(op)) {
      auto [weight, bias] = foldBatchNorm(get(fold.getWeight()), optional(fold.getBias()),
                                          get(fold.getScale()), get(fold.getShift()),
                                          get(fold.getMean()), get(fold.getVariance()),
                                          fold.getEpsilon().convertToDouble());
      values[fold.getFoldedWeight()] = std::make_shared<const Tensor>(std::move(weight));
      values[fold.getFoldedBias()] = std::make_shared<const Tensor>(std::move(bias));
      continue;
    }
    std::vector<int64_t> outShape = result ? shapeOf(result) : std::vector<int64_t>{};
    Tensor out =
        llvm::TypeSwitch<mlir::Operation *, Tensor>(&op)
            .Case([&](cnn::Conv2DOp c) {
              return conv2d(get(c.getInput()), get(c.getWeight()), optional(c.getBias()),
                            geometry(c.getStride(), c.getPad(), c.getDilation()),
                            c.getGroups(), outShape);
            })
            .Case([&](cnn::FusedConv2DOp c) {
              Tensor x = prologue(get(c.getInput()), optional(c.getInputMultiplier()),
                                  optional(c.getInputOffset()), c.getInputActivation());
              Tensor y = conv2d(x, get(c.getWeight()), optional(c.getBias()),
                                geometry(c.getStride(), c.getPad(), c.getDilation()),
                                c.getGroups(), outShape);
              if (const Tensor *residual = optional(c.getResidual()))
                for (size_t i = 0; i < y.size(); ++i)
                  y.data[i] += residual->data[i];
              return activate(y, c.getActivation(), c.getAlpha().convertToDouble(),
                              c.getMin().convertToDouble(), c.getMax().convertToDouble());
            })
            .Case([&](cnn::GemmOp g) {
              Tensor x = prologue(get(g.getInput()), optional(g.getInputMultiplier()),
                                  optional(g.getInputOffset()), g.getInputActivation());
              return activate(gemm(x, get(g.getWeight()), optional(g.getBias()),
                                   optional(g.getResidual()), outShape),
                              g.getActivation(), g.getAlpha().convertToDouble(),
                              g.getMin().convertToDouble(), g.getMax().convertToDouble());
            })
            .Case([&](cnn::ConvTranspose2DOp c) {
              return convTranspose2d(get(c.getInput()), get(c.getWeight()),
                                     optional(c.getBias()),
                                     geometry(c.getStride(), c.getPad(), c.getDilation()),
                                     c.getGroups(), outShape);
            })
            .Case([&](cnn::DenseOp d) {
              if (outShape.size() != 2) // mixing channels at every pixel
                return gemm(get(d.getInput()), get(d.getWeight()), optional(d.getBias()),
                            nullptr, outShape);
              return dense(get(d.getInput()), get(d.getWeight()), optional(d.getBias()));
            })
            .Case([&](cnn::BatchNormOp bn) {
              if (beforeBatchNorm)
                beforeBatchNorm(bn, get(bn.getInput()));
              // Statistics are read after the hook, which may have set them.
              auto stat = [&](mlir::Value v) -> const Tensor & {
                if (auto w = v.getDefiningOp<cnn::WeightOp>())
                  return parameters.at(w.getName().str());
                return get(v);
              };
              return batchNorm(get(bn.getInput()), stat(bn.getScale()), stat(bn.getShift()),
                               stat(bn.getMean()), stat(bn.getVariance()),
                               bn.getEpsilon().convertToDouble());
            })
            .Case([&](cnn::LrnOp l) {
              return lrn(get(l.getInput()), l.getSize(), l.getAlpha().convertToDouble(),
                         l.getBeta().convertToDouble(), l.getK().convertToDouble());
            })
            .Case([&](cnn::DropoutOp o) { return get(o.getInput()); })
            .Case([&](cnn::IdentityOp o) { return get(o.getInput()); })
            .Case([&](cnn::AddOp o) {
              return broadcast(get(o.getLhs()), get(o.getRhs()), outShape,
                               [](double a, double b) { return a + b; });
            })
            .Case([&](cnn::MulOp o) {
              return broadcast(get(o.getLhs()), get(o.getRhs()), outShape,
                               [](double a, double b) { return a * b; });
            })
            .Case([&](cnn::SubOp o) {
              return broadcast(get(o.getLhs()), get(o.getRhs()), outShape,
                               [](double a, double b) { return a - b; });
            })
            .Case([&](cnn::DivOp o) {
              return broadcast(get(o.getLhs()), get(o.getRhs()), outShape,
                               [](double a, double b) { return a / b; });
            })
            .Case([&](cnn::ScaleShiftOp o) {
              double scale = o.getScale().convertToDouble(), shift = o.getShift().convertToDouble();
              return map(get(o.getInput()), [=](double x) { return x * scale + shift; });
            })
            .Case([&](cnn::TransposeOp t) {
              auto permutation = t.getPermutation();
              return transpose(get(t.getInput()), {permutation.begin(), permutation.end()});
            })
            .Case([&](cnn::LayerNormOp l) {
              return layerNorm(get(l.getInput()), get(l.getScale()), get(l.getShift()),
                               l.getEpsilon().convertToDouble());
            })
            .Case([&](cnn::SliceOp s) {
              return slice(get(s.getInput()), s.getAxis(), s.getStart(), s.getSize());
            })
            .Case([&](cnn::ChannelShuffleOp s) {
              return channelShuffle(get(s.getInput()), s.getGroups());
            })
            .Case([&](cnn::MaxPool2DOp p) {
              return pool2d(get(p.getInput()), p.getWindow(),
                            geometry(p.getStride(), p.getPad(), {1, 1}), true, false,
                            outShape);
            })
            .Case([&](cnn::AvgPool2DOp p) {
              return pool2d(get(p.getInput()), p.getWindow(),
                            geometry(p.getStride(), p.getPad(), {1, 1}), false,
                            p.getCountIncludePad(), outShape);
            })
            .Case([&](cnn::GlobalAvgPool2DOp p) {
              return adaptivePool2d(get(p.getInput()), 1, 1, false);
            })
            .Case([&](cnn::GlobalMaxPool2DOp p) {
              return adaptivePool2d(get(p.getInput()), 1, 1, true);
            })
            .Case([&](cnn::AdaptiveAvgPool2DOp p) {
              return adaptivePool2d(get(p.getInput()), outShape[2], outShape[3], false);
            })
            .Case([&](cnn::AdaptiveMaxPool2DOp p) {
              return adaptivePool2d(get(p.getInput()), outShape[2], outShape[3], true);
            })
            .Case([&](cnn::RoiPoolOp p) {
              return roiPool(get(p.getInput()), get(p.getRois()), outShape[2], outShape[3],
                             p.getSpatialScale().convertToDouble());
            })
            .Case([&](cnn::ConcatOp c) {
              std::vector<const Tensor *> inputs;
              for (mlir::Value v : c.getInputs())
                inputs.push_back(&get(v));
              return concat(inputs, c.getAxis(), outShape);
            })
            .Case<cnn::FlattenOp, cnn::ReshapeOp>([&](mlir::Operation *o) {
              Tensor reshaped = get(o->getOperand(0)); // a copy: values are shared
              reshaped.shape = outShape;
              return reshaped;
            })
            .Case([&](cnn::SoftmaxOp s) { return softmax(get(s.getInput()), s.getAxis()); })
            .Case([&](cnn::UpsampleOp u) {
              return upsample(get(u.getInput()), outShape[2], outShape[3],
                              u.getMode() == cnn::UpsampleMode::bilinear,
                              u.getAlignCorners());
            })
            .Default([&](mlir::Operation *o) -> Tensor {
              // Activation ops compute what a fused kernel's activation does.
              if (auto activation = cnn::activationOf(o))
                return activate(get(o->getOperand(0)), activation->kind, activation->alpha,
                                activation->min, activation->max);
              llvm::report_fatal_error(llvm::Twine("reference interpreter: no rule for ") +
                                       o->getName().getStringRef());
            });
    for (mlir::Value operand : op.getOperands())
      if (lastUse.lookup(operand) == &op)
        values.erase(operand);
    if (result)
      values[result] = std::make_shared<const Tensor>(std::move(out));
  }
  return results;
}

} // namespace cnnc::reference
