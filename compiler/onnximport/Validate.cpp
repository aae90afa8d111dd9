//===- Validate.cpp - attributes checked before ONNX's shape inference ----===//
//
// ONNX's shape inference reads window attributes as it finds them: a zero
// stride divides by zero, a kernel_shape longer than the input reads past
// it. The checker does not look at their values, so they are checked here,
// before inference runs, and a bad one is an error about its node.
//
//===----------------------------------------------------------------------===//

#include "onnximport/Importer.h"

#include <algorithm>
#include <map>

namespace cnnc::onnx_import {

namespace {

/// Far above any real window, low enough that no size computed from it
/// overflows.
constexpr int64_t maxWindowValue = 1 << 16;
/// More dimensions than any tensor the importer accepts has.
constexpr int64_t maxRank = 64;

bool hasWindow(const std::string &op) {
  return op == "Conv" || op == "ConvTranspose" || op == "ConvInteger" || op == "QLinearConv" ||
         op == "MaxPool" || op == "AveragePool" || op == "LpPool";
}

bool hasGroups(const std::string &op) {
  return op == "Conv" || op == "ConvTranspose" || op == "ConvInteger" || op == "QLinearConv";
}

class NodeCheck {
public:
  NodeCheck(const onnx::NodeProto &node, int opset) : node(node), opset(opset) {}

  [[noreturn]] void fail(const std::string &what) const {
    throw ImportError(nodeHeading(node, opset) + ": " + what);
  }

  /// The attribute's integers, or none when it is absent or of another type
  /// (the checker has refused a wrong type by now).
  std::vector<int64_t> ints(const std::string &name) const {
    for (const auto &a : node.attribute())
      if (a.name() == name && a.type() == onnx::AttributeProto::INTS)
        return std::vector<int64_t>(a.ints().begin(), a.ints().end());
    return {};
  }

  const onnx::AttributeProto *find(const std::string &name) const {
    for (const auto &a : node.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }

  /// Every value in [low, maxWindowValue]; returns how many there are.
  size_t inRange(const std::string &name, int64_t low, const std::string &rule) const {
    std::vector<int64_t> values = ints(name);
    for (int64_t v : values)
      if (v < low || v > maxWindowValue)
        fail("'" + name + "' is " + Importer::list(values) + "; " + rule + " (at most " +
             std::to_string(maxWindowValue) + ")");
    return values.size();
  }

  void window() const {
    size_t kernel = inRange("kernel_shape", 1, "window sizes are positive");
    size_t strides = inRange("strides", 1, "strides are positive");
    size_t dilations = inRange("dilations", 1, "dilations are positive");
    size_t pads = inRange("pads", 0, "pads are zero or more");
    size_t outputPads = inRange("output_padding", 0, "output padding is zero or more");
    inRange("output_shape", 1, "output sizes are positive");
    // One value per spatial dimension, pads two: the first list given sets
    // the number of dimensions.
    size_t spatial = kernel      ? kernel
                     : strides   ? strides
                     : dilations ? dilations
                     : pads      ? pads / 2
                                 : outputPads;
    auto sized = [&](const std::string &name, size_t count, size_t expected) {
      if (count && count != expected)
        fail("'" + name + "' has " + std::to_string(count) + " values; a window of " +
             std::to_string(spatial) + " dimensions needs " + std::to_string(expected));
    };
    sized("strides", strides, spatial);
    sized("dilations", dilations, spatial);
    sized("pads", pads, 2 * spatial);
    sized("output_padding", outputPads, spatial);
    outputPaddingWithinStep();
    if (hasGroups(node.op_type()))
      if (const onnx::AttributeProto *group = find("group"))
        if (group->type() == onnx::AttributeProto::INT && group->i() < 1)
          fail("'group' is " + std::to_string(group->i()) + "; it must be at least 1");
  }

  /// The extra rows output padding adds must fall inside one more step of
  /// the window: past the larger of stride and dilation they would be
  /// rows no input reaches, which PyTorch and the language refuse.
  void outputPaddingWithinStep() const {
    std::vector<int64_t> outputPads = ints("output_padding");
    std::vector<int64_t> strides = ints("strides"), dilations = ints("dilations");
    strides.resize(outputPads.size(), 1);
    dilations.resize(outputPads.size(), 1);
    for (size_t i = 0; i < outputPads.size(); ++i)
      if (outputPads[i] >= std::max(strides[i], dilations[i]))
        fail("'output_padding' is " + Importer::list(outputPads) +
             "; each value must be smaller than its dimension's stride or dilation (strides " +
             Importer::list(strides) + ", dilations " + Importer::list(dilations) + ")");
  }

  /// An `axis` indexes input 0's dimensions (Flatten's may also be the
  /// rank itself). ONNX 1.12's inference of LayerNormalization reads
  /// wherever it points. `rank` is -1 where it is not known before
  /// inference: then only the bound on any rank applies.
  void axis(int64_t rank) const {
    const onnx::AttributeProto *axis = find("axis");
    if (!axis || axis->type() != onnx::AttributeProto::INT)
      return;
    int64_t high = rank < 0 ? maxRank : node.op_type() == "Flatten" ? rank : rank - 1;
    int64_t low = rank < 0 ? -maxRank : -rank;
    if (axis->i() < low || axis->i() > high)
      fail("'axis' is " + std::to_string(axis->i()) +
           (rank < 0 ? "; no tensor has that many dimensions"
                     : "; the input has " + std::to_string(rank) + " dimensions"));
  }

  void lrn() const {
    if (const onnx::AttributeProto *size = find("size"))
      if (size->type() == onnx::AttributeProto::INT && (size->i() < 1 || size->i() > 4096))
        fail("'size' is " + std::to_string(size->i()) + "; the window holds 1 to 4096 channels");
  }

private:
  const onnx::NodeProto &node;
  int opset;
};

} // namespace

void checkAttributesBeforeInference(const onnx::ModelProto &model, int opset) {
  // The ranks known before inference: inputs, weights, and the exporter's
  // own annotations.
  std::map<std::string, int64_t> ranks;
  auto note = [&](const onnx::ValueInfoProto &info) {
    if (info.type().has_tensor_type() && info.type().tensor_type().has_shape())
      ranks[info.name()] = info.type().tensor_type().shape().dim_size();
  };
  for (const auto &info : model.graph().input())
    note(info);
  for (const auto &info : model.graph().value_info())
    note(info);
  for (const auto &init : model.graph().initializer())
    ranks[init.name()] = init.dims_size();
  for (const onnx::NodeProto &node : model.graph().node()) {
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      continue;
    NodeCheck check(node, opset);
    auto known = node.input_size() ? ranks.find(node.input(0)) : ranks.end();
    check.axis(known == ranks.end() ? -1 : known->second);
    if (hasWindow(node.op_type()))
      check.window();
    else if (node.op_type() == "LRN")
      check.lrn();
  }
}

} // namespace cnnc::onnx_import
