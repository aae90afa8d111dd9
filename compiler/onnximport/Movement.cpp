//===- Movement.cpp - reshapes, transposes, concats, splits, slices, resize ===//

#include "onnximport/Handlers.h"

#include <algorithm>

namespace cnnc::onnx_import {

using Args = std::vector<std::string>;

void flatten(Importer &im) {
  im.expectAttributes({"axis"});
  int x = im.activationInput(0, "input");
  int64_t axis = im.intAttribute("axis", 1);
  if (axis == 1 && im.shapeOf(x).size() >= 2)
    im.addLayer("flatten", {x}, {});
  else
    im.addLayer("reshape", {x}, {Importer::list(im.outputShape(0))});
}

void reshape(Importer &im) {
  int x = im.activationInput(0, "data");
  const std::string &op = im.node().op_type();
  if ((op == "Squeeze" || op == "Unsqueeze") && squeezedShape(im, im.shapeOf(x)) != im.outputShape(0))
    im.unsupported("ONNX's shape inference gives " + formatShape(im.outputShape(0)) +
                   ", which the axes do not");
  if (im.outputShape(0) == im.shapeOf(x))
    return im.bindActivation(0, x);
  im.addLayer("reshape", {x}, {Importer::list(im.outputShape(0))});
}

void transposeOp(Importer &im) {
  im.expectAttributes({"perm"});
  int x = im.activationInput(0, "data");
  std::vector<int64_t> perm = im.intsAttribute("perm");
  int64_t rank = int64_t(im.shapeOf(x).size());
  if (perm.empty())
    for (int64_t d = rank; d-- > 0;)
      perm.push_back(d);
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t d = 0; d < rank; ++d)
    if (int64_t(sorted.size()) != rank || sorted[size_t(d)] != d)
      im.unsupported("perm " + Importer::list(perm) + " is not a permutation of the input's " +
                     std::to_string(rank) + " dimensions");
  im.addLayer("permute", {x}, {Importer::list(perm)});
}

namespace {
/// reshape, permute, reshape: how DepthToSpace and SpaceToDepth move
/// elements, as ONNX defines them. The inner tensor has rank 6.
void rearrange(Importer &im, int x, const Shape &inner, const std::vector<int64_t> &perm) {
  Shape moved(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    moved[i] = inner[size_t(perm[i])];
  int split = im.addInnerLayer("reshape", {x}, {Importer::list(inner)}, {inner}, false).outputs[0];
  int permuted =
      im.addInnerLayer("permute", {split}, {Importer::list(perm)}, {moved}, false).outputs[0];
  im.addLayer("reshape", {permuted}, {Importer::list(im.outputShape(0))});
}

int64_t blockSize(Importer &im, const Shape &shape) {
  int64_t block = im.intAttribute("blocksize", 0);
  if (shape.size() != 4)
    im.unsupported("the input must have rank 4");
  if (block < 1 || block > 4096)
    im.unsupported("blocksize " + std::to_string(block) + " must be from 1 to 4096");
  return block;
}
} // namespace

/// Channels to space: DCR (the default, TensorFlow's) reads the channel
/// index as (block row, block column, channel), CRD (PyTorch's
/// PixelShuffle) as (channel, block row, block column).
void depthToSpace(Importer &im) {
  im.expectAttributes({"blocksize", "mode"});
  int x = im.activationInput(0, "input");
  Shape s = im.shapeOf(x);
  int64_t b = blockSize(im, s), n = s[0], c = s[1], h = s[2], w = s[3];
  if (c % (b * b))
    im.unsupported("the channels (" + std::to_string(c) + ") are not a multiple of blocksize^2");
  std::string mode = im.stringAttribute("mode", "DCR");
  if (mode == "DCR")
    rearrange(im, x, {n, b, b, c / (b * b), h, w}, {0, 3, 4, 1, 5, 2});
  else if (mode == "CRD")
    rearrange(im, x, {n, c / (b * b), b, b, h, w}, {0, 1, 4, 2, 5, 3});
  else
    im.unsupported("mode '" + mode + "' is not DCR or CRD");
}

/// Space to channels, the inverse of DepthToSpace's DCR.
void spaceToDepth(Importer &im) {
  im.expectAttributes({"blocksize"});
  int x = im.activationInput(0, "input");
  Shape s = im.shapeOf(x);
  int64_t b = blockSize(im, s), n = s[0], c = s[1], h = s[2], w = s[3];
  if (h % b || w % b)
    im.unsupported("the height and width are not multiples of blocksize");
  rearrange(im, x, {n, c, h / b, b, w / b, b}, {0, 3, 5, 1, 2, 4});
}

/// Tile of a computed tensor: copies joined along each repeated axis.
void tileOp(Importer &im) {
  int x = im.activationInput(0, "input");
  std::vector<int64_t> repeats = im.constantInput(1, "repeats").ints();
  Shape shape = im.shapeOf(x);
  if (repeats.size() != shape.size())
    im.unsupported("repeats " + Importer::list(repeats) + " do not match the input's rank");
  int64_t copies = 1;
  for (int64_t r : repeats) {
    if (r < 1)
      im.unsupported("a repeat below 1");
    copies *= r;
    if (copies > 4096)
      im.unsupported("more than 4096 copies");
  }
  int current = x;
  std::vector<size_t> axes;
  for (size_t d = 0; d < repeats.size(); ++d)
    if (repeats[d] > 1)
      axes.push_back(d);
  if (axes.empty())
    return im.bindActivation(0, x);
  for (size_t i = 0; i < axes.size(); ++i) {
    size_t axis = axes[i];
    std::vector<int> parts(size_t(repeats[axis]), current);
    Args args = {"axis=" + std::to_string(axis)};
    shape[axis] *= repeats[axis];
    Layer &layer = i + 1 == axes.size() ? im.addLayer("concat", parts, args)
                                        : im.addInnerLayer("concat", parts, args, {shape}, false);
    layer.facts["list"] = 1;
    current = layer.outputs[0];
  }
}

void concat(Importer &im) {
  im.expectAttributes({"axis"});
  // A constant operand (TensorFlow's zero channels padding a residual
  // branch, a learned token) is a learned tensor: a parameter of the layer.
  std::vector<int> operands;
  for (int i = 0; i < im.node().input_size(); ++i)
    operands.push_back(im.isConstant(i) ? im.learnedTensor(im.constantInput(i, "inputs"))
                                        : im.activationInput(i, "inputs"));
  int64_t rank = int64_t(im.shapeOf(operands[0]).size());
  int64_t axis = im.intAttribute("axis", 1);
  if (axis < 0)
    axis += rank;
  if (operands.size() == 1)
    return im.bindActivation(0, operands[0]);
  // concat([a, b, ...], axis=k): the operands are written as one list.
  Layer &layer = im.addLayer("concat", operands, {"axis=" + std::to_string(axis)});
  layer.facts["list"] = 1;
}

void split(Importer &im) {
  im.expectAttributes({"axis", "split"});
  int x = im.activationInput(0, "input");
  Shape shape = im.shapeOf(x);
  int64_t rank = int64_t(shape.size()), axis = im.intAttribute("axis", 0);
  if (axis < -rank || axis >= rank)
    im.unsupported("axis " + std::to_string(axis) + " is outside the input's rank " +
                   std::to_string(rank));
  if (axis < 0)
    axis += rank;
  // One part is the whole input.
  if (im.node().output_size() == 1 && im.outputShape(0) == shape)
    return im.bindActivation(0, x);
  std::vector<int64_t> sizes;
  for (int i = 0; i < im.node().output_size(); ++i) {
    Shape part = im.outputShape(i);
    if (part.size() != shape.size())
      im.unsupported("output " + std::to_string(i) + " has shape " + formatShape(part) +
                     ", not a part of " + formatShape(shape));
    sizes.push_back(part[size_t(axis)]);
  }
  im.addLayer("split", {x}, {Importer::list(sizes), "axis=" + std::to_string(axis)});
}

/// Slice with unit steps: one split per sliced axis, keeping its middle.
void slice(Importer &im) {
  int x = im.activationInput(0, "data");
  Shape in = im.shapeOf(x);
  std::vector<int64_t> starts, ends, axes, steps;
  if (im.opset() < 10) {
    starts = im.intsAttribute("starts");
    ends = im.intsAttribute("ends");
    axes = im.intsAttribute("axes");
  } else {
    starts = im.constantInput(1, "starts").ints();
    ends = im.constantInput(2, "ends").ints();
    if (im.hasInput(3))
      axes = im.constantInput(3, "axes").ints();
    if (im.hasInput(4))
      steps = im.constantInput(4, "steps").ints();
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(int64_t(i));
  for (int64_t s : steps)
    if (s != 1)
      im.unsupported("slices with steps other than 1 are not supported");
  if (starts.size() != ends.size() || axes.size() != starts.size())
    im.unsupported("starts, ends and axes differ in length");
  // The bounds are constants here (shape subgraphs are folded), so the
  // output shape follows even where ONNX's inference left it open.
  Shape out = in;
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t rank = int64_t(in.size());
    int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (axis < 0 || axis >= rank)
      im.unsupported("axis " + std::to_string(axes[i]) + " is outside the rank");
    int64_t extent = in[size_t(axis)];
    auto clamp = [&](int64_t v) {
      return std::max<int64_t>(0, std::min(extent, v < 0 ? v + extent : v));
    };
    out[size_t(axis)] = std::max<int64_t>(0, clamp(ends[i]) - clamp(starts[i]));
  }
  if (elementCount(out) <= 0)
    im.unsupported("the slice is empty");
  int current = x;
  Shape shape = in;
  std::vector<size_t> sliced;
  for (size_t d = 0; d < in.size(); ++d)
    if (in[d] != out[d])
      sliced.push_back(d);
  if (sliced.empty())
    return im.bindActivation(0, x);
  for (size_t k = 0; k < sliced.size(); ++k) {
    size_t d = sliced[k];
    int64_t start = 0;
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t axis = axes[i] < 0 ? axes[i] + int64_t(in.size()) : axes[i];
      if (axis == int64_t(d)) {
        start = starts[i] < 0 ? starts[i] + in[d] : starts[i];
        start = std::max<int64_t>(0, std::min(in[d], start));
      }
    }
    std::vector<int64_t> sizes;
    int index = 0;
    if (start > 0) {
      sizes.push_back(start);
      index = 1;
    }
    sizes.push_back(out[d]);
    if (in[d] - start - out[d] > 0)
      sizes.push_back(in[d] - start - out[d]);
    shape[d] = out[d];
    Args args = {Importer::list(sizes), "axis=" + std::to_string(d)};
    Layer &layer = im.addInnerLayer("split", {current}, args, {shape});
    layer.index = index;
    current = layer.outputs[0];
  }
  im.bindActivation(0, current);
}

void resize(Importer &im) {
  im.expectAttributes({"mode", "coordinate_transformation_mode", "nearest_mode",
                       "cubic_coeff_a", "exclude_outside", "extrapolation_value"});
  int x = im.activationInput(0, "X");
  Shape in = im.shapeOf(x), out = im.outputShape(0);
  if (in.size() != 4 || in[0] != out[0] || in[1] != out[1])
    im.unsupported("only resizing the height and width of [N, C, H, W] is supported");
  std::string mode = im.stringAttribute("mode", "nearest");
  // Upsample and Resize-10 map coordinates asymmetrically; later Resize
  // defaults to half_pixel.
  bool legacy = im.node().op_type() == "Upsample" || im.opset() < 11;
  std::string transform = im.stringAttribute("coordinate_transformation_mode",
                                             legacy ? "asymmetric" : "half_pixel");
  if (out[2] < in[2] || out[3] < in[3])
    im.unsupported("downsampling is not supported (the kernels upsample)");
  Args args = {"size=" + Importer::list({out[2], out[3]})};
  if (mode == "nearest") {
    // PyTorch's nearest (the kernels') is asymmetric with floor, which is
    // also what Upsample and Resize before opset 11 mean.
    std::string rounding = im.stringAttribute("nearest_mode", "round_prefer_floor");
    if (!legacy && !(transform == "asymmetric" && rounding == "floor"))
      im.unsupported("nearest resizing is supported with coordinate_transformation_mode "
                     "asymmetric and nearest_mode floor (PyTorch's), not " + transform +
                     " and " + rounding);
  } else if (mode == "linear" || mode == "bilinear") {
    args.push_back("mode=\"bilinear\"");
    if (transform == "align_corners")
      args.push_back("align_corners=true");
    else if (!(transform == "half_pixel" || transform == "pytorch_half_pixel"))
      im.unsupported("linear resizing is supported with coordinate_transformation_mode "
                     "half_pixel, pytorch_half_pixel or align_corners, not " + transform);
  } else {
    im.unsupported("mode '" + mode + "' is not supported (nearest and linear are)");
  }
  im.addLayer("upsample", {x}, args);
}

} // namespace cnnc::onnx_import
