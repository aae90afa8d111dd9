//===- Movement.h - reference semantics of ops that only move values ------===//

#ifndef CNNC_REFERENCE_MOVEMENT_H
#define CNNC_REFERENCE_MOVEMENT_H

#include "reference/Tensor.h"

namespace cnnc::reference {

/// The inputs joined along `axis`.
Tensor concat(const std::vector<const Tensor *> &inputs, int64_t axis,
              std::vector<int64_t> outShape);
/// Entries [start, start + size) of dimension `axis`.
Tensor slice(const Tensor &in, int64_t axis, int64_t start, int64_t size);
/// Output channel k * groups + g is input channel g * (C / groups) + k.
Tensor channelShuffle(const Tensor &in, int64_t groups);
/// Result dimension i is input dimension permutation[i] (torch.permute).
Tensor transpose(const Tensor &in, const std::vector<int64_t> &permutation);

} // namespace cnnc::reference

#endif // CNNC_REFERENCE_MOVEMENT_H
