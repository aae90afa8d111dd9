//===- Tensor.h - dense f32 tensors for the reference interpreter ---------===//

#ifndef CNNC_REFERENCE_TENSOR_H
#define CNNC_REFERENCE_TENSOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace cnnc::reference {

/// A row-major tensor of doubles. The reference keeps double precision
/// from end to end, so it is the exact function of its (float32) inputs and
/// weights: what a float32 implementation is compared against, whatever
/// rounding that implementation does.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;

  Tensor() = default;
  explicit Tensor(std::vector<int64_t> shape)
      : shape(std::move(shape)), data(elementCount(this->shape)) {}

  static size_t elementCount(const std::vector<int64_t> &shape) {
    size_t count = 1;
    for (int64_t d : shape)
      count *= static_cast<size_t>(d);
    return count;
  }
  size_t size() const { return data.size(); }
  int64_t dim(size_t i) const { return shape[i]; }
  std::string shapeString() const;
};

/// Elements per channel-plane: the product of dimensions after the second.
inline int64_t planeSize(const Tensor &t) {
  int64_t size = 1;
  for (size_t i = 2; i < t.shape.size(); ++i)
    size *= t.shape[i];
  return size;
}

} // namespace cnnc::reference

#endif // CNNC_REFERENCE_TENSOR_H
