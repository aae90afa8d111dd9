//===- Normalization.h - reference semantics of the normalisations --------===//

#ifndef CNNC_REFERENCE_NORMALIZATION_H
#define CNNC_REFERENCE_NORMALIZATION_H

#include "reference/Tensor.h"

namespace cnnc::reference {

/// Inference batch norm over channel dimension 1, running statistics.
Tensor batchNorm(const Tensor &in, const Tensor &scale, const Tensor &shift,
                 const Tensor &mean, const Tensor &var, double epsilon);
/// PyTorch's LocalResponseNorm across channels.
Tensor lrn(const Tensor &in, int64_t size, double alpha, double beta, double k);
/// Layer norm over the channels at each position (ConvNeXt's LayerNorm2d).
Tensor layerNorm(const Tensor &in, const Tensor &scale, const Tensor &shift, double epsilon);

} // namespace cnnc::reference

#endif // CNNC_REFERENCE_NORMALIZATION_H
