//===- ShapeRules.h - result shapes of cnn layers -------------------------===//
//
// The shape rule of every cnn op as a plain function of operand shapes and
// attribute values. The op verifiers, the generated builders (through
// inferReturnTypes) and the language frontend all call these, so a rule and its
// error message are written once. No MLIR types here: the frontend checks a
// layer before any op exists, and unit tests call the rules directly.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_IR_SHAPERULES_H
#define CNN_IR_SHAPERULES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/SmallVector.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace cnn {

using Shape = llvm::SmallVector<int64_t, 4>;
using ShapeRef = llvm::ArrayRef<int64_t>;

/// A result shape, or a sentence naming the rule the operands break.
/// The largest tensors the back end handles: kernels index buffers with
/// 32-bit integers, and the runtime's buffers have at most 6 dimensions.
constexpr int64_t kMaxTensorElements = (int64_t(1) << 31) - 1;
constexpr size_t kMaxTensorRank = 6;

/// Why a tensor of `shape` is beyond the back end, or "" when it is not;
/// `what` names the tensor in the message ("the result", "input 'x'").
std::string tensorLimitError(llvm::ArrayRef<int64_t> shape,
                             llvm::StringRef what = "the result");

/// A rule's result: the output shape, or why there is none. A shape beyond
/// the back end's limits is an error too, so every layer that could not be
/// compiled is refused where it is made.
class ShapeOrError {
public:
  ShapeOrError(Shape shape) : shape(std::move(shape)) {
    message = tensorLimitError(this->shape);
  }
  static ShapeOrError error(std::string message) {
    ShapeOrError result{Shape{}};
    result.message = std::move(message);
    return result;
  }
  explicit operator bool() const { return message.empty(); }
  const Shape &getShape() const { return shape; }
  const std::string &getError() const { return message; }

private:
  Shape shape;
  std::string message;
};

/// Geometry shared by convolutions and pooling windows. Pairs are
/// [height, width]; padding is [top, left, bottom, right].
struct WindowGeometry {
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 4> pad{0, 0, 0, 0};
  std::array<int64_t, 2> dilation{1, 1};
};

/// "1x64x56x56", the form the tensor type uses.
std::string formatShape(ShapeRef shape);

/// The output extent of a sliding window along one axis:
/// floor((in + padBefore + padAfter - dilation * (k - 1) - 1) / stride) + 1.
/// With ceilMode the division rounds up, and a last window that would start
/// inside the trailing padding is dropped (PyTorch's pooling rule).
int64_t slidingWindowExtent(int64_t in, int64_t kernel, int64_t stride,
                            int64_t padBefore, int64_t padAfter,
                            int64_t dilation, bool ceilMode = false);

ShapeOrError inferConv2D(ShapeRef input, ShapeRef weight,
                         std::optional<ShapeRef> bias,
                         const WindowGeometry &geometry, int64_t groups);
ShapeOrError inferConvTranspose2D(ShapeRef input, ShapeRef weight,
                                  std::optional<ShapeRef> bias,
                                  const WindowGeometry &geometry,
                                  std::array<int64_t, 2> outputPad,
                                  int64_t groups);
ShapeOrError inferDense(ShapeRef input, ShapeRef weight,
                        std::optional<ShapeRef> bias);
/// `statistics` are scale, shift, mean and variance, in that order.
ShapeOrError inferBatchNorm(ShapeRef input,
                            llvm::ArrayRef<ShapeRef> statistics);
ShapeOrError inferPool2D(ShapeRef input, std::array<int64_t, 2> window,
                         const WindowGeometry &geometry, bool ceilMode);
ShapeOrError inferGlobalPool2D(ShapeRef input);
ShapeOrError inferAdaptivePool2D(ShapeRef input,
                                 std::array<int64_t, 2> outputSize);
ShapeOrError inferRoiPool(ShapeRef input, ShapeRef rois,
                          std::array<int64_t, 2> outputSize);
ShapeOrError inferSameShape(ShapeRef lhs, ShapeRef rhs);
/// NumPy broadcasting: the shorter shape gains leading 1s.
ShapeOrError inferBroadcast(ShapeRef lhs, ShapeRef rhs);
/// `axes` (sorted, distinct, in range) reduced to extent 1.
ShapeOrError inferReduce(ShapeRef input, llvm::ArrayRef<int64_t> axes);
/// torch.matmul on equal ranks: [..., M, K] x [..., K, N] -> [..., M, N],
/// the leading dimensions broadcast.
ShapeOrError inferMatmul(ShapeRef lhs, ShapeRef rhs);
/// `shape` with leading 1s up to `rank` dimensions.
Shape alignedRank(ShapeRef shape, size_t rank);
ShapeOrError inferConcat(llvm::ArrayRef<ShapeRef> inputs, int64_t axis);
ShapeOrError inferFlatten(ShapeRef input, int64_t startDim);
ShapeOrError inferSlice(ShapeRef input, int64_t axis, int64_t start, int64_t size);
ShapeOrError inferChannelShuffle(ShapeRef input, int64_t groups);
ShapeOrError inferTranspose(ShapeRef input, llvm::ArrayRef<int64_t> permutation);
/// `scale` and `shift` have one value per channel (dimension 1).
ShapeOrError inferLayerNorm(ShapeRef input, ShapeRef scale, ShapeRef shift);
ShapeOrError inferReshape(ShapeRef input, ShapeRef newShape);
ShapeOrError inferAlongAxis(ShapeRef input, int64_t axis);
ShapeOrError inferUpsample(ShapeRef input, std::array<int64_t, 2> size);
/// The folded bias's shape ([C] for a weight of C output channels).
ShapeOrError inferFoldBatchNorm(ShapeRef weight, llvm::ArrayRef<ShapeRef> statistics,
                                std::optional<ShapeRef> bias);
ShapeOrError inferGemm(ShapeRef input, ShapeRef weight, std::optional<ShapeRef> bias);
/// A residual added to a layer's output must have the output's shape.
ShapeOrError checkResidual(const ShapeOrError &output, std::optional<ShapeRef> residual);

} // namespace cnn

#endif // CNN_IR_SHAPERULES_H
