//===- Movement.cpp - reference semantics of ops that only move values ----===//

#include "reference/Movement.h"

#include <algorithm>

namespace cnnc::reference {

namespace {
/// The product of the extents before `axis` and of those after it.
std::pair<int64_t, int64_t> aroundAxis(const std::vector<int64_t> &shape, int64_t axis) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  return {outer, inner};
}
} // namespace

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

Tensor slice(const Tensor &in, int64_t axis, int64_t start, int64_t size) {
  std::vector<int64_t> shape = in.shape;
  shape[axis] = size;
  Tensor out(shape);
  auto [outer, inner] = aroundAxis(in.shape, axis);
  for (int64_t o = 0; o < outer; ++o)
    std::copy_n(&in.data[(o * in.shape[axis] + start) * inner], size * inner,
                &out.data[o * size * inner]);
  return out;
}

Tensor channelShuffle(const Tensor &in, int64_t groups) {
  Tensor out(in.shape);
  auto [batch, plane] = aroundAxis(in.shape, 1);
  int64_t channels = in.shape[1], perGroup = channels / groups;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t k = 0; k < perGroup; ++k)
      for (int64_t g = 0; g < groups; ++g)
        std::copy_n(&in.data[(n * channels + g * perGroup + k) * plane], plane,
                    &out.data[(n * channels + k * groups + g) * plane]);
  return out;
}

Tensor transpose(const Tensor &in, const std::vector<int64_t> &permutation) {
  size_t rank = in.shape.size();
  std::vector<int64_t> shape(rank), inStrides(rank, 1), stepIn(rank);
  for (size_t d = rank; d-- > 1;)
    inStrides[d - 1] = inStrides[d] * in.shape[d];
  for (size_t i = 0; i < rank; ++i) {
    shape[i] = in.shape[permutation[i]];
    stepIn[i] = inStrides[permutation[i]];
  }
  Tensor out(shape);
  std::vector<int64_t> index(rank, 0);
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t from = 0;
    for (size_t d = 0; d < rank; ++d)
      from += index[d] * stepIn[d];
    out.data[i] = in.data[from];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

} // namespace cnnc::reference
