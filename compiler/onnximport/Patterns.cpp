//===- Patterns.cpp - element-wise nodes and the patterns they complete ---===//

#include "onnximport/Patterns.h"

#include <algorithm>
#include <cmath>

namespace cnnc::onnx_import {

namespace {

bool near(double a, double b) { return std::fabs(a - b) <= 1e-5 * std::max(1.0, std::fabs(b)); }

/// The layer that made `x` if it is a `call`, or came from a node of op
/// type `call` (a pending one, or Sqrt's layer inside a layer norm).
Layer *made(Importer &im, int x, const std::string &call) {
  Layer *layer = im.producer(x);
  if (!layer)
    return nullptr;
  if (layer->call == call || layer->opType == call)
    return layer;
  return nullptr;
}

/// An affine layer of `x` with this scale and shift.
bool isAffine(Importer &im, int y, int x, double scale, double shift) {
  Layer *layer = made(im, y, "affine");
  return layer && layer->operands[0] == x && near(layer->facts["scale"], scale) &&
         near(layer->facts["shift"], shift);
}

/// relu6(x + 3): the core of hardswish and hardsigmoid.
bool isRelu6Of(Importer &im, int y, int x) {
  Layer *clip = made(im, y, "relu6");
  return clip && isAffine(im, clip->operands[0], x, 1, 3);
}

/// 1 + erf(x / sqrt(2)): twice GELU's factor.
bool isErfBranch(Importer &im, int y, int x) {
  Layer *plus = made(im, y, "affine");
  if (!plus || !near(plus->facts["scale"], 1) || !near(plus->facts["shift"], 1))
    return false;
  Layer *erf = made(im, plus->operands[0], "Erf");
  return erf && !erf->operands.empty() &&
         isAffine(im, erf->operands[0], x, 1 / std::sqrt(2.0), 0);
}

/// A layer that replaces the node's output, scaled by `scale` (which a
/// later Div or Mul by a number folds away).
void emitScaled(Importer &im, const std::string &call, int x, double scale) {
  im.namingPattern = true;  // the layer takes its module's name
  if (scale == 1) {
    im.addLayer(call, {x});
  } else {
    int y = im.addInnerLayer(call, {x}, {}, {im.shapeOf(x)}).outputs[0];
    Layer &affine = im.addLayer("affine", {y});
    affine.facts = {{"scale", scale}, {"shift", 0}};
  }
  im.namingPattern = false;
}

/// Mul of two computed tensors: SiLU, Mish, hardswish, GELU, or a broadcast
/// product.
bool productPattern(Importer &im, int a, int b) {
  for (int turn = 0; turn < 2; ++turn, std::swap(a, b)) {
    Layer *sigmoid = made(im, b, "sigmoid");
    if (sigmoid && sigmoid->operands[0] == a) {
      emitScaled(im, "silu", a, 1);
      return true;
    }
    // Mish as exporters before opset 18 write it: x * tanh(softplus(x)).
    Layer *tanh = made(im, b, "tanh");
    Layer *softplus = tanh ? made(im, tanh->operands[0], "softplus") : nullptr;
    if (softplus && softplus->operands[0] == a) {
      emitScaled(im, "mish", a, 1);
      return true;
    }
    Layer *hardsigmoid = made(im, b, "hardsigmoid");
    if (hardsigmoid && hardsigmoid->operands[0] == a) {
      emitScaled(im, "hardswish", a, 1);
      return true;
    }
    if (isRelu6Of(im, b, a)) {
      emitScaled(im, "hardswish", a, 6);
      return true;
    }
    if (isErfBranch(im, b, a)) {
      emitScaled(im, "gelu", a, 2);
      return true;
    }
    Layer *half = made(im, a, "affine");
    if (half && half->facts["shift"] == 0 && isErfBranch(im, b, half->operands[0])) {
      emitScaled(im, "gelu", half->operands[0], 2 * half->facts["scale"]);
      return true;
    }
  }
  return false;
}

/// (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) over the last axis.
bool layerNormPattern(Importer &im, int numerator, int denominator) {
  Layer *centred = made(im, numerator, "-");
  Layer *root = made(im, denominator, "Sqrt");
  if (!centred || !root || root->operands.size() != 1)
    return false;
  int x = centred->operands[0];
  int64_t last = int64_t(im.shapeOf(x).size()) - 1;
  Layer *mean = made(im, centred->operands[1], "ReduceMean");
  Layer *plusEps = made(im, root->operands[0], "affine");
  if (!mean || mean->operands[0] != x || mean->facts["axis"] != double(last) || !plusEps ||
      !near(plusEps->facts["scale"], 1))
    return false;
  Layer *variance = made(im, plusEps->operands[0], "ReduceMean");
  if (!variance || variance->facts["axis"] != double(last))
    return false;
  Layer *square = made(im, variance->operands[0], "Pow");
  if (!square || square->operands.empty() || square->operands[0] != numerator ||
      !square->facts.count("exponent") || square->facts["exponent"] != 2)
    return false;
  int64_t width = im.shapeOf(x).back();
  im.namingPattern = true;  // the layer takes its module's name
  Layer &layer = im.addLayer("layer_norm", {x}, {Importer::number(plusEps->facts["shift"])});
  im.namingPattern = false;
  layer.parameters = {{"weight", filled(width, 1)}, {"bias", filled(width, 0)}};
  layer.facts["defaultScale"] = 1;
  layer.facts["defaultBias"] = 1;
  return true;
}

/// The constant as one value per channel `width`, if it is one (any number
/// of leading and trailing 1s around it).
bool perChannel(const Constant &c, int64_t width, size_t axis, size_t rank) {
  if (c.size() != width || c.shape.size() > rank)
    return false;
  size_t offset = rank - c.shape.size();
  for (size_t d = 0; d < c.shape.size(); ++d)
    if (d + offset != axis && c.shape[d] != 1)
      return false;
  return true;
}

/// Gives a layer written without a bias (`bias=false`) the bias `values`.
void addBias(Layer &layer, Constant values) {
  layer.parameters.push_back({"bias", std::move(values)});
  auto &args = layer.arguments;
  args.erase(std::remove(args.begin(), args.end(), "bias=false"), args.end());
}

/// Folds `+ c` into the bias of the convolution, dense or layer norm before it.
bool absorbBias(Importer &im, int x, const Constant &c) {
  Layer *layer = im.soleProducer(x);
  if (!layer)
    return false;
  const Shape &shape = im.shapeOf(x);
  bool channelsFirst = layer->call == "conv" || layer->call == "conv_t";
  bool lastAxis = layer->call == "dense" || layer->call == "layer_norm";
  if (!channelsFirst && !lastAxis)
    return false;
  size_t axis = channelsFirst ? 1 : shape.size() - 1;
  if (shape.size() <= axis || !perChannel(c, shape[axis], axis, shape.size()))
    return false;
  for (auto &[suffix, value] : layer->parameters)
    if (suffix == "bias") {
      for (size_t i = 0; i < value.values.size(); ++i)
        value.values[i] += c.values[i];
      layer->facts["defaultBias"] = 0;
      im.bindActivation(0, x);
      return true;
    }
  Constant bias = c;
  bias.shape = {shape[axis]};
  addBias(*layer, bias);
  im.bindActivation(0, x);
  return true;
}

/// Folds `* c` into a layer norm's scale (torch writes LayerNorm's affine so).
bool absorbScale(Importer &im, int x, const Constant &c) {
  Layer *layer = im.soleProducer(x);
  if (!layer || layer->call != "layer_norm" || !layer->facts["defaultScale"] ||
      !layer->facts["defaultBias"])
    return false;
  const Shape &shape = im.shapeOf(x);
  if (!perChannel(c, shape.back(), shape.size() - 1, shape.size()))
    return false;
  layer->parameters[0].second.values = c.values;
  layer->facts["defaultScale"] = 0;
  im.bindActivation(0, x);
  return true;
}

/// Folds x * scale + shift into the convolution, transposed convolution or
/// dense layer that made x, read only here: its weights times scale, its
/// bias times scale plus shift. PaddlePaddle's exports scale and shift
/// every convolution so (PP-OCRv4's learnable affine blocks), which would
/// otherwise be two passes over the tensor each, and would keep the
/// activation after them from fusing into the convolution.
bool absorbAffineAfter(Importer &im, int x, double scale, double shift) {
  Layer *layer = im.soleProducer(x);
  if (!layer || (layer->call != "conv" && layer->call != "conv_t" && layer->call != "dense") ||
      !std::isfinite(scale) || !std::isfinite(shift) || im.isQuantized(x))
    return false;
  bool hasBias = false;
  for (auto &[suffix, value] : layer->parameters) {
    if (suffix == "weight")
      for (double &v : value.values)
        v *= scale;
    if (suffix == "bias") {
      hasBias = true;
      for (double &v : value.values)
        v = v * scale + shift;
    }
  }
  if (!hasBias && shift != 0) {
    const Shape &shape = im.shapeOf(x);
    addBias(*layer, filled(shape[layer->call == "dense" ? shape.size() - 1 : 1], shift));
  }
  im.bindActivation(0, x);
  return true;
}

} // namespace

int absorbAffineBefore(Importer &im, int x, Constant &weight, Constant &bias) {
  Layer *affine = im.soleProducer(x);
  if (!affine || affine->call != "affine" || im.isQuantized(x))
    return x;
  double scale = affine->facts["scale"], shift = affine->facts["shift"];
  if (!std::isfinite(scale) || !std::isfinite(shift))
    return x;
  int64_t channels = weight.shape[0], perChannel = channels ? weight.size() / channels : 0;
  if (shift != 0) {
    if (bias.values.empty())
      bias = filled(channels, 0);
    for (int64_t o = 0; o < channels; ++o) {
      double sum = 0;
      for (int64_t k = 0; k < perChannel; ++k)
        sum += weight.values[size_t(o * perChannel + k)];
      bias.values[size_t(o)] += shift * sum;
    }
  }
  for (double &v : weight.values)
    v *= scale;
  return affine->operands[0];
}

int scalarLayer(Importer &im, int x, double scale, double shift) {
  Layer &layer = im.addInnerLayer("affine", {x}, {}, {im.shapeOf(x)});
  layer.facts = {{"scale", scale}, {"shift", shift}};
  return layer.outputs[0];
}

namespace {

/// x * scale + shift for the node's output, merged with the affine layer
/// before it, and recognised as hardsigmoid when it completes one.
void affine(Importer &im, int x, double scale, double shift) {
  if (Layer *before = made(im, x, "affine"); before && im.soleProducer(x)) {
    double s = before->facts["scale"], b = before->facts["shift"];
    x = before->operands[0];
    shift = b * scale + shift;
    scale = s * scale;
  }
  if (near(scale, 1.0 / 6) && shift == 0)
    if (Layer *clip = made(im, x, "relu6"); clip && made(im, clip->operands[0], "affine")) {
      Layer *plus = made(im, clip->operands[0], "affine");
      if (near(plus->facts["scale"], 1) && near(plus->facts["shift"], 3)) {
        im.addLayer("hardsigmoid", {plus->operands[0]}, {});
        return;
      }
    }
  if (scale == 1 && shift == 0)
    return im.bindActivation(0, x);
  if (absorbAffineAfter(im, x, scale, shift))
    return;
  Layer &layer = im.addLayer("affine", {x}, {});
  layer.facts = {{"scale", scale}, {"shift", shift}};
}

} // namespace

void arithmetic(Importer &im, char op) {
  // Opsets 6 and before broadcast by attribute; `axis` aligns differently
  // from NumPy, and is refused.
  im.expectAttributes({"broadcast", "consumed_inputs"});
  bool c0 = im.isConstant(0), c1 = im.isConstant(1);
  std::string call(1, op);
  Shape out = im.outputShape(0);
  if (!c0 && !c1) {
    int a = im.activationInput(0, "A"), b = im.activationInput(1, "B");
    if (op == '*' && productPattern(im, a, b))
      return;
    if (op == '/' && layerNormPattern(im, a, b))
      return;
    if (op != '+' && out != im.shapeOf(a) && out != im.shapeOf(b))
      im.unsupported("a broadcast to " + formatShape(out) + ", larger than both operands");
    // The kernels broadcast computed tensors of one rank: the shorter gains
    // its leading 1s by a reshape (a view).
    a = im.withLeadingOnes(a, out.size(), /*named=*/true);
    b = im.withLeadingOnes(b, out.size(), /*named=*/true);
    // `+` of two tensors needs one shape (it is the residual add); a
    // broadcasting Add is the subtraction of the negation.
    if (op == '+' && im.shapeOf(a) != im.shapeOf(b)) {
      int negated = scalarLayer(im, b, -1, 0);
      im.addLayer("-", {a, negated}, {});
      return;
    }
    im.addLayer(call, {a, b}, {});
    return;
  }
  int x = im.activationInput(c0 ? 1 : 0, "the tensor operand");
  const Constant &c = im.constantInput(c0 ? 0 : 1, "the constant operand");
  if (out != im.shapeOf(x))
    im.unsupported("the constant " + formatShape(c.shape) + " broadcasts " +
                   formatShape(im.shapeOf(x)) + " to " + formatShape(out));
  if (c.isScalar()) {
    double v = c.values[0];
    switch (op) {
    case '+': return affine(im, x, 1, v);
    case '-': return c0 ? affine(im, x, -1, v) : affine(im, x, 1, -v);
    case '*': return affine(im, x, v, 0);
    default:
      if (c0)
        im.unsupported("dividing a number by a tensor is not supported");
      if (v == 0)
        im.unsupported("division by zero");
      return affine(im, x, 1 / v, 0);
    }
  }
  if (op == '+' && absorbBias(im, x, c))
    return;
  if (op == '*' && absorbScale(im, x, c))
    return;
  // A learned tensor; an added one is written as the subtraction of its
  // negation, since `+` of two tensors needs one shape.
  if (op == '+') {
    Constant negated = c;
    for (double &v : negated.values)
      v = -v;
    im.addLayer("-", {x, im.learnedTensor(negated)}, {});
    return;
  }
  int k = im.learnedTensor(c);
  im.addLayer(call, c0 ? std::vector<int>{k, x} : std::vector<int>{x, k}, {});
}

} // namespace cnnc::onnx_import
