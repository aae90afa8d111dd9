//===- Importer.h - the ONNX graph as layers of the language --------------===//
//
// The importer walks the graph's nodes in order. Constants (initializers,
// Constant nodes, and everything computed from them and from static shapes,
// as exporters' shape subgraphs are) are evaluated; every other node becomes
// a layer: a call of the language with its arguments and its parameters.
// Patterns that exporters decompose (hardswish, SiLU, GELU, layer norm, a
// MatMul and its Add, a Pad before a convolution) are recognised by looking
// at the producers of a node's inputs. Nodes that no layer computes become
// "pending" layers that only patterns may consume: one that survives to an
// output is the unsupported-node error it carries.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_ONNXIMPORT_IMPORTER_H
#define CNNC_ONNXIMPORT_IMPORTER_H

#include "onnximport/Constant.h"
#include "onnximport/OnnxImport.h"

#include "onnx/onnx_pb.h"

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace cnnc::onnx_import {

/// Every failure: caught at the library's boundary and reported as text.
struct ImportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// "node 'conv1' (Conv, domain ai.onnx, opset 13)": how every message about
/// a node begins; an unnamed node is named by the tensor it writes.
std::string nodeHeading(const onnx::NodeProto &n, int opset);

/// Attributes that ONNX's shape inference trusts (window sizes, strides,
/// pads, groups), checked before it runs (Validate.cpp): a malformed one is
/// an error about its node, not a crash inside the library.
void checkAttributesBeforeInference(const onnx::ModelProto &model, int opset);

/// Rewrites the nodes of an opset-18 or 19 model in their opset-17 forms and
/// marks it opset 17, for libonnx 1.12's checker and inference; refuses,
/// naming the node, what opset 17 cannot say (Opset.cpp).
void writeAsOpset17(onnx::ModelProto &model, int opset);

/// Writes a QOperator model (QLinearConv, QGemm, QLinearAdd... over integer
/// tensors) as the QDQ model that computes the same, which the import
/// reads; refuses, naming the node, what it cannot write (QOperator.cpp).
void writeQOperatorsAsQdq(onnx::ModelProto &model, int opset);

/// One output of a layer (or a model input, whose layer is -1).
struct Activation {
  int layer = -1;
  int output = 0;
  Shape shape;
  bool shapeKnown = true;  // false only while folding, before inference knows it
  std::string variable;    // its name in the program
};

struct Layer {
  /// A language function ("conv"), an operator ("+", "-", "*", "/"), or
  /// empty for a pending layer.
  std::string call;
  std::vector<int> operands;           // activations, the call's first arguments
  std::vector<std::string> arguments;  // the rest, written out
  std::string name;                    // `as name`, or empty
  std::vector<std::pair<std::string, Constant>> parameters;  // name suffix, value
  std::vector<int> outputs;            // activations
  int index = -1;                      // written after the call: split(...)[index]
  // A pending layer: its node, and why it cannot be a layer by itself.
  const onnx::NodeProto *node = nullptr;
  std::string pendingReason;
  const onnx::NodeProto *source = nullptr;  // the node it came from, for messages
  // What a pattern may want to know of the node it came from.
  std::string opType;
  std::map<std::string, double> facts;
};

/// A value of the ONNX graph: a constant or an activation.
struct GraphValue {
  bool isConstant = false;
  Constant constant;
  int activation = -1;
};

class Importer {
public:
  Importer(onnx::ModelProto &model, const ImportOptions &options, std::string displayName,
           std::map<std::string, Shape> shapes);
  ImportedModel run();
  /// Evaluates every node it can (shape subgraphs) without translating the
  /// rest: the values of their outputs, and the indices of those nodes.
  std::vector<std::pair<std::string, Constant>> foldAll(std::set<int> &foldedNodes);

  // --- used by the operator handlers -----------------------------------
  const onnx::NodeProto &node() const { return *current; }
  int opset() const { return opsetVersion; }
  /// Throws the unsupported-node error for the current node.
  [[noreturn]] void unsupported(const std::string &what) const;
  [[noreturn]] void unsupportedAt(const onnx::NodeProto &n, const std::string &what) const;

  bool hasInput(int i) const;
  bool isConstant(int i) const;
  const Constant &constantInput(int i, const std::string &role) const;
  int activationInput(int i, const std::string &role) const;
  const Shape &shapeOf(int activation) const { return activations[activation].shape; }
  /// The shape ONNX's inference gives the current node's output `i`.
  Shape outputShape(int i = 0) const;
  /// The layer that made an activation, when it has exactly one reader.
  Layer *soleProducer(int activation);
  Layer *producer(int activation);

  int64_t intAttribute(const std::string &name, int64_t fallback) const;
  double floatAttribute(const std::string &name, double fallback) const;
  std::string stringAttribute(const std::string &name, const std::string &fallback) const;
  std::vector<int64_t> intsAttribute(const std::string &name) const;
  bool hasAttribute(const std::string &name) const;
  /// Refuses attributes outside `known` (so none is silently ignored).
  void expectAttributes(const std::set<std::string> &known) const;

  /// Adds a layer whose outputs are the node's outputs.
  Layer &addLayer(const std::string &call, std::vector<int> operands,
                  std::vector<std::string> arguments = {});
  /// Adds a layer with the given output shapes, not bound to node outputs;
  /// `named` false leaves the node's name to the layer that computes it.
  Layer &addInnerLayer(const std::string &call, std::vector<int> operands,
                       std::vector<std::string> arguments, const std::vector<Shape> &shapes,
                       bool named = true);
  /// `activation` with leading 1s up to `rank` dimensions (NumPy's
  /// broadcasting, which the kernels do only between tensors of one rank):
  /// itself, or a reshape (named after the node unless `named` is false).
  int withLeadingOnes(int activation, size_t rank, bool named);
  /// A learned tensor holding `value` (a constant operand of a broadcast op).
  int learnedTensor(const Constant &value);
  /// A pending layer for the current node.
  Layer &addPending(const std::string &reason);
  void bindConstant(int output, Constant value);
  void bindActivation(int output, int activation);
  /// Writes a number as the language reads it.
  static std::string number(double value);
  static std::string list(const std::vector<int64_t> &values);
  Layer &layerOf(int activation) { return layers[activations[activation].layer]; }
  /// A QuantizeLinear of an activation: the range its scale and zero point
  /// cover (a QDQ model's calibration).
  void recordQuantization(int activation, double low, double high);
  bool isQuantized(int activation) const;
  Activation &activation(int id) { return activations[id]; }

private:
  void bindGraph(bool smallConstantsOnly = false);
  void translate(const onnx::NodeProto &n);
  bool foldConstants(const onnx::NodeProto &n);
  std::string layerName(const onnx::NodeProto &n);
  std::string baseLayerName(const onnx::NodeProto &n);
  void checkParameters(const std::vector<bool> &live) const;
  void separateTensorNames(const std::vector<bool> &live);
  std::string outputName(const std::string &name) const;
  std::string uniqueVariable(const std::string &hint);
  std::string claim(const std::string &base, std::set<std::string> &used,
                    std::map<std::string, int> &nextSuffix);
  std::string write(std::vector<Weight> &weights);
  /// The recorded ranges as a .qparams file (Quantized.cpp).
  std::string writeQParams(const std::vector<bool> &live,
                           const std::vector<std::pair<std::string, int>> &outputs,
                           const std::string &modelName) const;

  onnx::ModelProto &model;
  const ImportOptions &options;
  std::string displayName;
  int opsetVersion = 0;
  const onnx::NodeProto *current = nullptr;
  std::map<std::string, GraphValue> values;
  std::map<std::string, Shape> inferredShapes;
  std::map<std::string, int> readers;  // how many node inputs (and outputs) read a value
  std::map<int, int> readersOfActivation;  // the same, summed over an activation's names
  std::vector<Activation> activations;
  std::vector<Layer> layers;
  std::vector<int> modelInputs;
  std::set<std::string> usedNames, usedVariables;
  std::map<std::string, int> nextNameSuffix, nextVariableSuffix;  // per base
  std::map<std::string, int> nodesInModule;  // nodes per torch module scope
  struct QuantizedActivation {
    int activation;
    double low, high;
  };
  std::vector<QuantizedActivation> quantized;  // in the order of the nodes
  std::string qparamsText;
  std::vector<std::string> lineOrigins;  // of the program write() wrote

public:
  /// Set while a recognised pattern adds its layer: it takes the module's name.
  bool namingPattern = false;

private:
};

/// Translates the current node; false if its op type is unknown.
bool translateOperator(Importer &importer);

/// The op types translateOperator knows, for the unsupported-node message.
const std::vector<std::string> &supportedOperators();

} // namespace cnnc::onnx_import

#endif // CNNC_ONNXIMPORT_IMPORTER_H
