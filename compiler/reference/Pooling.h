//===- Pooling.h - reference pooling and resampling -----------------------===//

#ifndef CNNC_REFERENCE_POOLING_H
#define CNNC_REFERENCE_POOLING_H

#include "reference/Convolution.h"

#include <cmath>

namespace cnnc::reference {

/// max(a, b) that keeps a NaN from either side, as PyTorch's max pooling and
/// reductions do (std::max keeps `a` when `b` is NaN).
inline double maxKeepingNan(double a, double b) { return std::isnan(b) || b > a ? b : a; }

/// Max or average pooling with PyTorch's window rules; the output size
/// (ceil mode included) comes from the op's result type.
Tensor pool2d(const Tensor &in, llvm::ArrayRef<int64_t> window, const Geometry &g, bool isMax,
              bool countIncludePad, std::vector<int64_t> outShape);
/// PyTorch's adaptive pooling.
Tensor adaptivePool2d(const Tensor &in, int64_t OH, int64_t OW, bool isMax);
/// torchvision's roi_pool.
Tensor roiPool(const Tensor &in, const Tensor &rois, int64_t PH, int64_t PW, double scale);
/// PyTorch's interpolate with an output size (nearest or bilinear).
Tensor upsample(const Tensor &in, int64_t OH, int64_t OW, bool bilinear, bool alignCorners);

} // namespace cnnc::reference

#endif // CNNC_REFERENCE_POOLING_H
