//===- Opset.cpp - opsets 18 and 19 written as opset 17 -------------------===//
//
// Debian's libonnx (1.12) checks and infers shapes up to opset 17. Opsets
// 18 and 19 change few operators in ways a CNN uses: the Reduce family
// takes its axes as an input, Split gains num_outputs, Pad an axes input,
// Resize three attributes, AveragePool dilations, Cast a saturate flag for
// float8, and Mish is new. Each such node is rewritten here as its opset-17
// form (Mish as x * tanh(softplus(x))) when the two compute the same thing,
// and refused, naming the node and what differs, when they would not;
// the other operators new in 18 or 19 are refused by name. The model is
// then checked and inferred as opset 17, and messages still name the
// file's own opset.
//
//===----------------------------------------------------------------------===//

#include "onnximport/Importer.h"

#include <algorithm>
#include <map>
#include <set>

namespace cnnc::onnx_import {

namespace {

/// Operators that opsets 18 and 19 add: nothing in opset 17 computes them.
const std::set<std::string> &newOperators() {
  static const std::set<std::string> ops = {
      "BitwiseAnd", "BitwiseNot", "BitwiseOr", "BitwiseXor", "CenterCropPad", "Col2Im",
      "GroupNormalization", "OptionalGetElement", "OptionalHasElement", "DeformConv"};
  return ops;
}

const std::set<std::string> &reduceWithAxesInput() {
  static const std::set<std::string> ops = {
      "ReduceL1",     "ReduceL2",         "ReduceLogSum", "ReduceLogSumExp", "ReduceMax",
      "ReduceMean",   "ReduceMin",        "ReduceProd",   "ReduceSumSquare"};
  return ops;
}

class Downgrade {
public:
  Downgrade(onnx::ModelProto &model, int opset) : model(model), opset(opset) {
    for (const auto &init : model.graph().initializer())
      initializers[init.name()] = &init;
    for (const auto &node : model.graph().node())
      if (node.op_type() == "Constant" && node.output_size() == 1)
        for (const auto &attribute : node.attribute())
          if (attribute.name() == "value" && attribute.has_t())
            constants[node.output(0)] = &attribute.t();
  }

  void run() {
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    for (auto &node : *model.mutable_graph()->mutable_node()) {
      bool standard = node.domain().empty() || node.domain() == "ai.onnx";
      if (standard && node.op_type() == "Mish")
        writeMish(node, nodes);
      else
        *nodes.Add() = node;
    }
    model.mutable_graph()->mutable_node()->Swap(&nodes);
    for (auto &node : *model.mutable_graph()->mutable_node()) {
      if (!node.domain().empty() && node.domain() != "ai.onnx")
        continue;
      if (newOperators().count(node.op_type()))
        refuse(node, node.op_type() + " (new in opset 18 or 19) is not supported");
      if (reduceWithAxesInput().count(node.op_type()))
        reduce(node);
      else if (node.op_type() == "Split")
        split(node);
      else if (node.op_type() == "Pad")
        pad(node);
      else if (node.op_type() == "Resize")
        resize(node);
      else if (node.op_type() == "AveragePool")
        averagePool(node);
      else if (node.op_type() == "Cast" || node.op_type() == "CastLike")
        dropAttribute(node, "saturate");  // float8 only
    }
  }

private:
  [[noreturn]] void refuse(const onnx::NodeProto &node, const std::string &what) const {
    throw ImportError(nodeHeading(node, opset) + ": " + what);
  }

  const onnx::AttributeProto *attribute(const onnx::NodeProto &node, const std::string &name) {
    for (const auto &a : node.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }

  void dropAttribute(onnx::NodeProto &node, const std::string &name) {
    auto *attributes = node.mutable_attribute();
    attributes->erase(std::remove_if(attributes->begin(), attributes->end(),
                                     [&](const onnx::AttributeProto &a) {
                                       return a.name() == name;
                                     }),
                      attributes->end());
  }

  /// Drops an attribute whose value is the default, which opset 17 does
  /// not know; refuses any other value.
  void dropDefault(onnx::NodeProto &node, const std::string &name, int64_t fallback) {
    if (const auto *a = attribute(node, name)) {
      if (a->type() != onnx::AttributeProto::INT || a->i() != fallback)
        refuse(node, "attribute '" + name + "' other than " + std::to_string(fallback) +
                         " (opset " + std::to_string(opset) + ") is not supported");
      dropAttribute(node, name);
    }
  }
  void dropDefault(onnx::NodeProto &node, const std::string &name, const std::string &fallback) {
    if (const auto *a = attribute(node, name)) {
      if (a->type() != onnx::AttributeProto::STRING || a->s() != fallback)
        refuse(node, "attribute '" + name + "' other than '" + fallback + "' (opset " +
                         std::to_string(opset) + ") is not supported");
      dropAttribute(node, name);
    }
  }

  /// A constant tensor input's integers, or refuses: opset 17's form needs
  /// them as an attribute.
  std::vector<int64_t> constantInts(const onnx::NodeProto &node, int i, const std::string &role) {
    const std::string &name = node.input(i);
    const onnx::TensorProto *tensor = nullptr;
    if (auto it = initializers.find(name); it != initializers.end())
      tensor = it->second;
    else if (auto it = constants.find(name); it != constants.end())
      tensor = it->second;
    if (!tensor)
      refuse(node, role + " '" + name + "' is computed while the model runs; only constant " +
                       role + " are supported");
    return readTensor(*tensor, role + " '" + name + "'").ints();
  }

  void removeInputsFrom(onnx::NodeProto &node, int first) {
    while (node.input_size() > first)
      node.mutable_input()->RemoveLast();
  }

  void reduce(onnx::NodeProto &node) {
    bool emptyIsNothing = false;
    if (const auto *a = attribute(node, "noop_with_empty_axes"))
      emptyIsNothing = a->i() != 0;
    dropAttribute(node, "noop_with_empty_axes");
    std::vector<int64_t> axes;
    if (node.input_size() > 1 && !node.input(1).empty())
      axes = constantInts(node, 1, "axes");
    removeInputsFrom(node, 1);
    if (axes.empty()) {
      if (emptyIsNothing)
        refuse(node, "noop_with_empty_axes=1 with no axes (the identity) is not supported");
      return;  // every axis, as opset 17 reduces without axes
    }
    onnx::AttributeProto *a = node.add_attribute();
    a->set_name("axes");
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t axis : axes)
      a->add_ints(axis);
  }

  void split(onnx::NodeProto &node) {
    // Opset 17 splits into as many equal parts as the node has outputs;
    // num_outputs says the same unless the extent does not divide, which
    // opset 17's inference then reports at the node.
    if (const auto *a = attribute(node, "num_outputs")) {
      if (a->i() != node.output_size())
        refuse(node, "num_outputs " + std::to_string(a->i()) + " differs from the node's " +
                         std::to_string(node.output_size()) + " outputs");
      dropAttribute(node, "num_outputs");
    }
  }

  void pad(onnx::NodeProto &node) {
    if (node.input_size() > 3 && !node.input(3).empty())
      refuse(node, "the axes input (opset 18) is not supported; pads for every dimension are");
    removeInputsFrom(node, std::min(node.input_size(), 3));
    if (const auto *a = attribute(node, "mode"); a && a->s() == "wrap")
      refuse(node, "mode 'wrap' (opset 19) is not supported");
  }

  void resize(onnx::NodeProto &node) {
    dropDefault(node, "antialias", 0);
    dropDefault(node, "keep_aspect_ratio_policy", "stretch");
    if (attribute(node, "axes"))
      refuse(node, "attribute 'axes' (opset 18) is not supported; scales or sizes for every "
                   "dimension are");
    if (const auto *a = attribute(node, "coordinate_transformation_mode");
        a && a->s() == "half_pixel_symmetric")
      refuse(node, "coordinate_transformation_mode 'half_pixel_symmetric' (opset 19) is not "
                   "supported");
  }

  /// Mish (new in 18) as exporters wrote it before, x * tanh(softplus(x)),
  /// which the importer recognises; the product keeps the node's name.
  void writeMish(const onnx::NodeProto &mish, google::protobuf::RepeatedPtrField<onnx::NodeProto> &nodes) {
    if (mish.input_size() != 1 || mish.output_size() != 1)
      refuse(mish, "Mish takes one input and gives one output");
    std::string softplus = mish.output(0) + ".softplus", tanh = mish.output(0) + ".tanh";
    auto add = [&](const std::string &op, std::vector<std::string> inputs, const std::string &out,
                   const std::string &name) {
      onnx::NodeProto *node = nodes.Add();
      node->set_op_type(op);
      node->set_name(name);
      for (const std::string &input : inputs)
        node->add_input(input);
      node->add_output(out);
    };
    add("Softplus", {mish.input(0)}, softplus, mish.name() + ".softplus");
    add("Tanh", {softplus}, tanh, mish.name() + ".tanh");
    add("Mul", {mish.input(0), tanh}, mish.output(0), mish.name());
  }

  void averagePool(onnx::NodeProto &node) {
    if (const auto *a = attribute(node, "dilations")) {
      for (int64_t d : a->ints())
        if (d != 1)
          refuse(node, "dilations other than 1 (opset 19) are not supported");
      dropAttribute(node, "dilations");
    }
  }

  onnx::ModelProto &model;
  int opset;
  std::map<std::string, const onnx::TensorProto *> initializers, constants;
};

} // namespace

void writeAsOpset17(onnx::ModelProto &model, int opset) {
  if (opset <= 17)
    return;
  Downgrade(model, opset).run();
  // IR version 9 (ONNX 1.14, opset 19) adds only float8 element types,
  // which no supported operator takes; libonnx 1.12 checks up to 8.
  if (model.ir_version() > 8)
    model.set_ir_version(8);
  for (auto &entry : *model.mutable_opset_import())
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      entry.set_version(17);
}

} // namespace cnnc::onnx_import
