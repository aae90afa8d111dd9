//===- Constant.h - constant tensors of an ONNX graph ---------------------===//
//
// Initializers, Constant nodes and what shape subgraphs compute from them.
// Values are held as doubles (float weights and int64 shapes alike: int64
// shape values fit a double exactly below 2^53, which bounds them).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_ONNXIMPORT_CONSTANT_H
#define CNNC_ONNXIMPORT_CONSTANT_H

#include "onnx/onnx_pb.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cnnc::onnx_import {

using Shape = std::vector<int64_t>;

/// The most elements a constant may have (a 2^28-element float weight is
/// 1 GiB; the kernels index tensors with 32 bits anyway).
constexpr int64_t maxConstantElements = int64_t(1) << 28;
/// The most elements a constant computed at import may have (ConstantOfShape,
/// Expand, Range, broadcasts): shape computations are small, and a tiny file
/// must not make the importer allocate gigabytes.
constexpr int64_t maxComputedElements = int64_t(1) << 22;

struct Constant {
  Shape shape;
  std::vector<double> values;
  bool integer = false;  // int64/int32/bool in the file: a shape computation
  int dataType = 0;      // the TensorProto's element type it was read with; 0: computed

  int64_t size() const { return int64_t(values.size()); }
  bool isScalar() const { return values.size() == 1; }
  std::vector<int64_t> ints() const;
};

/// The number of elements of `shape`, or -1 if a dimension is negative or
/// the product reaches maxConstantElements.
int64_t elementCount(const Shape &shape);
/// The element count of `shape` in words, however large ("1099511627776").
std::string elementsText(const Shape &shape);

/// `count` copies of `value` as a vector (a default scale or bias the file
/// does not hold); throws if `count` exceeds maxComputedElements.
Constant filled(int64_t count, double value);

/// Reads a TensorProto; `what` names it in errors. Throws ImportError.
Constant readTensor(const onnx::TensorProto &tensor, const std::string &what);

/// Element-wise with NumPy broadcasting.
Constant broadcast(const Constant &a, const Constant &b,
                   const std::function<double(double, double)> &op, const std::string &what);

/// The elements of `c` in the order of `permutation` (a transpose).
Constant transpose(const Constant &c, const std::vector<int64_t> &permutation);

std::string formatShape(const Shape &shape);

} // namespace cnnc::onnx_import

#endif // CNNC_ONNXIMPORT_CONSTANT_H
