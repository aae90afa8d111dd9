//===- Importer.cpp - the walk over the graph, names, and the program -----===//

#include "onnximport/Importer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>

namespace cnnc::onnx_import {

namespace {

/// Names the language reserves or defines: a variable must not hide them.
const std::set<std::string> &reservedNames() {
  static const std::set<std::string> names = {
      "block", "sequential", "model", "param", "include", "return", "for", "in", "repeat",
      "if", "elif", "else", "and", "or", "not", "true", "false", "none", "as",
      "conv", "conv_t", "dense", "matmul", "reduce", "layer_norm", "learned", "stochastic_depth", "permute",
      "split", "chunk", "channel_shuffle", "bn", "lrn", "relu", "sigmoid", "tanh", "silu",
      "hardswish", "hardsigmoid", "gelu", "elu", "selu", "softplus", "mish", "abs",
      "relu6", "clip", "leaky", "dropout", "id",
      "maxpool", "avgpool", "gap", "gmp", "adaptive_avgpool", "adaptive_maxpool",
      "roi_pool", "upsample", "flatten", "reshape", "softmax", "log_softmax", "concat", "ch", "shape",
      "len", "range", "enumerate", "min", "max", "int", "float", "round", "ceil", "floor",
      "str", "make_divisible", "log", "sqrt", "exp", "partial"};
  return names;
}

std::string lower(std::string s) {
  for (char &c : s)
    c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Keeps letters, digits, '_', '.' and '-'; a name starts with a letter.
std::string sanitize(const std::string &raw) {
  std::string s;
  for (char c : raw) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    char out = keep ? c : '_';
    if ((out == '.' || out == '-') && (s.empty() || s.back() == '.' || s.back() == '-'))
      continue;
    s += out;
  }
  while (!s.empty() && (s.back() == '.' || s.back() == '-'))
    s.pop_back();
  if (s.size() > 200)
    s.resize(200);
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0])))
    s = "n" + s;
  return s;
}

/// Ops that live in a module of their own in PyTorch (nn.Conv2d): the
/// scope names the layer.
const std::set<std::string> &opsWithParameters() {
  static const std::set<std::string> ops = {"Conv", "ConvTranspose", "Gemm", "MatMul",
                                            "BatchNormalization", "LayerNormalization",
                                            "PRelu"};
  return ops;
}

/// Text from the file, safe in a comment: printable ASCII, one line.
std::string printable(const std::string &raw, size_t limit = 100) {
  std::string s;
  for (char c : raw.substr(0, limit))
    s += c >= ' ' && c <= '~' ? c : '?';
  return s;
}

/// A tensor the program computes has fewer than 2^31 elements (what the
/// kernels index, and the language's limit).
void checkSize(const Shape &shape, const std::string &what) {
  for (int64_t d : shape)
    if (d < 0)
      throw ImportError(what + " has shape " + formatShape(shape) + ": a negative size");
  double count = 1;
  for (int64_t d : shape)
    count *= double(d);
  if (count >= double(int64_t(1) << 31))
    throw ImportError(what + " has shape " + formatShape(shape) + ": too large (" +
                      elementsText(shape) + " elements, limit 2147483647)");
}

} // namespace

Importer::Importer(onnx::ModelProto &model, const ImportOptions &options,
                   std::string displayName, std::map<std::string, Shape> shapes)
    : model(model), options(options), displayName(std::move(displayName)),
      inferredShapes(std::move(shapes)) {
  for (const auto &entry : model.opset_import())
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      opsetVersion = int(entry.version());
}

// --- errors -------------------------------------------------------------

std::string nodeHeading(const onnx::NodeProto &n, int opset) {
  std::string domain = n.domain().empty() ? "ai.onnx" : n.domain();
  // An exporter may leave nodes unnamed: the tensor it writes names it.
  std::string who = !n.name().empty() ? "node '" + n.name() + "'"
                    : n.output_size()  ? "the unnamed node writing '" + n.output(0) + "'"
                                       : "an unnamed node";
  return who + " (" + n.op_type() + ", domain " + domain + ", opset " + std::to_string(opset) +
         ")";
}

void Importer::unsupportedAt(const onnx::NodeProto &n, const std::string &what) const {
  std::string message = nodeHeading(n, opsetVersion) + ": " + what;
  const std::vector<std::string> &known = supportedOperators();
  bool knownOp = (n.domain().empty() || n.domain() == "ai.onnx") &&
                 std::find(known.begin(), known.end(), n.op_type()) != known.end();
  if (!knownOp) {
    std::string list;
    for (const std::string &op : known)
      list += (list.empty() ? "" : ", ") + op;
    message += "\n  supported operators (docs/onnx.md): " + list;
  }
  throw ImportError(message);
}

void Importer::unsupported(const std::string &what) const { unsupportedAt(*current, what); }

// --- inputs and attributes of the current node ----------------------------

bool Importer::hasInput(int i) const {
  return i < current->input_size() && !current->input(i).empty();
}

bool Importer::isConstant(int i) const {
  return hasInput(i) && values.at(current->input(i)).isConstant;
}

const Constant &Importer::constantInput(int i, const std::string &role) const {
  if (!hasInput(i))
    unsupported("input " + std::to_string(i) + " (" + role + ") is missing");
  const GraphValue &v = values.at(current->input(i));
  if (!v.isConstant)
    unsupported("input " + std::to_string(i) + " (" + role + ", '" + current->input(i) +
                "') must be a constant: it is computed by the network");
  return v.constant;
}

int Importer::activationInput(int i, const std::string &role) const {
  if (!hasInput(i))
    unsupported("input " + std::to_string(i) + " (" + role + ") is missing");
  const GraphValue &v = values.at(current->input(i));
  if (v.isConstant)
    unsupported("input " + std::to_string(i) + " (" + role +
                ") is a constant; a layer needs a tensor the network computes");
  return v.activation;
}

Shape Importer::outputShape(int i) const {
  auto found = inferredShapes.find(current->output(i));
  if (found == inferredShapes.end())
    unsupported("the shape of output '" + current->output(i) +
                "' is not known after shape inference");
  return found->second;
}

Layer *Importer::producer(int activation) {
  int layer = activations[activation].layer;
  return layer < 0 ? nullptr : &layers[layer];
}

Layer *Importer::soleProducer(int id) {
  Layer *layer = producer(id);
  if (!layer || layer->outputs.size() != 1)
    return nullptr;
  // Read by this node only (and not a graph output), under all its names.
  auto found = readersOfActivation.find(id);
  return found != readersOfActivation.end() && found->second == 1 ? layer : nullptr;
}

const onnx::AttributeProto *findAttribute(const onnx::NodeProto &n, const std::string &name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

bool Importer::hasAttribute(const std::string &name) const {
  return findAttribute(*current, name) != nullptr;
}

int64_t Importer::intAttribute(const std::string &name, int64_t fallback) const {
  const onnx::AttributeProto *a = findAttribute(*current, name);
  if (!a)
    return fallback;
  if (a->type() != onnx::AttributeProto::INT)
    unsupported("attribute '" + name + "' should be an integer");
  return a->i();
}

double Importer::floatAttribute(const std::string &name, double fallback) const {
  const onnx::AttributeProto *a = findAttribute(*current, name);
  if (!a)
    return fallback;
  if (a->type() != onnx::AttributeProto::FLOAT)
    unsupported("attribute '" + name + "' should be a float");
  if (!std::isfinite(a->f()))
    unsupported("attribute '" + name + "' is " + std::to_string(a->f()) +
                "; it must be a finite number");
  return a->f();
}

std::string Importer::stringAttribute(const std::string &name,
                                      const std::string &fallback) const {
  const onnx::AttributeProto *a = findAttribute(*current, name);
  if (!a)
    return fallback;
  if (a->type() != onnx::AttributeProto::STRING)
    unsupported("attribute '" + name + "' should be a string");
  return a->s();
}

std::vector<int64_t> Importer::intsAttribute(const std::string &name) const {
  const onnx::AttributeProto *a = findAttribute(*current, name);
  if (!a)
    return {};
  if (a->type() != onnx::AttributeProto::INTS)
    unsupported("attribute '" + name + "' should be a list of integers");
  if (a->ints_size() > 64)
    unsupported("attribute '" + name + "' has " + std::to_string(a->ints_size()) + " values");
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

void Importer::expectAttributes(const std::set<std::string> &known) const {
  for (const auto &a : current->attribute())
    if (!known.count(a.name()))
      unsupported("attribute '" + a.name() + "' is not supported");
}

// --- building layers ------------------------------------------------------

std::string Importer::number(double value) {
  if (!std::isfinite(value))  // the node translating it adds itself
    throw ImportError(std::string("the value ") + (std::isnan(value) ? "NaN" : "infinity") +
                      " is not a finite number, which the program needs here");
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    return std::to_string(int64_t(value));
  char text[40];
  std::snprintf(text, sizeof text, "%.9g", value);
  std::string s = text;
  if (s.find_first_of(".e") == std::string::npos)
    s += ".0";
  return s;
}

std::string Importer::list(const std::vector<int64_t> &values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

/// torch.onnx writes scopes, "/layer1/layer1.0/conv1/Conv": the module path
/// (each level may repeat its parent's prefix) and then the op type. The
/// path is "layer1.0.conv1"; a name without slashes has none.
std::string modulePath(const onnx::NodeProto &n) {
  std::vector<std::string> segments;
  std::stringstream path(n.name());
  for (std::string segment; std::getline(path, segment, '/');)
    if (!segment.empty())
      segments.push_back(segment);
  const std::string &op = n.op_type();
  if (segments.size() < 2 || !(segments.back() == op || segments.back().rfind(op + "_", 0) == 0))
    return "";
  segments.pop_back();
  // A child of a container is written with its parent's name: "layer2",
  // "layer2.0", "downsample", "downsample.0" is layer2.0.downsample.0.
  std::vector<std::string> parts;
  for (const std::string &segment : segments) {
    if (!parts.empty() && segment.rfind(parts.back() + ".", 0) == 0)
      parts.back() = segment;
    else
      parts.push_back(segment);
  }
  std::string name;
  for (const std::string &part : parts)
    name += (name.empty() ? "" : ".") + part;
  return name;
}

std::string Importer::layerName(const onnx::NodeProto &n) {
  return claim(sanitize(baseLayerName(n)), usedNames, nextNameSuffix);
}

std::string Importer::baseLayerName(const onnx::NodeProto &n) {
  // The module's name when the node is all of its module (a Conv in
  // nn.Conv2d), or the layer a recognised pattern makes of the module's
  // nodes (hardswish's Add, Clip, Mul and Div); otherwise the module's name
  // and the op ("layer1.0.add"); the node's own name without scopes.
  std::string module = modulePath(n);
  std::string name;
  if (module.empty())
    name = n.name().empty() ? lower(n.op_type()) : n.name();
  else if (nodesInModule[module] == 1 || opsWithParameters().count(n.op_type()) ||
           (namingPattern && !usedNames.count(sanitize(module))))
    name = module;
  else
    name = module + "." + lower(n.op_type());
  return name;
}

/// `base`, or `base_1`, `base_2`, ... : the first not in `used`. The next
/// suffix to try is remembered per base, so a graph of a million unnamed
/// Relus is named in linear time.
std::string Importer::claim(const std::string &base, std::set<std::string> &used,
                            std::map<std::string, int> &nextSuffix) {
  std::string unique = base;
  int &next = nextSuffix[base];
  while (used.count(unique))
    unique = base + "_" + std::to_string(++next);
  used.insert(unique);
  return unique;
}

std::string Importer::uniqueVariable(const std::string &hint) {
  std::string base;
  for (char c : hint)
    base += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (base.empty() || !std::isalpha(static_cast<unsigned char>(base[0])))
    base = "t" + base;
  if (reservedNames().count(base))
    base += "_";
  return claim(base, usedVariables, nextVariableSuffix);
}

Layer &Importer::addInnerLayer(const std::string &call, std::vector<int> operands,
                               std::vector<std::string> arguments,
                               const std::vector<Shape> &shapes, bool named) {
  Layer layer;
  layer.call = call;
  layer.operands = std::move(operands);
  layer.arguments = std::move(arguments);
  layer.opType = current->op_type();
  layer.source = current;
  // Every call is named after its node, so that remarks, summaries and
  // profiles speak of the graph's names; operators take no name.
  if (named && call != "+" && call != "-" && call != "*" && call != "/" && call != "affine" &&
      !call.empty())
    layer.name = layerName(*current);
  int index = int(layers.size());
  for (size_t i = 0; i < shapes.size(); ++i) {
    checkSize(shapes[i], "the output of node '" + current->name() + "'");
    Activation a;
    a.layer = index;
    a.output = int(i);
    a.shape = shapes[i];
    layer.outputs.push_back(int(activations.size()));
    activations.push_back(a);
  }
  layers.push_back(std::move(layer));
  return layers.back();
}

Layer &Importer::addLayer(const std::string &call, std::vector<int> operands,
                          std::vector<std::string> arguments) {
  // A split has as many outputs as its node; every other layer one.
  int count = call == "split" ? current->output_size() : 1;
  std::vector<Shape> shapes;
  for (int i = 0; i < count; ++i) {
    shapes.push_back(outputShape(i));
    const Shape &shape = shapes.back();
    if (std::find(shape.begin(), shape.end(), 0) != shape.end())
      unsupported("output '" + current->output(i) + "' has shape " + formatShape(shape) +
                  ": empty tensors are not supported");
    if (shape.empty() && !call.empty())
      unsupported("output '" + current->output(i) + "' is a scalar (rank 0); programs compute "
                  "tensors of rank 1 or more");
  }
  Layer &layer = addInnerLayer(call, std::move(operands), std::move(arguments), shapes);
  for (int i = 0; i < count; ++i)
    bindActivation(i, layer.outputs[size_t(i)]);
  return layers.back();
}

Layer &Importer::addPending(const std::string &reason) {
  Layer &layer = addLayer("", {}, {});
  layer.node = current;
  layer.pendingReason = reason;
  return layer;
}

int Importer::withLeadingOnes(int activation, size_t rank, bool named) {
  Shape shape = shapeOf(activation);
  if (shape.size() >= rank)
    return activation;
  shape.insert(shape.begin(), rank - shape.size(), 1);
  return addInnerLayer("reshape", {activation}, {list(shape)}, {shape}, named).outputs[0];
}

int Importer::learnedTensor(const Constant &value) {
  std::string name = claim(sanitize(baseLayerName(*current) + ".constant"), usedNames,
                           nextNameSuffix);
  Layer layer;
  layer.call = "learned";
  layer.arguments = {list(value.shape)};
  layer.name = name;
  layer.opType = "Constant";
  layer.source = current;
  layer.parameters.push_back({"", value});
  Activation a;
  a.layer = int(layers.size());
  a.shape = value.shape;
  layer.outputs.push_back(int(activations.size()));
  activations.push_back(a);
  layers.push_back(std::move(layer));
  return int(activations.size()) - 1;
}

void Importer::bindConstant(int output, Constant value) {
  GraphValue v;
  v.isConstant = true;
  v.constant = std::move(value);
  values[current->output(output)] = std::move(v);
}

void Importer::bindActivation(int output, int id) {
  GraphValue v;
  v.activation = id;
  const std::string &name = current->output(output);
  values[name] = v;
  auto found = readers.find(name);
  int &count = readersOfActivation[id];
  count += found == readers.end() ? 0 : found->second;
  // A node that passes its input on (an alias, a bias folded into the layer
  // before) no longer reads it.
  for (const std::string &in : current->input())
    if (!in.empty() && values.count(in) && !values.at(in).isConstant &&
        values.at(in).activation == id) {
      --count;
      break;
    }
}

// --- the walk -------------------------------------------------------------

void Importer::bindGraph(bool smallConstantsOnly) {
  const onnx::GraphProto &graph = model.graph();
  for (const auto &init : graph.initializer()) {
    if (smallConstantsOnly) {
      // Folding needs shapes' values, not the weights: a weight stays
      // opaque (its shape known, as Shape of it may be asked).
      Shape dims(init.dims().begin(), init.dims().end());
      int64_t count = elementCount(dims);
      if (count < 0 || count > 4096) {
        Activation a;
        a.shape = dims;
        a.shapeKnown = count >= 0;
        GraphValue v;
        v.activation = int(activations.size());
        activations.push_back(a);
        values[init.name()] = v;
        continue;
      }
    }
    GraphValue v;
    v.isConstant = true;
    v.constant = readTensor(init, "initializer '" + init.name() + "'");
    values[init.name()] = std::move(v);
  }
  for (const auto &input : graph.input()) {
    if (values.count(input.name()))
      continue;  // an initializer listed as an input (older exporters)
    const auto &type = input.type();
    if (!type.has_tensor_type() ||
        type.tensor_type().elem_type() != onnx::TensorProto::FLOAT)
      throw ImportError("input '" + input.name() + "' is not a float tensor (only float "
                        "inputs are supported)");
    Activation a;
    if (!inferredShapes.count(input.name()))
      throw ImportError("input '" + input.name() + "' has no static shape");
    a.shape = inferredShapes.at(input.name());
    checkSize(a.shape, "input '" + input.name() + "'");
    if (a.shape.empty() || a.shape.size() > 6)
      throw ImportError("input '" + input.name() + "' has rank " +
                        std::to_string(a.shape.size()) + " (1 to 6 are supported)");
    a.variable = uniqueVariable(input.name());
    GraphValue v;
    v.activation = int(activations.size());
    activations.push_back(a);
    modelInputs.push_back(v.activation);
    values[input.name()] = v;
  }
  for (const auto &n : graph.node()) {
    for (const std::string &in : n.input())
      ++readers[in];
    ++nodesInModule[modulePath(n)];
  }
  for (const auto &out : graph.output())
    readers[out.name()] += 2;  // an output is never folded away
}

void Importer::translate(const onnx::NodeProto &n) {
  current = &n;
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    unsupported("the domain '" + n.domain() + "' is not supported (only the default ONNX "
                "domain is)");
  for (const std::string &in : n.input())
    if (!in.empty() && !values.count(in))
      unsupported("input '" + in + "' is not defined before the node");
  try {
    if (foldConstants(n))
      return;
    if (!translateOperator(*this))
      unsupported("the op type '" + n.op_type() + "' is not supported");
  } catch (const ImportError &e) {
    // Errors from below (a constant out of range) gain the node.
    if (std::string(e.what()).rfind(nodeHeading(n, opsetVersion), 0) == 0)
      throw;
    unsupported(e.what());
  } catch (const std::logic_error &) {
    // A standard library's text (map::at, vector::_M_range_check) says
    // nothing about the model; the node it happened at does.
    unsupported("the importer cannot read this node (an unchecked case: please report it with "
                "the model)");
  }
  // Optional outputs (a LayerNormalization's mean, a MaxPool's indices)
  // are refused only if something reads them.
  for (int i = 0; i < n.output_size(); ++i)
    if (!n.output(i).empty() && !values.count(n.output(i)) && readers.count(n.output(i)))
      unsupported("output " + std::to_string(i) + " ('" + n.output(i) +
                  "') is read, and only the first output is supported");
}

/// The flat index `k` of a row-major tensor as "[1, 2, 0, 0]".
std::string indexIn(const Shape &shape, size_t k) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = int64_t(k % size_t(std::max<int64_t>(shape[d], 1)));
    k /= size_t(std::max<int64_t>(shape[d], 1));
  }
  return Importer::list(index);
}

/// Weights are finite numbers: a NaN or an infinity in one is refused at
/// the node whose parameter it is, not found later in a compiled model.
void Importer::checkParameters(const std::vector<bool> &live) const {
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!live[i])
      continue;
    for (const auto &[suffix, value] : layers[i].parameters)
      for (size_t k = 0; k < value.values.size(); ++k)
        if (!std::isfinite(value.values[k]))
          unsupportedAt(*layers[i].source,
                        (suffix.empty() ? std::string("its constant operand")
                                        : "its parameter '" + suffix + "'") +
                            " holds " + (std::isnan(value.values[k]) ? "NaN" : "an infinity") +
                            " at " + indexIn(value.shape, k) + " of " + formatShape(value.shape) +
                            "; weights are finite numbers");
  }
}

/// A layer's parameters are named after it ("c.weight"), and a layer may
/// be named like another's parameter (a node called "c.weight"): such a
/// layer takes the next free name, so that no two tensors share one.
void Importer::separateTensorNames(const std::vector<bool> &live) {
  std::set<std::string> tensors;
  auto tensorName = [](const std::string &layer, const std::string &suffix) {
    return suffix.empty() ? layer : layer + "." + suffix;
  };
  for (size_t i = 0; i < layers.size(); ++i) {
    Layer &layer = layers[i];
    if (!live[i] || layer.parameters.empty())
      continue;
    auto clashes = [&] {
      for (const auto &parameter : layer.parameters)
        if (tensors.count(tensorName(layer.name, parameter.first)))
          return true;
      return false;
    };
    while (clashes())
      layer.name = claim(layer.name, usedNames, nextNameSuffix);
    for (const auto &parameter : layer.parameters)
      tensors.insert(tensorName(layer.name, parameter.first));
  }
}

/// The output's ONNX name as the program's `return` writes it: a plain
/// name as it is, any other ("y.a", "logits:0") quoted, so that outputs
/// keep their names and two that differ in punctuation stay two.
std::string Importer::outputName(const std::string &name) const {
  if (name.empty() || name.size() > 256)
    throw ImportError("output '" + printable(name) + "' has a name of " +
                      std::to_string(name.size()) + " bytes; names have 1 to 256");
  bool plain = std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_';
  std::string quoted = "\"";
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw ImportError("output '" + printable(name) + "' has a control character in its "
                        "name, which programs do not allow");
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (c == '"' || c == '\\')
      quoted += '\\';
    quoted += c;
  }
  return plain && !reservedNames().count(name) ? name : quoted + "\"";
}

std::string Importer::write(std::vector<Weight> &weights) {
  const onnx::GraphProto &graph = model.graph();
  // The layers the outputs need.
  // A worklist, not recursion: a file may chain a million nodes.
  std::vector<bool> live(layers.size(), false);
  std::vector<int> work;
  auto need = [&](int id) {
    for (work.push_back(id); !work.empty();) {
      int layer = activations[size_t(work.back())].layer;
      work.pop_back();
      if (layer < 0 || live[size_t(layer)])
        continue;
      live[size_t(layer)] = true;
      for (int operand : layers[size_t(layer)].operands)
        work.push_back(operand);
    }
  };
  std::vector<std::pair<std::string, int>> outputs;
  for (const auto &out : graph.output()) {
    if (!values.count(out.name()))
      throw ImportError("output '" + out.name() + "' is not computed by any node");
    const GraphValue &v = values.at(out.name());
    if (v.isConstant)
      throw ImportError("output '" + out.name() + "' is a constant: the network computes "
                        "nothing for it");
    need(v.activation);
    outputs.push_back({out.name(), v.activation});
  }
  for (size_t i = 0; i < layers.size(); ++i)
    if (live[i] && layers[i].call.empty())
      unsupportedAt(*layers[i].node, layers[i].pendingReason);
  checkParameters(live);
  separateTensorNames(live);

  std::string modelName = options.modelName;
  modelName = uniqueVariable(modelName.empty() ? "imported" : modelName);
  std::ostringstream text;
  text << "# Imported from " << printable(displayName, 4096) << " (opset " << opsetVersion;
  if (!model.producer_name().empty())
    text << ", written by " << printable(model.producer_name())
         << (model.producer_version().empty() ? "" : " ")
         << printable(model.producer_version());
  text << ").\n";
  text << "model " << modelName << "(";
  for (size_t i = 0; i < modelInputs.size(); ++i) {
    const Activation &a = activations[size_t(modelInputs[i])];
    text << (i ? ", " : "") << a.variable << ": " << list(a.shape);
  }
  text << "):\n";
  lineOrigins.assign(2, "");  // the comment and the model's line
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!live[i])
      continue;
    Layer &layer = layers[i];
    std::string hint = layer.name.empty() ? lower(layer.opType) : layer.name;
    for (int out : layer.outputs)
      activations[size_t(out)].variable = uniqueVariable(hint);
    std::string lhs;
    for (size_t k = 0; k < layer.outputs.size(); ++k)
      lhs += (k ? ", " : "") + activations[size_t(layer.outputs[k])].variable;
    auto operand = [&](size_t k) { return activations[size_t(layer.operands[k])].variable; };
    std::string rhs;
    bool isOperator = layer.call == "+" || layer.call == "-" || layer.call == "*" ||
                      layer.call == "/";
    if (isOperator) {
      rhs = operand(0) + " " + layer.call + " " + operand(1);
    } else if (layer.call == "affine") {
      double scale = layer.facts["scale"], shift = layer.facts["shift"];
      std::string x = operand(0);
      if (scale == 1)
        rhs = x + (shift < 0 ? " - " + number(-shift) : " + " + number(shift));
      else if (scale == -1)
        rhs = shift == 0 ? "-" + x : number(shift) + " - " + x;
      else
        rhs = x + " * " + number(scale) +
              (shift == 0 ? "" : shift < 0 ? " - " + number(-shift) : " + " + number(shift));
    } else {
      std::string args;
      bool asList = layer.facts.count("list");
      for (size_t k = 0; k < layer.operands.size(); ++k)
        args += (k ? ", " : asList ? "[" : "") + operand(k);
      if (asList)
        args += "]";
      for (const std::string &a : layer.arguments)
        args += (args.empty() ? "" : ", ") + a;
      rhs = layer.call + "(" + args + ")";
      if (!layer.name.empty())
        rhs += " as " + layer.name;
      if (layer.index >= 0)
        rhs += "[" + std::to_string(layer.index) + "]";
    }
    text << "  " << lhs << " = " << rhs << "\n";
    lineOrigins.push_back(layer.source ? displayName + ": " + nodeHeading(*layer.source, opsetVersion)
                                       : "");
    for (auto &[suffix, value] : layer.parameters) {
      Weight w;
      w.name = suffix.empty() ? layer.name : layer.name + "." + suffix;
      w.shape = value.shape;
      w.data.assign(value.values.begin(), value.values.end());
      weights.push_back(std::move(w));
    }
  }
  text << "  return ";
  lineOrigins.push_back(displayName + ": the graph's outputs");
  for (size_t i = 0; i < outputs.size(); ++i)
    text << (i ? ", " : "") << outputName(outputs[i].first) << "="
         << activations[size_t(outputs[i].second)].variable;
  text << "\n";
  qparamsText = writeQParams(live, outputs, modelName);
  return text.str();
}

ImportedModel Importer::run() {
  bindGraph();
  const onnx::GraphProto &graph = model.graph();
  for (const auto &n : graph.node())
    translate(n);
  ImportedModel result;
  result.source = write(result.weights);
  result.qparams = qparamsText;
  // One origin per line, or none: a message must never name the wrong node.
  if (size_t(std::count(result.source.begin(), result.source.end(), '\n')) == lineOrigins.size())
    result.lineOrigins = lineOrigins;
  return result;
}

} // namespace cnnc::onnx_import
