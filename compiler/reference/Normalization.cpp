//===- Normalization.cpp - reference semantics of the normalisations ------===//

#include "reference/Normalization.h"

#include <cmath>

namespace cnnc::reference {

Tensor batchNorm(const Tensor &in, const Tensor &scale, const Tensor &shift,
                 const Tensor &mean, const Tensor &var, double epsilon) {
  Tensor out(in.shape);
  int64_t N = in.dim(0), C = in.dim(1), P = planeSize(in);
  for (int64_t c = 0; c < C; ++c) {
    double factor = double(scale.data[c]) / std::sqrt(double(var.data[c]) + epsilon);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t p = 0; p < P; ++p) {
        size_t i = (n * C + c) * P + p;
        out.data[i] = (double(in.data[i]) - mean.data[c]) * factor + shift.data[c];
      }
  }
  return out;
}

// PyTorch's LocalResponseNorm: the window of `size` channels runs from
// c - size/2 to c + (size-1)/2, zero outside, and its sum is divided by size.
Tensor lrn(const Tensor &in, int64_t size, double alpha, double beta, double k) {
  Tensor out(in.shape);
  int64_t N = in.dim(0), C = in.dim(1), P = planeSize(in);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t p = 0; p < P; ++p) {
        double sum = 0;
        for (int64_t j = c - size / 2; j <= c + (size - 1) / 2; ++j)
          if (j >= 0 && j < C) {
            double v = in.data[(n * C + j) * P + p];
            sum += v * v;
          }
        size_t i = (n * C + c) * P + p;
        out.data[i] = in.data[i] / std::pow(k + alpha * sum / size, beta);
      }
  return out;
}

// The mean and the biased variance over channels, per position, in two
// passes (a one-pass variance cancels catastrophically on offset inputs).
Tensor layerNorm(const Tensor &in, const Tensor &scale, const Tensor &shift, double epsilon) {
  Tensor out(in.shape);
  int64_t N = in.dim(0), C = in.dim(1), P = planeSize(in);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t p = 0; p < P; ++p) {
      auto at = [&](int64_t c) { return size_t((n * C + c) * P + p); };
      double mean = 0, variance = 0;
      for (int64_t c = 0; c < C; ++c)
        mean += in.data[at(c)];
      mean /= double(C);
      for (int64_t c = 0; c < C; ++c)
        variance += (in.data[at(c)] - mean) * (in.data[at(c)] - mean);
      double factor = 1 / std::sqrt(variance / double(C) + epsilon);
      for (int64_t c = 0; c < C; ++c)
        out.data[at(c)] = (in.data[at(c)] - mean) * factor * scale.data[c] + shift.data[c];
    }
  return out;
}

} // namespace cnnc::reference
