//===- Operators.cpp - ONNX operators as layers of the language -----------===//
//
// One handler per op type. A handler checks every attribute it is given (an
// unknown one is refused, never ignored) and adds the layer; constant
// operands become parameters named after the layer.
//
//===----------------------------------------------------------------------===//

#include "onnximport/Importer.h"
#include "onnximport/Patterns.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

namespace cnnc::onnx_import {

namespace {

using Handler = std::function<void(Importer &)>;
using Args = std::vector<std::string>;

std::string pair(int64_t a, int64_t b) {
  return a == b ? std::to_string(a) : Importer::list({a, b});
}

/// A 2-D window: kernel, strides, dilations and [top, left, bottom, right] pads.
struct Window {
  int64_t kernel[2], stride[2] = {1, 1}, dilation[2] = {1, 1}, pads[4] = {0, 0, 0, 0};

  std::string padText() const {
    if (pads[0] == pads[2] && pads[1] == pads[3])
      return pair(pads[0], pads[1]);
    return Importer::list({pads[0], pads[1], pads[2], pads[3]});
  }
  bool padded() const { return pads[0] || pads[1] || pads[2] || pads[3]; }
};

Window readWindow(Importer &im, const Shape &input, std::vector<int64_t> kernel,
                  bool ceilMode = false) {
  if (input.size() != 4)
    im.unsupported("only 2-D windows over [N, C, H, W] are supported; the input is " +
                   formatShape(input));
  if (im.hasAttribute("kernel_shape"))
    kernel = im.intsAttribute("kernel_shape");
  if (kernel.size() != 2)
    im.unsupported("kernel_shape must have 2 values");
  Window w;
  w.kernel[0] = kernel[0];
  w.kernel[1] = kernel[1];
  auto two = [&](const std::string &name, int64_t *into) {
    std::vector<int64_t> v = im.intsAttribute(name);
    if (v.empty())
      return;
    if (v.size() != 2 || v[0] < 1 || v[1] < 1)
      im.unsupported("'" + name + "' must be 2 positive values");
    into[0] = v[0];
    into[1] = v[1];
  };
  two("strides", w.stride);
  two("dilations", w.dilation);
  std::string autoPad = im.stringAttribute("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    std::vector<int64_t> pads = im.intsAttribute("pads");
    if (!pads.empty()) {
      if (pads.size() != 4)
        im.unsupported("'pads' must have 4 values");
      // ONNX: [begin_h, begin_w, end_h, end_w], the language's order too.
      for (int i = 0; i < 4; ++i) {
        if (pads[size_t(i)] < 0)
          im.unsupported("negative pads are not supported");
        w.pads[i] = pads[size_t(i)];
      }
    }
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int d = 0; d < 2; ++d) {
      int64_t in = input[size_t(2 + d)], out = (in + w.stride[d] - 1) / w.stride[d];
      int64_t span = (w.kernel[d] - 1) * w.dilation[d] + 1;
      int64_t total = std::max<int64_t>(0, (out - 1) * w.stride[d] + span - in);
      int64_t small = total / 2, large = total - small;
      w.pads[d] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[d + 2] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "VALID") {
    im.unsupported("auto_pad '" + autoPad + "' is unknown");
  }
  (void)ceilMode;
  return w;
}

/// Folds a zero Pad that feeds a window into the window's pads.
int absorbPad(Importer &im, int x, Window &w) {
  Layer *pad = im.producer(x);
  if (!pad || !pad->call.empty() || pad->opType != "Pad")
    return x;
  for (int i = 0; i < 4; ++i)
    w.pads[i] += int64_t(pad->facts.at("pad" + std::to_string(i)));
  return pad->operands[0];
}

void convolution(Importer &im) {
  im.expectAttributes({"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"});
  int x = im.activationInput(0, "X");
  const Constant &weight = im.constantInput(1, "W");
  if (weight.shape.size() != 4)
    im.unsupported("only 2-D convolutions are supported (W has shape " +
                   formatShape(weight.shape) + ")");
  Window w = readWindow(im, im.shapeOf(x), {weight.shape[2], weight.shape[3]});
  x = absorbPad(im, x, w);
  int64_t groups = im.intAttribute("group", 1);
  bool bias = im.hasInput(2);
  Args args = {std::to_string(weight.shape[0]), pair(w.kernel[0], w.kernel[1])};
  if (w.stride[0] != 1 || w.stride[1] != 1)
    args.push_back(pair(w.stride[0], w.stride[1]));
  if (w.padded())
    args.push_back("pad=" + w.padText());
  if (groups != 1)
    args.push_back("groups=" + std::to_string(groups));
  if (w.dilation[0] != 1 || w.dilation[1] != 1)
    args.push_back("dilation=" + pair(w.dilation[0], w.dilation[1]));
  Constant biasValue;
  if (bias)
    biasValue = im.constantInput(2, "B");
  else
    args.push_back("bias=false");
  Layer &layer = im.addLayer("conv", {x}, args);
  layer.parameters.push_back({"weight", weight});
  if (bias)
    layer.parameters.push_back({"bias", biasValue});
  layer.facts["bias"] = bias;
}

void convTranspose(Importer &im) {
  im.expectAttributes({"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad",
                       "output_padding"});
  int x = im.activationInput(0, "X");
  const Constant &weight = im.constantInput(1, "W");
  if (weight.shape.size() != 4)
    im.unsupported("only 2-D transposed convolutions are supported");
  if (im.stringAttribute("auto_pad", "NOTSET") != "NOTSET")
    im.unsupported("auto_pad is not supported on ConvTranspose; give pads");
  Window w = readWindow(im, im.shapeOf(x), {weight.shape[2], weight.shape[3]});
  if (w.pads[0] != w.pads[2] || w.pads[1] != w.pads[3])
    im.unsupported("asymmetric pads are not supported on ConvTranspose");
  int64_t groups = im.intAttribute("group", 1);
  std::vector<int64_t> outputPad = im.intsAttribute("output_padding");
  Args args = {std::to_string(weight.shape[1] * groups), pair(w.kernel[0], w.kernel[1]),
               pair(w.stride[0], w.stride[1]), "pad=" + pair(w.pads[0], w.pads[1])};
  if (!outputPad.empty()) {
    if (outputPad.size() != 2)
      im.unsupported("output_padding must have 2 values");
    args.push_back("output_pad=" + pair(outputPad[0], outputPad[1]));
  }
  if (groups != 1)
    args.push_back("groups=" + std::to_string(groups));
  if (w.dilation[0] != 1 || w.dilation[1] != 1)
    args.push_back("dilation=" + pair(w.dilation[0], w.dilation[1]));
  bool bias = im.hasInput(2);
  if (!bias)
    args.push_back("bias=false");
  Constant biasValue;
  if (bias)
    biasValue = im.constantInput(2, "B");
  Layer &layer = im.addLayer("conv_t", {x}, args);
  layer.parameters.push_back({"weight", weight});
  if (bias)
    layer.parameters.push_back({"bias", biasValue});
}

void batchNorm(Importer &im) {
  im.expectAttributes({"epsilon", "momentum", "training_mode", "spatial", "is_test",
                       "consumed_inputs"});
  if (im.intAttribute("training_mode", 0) != 0)
    im.unsupported("training_mode=1 is not supported (inference only)");
  if (im.intAttribute("spatial", 1) != 1)
    im.unsupported("spatial=0 is not supported");
  int x = im.activationInput(0, "X");
  size_t rank = im.shapeOf(x).size();
  if (rank != 4 && rank != 2)
    im.unsupported("BatchNormalization of a rank-" + std::to_string(rank) +
                   " tensor (2 or 4 are supported)");
  Layer &layer = im.addLayer("bn", {x}, {"eps=" + Importer::number(im.floatAttribute("epsilon", 1e-5))});
  layer.parameters = {{"weight", im.constantInput(1, "scale")},
                      {"bias", im.constantInput(2, "B")},
                      {"running_mean", im.constantInput(3, "input_mean")},
                      {"running_var", im.constantInput(4, "input_var")}};
}

void alias(Importer &im);

void unaryLayer(Importer &im, const std::string &call, Args args = {}) {
  int x = im.activationInput(0, "X");
  im.addLayer(call, {x}, std::move(args), /*named=*/false);
}

void clip(Importer &im) {
  im.expectAttributes({"min", "max"});
  double low = -std::numeric_limits<double>::infinity(), high = -low;
  if (im.opset() < 11) {
    low = im.floatAttribute("min", low);
    high = im.floatAttribute("max", high);
  } else {
    if (im.hasInput(1))
      low = im.constantInput(1, "min").values.at(0);
    if (im.hasInput(2))
      high = im.constantInput(2, "max").values.at(0);
  }
  int x = im.activationInput(0, "input");
  Layer *layer;
  if (low == 0 && std::isinf(high))
    layer = &im.addLayer("relu", {x}, {}, false);
  else if (low == 0 && high == 6)
    layer = &im.addLayer("relu6", {x}, {}, false);
  else {
    double big = std::numeric_limits<float>::max();
    layer = &im.addLayer("clip", {x}, {Importer::number(std::max(low, -big)),
                                        Importer::number(std::min(high, big))}, false);
  }
  layer->facts["min"] = low;
  layer->facts["max"] = high;
}

void hardSigmoid(Importer &im) {
  im.expectAttributes({"alpha", "beta"});
  double alpha = im.floatAttribute("alpha", 0.2), beta = im.floatAttribute("beta", 0.5);
  int x = im.activationInput(0, "X");
  if (std::fabs(alpha - 1.0 / 6) < 1e-6 && beta == 0.5) {
    im.addLayer("hardsigmoid", {x}, {}, false);
    return;
  }
  // clip(alpha * x + beta, 0, 1), as three layers.
  Shape shape = im.shapeOf(x);
  int scaled = scalarLayer(im, x, alpha, beta);
  (void)shape;
  Layer &layer = im.addLayer("clip", {scaled}, {"0", "1"}, false);
  layer.facts["min"] = 0;
  layer.facts["max"] = 1;
}

void leakyRelu(Importer &im) {
  im.expectAttributes({"alpha"});
  unaryLayer(im, "leaky", {Importer::number(im.floatAttribute("alpha", 0.01))});
}

void prelu(Importer &im) {
  int x = im.activationInput(0, "X");
  const Constant &slope = im.constantInput(1, "slope");
  if (slope.isScalar()) {
    im.addLayer("leaky", {x}, {Importer::number(slope.values[0])}, false);
    return;
  }
  // relu(x) - slope * relu(-x): the slope is a learned tensor.
  Shape shape = im.shapeOf(x);
  Constant slopes = slope;
  if (im.opset() < 9 && slope.shape.size() == 1 && shape.size() >= 2 &&
      slope.shape[0] == shape[1]) {
    slopes.shape.assign(shape.size() - 1, 1);  // before opset 9: one slope per channel
    slopes.shape[0] = shape[1];
  }
  Layer &positive = im.addInnerLayer("relu", {x}, {}, {shape}, false);
  int p = positive.outputs[0];
  int negated = scalarLayer(im, x, -1, 0);
  int n = im.addInnerLayer("relu", {negated}, {}, {shape}, false).outputs[0];
  int s = im.learnedTensor(slopes);
  int product = im.addInnerLayer("*", {s, n}, {}, {shape}, false).outputs[0];
  im.addLayer("-", {p, product}, {}, false);
}

void softmax(Importer &im) {
  im.expectAttributes({"axis"});
  int x = im.activationInput(0, "input");
  int64_t rank = int64_t(im.shapeOf(x).size());
  int64_t axis = im.intAttribute("axis", im.opset() >= 13 ? -1 : 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    im.unsupported("axis is outside the input's rank");
  if (im.opset() < 13 && axis != rank - 1) {
    // Before opset 13 Softmax normalises over all dimensions from `axis` on.
    bool trailingOnes = true;
    for (int64_t d = axis + 1; d < rank; ++d)
      trailingOnes = trailingOnes && im.shapeOf(x)[size_t(d)] == 1;
    if (!trailingOnes)
      im.unsupported("opset " + std::to_string(im.opset()) + " Softmax over several "
                     "dimensions (axis " + std::to_string(axis) + " of rank " +
                     std::to_string(rank) + ") is not supported");
  }
  im.addLayer("softmax", {x}, {"axis=" + std::to_string(axis)}, false);
}

void cast(Importer &im) {
  im.expectAttributes({"to", "saturate"});
  if (im.intAttribute("to", 0) != onnx::TensorProto::FLOAT)
    im.unsupported("only casts to float are supported on computed tensors");
  alias(im);
}

void dropout(Importer &im) {
  if (im.hasInput(2) && (!im.isConstant(2) || im.constantInput(2, "training_mode").values.at(0)))
    im.unsupported("training mode is not supported (inference only)");
  if (im.intAttribute("is_test", 1) == 0)
    im.unsupported("is_test=0 (training) is not supported");
  alias(im);
}

void alias(Importer &im) {
  int x = im.activationInput(0, "input");
  im.bindActivation(0, x);
}

void pool(Importer &im, bool max) {
  if (max)
    im.expectAttributes({"kernel_shape", "strides", "pads", "ceil_mode", "auto_pad",
                         "dilations", "storage_order"});
  else
    im.expectAttributes({"kernel_shape", "strides", "pads", "ceil_mode", "auto_pad",
                         "count_include_pad"});
  if (im.node().output_size() > 1 && !im.node().output(1).empty())
    im.unsupported("the Indices output of MaxPool is not supported");
  int x = im.activationInput(0, "X");
  Window w = readWindow(im, im.shapeOf(x), {});
  if (w.dilation[0] != 1 || w.dilation[1] != 1)
    im.unsupported("dilated pooling is not supported");
  // torch.onnx writes avg_pool2d(padding=p) as a Pad and an unpadded
  // AveragePool: the padded zeros are counted, as count_pad=true counts them.
  bool countPad = im.intAttribute("count_include_pad", 0) != 0;
  if (!max && !w.padded()) {
    int before = x;
    x = absorbPad(im, x, w);
    countPad = countPad || x != before;
  }
  if (im.intAttribute("storage_order", 0) != 0)
    im.unsupported("storage_order=1 is not supported");
  bool ceil = im.intAttribute("ceil_mode", 0) != 0;
  for (int i = 0; i < 4; ++i)
    if (w.pads[i] > w.kernel[i % 2] / 2)
      im.unsupported("padding " + w.padText() + " exceeds half the window (PyTorch's rule, "
                     "which the kernels follow)");
  Args args = {pair(w.kernel[0], w.kernel[1]), pair(w.stride[0], w.stride[1])};
  if (w.padded())
    args.push_back("pad=" + w.padText());
  if (ceil)
    args.push_back("ceil=true");
  if (!max && w.padded())
    args.push_back(std::string("count_pad=") + (countPad ? "true" : "false"));
  im.addLayer(max ? "maxpool" : "avgpool", {x}, args, false);
}

void globalPool(Importer &im, bool max) {
  int x = im.activationInput(0, "X");
  if (im.shapeOf(x).size() != 4)
    im.unsupported("only [N, C, H, W] inputs are supported");
  im.addLayer(max ? "gmp" : "gap", {x}, {}, false);
}

void reduceMean(Importer &im) {
  im.expectAttributes({"axes", "keepdims"});
  int x = im.activationInput(0, "data");
  Shape shape = im.shapeOf(x);
  int64_t rank = int64_t(shape.size());
  std::vector<int64_t> axes = im.intsAttribute("axes");
  for (int64_t &a : axes)
    a = a < 0 ? a + rank : a;
  std::sort(axes.begin(), axes.end());
  bool keep = im.intAttribute("keepdims", 1) != 0;
  if (rank == 4 && axes == std::vector<int64_t>{2, 3}) {
    if (keep) {
      im.addLayer("gap", {x}, {}, false);
    } else {
      int pooled = im.addInnerLayer("gap", {x}, {}, {{shape[0], shape[1], 1, 1}}, false)
                       .outputs[0];
      im.addLayer("flatten", {pooled}, {}, false);
    }
    return;
  }
  Layer &pending = im.addPending("ReduceMean over axes " + Importer::list(axes) +
                                 " is supported only over [2, 3] of a rank-4 tensor, or as "
                                 "part of a layer normalisation");
  pending.operands = {x};
  pending.facts["axis"] = axes.size() == 1 ? double(axes[0]) : -1;
  pending.facts["keep"] = keep;
}

void lrn(Importer &im) {
  im.expectAttributes({"size", "alpha", "beta", "bias"});
  unaryLayer(im, "lrn", {std::to_string(im.intAttribute("size", 0)),
                         Importer::number(im.floatAttribute("alpha", 1e-4)),
                         Importer::number(im.floatAttribute("beta", 0.75)),
                         Importer::number(im.floatAttribute("bias", 1.0))});
}

/// Gemm and MatMul with a constant right operand: a dense layer.
void dense(Importer &im, int x, Constant weight, const Constant *bias, double biasScale) {
  Shape in = im.shapeOf(x);
  int64_t n = weight.shape[0];
  if (in.back() != weight.shape[1])
    im.unsupported("the weight " + formatShape(weight.shape) + " does not match " +
                   formatShape(in));
  Args args = {std::to_string(n)};
  if (!bias)
    args.push_back("bias=false");
  Layer &layer = im.addLayer("dense", {x}, args);
  layer.parameters.push_back({"weight", weight});
  if (bias) {
    Constant b = broadcast(*bias, filled(n, 0),
                           [&](double a, double) { return a * biasScale; }, "the bias");
    if (b.size() == n)
      b.shape = {n};  // [1, n] from Gemm's C
    if (b.shape != Shape{n})
      im.unsupported("the bias " + formatShape(bias->shape) + " is not one value per output");
    layer.parameters.push_back({"bias", b});
  }
  layer.facts["bias"] = bias != nullptr;
}

void gemm(Importer &im) {
  im.expectAttributes({"alpha", "beta", "transA", "transB", "broadcast"});
  if (im.intAttribute("transA", 0))
    im.unsupported("transA=1 is not supported");
  int x = im.activationInput(0, "A");
  if (im.shapeOf(x).size() != 2)
    im.unsupported("A must be a matrix");
  Constant weight = im.constantInput(1, "B");
  if (weight.shape.size() != 2)
    im.unsupported("B must be a matrix");
  if (!im.intAttribute("transB", 0))
    weight = transpose(weight, {1, 0});
  double alpha = im.floatAttribute("alpha", 1), beta = im.floatAttribute("beta", 1);
  for (double &v : weight.values)
    v *= alpha;
  const Constant *bias = im.hasInput(2) ? &im.constantInput(2, "C") : nullptr;
  dense(im, x, weight, bias, beta);
}

void matMul(Importer &im) {
  if (!im.isConstant(1)) {
    im.addPending("MatMul of two computed tensors is not supported (only a constant right "
                  "operand, a dense layer)")
        .operands = {im.activationInput(0, "A")};
    return;
  }
  int x = im.activationInput(0, "A");
  Constant weight = im.constantInput(1, "B");
  size_t rank = im.shapeOf(x).size();
  if (weight.shape.size() != 2 || (rank != 2 && rank != 4))
    im.unsupported("MatMul is supported as a dense layer: A of rank 2 or 4, B a matrix");
  dense(im, x, transpose(weight, {1, 0}), nullptr, 1);
}

void flatten(Importer &im) {
  im.expectAttributes({"axis"});
  int x = im.activationInput(0, "input");
  int64_t axis = im.intAttribute("axis", 1);
  if (axis == 1 && im.shapeOf(x).size() >= 2)
    im.addLayer("flatten", {x}, {}, false);
  else
    im.addLayer("reshape", {x}, {Importer::list(im.outputShape(0))}, false);
}

void reshape(Importer &im) {
  int x = im.activationInput(0, "data");
  if (im.outputShape(0) == im.shapeOf(x))
    return im.bindActivation(0, x);
  im.addLayer("reshape", {x}, {Importer::list(im.outputShape(0))}, false);
}

void transposeOp(Importer &im) {
  im.expectAttributes({"perm"});
  int x = im.activationInput(0, "data");
  std::vector<int64_t> perm = im.intsAttribute("perm");
  if (perm.empty())
    for (int64_t d = int64_t(im.shapeOf(x).size()); d-- > 0;)
      perm.push_back(d);
  im.addLayer("permute", {x}, {Importer::list(perm)}, false);
}

void concat(Importer &im) {
  im.expectAttributes({"axis"});
  std::vector<int> operands;
  for (int i = 0; i < im.node().input_size(); ++i)
    operands.push_back(im.activationInput(i, "inputs"));
  int64_t rank = int64_t(im.shapeOf(operands[0]).size());
  int64_t axis = im.intAttribute("axis", 1);
  if (axis < 0)
    axis += rank;
  if (operands.size() == 1)
    return im.bindActivation(0, operands[0]);
  std::string items;
  // concat([a, b, ...], axis=k): the operands are written as one list.
  Layer &layer = im.addLayer("concat", operands, {"axis=" + std::to_string(axis)}, false);
  layer.facts["list"] = 1;
}

void split(Importer &im) {
  im.expectAttributes({"axis", "split"});
  int x = im.activationInput(0, "input");
  Shape shape = im.shapeOf(x);
  int64_t axis = im.intAttribute("axis", 0);
  if (axis < 0)
    axis += int64_t(shape.size());
  std::vector<int64_t> sizes;
  for (int i = 0; i < im.node().output_size(); ++i)
    sizes.push_back(im.outputShape(i)[size_t(axis)]);
  im.addLayer("split", {x}, {Importer::list(sizes), "axis=" + std::to_string(axis)}, false);
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
    Layer &layer = im.addInnerLayer("split", {current}, args, {shape}, false);
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
  im.addLayer("upsample", {x}, args, false);
}

void maxRoiPool(Importer &im) {
  im.expectAttributes({"pooled_shape", "spatial_scale"});
  int x = im.activationInput(0, "X"), rois = im.activationInput(1, "rois");
  std::vector<int64_t> size = im.intsAttribute("pooled_shape");
  if (size.size() != 2)
    im.unsupported("pooled_shape must have 2 values");
  im.addLayer("roi_pool", {x, rois},
              {pair(size[0], size[1]), Importer::number(im.floatAttribute("spatial_scale", 1))},
              false);
}

void pad(Importer &im) {
  im.expectAttributes({"mode", "pads", "value"});
  if (im.stringAttribute("mode", "constant") != "constant")
    im.unsupported("only constant padding is supported");
  int x = im.activationInput(0, "data");
  std::vector<int64_t> pads;
  double value = 0;
  if (im.opset() < 11) {
    pads = im.intsAttribute("pads");
    value = im.floatAttribute("value", 0);
  } else {
    pads = im.constantInput(1, "pads").ints();
    if (im.hasInput(2))
      value = im.constantInput(2, "constant_value").values.at(0);
  }
  size_t rank = im.shapeOf(x).size();
  if (std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; }))
    return im.bindActivation(0, x);
  Layer &pending = im.addPending("a Pad is supported only before a convolution, which "
                                 "takes it as its padding");
  pending.operands = {x};
  bool spatialOnly = rank == 4 && pads.size() == 8 && value == 0;
  for (size_t i = 0; spatialOnly && i < 8; ++i)
    spatialOnly = pads[i] >= 0 && (i % 4 >= 2 || pads[i] == 0);
  if (!spatialOnly) {
    pending.pendingReason = "only zero padding of the height and width of [N, C, H, W] is "
                            "supported, before a convolution";
    pending.opType = "PadUnsupported";
    return;
  }
  // [x1_begin.. xn_begin, x1_end.. xn_end] -> [top, left, bottom, right]
  pending.facts = {{"pad0", double(pads[2])}, {"pad1", double(pads[3])},
                   {"pad2", double(pads[6])}, {"pad3", double(pads[7])}};
}

void layerNorm(Importer &im) {
  im.expectAttributes({"axis", "epsilon", "stash_type"});
  int x = im.activationInput(0, "X");
  int64_t rank = int64_t(im.shapeOf(x).size());
  int64_t axis = im.intAttribute("axis", -1);
  if (axis != -1 && axis != rank - 1)
    im.unsupported("LayerNormalization over several dimensions is not supported (axis " +
                   std::to_string(axis) + " of rank " + std::to_string(rank) + ")");
  int64_t width = im.shapeOf(x).back();
  Layer &layer = im.addLayer("layer_norm", {x}, {Importer::number(im.floatAttribute("epsilon", 1e-5))});
  Constant scale = im.constantInput(1, "Scale");
  Constant bias = filled(width, 0);
  if (im.hasInput(2))
    bias = im.constantInput(2, "B");
  layer.parameters = {{"weight", scale}, {"bias", bias}};
}

void sum(Importer &im) {
  std::vector<int> operands;
  for (int i = 0; i < im.node().input_size(); ++i)
    operands.push_back(im.activationInput(i, "data"));
  int total = operands[0];
  for (size_t i = 1; i < operands.size(); ++i) {
    if (im.shapeOf(operands[i]) != im.shapeOf(total))
      im.unsupported("Sum of tensors of different shapes");
    if (i + 1 == operands.size())
      im.addLayer("+", {total, operands[i]}, {}, false);
    else
      total = im.addInnerLayer("+", {total, operands[i]}, {}, {im.shapeOf(total)}, false)
                  .outputs[0];
  }
  if (operands.size() == 1)
    im.bindActivation(0, total);
}

void pendingOp(Importer &im, const std::string &reason) {
  Layer &pending = im.addPending(reason);
  for (int i = 0; i < im.node().input_size(); ++i)
    if (im.hasInput(i) && !im.isConstant(i))
      pending.operands.push_back(im.activationInput(i, "input"));
  if (im.node().op_type() == "Pow" && im.isConstant(1))
    pending.facts["exponent"] = im.constantInput(1, "Y").values.at(0);
}

const std::map<std::string, Handler> &handlers() {
  static const std::map<std::string, Handler> table = {
      {"Conv", convolution},
      {"ConvTranspose", convTranspose},
      {"BatchNormalization", batchNorm},
      {"Relu", [](Importer &im) { im.expectAttributes({"consumed_inputs"}); unaryLayer(im, "relu"); }},
      {"Sigmoid", [](Importer &im) { unaryLayer(im, "sigmoid"); }},
      {"Tanh", [](Importer &im) { unaryLayer(im, "tanh"); }},
      {"HardSwish", [](Importer &im) { unaryLayer(im, "hardswish"); }},
      {"HardSigmoid", hardSigmoid},
      {"LeakyRelu", leakyRelu},
      {"PRelu", prelu},
      {"Clip", clip},
      {"Softmax", softmax},
      {"Dropout", dropout},
      {"Identity", alias},
      {"Cast", cast},
      {"MaxPool", [](Importer &im) { pool(im, true); }},
      {"AveragePool", [](Importer &im) { pool(im, false); }},
      {"GlobalAveragePool", [](Importer &im) { globalPool(im, false); }},
      {"GlobalMaxPool", [](Importer &im) { globalPool(im, true); }},
      {"ReduceMean", reduceMean},
      {"LRN", lrn},
      {"Gemm", gemm},
      {"MatMul", matMul},
      {"Flatten", flatten},
      {"Reshape", reshape},
      {"Squeeze", reshape},
      {"Unsqueeze", reshape},
      {"Transpose", transposeOp},
      {"Concat", concat},
      {"Split", split},
      {"Slice", slice},
      {"Resize", resize},
      {"Upsample", resize},
      {"MaxRoiPool", maxRoiPool},
      {"Pad", pad},
      {"LayerNormalization", layerNorm},
      {"Sum", sum},
      {"Add", [](Importer &im) { arithmetic(im, '+'); }},
      {"Sub", [](Importer &im) { arithmetic(im, '-'); }},
      {"Mul", [](Importer &im) { arithmetic(im, '*'); }},
      {"Div", [](Importer &im) { arithmetic(im, '/'); }},
      {"Erf", [](Importer &im) { pendingOp(im, "Erf is supported only inside GELU"); }},
      {"Pow", [](Importer &im) { pendingOp(im, "Pow is supported only inside a layer normalisation"); }},
      {"Sqrt", [](Importer &im) { pendingOp(im, "Sqrt is supported only inside a layer normalisation"); }},
  };
  return table;
}

} // namespace

bool translateOperator(Importer &importer) {
  auto found = handlers().find(importer.node().op_type());
  if (found == handlers().end())
    return false;
  found->second(importer);
  return true;
}

const std::vector<std::string> &supportedOperators() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const auto &entry : handlers())
      list.push_back(entry.first);
    return list;
  }();
  return names;
}

} // namespace cnnc::onnx_import
