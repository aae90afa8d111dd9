//===- Convolution.h - reference convolutions and matrix products ---------===//

#ifndef CNNC_REFERENCE_CONVOLUTION_H
#define CNNC_REFERENCE_CONVOLUTION_H

#include "reference/Tensor.h"

#include "llvm/ADT/ArrayRef.h"

#include <vector>

namespace cnnc::reference {

/// A window's strides, padding (top, left, bottom, right) and dilation.
struct Geometry {
  int64_t strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW;
};

inline Geometry geometry(llvm::ArrayRef<int64_t> stride, llvm::ArrayRef<int64_t> pad,
                         llvm::ArrayRef<int64_t> dilation) {
  return {stride[0], stride[1], pad[0], pad[1], pad[2], pad[3], dilation[0], dilation[1]};
}

/// out[n, co, y, x] = bias[co] + the window's sum over co's group of inputs.
Tensor conv2d(const Tensor &in, const Tensor &w, const Tensor *bias, const Geometry &g,
              int64_t groups, std::vector<int64_t> outShape);
/// The transpose of conv2d, by gathering.
Tensor convTranspose2d(const Tensor &in, const Tensor &w, const Tensor *bias,
                       const Geometry &g, int64_t groups, std::vector<int64_t> outShape);
/// out[n, m] = bias[m] + sum over k of in[n, k] * w[m, k].
Tensor dense(const Tensor &in, const Tensor &w, const Tensor *bias);
/// A matrix product over dimension 1 at every position, with a residual.
Tensor gemm(const Tensor &in, const Tensor &w, const Tensor *bias, const Tensor *residual,
            std::vector<int64_t> outShape);

} // namespace cnnc::reference

#endif // CNNC_REFERENCE_CONVOLUTION_H
