//===- Operators.cpp - ONNX operators as layers of the language -----------===//
//
// One handler per op type (activations, normalisation and dense layers here;
// Handlers.h says where the others are), and the table of them. A handler
// checks every attribute it is given (an unknown one is refused, never
// ignored) and adds the layer; constant operands become parameters named
// after the layer.
//
//===----------------------------------------------------------------------===//

#include "onnximport/Handlers.h"
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
  double epsilon = im.floatAttribute("epsilon", 1e-5);
  if (!(epsilon > 0))
    im.unsupported("epsilon " + Importer::number(epsilon) + ": it must be positive (a zero " +
                   "variance would divide by zero)");
  Layer &layer = im.addLayer("bn", {x}, {"eps=" + Importer::number(epsilon)});
  const Constant &variance = im.constantInput(4, "input_var");
  int64_t channels = im.shapeOf(x)[1];
  for (auto [i, role] : {std::pair{1, "scale"}, {2, "B"}, {3, "input_mean"}, {4, "input_var"}}) {
    const Constant &c = im.constantInput(i, role);
    if (c.shape.size() != 1 || c.shape[0] != channels)
      im.unsupported(std::string(role) + " has shape " + formatShape(c.shape) + "; the input has " +
                     std::to_string(channels) + " channels");
  }
  for (size_t c = 0; c < variance.values.size(); ++c)
    if (!(variance.values[c] >= 0))  // NaN too
      im.unsupported("input_var is " + Importer::number(variance.values[c]) + " at channel " +
                     std::to_string(c) + "; a variance is zero or more");
  layer.parameters = {{"weight", im.constantInput(1, "scale")},
                      {"bias", im.constantInput(2, "B")},
                      {"running_mean", im.constantInput(3, "input_mean")},
                      {"running_var", variance}};
}

/// InstanceNormalization: each image's channel normalised over its pixels
/// (a layer norm over H * W, its own scale 1 and shift 0), then the
/// per-channel scale and shift (learned tensors).
void instanceNorm(Importer &im) {
  im.expectAttributes({"epsilon"});
  int x = im.activationInput(0, "input");
  Shape shape = im.shapeOf(x);
  if (shape.size() < 3)
    im.unsupported("the input needs a spatial dimension (rank 3 or more)");
  double epsilon = im.floatAttribute("epsilon", 1e-5);
  if (!(epsilon > 0))
    im.unsupported("epsilon " + Importer::number(epsilon) + ": it must be positive");
  int64_t channels = shape[1], pixels = 1;
  for (size_t d = 2; d < shape.size(); ++d)
    pixels *= shape[d];
  Shape flat = {shape[0], channels, pixels}, perChannel(shape.size(), 1);
  perChannel[1] = channels;
  Constant scale = im.constantInput(1, "scale"), shift = im.constantInput(2, "B");
  for (Constant *c : {&scale, &shift}) {
    if (c->size() != channels)
      im.unsupported("scale and B have one value per channel (" + std::to_string(channels) +
                     "); one has shape " + formatShape(c->shape));
    c->shape = perChannel;
  }
  int rows = im.addInnerLayer("reshape", {x}, {Importer::list(flat)}, {flat}, false).outputs[0];
  Layer &norm = im.addInnerLayer("layer_norm", {rows}, {Importer::number(epsilon)}, {flat});
  norm.parameters = {{"weight", filled(pixels, 1)}, {"bias", filled(pixels, 0)}};
  int back = im.addInnerLayer("reshape", {norm.outputs[0]}, {Importer::list(shape)}, {shape},
                              false).outputs[0];
  int scaled = im.addInnerLayer("*", {back, im.learnedTensor(scale)}, {}, {shape}).outputs[0];
  for (double &v : shift.values)
    v = -v;  // `+` needs one shape: the shift is subtracted negated
  im.addLayer("-", {scaled, im.learnedTensor(shift)}, {});
}

/// Expand of a computed tensor: a product with ones of the output's shape
/// (NumPy broadcasting does the copying).
void expandOp(Importer &im) {
  int x = im.activationInput(0, "input");
  Shape out = im.outputShape(0);
  if (im.shapeOf(x) == out)
    return im.bindActivation(0, x);
  int64_t count = elementCount(out);
  if (count < 0 || count > maxComputedElements)
    im.unsupported("Expand to " + formatShape(out) + " (too large)");
  Constant ones = filled(count, 1);
  ones.shape = out;
  x = im.withLeadingOnes(x, out.size(), /*named=*/false);
  im.addLayer("*", {x, im.learnedTensor(ones)}, {});
}

void alias(Importer &im);

void unaryLayer(Importer &im, const std::string &call, Args args = {}) {
  int x = im.activationInput(0, "X");
  im.addLayer(call, {x}, std::move(args));
}

void clip(Importer &im) {
  im.expectAttributes({"min", "max"});
  double low = -std::numeric_limits<double>::infinity(), high = -low;
  if (im.opset() < 11) {
    low = im.floatAttribute("min", low);
    high = im.floatAttribute("max", high);
  } else {
    auto bound = [&](int i, const char *name, double fallback) {
      if (!im.hasInput(i))
        return fallback;
      const Constant &c = im.constantInput(i, name);
      if (c.values.size() != 1)
        im.unsupported(std::string("'") + name + "' has " + std::to_string(c.values.size()) +
                       " values; it is a scalar");
      return c.values[0];
    };
    low = bound(1, "min", low);
    high = bound(2, "max", high);
  }
  if (std::isnan(low) || std::isnan(high))
    im.unsupported("a bound is NaN");
  if (low > high)  // ONNX leaves it to implementations; numpy and PyTorch differ
    im.unsupported("min " + Importer::number(low) + " is greater than max " +
                   Importer::number(high));
  int x = im.activationInput(0, "input");
  Layer *layer;
  if (low == 0 && std::isinf(high))
    layer = &im.addLayer("relu", {x}, {});
  else if (low == 0 && high == 6)
    layer = &im.addLayer("relu6", {x}, {});
  else {
    double big = std::numeric_limits<float>::max();
    layer = &im.addLayer("clip", {x}, {Importer::number(std::max(low, -big)),
                                        Importer::number(std::min(high, big))});
  }
  layer->facts["min"] = low;
  layer->facts["max"] = high;
}

/// Max and Min: of a tensor and a number, a clip (relu for max with 0); of
/// tensors (a constant one learned), torch.maximum and torch.minimum, one
/// layer per further operand.
void extreme(Importer &im, bool largest) {
  const char *call = largest ? "max" : "min";
  int count = im.node().input_size();
  if (count == 0)
    im.unsupported("no operands");
  Shape out = im.outputShape(0);
  auto operand = [&](int i) {
    if (im.isConstant(i))  // a learned tensor may have a lower rank
      return im.learnedTensor(im.constantInput(i, "data"));
    return im.withLeadingOnes(im.activationInput(i, "data"), out.size(), /*named=*/false);
  };
  if (count == 2 && (im.isConstant(0) != im.isConstant(1))) {
    int c = im.isConstant(0) ? 0 : 1;
    const Constant &bound = im.constantInput(c, "data");
    int x = im.activationInput(1 - c, "data");
    if (bound.isScalar() && im.shapeOf(x) == out) {
      double big = std::numeric_limits<float>::max(), v = bound.values[0];
      if (std::isnan(v))
        im.unsupported("the bound is NaN");
      if (largest && v == 0)
        im.addLayer("relu", {x}, {});
      else
        im.addLayer("clip", {x}, {Importer::number(largest ? std::max(v, -big) : -big),
                                  Importer::number(largest ? big : std::min(v, big))});
      return;
    }
  }
  if (count == 1)
    return im.bindActivation(0, im.activationInput(0, "data"));
  int total = operand(0);
  for (int i = 1; i < count; ++i) {
    int next = operand(i);
    if (i + 1 == count)
      im.addLayer(call, {total, next}, {});
    else {
      Shape a = im.shapeOf(total), b = im.shapeOf(next);
      size_t rank = std::max(a.size(), b.size());
      a.insert(a.begin(), rank - a.size(), 1);
      b.insert(b.begin(), rank - b.size(), 1);
      for (size_t d = 0; d < rank; ++d)
        a[d] = std::max(a[d], b[d]);  // the elaborator checks that they broadcast
      total = im.addInnerLayer(call, {total, next}, {}, {a}, false).outputs[0];
    }
  }
}

/// Pow with a constant exponent: products for 2 to 4 (a layer norm's
/// square among them), sqrt for 0.5, exp(p * log(x)) for other non-integer
/// exponents, which is pow's own NaN below 0.
void power(Importer &im) {
  int x = im.activationInput(0, "X");
  if (!im.isConstant(1) || !im.constantInput(1, "Y").isScalar())
    im.unsupported("the exponent must be one constant number");
  double p = im.constantInput(1, "Y").values[0];
  Shape shape = im.shapeOf(x);
  Layer *layer = nullptr;
  if (p == 1) {
    return im.bindActivation(0, x);
  } else if (p == 2 || p == 3 || p == 4) {
    int product = x;
    for (int i = 2; i < int(p); ++i)
      product = im.addInnerLayer("*", {product, x}, {}, {shape}).outputs[0];
    layer = &im.addLayer("*", {product, x}, {});
    std::swap(layer->operands[0], layer->operands[1]);  // x first, for the patterns
  } else if (p == 0.5) {
    layer = &im.addLayer("sqrt", {x}, {});
  } else if (p != std::floor(p) && std::isfinite(p)) {
    int logarithm = im.addInnerLayer("log", {x}, {}, {shape}, false).outputs[0];
    Layer &scaled = im.addInnerLayer("affine", {logarithm}, {}, {shape});
    scaled.facts = {{"scale", p}, {"shift", 0}};
    layer = &im.addLayer("exp", {scaled.outputs[0]}, {});
  } else {
    im.unsupported("exponent " + Importer::number(p) + " is not supported (1, 2, 3, 4, and "
                   "numbers that are not integers are)");
  }
  layer->facts["exponent"] = p;
}

void hardSigmoid(Importer &im) {
  im.expectAttributes({"alpha", "beta"});
  double alpha = im.floatAttribute("alpha", 0.2), beta = im.floatAttribute("beta", 0.5);
  int x = im.activationInput(0, "X");
  if (std::fabs(alpha - 1.0 / 6) < 1e-6 && beta == 0.5) {
    im.addLayer("hardsigmoid", {x}, {});
    return;
  }
  // clip(alpha * x + beta, 0, 1), as three layers.
  int scaled = scalarLayer(im, x, alpha, beta);
  Layer &layer = im.addLayer("clip", {scaled}, {"0", "1"});
  layer.facts["min"] = 0;
  layer.facts["max"] = 1;
}

void leakyRelu(Importer &im) {
  im.expectAttributes({"alpha"});
  unaryLayer(im, "leaky", {Importer::number(im.floatAttribute("alpha", 0.01))});
}

void elu(Importer &im) {
  im.expectAttributes({"alpha"});
  unaryLayer(im, "elu", {Importer::number(im.floatAttribute("alpha", 1.0))});
}

/// SELU with torch.nn.SELU's constants (ONNX's defaults), the only ones the
/// kernels have.
void selu(Importer &im) {
  im.expectAttributes({"alpha", "gamma"});
  double alpha = im.floatAttribute("alpha", 1.67326319217681884765625);
  double gamma = im.floatAttribute("gamma", 1.05070102214813232421875);
  if (std::fabs(alpha - 1.6732632423543772) > 1e-6 || std::fabs(gamma - 1.0507009873554805) > 1e-6)
    im.unsupported("alpha " + Importer::number(alpha) + " and gamma " + Importer::number(gamma) +
                   " differ from SELU's own constants (1.67326324, 1.05070102), the only ones "
                   "supported");
  unaryLayer(im, "selu");
}

void prelu(Importer &im) {
  int x = im.activationInput(0, "X");
  const Constant &slope = im.constantInput(1, "slope");
  if (slope.isScalar()) {
    im.addLayer("leaky", {x}, {Importer::number(slope.values[0])});
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
  Layer &positive = im.addInnerLayer("relu", {x}, {}, {shape});
  int p = positive.outputs[0];
  int negated = scalarLayer(im, x, -1, 0);
  int n = im.addInnerLayer("relu", {negated}, {}, {shape}).outputs[0];
  int s = im.learnedTensor(slopes);
  int product = im.addInnerLayer("*", {s, n}, {}, {shape}).outputs[0];
  im.addLayer("-", {p, product}, {});
}

/// Softmax and LogSoftmax (`log_softmax`, computed from the shifted input,
/// not as the logarithm of a softmax that may underflow to 0).
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
      im.unsupported("opset " + std::to_string(im.opset()) + " " + im.node().op_type() +
                     " over several "
                     "dimensions (axis " + std::to_string(axis) + " of rank " +
                     std::to_string(rank) + ") is not supported");
  }
  im.addLayer(im.node().op_type() == "LogSoftmax" ? "log_softmax" : "softmax", {x},
              {"axis=" + std::to_string(axis)});
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

/// ReduceMean and ReduceMax over the height and width: global pooling.
/// ReduceMean over the last axis may be part of a layer normalisation.
/// The Reduce family: global pooling over [2, 3] of a rank-4 tensor (its
/// own kernels), otherwise `reduce`. A ReduceMean over the last axis may
/// also be part of a layer normalisation, which then replaces it.
void reduce(Importer &im, const std::string &kind) {
  im.expectAttributes({"axes", "keepdims", "noop_with_empty_axes"});
  int x = im.activationInput(0, "data");
  Shape shape = im.shapeOf(x);
  int64_t rank = int64_t(shape.size());
  // ReduceSum takes its axes as an input from opset 13 (the others from 18,
  // which Opset.cpp writes back as the attribute).
  std::vector<int64_t> axes = im.node().op_type() == "ReduceSum" && im.opset() >= 13
                                  ? (im.hasInput(1) ? im.constantInput(1, "axes").ints()
                                                    : std::vector<int64_t>{})
                                  : im.intsAttribute("axes");
  if (axes.empty()) {
    if (im.intAttribute("noop_with_empty_axes", 0))
      return im.bindActivation(0, x);
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  for (int64_t &a : axes) {
    if (a < -rank || a >= rank)
      im.unsupported("axis " + std::to_string(a) + " is outside the input's rank " +
                     std::to_string(rank));
    a = a < 0 ? a + rank : a;
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  bool keep = im.intAttribute("keepdims", 1) != 0;
  if ((kind == "mean" || kind == "max") && rank == 4 && axes == std::vector<int64_t>{2, 3}) {
    std::string call = kind == "max" ? "gmp" : "gap";
    if (keep) {
      im.addLayer(call, {x}, {});
    } else {
      int pooled = im.addInnerLayer(call, {x}, {}, {{shape[0], shape[1], 1, 1}})
                       .outputs[0];
      im.addLayer("flatten", {pooled}, {});
    }
    return;
  }
  Layer &layer = im.addLayer("reduce", {x}, {"\"" + kind + "\"", Importer::list(axes),
                                             keep ? "keepdim=true" : "keepdim=false"});
  layer.facts["axis"] = axes.size() == 1 ? double(axes[0]) : -1;
  layer.facts["keep"] = keep;
}

void lrn(Importer &im) {
  im.expectAttributes({"size", "alpha", "beta", "bias"});
  // ONNX's window runs from c - (size-1)/2 to c + ceil((size-1)/2);
  // PyTorch's, which the language's lrn computes, from c - size/2: the two
  // agree only for odd sizes.
  int64_t size = im.intAttribute("size", 0);
  if (size % 2 == 0)
    im.unsupported("size " + std::to_string(size) + " is even: ONNX's window [c - " +
                   std::to_string((size - 1) / 2) + ", c + " + std::to_string(size / 2) +
                   "] is not the one the kernels compute, [c - " + std::to_string(size / 2) +
                   ", c + " + std::to_string((size - 1) / 2) + "]");
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

/// An operand of MatMul as an activation of at least `rank` dimensions:
/// a constant one becomes a learned tensor, a lower rank gains leading 1s
/// (ONNX broadcasts the batch dimensions as NumPy does).
int matmulOperand(Importer &im, int i, const std::string &role, size_t rank) {
  int x = im.isConstant(i) ? im.learnedTensor(im.constantInput(i, role))
                           : im.activationInput(i, role);
  Shape shape = im.shapeOf(x);
  if (shape.size() < 2)
    im.unsupported(role + " " + formatShape(shape) +
                   " is a vector; MatMul is supported on matrices and batches of them");
  return im.withLeadingOnes(x, rank, /*named=*/false);
}

/// MatMul with a constant matrix on the right is a dense layer (over the
/// last dimension, at every position); otherwise the batched product
/// (attention's Q K^T and its weighted sum of V).
void matMul(Importer &im) {
  if (im.isConstant(1) && !im.isConstant(0) && im.constantInput(1, "B").shape.size() == 2 &&
      im.shapeOf(im.activationInput(0, "A")).size() >= 2) {
    dense(im, im.activationInput(0, "A"), transpose(im.constantInput(1, "B"), {1, 0}),
          nullptr, 1);
    return;
  }
  if (im.isConstant(0) && im.isConstant(1))
    im.unsupported("both operands are constants");  // folded before it gets here
  size_t rank = 0;
  for (int i : {0, 1})
    rank = std::max(rank, im.isConstant(i) ? im.constantInput(i, i ? "B" : "A").shape.size()
                                           : im.shapeOf(im.activationInput(i, i ? "B" : "A")).size());
  int a = matmulOperand(im, 0, "A", rank), b = matmulOperand(im, 1, "B", rank);
  im.addLayer("matmul", {a, b});
}

void layerNorm(Importer &im) {
  im.expectAttributes({"axis", "epsilon", "stash_type"});
  int x = im.activationInput(0, "X");
  int64_t rank = int64_t(im.shapeOf(x).size());
  int64_t axis = im.intAttribute("axis", -1);
  if (axis < -rank || axis >= rank)
    im.unsupported("axis " + std::to_string(axis) + " is outside the input's rank " +
                   std::to_string(rank));
  if (axis != -1 && axis != rank - 1)
    im.unsupported("LayerNormalization over several dimensions is not supported (axis " +
                   std::to_string(axis) + " of rank " + std::to_string(rank) + ")");
  int64_t width = im.shapeOf(x).back();
  Layer &layer = im.addLayer("layer_norm", {x}, {Importer::number(im.floatAttribute("epsilon", 1e-5))});
  Constant scale = im.constantInput(1, "Scale");
  Constant bias = filled(width, 0);
  if (im.hasInput(2))
    bias = im.constantInput(2, "B");
  for (const Constant *c : {&scale, &bias})
    if (c->values.size() != size_t(width))
      im.unsupported("Scale and B have one value per element of the last axis (" +
                     std::to_string(width) + "); one has shape " + formatShape(c->shape));
  scale.shape = bias.shape = {width};  // [1, width] and [width] are the same values
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
      im.addLayer("+", {total, operands[i]}, {});
    else
      total = im.addInnerLayer("+", {total, operands[i]}, {}, {im.shapeOf(total)})
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
      {"LogSoftmax", softmax},
      {"Dropout", dropout},
      {"Identity", alias},
      {"Cast", cast},
      {"MaxPool", [](Importer &im) { pool(im, true); }},
      {"AveragePool", [](Importer &im) { pool(im, false); }},
      {"GlobalAveragePool", [](Importer &im) { globalPool(im, false); }},
      {"GlobalMaxPool", [](Importer &im) { globalPool(im, true); }},
      {"ReduceMean", [](Importer &im) { reduce(im, "mean"); }},
      {"ReduceMax", [](Importer &im) { reduce(im, "max"); }},
      {"ReduceMin", [](Importer &im) { reduce(im, "min"); }},
      {"ReduceSum", [](Importer &im) { reduce(im, "sum"); }},
      {"ReduceL2", [](Importer &im) { reduce(im, "l2"); }},
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
      {"QuantizeLinear", quantizeLinear},
      {"DequantizeLinear", dequantizeLinear},
      {"Add", [](Importer &im) { arithmetic(im, '+'); }},
      {"Sub", [](Importer &im) { arithmetic(im, '-'); }},
      {"Mul", [](Importer &im) { arithmetic(im, '*'); }},
      {"Div", [](Importer &im) { arithmetic(im, '/'); }},
      {"Erf", [](Importer &im) { pendingOp(im, "Erf is supported only inside GELU"); }},
      {"Pow", power},
      {"Sqrt", [](Importer &im) { unaryLayer(im, "sqrt"); }},
      {"Exp", [](Importer &im) { unaryLayer(im, "exp"); }},
      {"Log", [](Importer &im) { unaryLayer(im, "log"); }},
      {"Abs", [](Importer &im) { unaryLayer(im, "abs"); }},
      {"Softplus", [](Importer &im) { unaryLayer(im, "softplus"); }},
      {"Elu", elu},
      {"InstanceNormalization", instanceNorm},
      {"Expand", expandOp},
      {"Tile", tileOp},
      {"DepthToSpace", depthToSpace},
      {"SpaceToDepth", spaceToDepth},
      {"Max", [](Importer &im) { extreme(im, true); }},
      {"Min", [](Importer &im) { extreme(im, false); }},
      {"Selu", selu},
      {"Neg", [](Importer &im) {
         im.addLayer("affine", {im.activationInput(0, "X")}).facts = {{"scale", -1}, {"shift", 0}};
       }},
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
