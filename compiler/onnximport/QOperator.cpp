//===- QOperator.cpp - QOperator models written as QDQ models -------------===//
//
// ONNX Runtime's quantizer writes int8 models in two formats. QDQ (read by
// Quantized.cpp) keeps the float operators between QuantizeLinear and
// DequantizeLinear pairs. QOperator makes each integer kernel one node over
// u8/s8 tensors: QLinearConv and QLinearMatMul (ONNX), QGemm, QLinearAdd,
// QLinearMul, QLinearGlobalAveragePool, QLinearAveragePool, QLinearConcat,
// QLinearSigmoid and QLinearLeakyRelu (com.microsoft), and data movement
// (MaxPool, Reshape, Transpose...) reads the integer tensors directly.
//
// Before the checker runs, each QLinear node is written here as the QDQ
// form that computes the same thing: a DequantizeLinear on each integer
// activation it reads, the float operator (its weights and bias dequantized
// into float initializers, as Quantized.cpp dequantizes a QDQ model's), a
// Relu where the output's zero point is its type's least value (the clamp
// ONNX Runtime's fused ReLU leaves), and a QuantizeLinear on its output.
// An integer tensor's data movement becomes DequantizeLinear -> the op ->
// QuantizeLinear at the tensor's own scale. The QDQ import then reads the
// result, and `--quantize=int8` runs it on the model's scales.
//
//===----------------------------------------------------------------------===//

#include "onnximport/Importer.h"

#include <cmath>
#include <map>
#include <set>

namespace cnnc::onnx_import {

namespace {

/// Operators that move or select an integer tensor's elements without
/// computing new values: they run the same on the dequantized tensor.
const std::set<std::string> &integerMovement() {
  static const std::set<std::string> ops = {
      "MaxPool", "Reshape", "Flatten", "Transpose", "Squeeze",      "Unsqueeze", "Slice",
      "Identity", "Split",  "Concat",  "Resize",    "DepthToSpace", "SpaceToDepth"};
  return ops;
}

/// A per-tensor scale and zero point, by the names of the tensors that
/// hold them (the zero point may be absent: a u8 0).
struct Quantization {
  std::string scale, zero;
};

class QOperatorWriter {
public:
  QOperatorWriter(onnx::ModelProto &model, int opset) : model(model), opset(opset) {
    onnx::GraphProto &graph = *model.mutable_graph();
    for (const auto &init : graph.initializer()) {
      constants[init.name()] = &init;
      names.insert(init.name());
    }
    for (const auto &input : graph.input())
      names.insert(input.name());
    for (const auto &node : graph.node()) {
      for (const std::string &out : node.output())
        names.insert(out);
      if (node.op_type() == "Constant" && node.output_size() == 1)
        for (const auto &attribute : node.attribute())
          if (attribute.name() == "value" && attribute.has_t())
            constants[node.output(0)] = &attribute.t();
    }
  }

  void run() {
    onnx::GraphProto &graph = *model.mutable_graph();
    google::protobuf::RepeatedPtrField<onnx::NodeProto> original;
    original.Swap(graph.mutable_node());
    for (const onnx::NodeProto &node : original) {
      current = &node;
      const std::string &op = node.op_type();
      bool standard = node.domain().empty() || node.domain() == "ai.onnx";
      bool microsoft = node.domain() == "com.microsoft";
      // A malformed pair is left to the checker and Quantized.cpp.
      bool pair = node.input_size() >= 2 && node.output_size() == 1;
      if (standard && op == "QuantizeLinear") {
        copy(node);
        if (pair)
          integers[node.output(0)] = {node.input(1), input(node, 2)};
      } else if (standard && op == "DequantizeLinear") {
        if (pair && integers.count(node.input(0)))
          expectSameQuantization(node.input(0), {node.input(1), input(node, 2)});
        copy(node);
      } else if ((standard && op == "QLinearConv") || (standard && op == "QLinearMatMul") ||
                 (microsoft && op.rfind("QLinear", 0) == 0) || (microsoft && op == "QGemm")) {
        writeQLinear(node);
      } else if (readsInteger(node)) {
        if (!standard || !integerMovement().count(op))
          refuse("it reads the integer tensor '" + firstIntegerInput(node) +
                 "'; integer tensors are read by QLinear operators, DequantizeLinear and data "
                 "movement (MaxPool, Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Slice, "
                 "Split, Concat, Resize, DepthToSpace, SpaceToDepth)");
        writeMovement(node);
      } else {
        copy(node);
      }
    }
    for (const std::string &name : initializerOrder)
      *graph.add_initializer() = newInitializers[name];
  }

private:
  [[noreturn]] void refuse(const std::string &what) const {
    throw ImportError(nodeHeading(*current, opset) + ": " + what);
  }

  static std::string input(const onnx::NodeProto &node, int i) {
    return i < node.input_size() ? node.input(i) : "";
  }

  void copy(const onnx::NodeProto &node) { *model.mutable_graph()->add_node() = node; }

  bool readsInteger(const onnx::NodeProto &node) const {
    return !firstIntegerInput(node).empty();
  }
  std::string firstIntegerInput(const onnx::NodeProto &node) const {
    for (const std::string &in : node.input())
      if (integers.count(in))
        return in;
    return "";
  }

  /// A name no tensor of the graph has yet, built from `hint`.
  std::string fresh(const std::string &hint) {
    std::string name = hint;
    for (int k = 1; names.count(name); ++k)
      name = hint + "." + std::to_string(k);
    names.insert(name);
    return name;
  }

  onnx::NodeProto &emit(const std::string &op, const std::vector<std::string> &inputs,
                        const std::string &output, const std::string &name) {
    onnx::NodeProto &node = *model.mutable_graph()->add_node();
    node.set_op_type(op);
    node.set_name(name);
    for (const std::string &in : inputs)
      node.add_input(in);
    node.add_output(output);
    return node;
  }

  const Constant *constant(const std::string &name) {
    if (name.empty())
      return nullptr;
    if (auto it = read.find(name); it != read.end())
      return &it->second;
    auto it = constants.find(name);
    if (it == constants.end())
      return nullptr;
    return &read.emplace(name, readTensor(*it->second, "tensor '" + name + "'")).first->second;
  }

  Constant constantInput(const onnx::NodeProto &node, int i, const std::string &role) {
    const Constant *c = constant(input(node, i));
    if (!c)
      refuse("its " + role + " '" + input(node, i) + "' is computed while the model runs; it must "
             "be a constant");
    return *c;
  }

  /// The scale and zero point at inputs `i` and `i + 1`: per tensor, a
  /// positive finite scale and a zero point of u8 or s8.
  Quantization perTensor(const onnx::NodeProto &node, int i, const std::string &role) {
    Constant scale = constantInput(node, i, role + " scale");
    if (scale.size() != 1)
      refuse("the " + role + " scale has " + std::to_string(scale.size()) +
             " elements: activations are quantized per tensor");
    if (!(std::isfinite(scale.values[0]) && scale.values[0] > 0))
      refuse("the " + role + " scale is " + Importer::number(scale.values[0]) +
             ": scales are positive and finite");
    std::string zero = input(node, i + 1);
    if (!zero.empty()) {
      Constant z = constantInput(node, i + 1, role + " zero point");
      if (z.size() != 1 || (z.dataType != onnx::TensorProto::UINT8 &&
                            z.dataType != onnx::TensorProto::INT8))
        refuse("the " + role + " zero point is not one u8 or s8 value");
    }
    return {node.input(i), zero};
  }

  /// The least integer a zero point's type holds is the clamp of a ReLU.
  bool clampsAtZero(const Quantization &q) {
    if (q.zero.empty())
      return true;
    const Constant &z = *constant(q.zero);
    double least = z.dataType == onnx::TensorProto::INT8 ? -128 : 0;
    return z.values[0] == least;
  }

  /// The one value of a scale or zero point (an absent zero point is 0).
  double valueOf(const std::string &name, const std::string &tensor) {
    if (name.empty())
      return 0;
    const Constant *c = constant(name);
    if (!c || c->size() != 1)
      refuse("the integer tensor '" + tensor + "' has a scale or zero point '" + name +
             "' that is not one constant value");
    return c->values[0];
  }

  /// A consumer reads an integer tensor with the scale its producer wrote
  /// it with; reading it with another would reinterpret its integers.
  void expectSameQuantization(const std::string &tensor, const Quantization &reader) {
    const Quantization &writer = integers.at(tensor);
    double ws = valueOf(writer.scale, tensor), rs = valueOf(reader.scale, tensor);
    double wz = valueOf(writer.zero, tensor), rz = valueOf(reader.zero, tensor);
    if (ws != rs || wz != rz)
      refuse("it reads the integer tensor '" + tensor + "' at scale " + Importer::number(rs) +
             ", zero point " + Importer::number(rz) + ", which was written at scale " +
             Importer::number(ws) + ", zero point " + Importer::number(wz));
  }

  /// The float form of the node's integer operand at input `i` (scale and
  /// zero point at i + 1, i + 2): a DequantizeLinear of an activation, or
  /// a float initializer of a constant, dequantized along `axis` when the
  /// scale has one value per slice of that axis.
  std::string dequantized(const onnx::NodeProto &node, int i, const std::string &role,
                          int64_t axis = -1, bool constantOnly = false) {
    const std::string &name = node.input(i);
    if (integers.count(name) && constantOnly)
      refuse("its " + role + " '" + name + "' is computed while the model runs; it must be a "
             "constant");
    if (integers.count(name)) {
      Quantization q = perTensor(node, i + 1, role);
      expectSameQuantization(name, q);
      std::string out = fresh(name + ".dequantized");
      std::vector<std::string> inputs = {name, q.scale};
      if (!q.zero.empty())
        inputs.push_back(q.zero);
      emit("DequantizeLinear", inputs, out, out);
      return out;
    }
    if (!constant(name))
      refuse("its " + role + " '" + name + "' is an integer tensor that no QuantizeLinear or "
             "QLinear node wrote (a model input?); cnnc's model inputs are float");
    Constant values = constantInput(node, i, role);
    Constant scale = constantInput(node, i + 1, role + " scale");
    Constant zero = input(node, i + 2).empty() ? filled(scale.size(), 0)
                                               : constantInput(node, i + 2, role + " zero point");
    if (zero.size() != scale.size())
      refuse("the " + role + " has " + std::to_string(scale.size()) + " scales and " +
             std::to_string(zero.size()) + " zero points");
    return floatInitializer(name + ".dequantized", values, scale, zero, axis, 1.0, role);
  }

  /// (values - zero) * scale * factor as a float initializer; the scale
  /// (and zero point) is one value, or one per slice of `axis`.
  std::string floatInitializer(const std::string &hint, const Constant &values,
                               const Constant &scale, const Constant &zero, int64_t axis,
                               double factor, const std::string &role) {
    int64_t rank = int64_t(values.shape.size());
    if (axis < 0)
      axis += rank;
    int64_t inner = 1, length = scale.size();
    if (length > 1) {
      if (axis < 0 || axis >= rank || values.shape[size_t(axis)] != length)
        refuse("the " + role + " of shape " + formatShape(values.shape) + " has " +
               std::to_string(length) + " scales; expected one, or one per slice of axis " +
               std::to_string(axis));
      for (int64_t d = axis + 1; d < rank; ++d)
        inner *= values.shape[size_t(d)];
    }
    for (int64_t k = 0; k < length; ++k)
      if (!(std::isfinite(scale.values[size_t(k)]) && scale.values[size_t(k)] > 0))
        refuse("a " + role + " scale of " + Importer::number(scale.values[size_t(k)]) +
               ": scales are positive and finite");
    std::string name = fresh(hint);
    onnx::TensorProto &t = newInitializers[name];
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : values.shape)
      t.add_dims(d);
    for (int64_t e = 0; e < values.size(); ++e) {
      size_t k = length > 1 ? size_t((e / inner) % length) : 0;
      // As Quantized.cpp dequantizes a QDQ weight: the product in double,
      // rounded once to float.
      t.add_float_data(
          float((values.values[size_t(e)] - zero.values[k]) * scale.values[k] * factor));
    }
    initializerOrder.push_back(name);
    return name;
  }

  /// The bias of an integer product: s32 at (input scale) * (weight scale)
  /// * factor, per output channel when the weights are.
  std::string dequantizedBias(const onnx::NodeProto &node, int i, int inputScale, int weightScale,
                              double factor) {
    Constant bias = constantInput(node, i, "bias");
    if (bias.shape.size() != 1)
      refuse("the bias has shape " + formatShape(bias.shape) + "; expected one dimension");
    Constant scale = constantInput(node, weightScale, "weight scale");
    double xs = constantInput(node, inputScale, "input scale").values[0];
    for (double &s : scale.values)
      s *= xs;
    return floatInitializer(node.input(i) + ".dequantized", bias, scale,
                            filled(scale.size(), 0), 0, factor, "bias");
  }

  /// `float` (the float operator's output) quantized into the node's
  /// output at inputs i, i + 1, with the ReLU clamp where the zero point
  /// makes one.
  void quantizeOutput(const onnx::NodeProto &node, std::string floatOutput, int i,
                      bool relu) {
    Quantization q = perTensor(node, i, "output");
    if (relu && clampsAtZero(q)) {
      std::string clamped = fresh(node.output(0) + ".relu");
      emit("Relu", {floatOutput}, clamped, layerName(node) + ".relu");
      floatOutput = clamped;
    }
    std::vector<std::string> inputs = {floatOutput, q.scale};
    if (!q.zero.empty())
      inputs.push_back(q.zero);
    emit("QuantizeLinear", inputs, node.output(0), fresh(node.output(0) + ".quantize"));
    integers[node.output(0)] = q;
  }

  void copyAttributes(const onnx::NodeProto &from, onnx::NodeProto &to,
                      const std::set<std::string> &dropped = {}) {
    for (const auto &a : from.attribute())
      if (!dropped.count(a.name()))
        *to.add_attribute() = a;
  }

  void expectChannelsFirst(const onnx::NodeProto &node) {
    for (const auto &a : node.attribute())
      if (a.name() == "channels_last" && a.i() != 0)
        refuse("channels_last=1 (NHWC) is not supported; cnnc's QLinear pools read NCHW");
  }

  std::string layerName(const onnx::NodeProto &node) {
    return node.name().empty() ? node.output(0) : node.name();
  }

  void expectInputs(const onnx::NodeProto &node, int least, int most) {
    if (node.input_size() < least || node.input_size() > most || node.output_size() != 1)
      refuse("it has " + std::to_string(node.input_size()) + " inputs and " +
             std::to_string(node.output_size()) + " outputs; expected " + std::to_string(least) +
             (least == most ? "" : " to " + std::to_string(most)) + " inputs and one output");
  }

  void writeQLinear(const onnx::NodeProto &node) {
    const std::string &op = node.op_type();
    if (node.output_size() != 1)
      refuse("it has " + std::to_string(node.output_size()) + " outputs; expected one");
    std::string floatOut = fresh(node.output(0) + ".float");
    if (op == "QLinearConv") {
      expectInputs(node, 8, 9);
      std::vector<std::string> inputs = {dequantized(node, 0, "input"),
                                         dequantized(node, 3, "weight", 0, true)};
      if (!input(node, 8).empty())
        inputs.push_back(dequantizedBias(node, 8, 1, 4, 1.0));
      copyAttributes(node, emit("Conv", inputs, floatOut, layerName(node)));
      quantizeOutput(node, floatOut, 6, true);
    } else if (op == "QLinearMatMul") {
      expectInputs(node, 8, 8);
      emit("MatMul", {dequantized(node, 0, "operand A", -2), dequantized(node, 3, "operand B", -1)}, floatOut,
           layerName(node));
      quantizeOutput(node, floatOut, 6, true);
    } else if (op == "QGemm") {
      writeQGemm(node, floatOut);
    } else if (op == "QLinearAdd" || op == "QLinearMul") {
      expectInputs(node, 7, 8);
      emit(op == "QLinearAdd" ? "Add" : "Mul",
           {dequantized(node, 0, "operand A"), dequantized(node, 3, "operand B")}, floatOut,
           layerName(node));
      quantizeOutput(node, floatOut, 6, true);
    } else if (op == "QLinearGlobalAveragePool" || op == "QLinearAveragePool") {
      expectInputs(node, 4, 5);
      expectChannelsFirst(node);
      onnx::NodeProto &pool =
          emit(op == "QLinearAveragePool" ? "AveragePool" : "GlobalAveragePool",
               {dequantized(node, 0, "input")}, floatOut, layerName(node));
      copyAttributes(node, pool, {"channels_last"});
      quantizeOutput(node, floatOut, 3, false);
    } else if (op == "QLinearSigmoid" || op == "QLinearLeakyRelu") {
      expectInputs(node, 4, 5);
      copyAttributes(node, emit(op == "QLinearSigmoid" ? "Sigmoid" : "LeakyRelu",
                                {dequantized(node, 0, "input")}, floatOut, layerName(node)));
      quantizeOutput(node, floatOut, 3, false);
    } else if (op == "QLinearConcat") {
      // Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) per operand.
      if (node.input_size() < 5 || (node.input_size() - 2) % 3 != 0 || node.output_size() != 1)
        refuse("it has " + std::to_string(node.input_size()) +
               " inputs; expected 2 + 3 per operand");
      std::vector<std::string> inputs;
      for (int i = 2; i < node.input_size(); i += 3)
        inputs.push_back(dequantized(node, i, "operand"));
      copyAttributes(node, emit("Concat", inputs, floatOut, layerName(node)));
      quantizeOutput(node, floatOut, 0, false);
    } else {
      refuse(op + " is not supported; of the QOperator format cnnc reads QLinearConv, "
                  "QLinearMatMul, QGemm, QLinearAdd, QLinearMul, QLinearGlobalAveragePool, "
                  "QLinearAveragePool, QLinearConcat, QLinearSigmoid and QLinearLeakyRelu");
    }
  }

  /// QGemm: alpha * A' B' + C, C s32 at alpha * s_a * s_b; without an output
  /// scale its output is float.
  void writeQGemm(const onnx::NodeProto &node, const std::string &floatOut) {
    expectInputs(node, 6, 9);
    double alpha = 1;
    bool transB = false;
    for (const auto &a : node.attribute()) {
      if (a.name() == "alpha")
        alpha = a.f();
      else if (a.name() == "transB")
        transB = a.i() != 0;
    }
    if (!(std::isfinite(alpha) && alpha != 0))
      refuse("alpha is " + Importer::number(alpha) + "; expected a finite, nonzero number");
    // One weight scale per column of B' (rows of B when transposed).
    std::vector<std::string> inputs = {dequantized(node, 0, "operand A"),
                                       dequantized(node, 3, "operand B", transB ? 0 : 1)};
    if (!input(node, 6).empty())
      inputs.push_back(dequantizedBias(node, 6, 1, 4, alpha));
    bool quantizedOutput = !input(node, 7).empty();
    onnx::NodeProto &gemm = emit("Gemm", inputs, quantizedOutput ? floatOut : node.output(0),
                                 layerName(node));
    copyAttributes(node, gemm);
    if (quantizedOutput)
      quantizeOutput(node, floatOut, 7, true);
  }

  /// Data movement of integer tensors, in float at the tensor's scale.
  void writeMovement(const onnx::NodeProto &node) {
    onnx::NodeProto moved = node;
    Quantization q;
    for (int i = 0; i < node.input_size(); ++i) {
      auto it = integers.find(node.input(i));
      if (it == integers.end())
        continue;
      if (q.scale.empty())
        q = it->second;
      else
        expectSameQuantization(node.input(i), q);  // a Concat of one scale
      std::string out = fresh(node.input(i) + ".dequantized");
      std::vector<std::string> inputs = {node.input(i), q.scale};
      if (!q.zero.empty())
        inputs.push_back(q.zero);
      emit("DequantizeLinear", inputs, out, out);
      moved.set_input(i, out);
    }
    if (node.op_type() == "Concat" || node.op_type() == "Split")
      for (const std::string &in : node.input())
        if (!integers.count(in))
          refuse("it joins the integer tensor '" + firstIntegerInput(node) + "' with the float "
                 "tensor '" + in + "'");
    std::vector<std::string> floatOuts;
    for (int k = 0; k < node.output_size(); ++k) {
      floatOuts.push_back(fresh(node.output(k) + ".float"));
      moved.set_output(k, floatOuts.back());
    }
    *model.mutable_graph()->add_node() = moved;
    for (int k = 0; k < node.output_size(); ++k) {
      std::vector<std::string> inputs = {floatOuts[size_t(k)], q.scale};
      if (!q.zero.empty())
        inputs.push_back(q.zero);
      emit("QuantizeLinear", inputs, node.output(k), fresh(node.output(k) + ".quantize"));
      integers[node.output(k)] = q;
    }
  }

  onnx::ModelProto &model;
  int opset;
  const onnx::NodeProto *current = nullptr;
  std::map<std::string, const onnx::TensorProto *> constants;
  std::map<std::string, Constant> read;
  std::set<std::string> names;
  std::map<std::string, Quantization> integers;  // integer activations and how they are quantized
  std::map<std::string, onnx::TensorProto> newInitializers;
  std::vector<std::string> initializerOrder;
};

bool hasQOperators(const onnx::ModelProto &model) {
  for (const auto &node : model.graph().node()) {
    const std::string &op = node.op_type();
    if (op.rfind("QLinear", 0) == 0 || (node.domain() == "com.microsoft" && op == "QGemm"))
      return true;
  }
  return false;
}

} // namespace

void writeQOperatorsAsQdq(onnx::ModelProto &model, int opset) {
  if (hasQOperators(model))
    QOperatorWriter(model, opset).run();
}

} // namespace cnnc::onnx_import
