//===- Quantized.cpp - QDQ models: QuantizeLinear and DequantizeLinear ----===//
//
// ONNX Runtime's quantizer and PyTorch's exporter write an int8 model as its
// float graph with QuantizeLinear/DequantizeLinear pairs: on each activation
// an integer kernel reads (its scale and zero point per tensor), and a
// DequantizeLinear on each weight (int8 per output channel) and bias (int32
// at s_x * s_w). cnnc imports the float graph those pairs describe:
// weights and biases dequantized at import (a symmetric s8 weight whose
// channel reaches 127 quantizes back to the same integers, so nothing is
// lost), activations passed through, and each activation pair's range
// recorded. The ranges become a .qparams file keyed by the layer cnnc will
// run, which `--quantize=int8` uses in place of a calibration.
//
//===----------------------------------------------------------------------===//

#include "onnximport/Handlers.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace cnnc::onnx_import {

namespace {

/// The integers a zero point's type holds.
struct IntegerRange {
  double low, high;
};

IntegerRange rangeOf(const Constant &zero, bool hasZero) {
  switch (zero.dataType) {
  case onnx::TensorProto::INT8: return {-128, 127};
  case onnx::TensorProto::INT32: return {-2147483648.0, 2147483647.0};
  case onnx::TensorProto::UINT8: return {0, 255};
  default:
    if (!hasZero) // the default zero point is a uint8 0
      return {0, 255};
    throw ImportError("a zero point of element type " + std::to_string(zero.dataType) +
                      ": cnnc reads uint8, int8 and int32 ones");
  }
}

/// The node's scale and zero point, checked: positive finite scales, whole
/// zero points inside their type, one each per tensor or along `axis`.
struct Affine {
  Constant scale, zero;
  IntegerRange integers;
  int64_t axis = 0;
};

Affine affineOf(Importer &im, const Shape &shape) {
  Affine a;
  a.scale = im.constantInput(1, "scale");
  bool hasZero = im.hasInput(2);
  a.zero = hasZero ? im.constantInput(2, "zero point") : filled(a.scale.size(), 0);
  a.integers = rangeOf(a.zero, hasZero);
  if (a.zero.size() != a.scale.size())
    im.unsupported("its scale has " + std::to_string(a.scale.size()) +
                   " elements and its zero point " + std::to_string(a.zero.size()));
  for (int64_t i = 0; i < a.scale.size(); ++i) {
    double s = a.scale.values[size_t(i)], z = a.zero.values[size_t(i)];
    if (!(std::isfinite(s) && s > 0))
      im.unsupported("a scale of " +
                     (std::isnan(s) ? "NaN" : std::isinf(s) ? "infinity" : Importer::number(s)) +
                     ": scales are positive and finite");
    if (z != std::floor(z) || z < a.integers.low || z > a.integers.high)
      im.unsupported("a zero point of " + Importer::number(z) + " outside its type");
  }
  int64_t rank = int64_t(shape.size());
  a.axis = im.intAttribute("axis", 1);
  a.axis = a.axis < 0 ? a.axis + rank : a.axis;
  if (a.scale.size() > 1 && (a.scale.shape.size() != 1 || a.axis < 0 || a.axis >= rank ||
                             shape[size_t(a.axis)] != a.scale.size()))
    im.unsupported("a scale of shape " + formatShape(a.scale.shape) + " along axis " +
                   std::to_string(a.axis) + " of a tensor of shape " + formatShape(shape));
  return a;
}

} // namespace

Constant foldQuantization(Importer &im, const Constant &x, bool quantize) {
  im.expectAttributes({"axis"});
  Affine a = affineOf(im, x.shape);
  // Elements per step along the axis, and its length.
  int64_t inner = 1, length = a.scale.size();
  if (length > 1)
    for (size_t d = size_t(a.axis) + 1; d < x.shape.size(); ++d)
      inner *= x.shape[d];
  Constant y = x;
  y.integer = quantize;
  y.dataType = 0;
  for (int64_t i = 0; i < x.size(); ++i) {
    size_t k = length > 1 ? size_t((i / inner) % length) : 0;
    double s = a.scale.values[k], z = a.zero.values[k], v = x.values[size_t(i)];
    if (quantize) // round half to even, as ONNX says, then saturate
      y.values[size_t(i)] =
          std::fmin(a.integers.high, std::fmax(a.integers.low, std::nearbyint(v / s) + z));
    else
      y.values[size_t(i)] = double(float((v - z) * s));
  }
  return y;
}

void quantizeLinear(Importer &im) {
  im.expectAttributes({"axis"});
  int x = im.activationInput(0, "x");
  Affine a = affineOf(im, im.shapeOf(x));
  if (a.scale.size() != 1)
    im.unsupported("a QuantizeLinear of an activation per channel: cnnc quantizes activations "
                   "per tensor");
  double s = a.scale.values[0], z = a.zero.values[0];
  // The int8 kernels' tensors are u8: a range wider than 256 steps is not one.
  if (a.integers.high - a.integers.low > 255)
    im.unsupported("a QuantizeLinear of an activation to int32");
  im.recordQuantization(x, (a.integers.low - z) * s, (a.integers.high - z) * s);
  im.bindActivation(0, x);
}

void dequantizeLinear(Importer &im) {
  im.expectAttributes({"axis"});
  int x = im.activationInput(0, "x");
  if (!im.isQuantized(x))
    im.unsupported("a DequantizeLinear of a tensor no QuantizeLinear made: cnnc's inputs and "
                   "layers are float");
  im.bindActivation(0, x);
}

void Importer::recordQuantization(int activation, double low, double high) {
  // A range holds 0 (the padding must be exact), as calibration's do.
  quantized.push_back({activation, std::fmin(low, 0), std::fmax(high, 0)});
}

bool Importer::isQuantized(int activation) const {
  for (const QuantizedActivation &q : quantized)
    if (q.activation == activation)
      return true;
  return false;
}

namespace {

bool isActivationCall(const std::string &call) {
  static const std::set<std::string> calls = {"relu",  "relu6",   "clip",      "leaky",
                                              "sigmoid", "tanh", "silu",      "hardswish",
                                              "hardsigmoid", "gelu"};
  return calls.count(call) > 0;
}

/// A name as a .qparams file quotes it.
std::string quoted(const std::string &name) {
  std::string out = "\"";
  for (unsigned char c : name) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += char(c);
    } else {
      char escape[5];
      std::snprintf(escape, sizeof escape, "\\x%02x", c);
      out += escape;
    }
  }
  return out + "\"";
}

} // namespace

std::string Importer::writeQParams(const std::vector<bool> &live,
                                   const std::vector<std::pair<std::string, int>> &outputs,
                                   const std::string &modelName) const {
  if (quantized.empty())
    return "";
  // Readers of each activation in the program (not in the ONNX graph, where
  // the QuantizeLinear nodes read them too).
  std::map<int, int> readersOf;
  for (size_t i = 0; i < layers.size(); ++i)
    if (live[i])
      for (int operand : layers[i].operands)
        ++readersOf[operand];
  for (const auto &output : outputs)
    ++readersOf[output.second];
  auto producer = [&](int a) { return activations[size_t(a)].layer; };
  auto soleReader = [&](int a) { return readersOf[a] == 1; };
  // The convolution whose kernel computes `a` once cnn-fuse-conv-activation
  // has run: a convolution itself, or a sum one of whose operands is a
  // convolution read by it alone (the first such in program order, which
  // the pass reaches first); -1 if none.
  auto fusedConvolution = [&](int a) {
    int l = producer(a);
    if (l < 0)
      return -1;
    const Layer &layer = layers[size_t(l)];
    if (layer.call == "conv")
      return l;
    if (layer.call != "+" || layer.operands.size() != 2 ||
        layer.operands[0] == layer.operands[1])
      return -1;
    int first = -1;
    for (int operand : layer.operands) {
      int p = producer(operand);
      if (p >= 0 && layers[size_t(p)].call == "conv" && soleReader(operand) &&
          (first < 0 || p < first))
        first = p;
    }
    return first;
  };
  // The layer name cnnc's calibration would give the tensor.
  auto tensorName = [&](int a) -> std::string {
    int l = producer(a);
    if (l < 0)
      return activations[size_t(a)].variable;
    const Layer &layer = layers[size_t(l)];
    if (isActivationCall(layer.call) && layer.operands.size() == 1 &&
        soleReader(layer.operands[0])) {
      int conv = fusedConvolution(layer.operands[0]);
      if (conv >= 0)
        return layers[size_t(conv)].name;
    }
    int conv = fusedConvolution(a);
    return conv >= 0 ? layers[size_t(conv)].name : layer.name;
  };
  // Later pairs win: a sum's range replaces its convolution's own.
  std::vector<std::string> order;
  std::map<std::string, std::pair<double, double>> ranges;
  for (const QuantizedActivation &q : quantized) {
    int l = producer(q.activation);
    if (l >= 0 && !live[size_t(l)])
      continue;
    std::string name = tensorName(q.activation);
    if (name.empty())
      continue; // a layer the program leaves unnamed: cnnc calibrates nothing by that name
    if (!ranges.count(name))
      order.push_back(name);
    ranges[name] = {q.low, q.high};
  }
  // A flatten or reshape may leave no kernel (cnnc drops a flatten of a
  // pooled [N, C, 1, 1]): its range is then its input's, unless that has
  // its own.
  for (const QuantizedActivation &q : quantized) {
    int l = producer(q.activation);
    if (l < 0 || !live[size_t(l)] || layers[size_t(l)].operands.size() != 1)
      continue;
    const std::string &call = layers[size_t(l)].call;
    if (call != "flatten" && call != "reshape")
      continue;
    std::string name = tensorName(layers[size_t(l)].operands[0]);
    if (!name.empty() && !ranges.count(name)) {
      order.push_back(name);
      ranges[name] = {q.low, q.high};
    }
  }
  // A sum or an activation the fusion absorbs into its convolution, where
  // the model also quantizes that convolution's result (QLinearAdd's first
  // term, QLinearLeakyRelu's input): its range, which the kernel rounds the
  // result to before adding or activating.
  std::vector<std::pair<std::string, QuantizedActivation>> addends;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!live[i] || layers[i].outputs.size() != 1)
      continue;
    int conv = -1;
    if (layers[i].call == "+")
      conv = fusedConvolution(layers[i].outputs[0]);
    else if (isActivationCall(layers[i].call) && layers[i].operands.size() == 1 &&
             soleReader(layers[i].operands[0]))
      conv = fusedConvolution(layers[i].operands[0]);
    if (conv < 0 || layers[size_t(conv)].name.empty() ||
        (layers[i].call != "+" && layers[size_t(conv)].outputs[0] != layers[i].operands[0]))
      continue;
    for (const QuantizedActivation &q : quantized)
      if (q.activation == layers[size_t(conv)].outputs[0])
        addends.push_back({layers[size_t(conv)].name, q});
  }
  std::ostringstream text;
  text.precision(9);
  text << "# cnnc quantization parameters: the ranges of " << quoted(displayName)
       << "'s QuantizeLinear nodes\nversion 1\nmodel " << quoted(modelName) << "\nmethod qdq\n";
  for (const std::string &name : order)
    text << "tensor " << quoted(name) << " " << ranges[name].first << " " << ranges[name].second
         << "\n";
  for (const auto &[name, q] : addends)
    text << "addend " << quoted(name) << " " << q.low << " " << q.high << "\n";
  return text.str();
}

} // namespace cnnc::onnx_import
