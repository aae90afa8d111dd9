//===- ShapeRules.cpp - result shapes of cnn layers -----------------------===//

#include "cnn/IR/ShapeRules.h"

#include "llvm/Support/FormatVariadic.h"

using llvm::formatv;

namespace cnn {

std::string formatShape(ShapeRef shape) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text.empty() ? "scalar" : text;
}

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t slidingWindowExtent(int64_t in, int64_t kernel, int64_t stride,
                            int64_t padBefore, int64_t padAfter,
                            int64_t dilation, bool ceilMode) {
  int64_t span = in + padBefore + padAfter - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  int64_t extent = (ceilMode ? ceilDiv(span, stride) : span / stride) + 1;
  // PyTorch drops a last window that would start in the trailing padding.
  if (ceilMode && (extent - 1) * stride >= in + padBefore)
    --extent;
  return extent;
}

std::string tensorLimitError(llvm::ArrayRef<int64_t> shape, llvm::StringRef what) {
  if (shape.size() > kMaxTensorRank)
    return formatv("{0} has rank {1}; at most {2} is supported", what, shape.size(),
                   kMaxTensorRank)
        .str();
  int64_t elements = 1;
  for (int64_t extent : shape)
    if (extent > 0 && (elements > kMaxTensorElements / extent))
      return formatv("{0} {1} has more than {2} elements (2^31 - 1), the most a "
                     "kernel indexes",
                     what, formatShape(shape), kMaxTensorElements)
          .str();
    else
      elements *= std::max<int64_t>(extent, 0);
  return "";
}

namespace {
/// The spatial output of a window op, or why it would be empty.
ShapeOrError spatialOutput(ShapeRef input, std::array<int64_t, 2> kernel,
                           const WindowGeometry &g, bool ceilMode,
                           llvm::StringRef what) {
  Shape out{input[0], input[1], 0, 0};
  for (int axis = 0; axis < 2; ++axis) {
    out[2 + axis] = slidingWindowExtent(input[2 + axis], kernel[axis],
                                        g.stride[axis], g.pad[axis],
                                        g.pad[axis + 2], g.dilation[axis],
                                        ceilMode);
    if (out[2 + axis] < 1)
      return ShapeOrError::error(formatv(
          "{0} {1}x{2} (dilated) does not fit in the padded input {3}x{4}",
          what, g.dilation[0] * (kernel[0] - 1) + 1,
          g.dilation[1] * (kernel[1] - 1) + 1,
          input[2] + g.pad[0] + g.pad[2], input[3] + g.pad[1] + g.pad[3]));
  }
  return out;
}

ShapeOrError checkBias(std::optional<ShapeRef> bias, int64_t channels) {
  if (bias && (*bias)[0] != channels)
    return ShapeOrError::error(formatv(
        "bias has {0} elements but there are {1} output channels", (*bias)[0],
        channels));
  return Shape{};
}

ShapeOrError checkGroups(int64_t inChannels, int64_t outChannels,
                         int64_t groups) {
  if (inChannels % groups != 0)
    return ShapeOrError::error(formatv(
        "input channels ({0}) are not divisible by groups ({1})", inChannels,
        groups));
  if (outChannels % groups != 0)
    return ShapeOrError::error(formatv(
        "output channels ({0}) are not divisible by groups ({1})", outChannels,
        groups));
  return Shape{};
}
} // namespace

ShapeOrError inferConv2D(ShapeRef input, ShapeRef weight,
                         std::optional<ShapeRef> bias,
                         const WindowGeometry &geometry, int64_t groups) {
  int64_t inChannels = input[1], outChannels = weight[0];
  if (auto ok = checkGroups(inChannels, outChannels, groups); !ok)
    return ok;
  if (weight[1] * groups != inChannels)
    return ShapeOrError::error(formatv(
        "weight {0} expects {1} input channels ({2} per group x {3} groups) "
        "but the input {4} has {5}",
        formatShape(weight), weight[1] * groups, weight[1], groups,
        formatShape(input), inChannels));
  if (auto ok = checkBias(bias, outChannels); !ok)
    return ok;
  ShapeOrError out = spatialOutput(input, {weight[2], weight[3]}, geometry,
                                   /*ceilMode=*/false, "kernel");
  if (!out)
    return out;
  Shape shape = out.getShape();
  shape[1] = outChannels;
  return shape;
}

ShapeOrError inferConvTranspose2D(ShapeRef input, ShapeRef weight,
                                  std::optional<ShapeRef> bias,
                                  const WindowGeometry &g,
                                  std::array<int64_t, 2> outputPad,
                                  int64_t groups) {
  int64_t inChannels = input[1], outChannels = weight[1] * groups;
  if (weight[0] != inChannels)
    return ShapeOrError::error(formatv(
        "weight {0} expects {1} input channels but the input {2} has {3}",
        formatShape(weight), weight[0], formatShape(input), inChannels));
  if (auto ok = checkGroups(inChannels, outChannels, groups); !ok)
    return ok;
  if (auto ok = checkBias(bias, outChannels); !ok)
    return ok;
  Shape out{input[0], outChannels, 0, 0};
  for (int axis = 0; axis < 2; ++axis) {
    if (outputPad[axis] >= g.stride[axis] && outputPad[axis] >= g.dilation[axis])
      return ShapeOrError::error(formatv(
          "output padding ({0}) must be smaller than the stride ({1}) or the "
          "dilation ({2})",
          outputPad[axis], g.stride[axis], g.dilation[axis]));
    out[2 + axis] = (input[2 + axis] - 1) * g.stride[axis] - g.pad[axis] -
                    g.pad[axis + 2] +
                    g.dilation[axis] * (weight[2 + axis] - 1) +
                    outputPad[axis] + 1;
    if (out[2 + axis] < 1)
      return ShapeOrError::error(formatv(
          "padding [{0}, {1}, {2}, {3}] removes the whole output",
          g.pad[0], g.pad[1], g.pad[2], g.pad[3]));
  }
  return out;
}

ShapeOrError inferDense(ShapeRef input, ShapeRef weight,
                        std::optional<ShapeRef> bias) {
  if (input.size() < 2)
    return ShapeOrError::error(formatv("input {0} must be [N, K, ...]",
                                       formatShape(input)));
  if (weight[1] != input[1])
    return ShapeOrError::error(formatv(
        "weight {0} expects {1} input features but the input {2} has {3}",
        formatShape(weight), weight[1], formatShape(input), input[1]));
  if (bias && (*bias)[0] != weight[0])
    return ShapeOrError::error(formatv(
        "bias has {0} elements but there are {1} output features", (*bias)[0],
        weight[0]));
  Shape out(input);
  out[1] = weight[0];
  return out;
}

ShapeOrError inferBatchNorm(ShapeRef input, llvm::ArrayRef<ShapeRef> stats) {
  static const char *names[] = {"scale", "shift", "mean", "variance"};
  if (input.size() < 2)
    return ShapeOrError::error(formatv(
        "input {0} has no channel dimension (rank < 2)", formatShape(input)));
  for (size_t i = 0; i < stats.size(); ++i)
    if (stats[i][0] != input[1])
      return ShapeOrError::error(formatv(
          "{0} has {1} elements but the input {2} has {3} channels",
          names[i], stats[i][0], formatShape(input), input[1]));
  return Shape(input);
}

ShapeOrError inferPool2D(ShapeRef input, std::array<int64_t, 2> window,
                         const WindowGeometry &g, bool ceilMode) {
  for (int axis = 0; axis < 2; ++axis)
    if (2 * g.pad[axis] > window[axis] || 2 * g.pad[axis + 2] > window[axis])
      return ShapeOrError::error(formatv(
          "padding [{0}, {1}, {2}, {3}] exceeds half the window {4}x{5}",
          g.pad[0], g.pad[1], g.pad[2], g.pad[3], window[0], window[1]));
  return spatialOutput(input, window, g, ceilMode, "window");
}

ShapeOrError inferGlobalPool2D(ShapeRef input) {
  return Shape{input[0], input[1], 1, 1};
}

ShapeOrError inferAdaptivePool2D(ShapeRef input,
                                 std::array<int64_t, 2> outputSize) {
  return Shape{input[0], input[1], outputSize[0], outputSize[1]};
}

ShapeOrError inferRoiPool(ShapeRef input, ShapeRef rois,
                          std::array<int64_t, 2> outputSize) {
  if (rois[1] != 5)
    return ShapeOrError::error(formatv(
        "rois {0} must have 5 columns [batch_index, x1, y1, x2, y2]",
        formatShape(rois)));
  return Shape{rois[0], input[1], outputSize[0], outputSize[1]};
}

ShapeOrError inferSameShape(ShapeRef lhs, ShapeRef rhs) {
  if (lhs != rhs)
    return ShapeOrError::error(formatv("operand shapes differ: {0} vs {1}",
                                       formatShape(lhs), formatShape(rhs)));
  return Shape(lhs);
}

Shape alignedRank(ShapeRef shape, size_t rank) {
  Shape out(rank - std::min(rank, shape.size()), 1);
  out.append(shape.begin(), shape.end());
  return out;
}

ShapeOrError inferBroadcast(ShapeRef lhsShape, ShapeRef rhsShape) {
  // NumPy's rule: the shorter shape gains leading 1s (ConvNeXt's layer
  // scale [C, 1, 1] times [N, C, H, W]).
  size_t rank = std::max(lhsShape.size(), rhsShape.size());
  Shape lhs = alignedRank(lhsShape, rank), rhs = alignedRank(rhsShape, rank);
  Shape out;
  for (size_t i = 0; i < rank; ++i) {
    if (lhs[i] != rhs[i] && lhs[i] != 1 && rhs[i] != 1)
      return ShapeOrError::error(formatv(
          "shapes {0} and {1} do not broadcast (dimension {2}: {3} vs {4})",
          formatShape(lhsShape), formatShape(rhsShape), i, lhs[i], rhs[i]));
    out.push_back(std::max(lhs[i], rhs[i]));
  }
  return out;
}

ShapeOrError inferReduce(ShapeRef input, llvm::ArrayRef<int64_t> axes) {
  if (axes.empty())
    return ShapeOrError::error("needs at least one axis");
  Shape out(input);
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= int64_t(input.size()))
      return ShapeOrError::error(formatv("axis {0} is out of range for rank {1}", axes[i],
                                         input.size()));
    if (i > 0 && axes[i] <= axes[i - 1])
      return ShapeOrError::error("axes must be sorted and distinct");
    out[size_t(axes[i])] = 1;
  }
  return out;
}

ShapeOrError inferMatmul(ShapeRef lhs, ShapeRef rhs) {
  if (lhs.size() != rhs.size() || lhs.size() < 2)
    return ShapeOrError::error(formatv(
        "operands {0} and {1} must have one rank, 2 or more", formatShape(lhs),
        formatShape(rhs)));
  size_t rank = lhs.size();
  if (lhs[rank - 1] != rhs[rank - 2])
    return ShapeOrError::error(formatv(
        "{0} x {1}: the left operand's rows have {2} elements, the right one's "
        "columns {3}",
        formatShape(lhs), formatShape(rhs), lhs[rank - 1], rhs[rank - 2]));
  Shape out;
  for (size_t i = 0; i + 2 < rank; ++i) {
    if (lhs[i] != rhs[i] && lhs[i] != 1 && rhs[i] != 1)
      return ShapeOrError::error(formatv(
          "{0} x {1}: the batch dimensions do not broadcast (dimension {2}: {3} vs {4})",
          formatShape(lhs), formatShape(rhs), i, lhs[i], rhs[i]));
    out.push_back(std::max(lhs[i], rhs[i]));
  }
  out.push_back(lhs[rank - 2]);
  out.push_back(rhs[rank - 1]);
  return out;
}

ShapeOrError inferConcat(llvm::ArrayRef<ShapeRef> inputs, int64_t axis) {
  if (inputs.empty())
    return ShapeOrError::error("needs at least one input");
  Shape out(inputs[0]);
  if (axis >= static_cast<int64_t>(out.size()))
    return ShapeOrError::error(formatv("axis {0} is out of range for rank {1}",
                                       axis, out.size()));
  for (size_t i = 1; i < inputs.size(); ++i) {
    ShapeRef shape = inputs[i];
    bool compatible = shape.size() == out.size();
    for (size_t d = 0; compatible && d < shape.size(); ++d)
      compatible = static_cast<int64_t>(d) == axis || shape[d] == out[d];
    if (!compatible)
      return ShapeOrError::error(formatv(
          "input {0} ({1}) does not match input 0 ({2}) outside axis {3}", i,
          formatShape(shape), formatShape(inputs[0]), axis));
    out[axis] += shape[axis];
  }
  return out;
}

ShapeOrError inferFlatten(ShapeRef input, int64_t startDim) {
  if (startDim >= static_cast<int64_t>(input.size()))
    return ShapeOrError::error(formatv(
        "start_dim {0} is out of range for rank {1}", startDim, input.size()));
  Shape out(input.take_front(startDim));
  int64_t merged = 1;
  for (int64_t d : input.drop_front(startDim))
    merged *= d;
  out.push_back(merged);
  return out;
}

ShapeOrError inferSlice(ShapeRef input, int64_t axis, int64_t start, int64_t size) {
  if (axis >= static_cast<int64_t>(input.size()))
    return ShapeOrError::error(formatv("axis {0} is out of range for rank {1}", axis,
                                       input.size()));
  if (start < 0 || size < 1 || start > input[axis] || size > input[axis] - start)
    return ShapeOrError::error(formatv("entries {0} to {1} are not all within the {2} of "
                                       "axis {3} in {4}",
                                       start, start + size - 1, input[axis], axis,
                                       formatShape(input)));
  Shape out(input);
  out[axis] = size;
  return out;
}

ShapeOrError inferChannelShuffle(ShapeRef input, int64_t groups) {
  if (input.size() < 2)
    return ShapeOrError::error(formatv("input {0} has no channel dimension",
                                       formatShape(input)));
  if (groups < 1 || input[1] % groups != 0)
    return ShapeOrError::error(formatv("{0} channels do not divide into {1} groups",
                                       input[1], groups));
  return Shape(input);
}

ShapeOrError inferTranspose(ShapeRef input, llvm::ArrayRef<int64_t> permutation) {
  if (permutation.size() != input.size())
    return ShapeOrError::error(formatv("a permutation of {0} dimensions cannot reorder {1}",
                                       permutation.size(), formatShape(input)));
  Shape out;
  std::vector<bool> seen(input.size(), false);
  for (int64_t d : permutation) {
    if (d < 0 || d >= static_cast<int64_t>(input.size()) || seen[d])
      return ShapeOrError::error(formatv("the permutation must hold each of 0 to {0} once",
                                         input.size() - 1));
    seen[d] = true;
    out.push_back(input[d]);
  }
  return out;
}

ShapeOrError inferLayerNorm(ShapeRef input, ShapeRef scale, ShapeRef shift) {
  if (input.size() < 2)
    return ShapeOrError::error(formatv("input {0} has no channel dimension",
                                       formatShape(input)));
  if (scale.size() != 1 || scale[0] != input[1] || shift.size() != 1 || shift[0] != input[1])
    return ShapeOrError::error(formatv("scale {0} and shift {1} must have the {2} channels "
                                       "of the input {3}",
                                       formatShape(scale), formatShape(shift), input[1],
                                       formatShape(input)));
  return Shape(input);
}

static int64_t elementCount(ShapeRef shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

ShapeOrError inferReshape(ShapeRef input, ShapeRef newShape) {
  if (elementCount(input) != elementCount(newShape))
    return ShapeOrError::error(formatv(
        "cannot reshape {0} ({1} elements) into {2} ({3} elements)",
        formatShape(input), elementCount(input), formatShape(newShape),
        elementCount(newShape)));
  return Shape(newShape);
}

ShapeOrError inferAlongAxis(ShapeRef input, int64_t axis) {
  if (axis >= static_cast<int64_t>(input.size()))
    return ShapeOrError::error(formatv("axis {0} is out of range for rank {1}",
                                       axis, input.size()));
  return Shape(input);
}

ShapeOrError inferUpsample(ShapeRef input, std::array<int64_t, 2> size) {
  return Shape{input[0], input[1], size[0], size[1]};
}

ShapeOrError inferFoldBatchNorm(ShapeRef weight, llvm::ArrayRef<ShapeRef> statistics,
                                std::optional<ShapeRef> bias) {
  static const char *names[] = {"scale", "shift", "mean", "variance"};
  if (weight.empty())
    return ShapeOrError::error("the weight has no output-channel dimension");
  for (size_t i = 0; i < statistics.size(); ++i)
    if (statistics[i][0] != weight[0])
      return ShapeOrError::error(formatv(
          "{0} has {1} elements but the weight {2} has {3} output channels",
          names[i], statistics[i][0], formatShape(weight), weight[0]));
  if (auto ok = checkBias(bias, weight[0]); !ok)
    return ok;
  return Shape{weight[0]};
}

ShapeOrError inferGemm(ShapeRef input, ShapeRef weight, std::optional<ShapeRef> bias) {
  bool pointwise = weight.size() == 2 || (weight.size() == 4 && weight[2] == 1 && weight[3] == 1);
  if (!pointwise)
    return ShapeOrError::error(formatv("weight {0} must be [M, K] or [M, K, 1, 1]",
                                       formatShape(weight)));
  if (input.size() < 2)
    return ShapeOrError::error(formatv("input {0} must be [N, K, ...]",
                                       formatShape(input)));
  if (input[1] != weight[1])
    return ShapeOrError::error(formatv(
        "weight {0} expects {1} input channels but the input {2} has {3}",
        formatShape(weight), weight[1], formatShape(input), input[1]));
  if (auto ok = checkBias(bias, weight[0]); !ok)
    return ok;
  Shape out(input);
  out[1] = weight[0];
  return out;
}

ShapeOrError checkResidual(const ShapeOrError &output, std::optional<ShapeRef> residual) {
  if (output && residual && ShapeRef(output.getShape()) != *residual)
    return ShapeOrError::error(formatv("residual {0} does not match the output {1}",
                                       formatShape(*residual),
                                       formatShape(output.getShape())));
  return output;
}

} // namespace cnn
