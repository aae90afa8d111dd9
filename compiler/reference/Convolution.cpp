//===- Convolution.cpp - reference convolutions and matrix products -------===//

#include "reference/Convolution.h"
#include "reference/Parallel.h"

#include <algorithm>

namespace cnnc::reference {

namespace {
/// The output positions o in [0, outSize) whose input o * stride + offset
/// lies inside [0, inSize): the part of a row a kernel tap can reach.
std::pair<int64_t, int64_t> validRange(int64_t offset, int64_t stride, int64_t inSize,
                                       int64_t outSize) {
  int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t hi = inSize - offset <= 0 ? 0 : (inSize - offset - 1) / stride + 1;
  return {lo, std::max(lo, std::min(hi, outSize))};
}

} // namespace

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

} // namespace cnnc::reference
