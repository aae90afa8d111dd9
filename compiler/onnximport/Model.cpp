//===- Model.cpp - reading, checking and shaping an ONNX file -------------===//
//
// The file is parsed by ONNX's own protobuf classes and validated by its
// checker before anything reads it; sizes are then fixed (symbolic input
// dimensions from --input-shape) and ONNX's shape inference, with data
// propagation for shape subgraphs, gives every value a static shape.
//
//===----------------------------------------------------------------------===//

#include "onnximport/Importer.h"
#include "support/ReadFile.h"

#include "onnx/checker.h"
#include "onnx/shape_inference/implementation.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>

namespace cnnc::onnx_import {

namespace {

/// Protobuf refuses messages of 2 GiB and more; so does the importer.
constexpr int64_t maxFileBytes = (int64_t(1) << 31) - 1;
constexpr int maxNodes = 1 << 20;

std::string dimsText(const onnx::TensorShapeProto &shape) {
  std::string text = "[";
  for (int i = 0; i < shape.dim_size(); ++i) {
    const auto &d = shape.dim(i);
    text += i ? ", " : "";
    text += d.has_dim_value() ? std::to_string(d.dim_value())
            : d.has_dim_param() ? d.dim_param() : "?";
  }
  return text + "]";
}

/// Gives every graph input static dimensions, from the file or the options.
void fixInputShapes(onnx::ModelProto &model, const ImportOptions &options) {
  std::set<std::string> initializers, given;
  for (const auto &init : model.graph().initializer())
    initializers.insert(init.name());
  for (size_t i = 0; i < options.inputShapes.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (options.inputShapes[i].first == options.inputShapes[j].first)
        throw ImportError("--input-shape " + options.inputShapes[i].first +
                          " is given more than once; give each input's sizes once");
  for (auto &input : *model.mutable_graph()->mutable_input()) {
    if (initializers.count(input.name()))
      continue;
    if (!input.type().has_tensor_type() || !input.type().tensor_type().has_shape())
      throw ImportError("input '" + input.name() + "' has no tensor shape");
    auto *shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
    auto option = std::find_if(options.inputShapes.begin(), options.inputShapes.end(),
                               [&](const auto &entry) { return entry.first == input.name(); });
    if (option != options.inputShapes.end()) {
      given.insert(input.name());
      const Shape &dims = option->second;
      if (int(dims.size()) != shape->dim_size())
        throw ImportError("--input-shape " + input.name() + " gives " +
                          std::to_string(dims.size()) + " dimensions; the input has " +
                          std::to_string(shape->dim_size()) + ": " + dimsText(*shape));
      for (int i = 0; i < shape->dim_size(); ++i) {
        auto *d = shape->mutable_dim(i);
        if (d->has_dim_value() && d->dim_value() != dims[size_t(i)])
          throw ImportError("--input-shape " + input.name() + ": dimension " +
                            std::to_string(i) + " is " + std::to_string(d->dim_value()) +
                            " in the file, not " + std::to_string(dims[size_t(i)]));
        d->set_dim_value(dims[size_t(i)]);
      }
      continue;
    }
    for (int i = 0; i < shape->dim_size(); ++i)
      if (shape->dim(i).has_dim_value() && shape->dim(i).dim_value() <= 0)
        throw ImportError("input '" + input.name() + "' has a dimension of size " +
                          std::to_string(shape->dim(i).dim_value()) + " (dimension " +
                          std::to_string(i) + " of " + dimsText(*shape) +
                          "); sizes are positive");
    std::string symbolic;
    for (const auto &d : shape->dim())
      if (!d.has_dim_value())
        symbolic += (symbolic.empty() ? "" : ", ") +
                    (d.has_dim_param() ? "'" + d.dim_param() + "'" : std::string("unnamed"));
    if (!symbolic.empty())
      throw ImportError("input '" + input.name() + "' has symbolic dimensions " + symbolic +
                        " (" + dimsText(*shape) + "): give its sizes with --input-shape " +
                        input.name() + "=" + "1x3x224x224 (as many as its rank)");
  }
  for (const auto &entry : options.inputShapes)
    if (!given.count(entry.first))
      throw ImportError("--input-shape " + entry.first + ": the model has no input of that "
                        "name");
}

std::map<std::string, Shape> inferShapes(onnx::ModelProto &model, bool checkTypes = true) {
  // Exporters' own value_info may carry symbolic sizes; inference recomputes
  // them all from the now static inputs.
  model.mutable_graph()->clear_value_info();
  for (auto &output : *model.mutable_graph()->mutable_output())
    output.mutable_type()->mutable_tensor_type()->clear_shape();
  onnx::ShapeInferenceOptions inference(checkTypes, /*strict_mode=*/1,
                                        /*data_prop=*/true);
  onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), inference);
  std::map<std::string, Shape> shapes;
  auto take = [&](const onnx::ValueInfoProto &info) {
    if (!info.type().has_tensor_type() || !info.type().tensor_type().has_shape())
      return;
    Shape shape;
    for (const auto &d : info.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value() || d.dim_value() < 0)
        return;  // not static: a node that needs it says so
      shape.push_back(d.dim_value());
    }
    shapes[info.name()] = shape;
  };
  for (const auto &info : model.graph().input())
    take(info);
  for (const auto &info : model.graph().value_info())
    take(info);
  for (const auto &info : model.graph().output())
    take(info);
  return shapes;
}

/// ONNX's inference message, "[ShapeInferenceError] Shape inference
/// error(s): (op_type:Concat, node name: cc): [ShapeInferenceError] axis
/// must be in [-rank, rank-1].", as the importer's own messages begin: the
/// node first, then what is wrong with it.
std::string inferenceFailure(const onnx::ModelProto &model, std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  const std::string marker = ", node name: ";
  size_t at = text.find(marker), end = text.find("): ", at);
  if (at == std::string::npos || end == std::string::npos)
    return "shape inference fails: " + text;
  std::string name = text.substr(at + marker.size(), end - at - marker.size());
  std::string what = text.substr(end + 3);
  for (const char *tag : {"[ShapeInferenceError] ", "[TypeInferenceError] "})
    if (what.rfind(tag, 0) == 0)
      what = what.substr(std::string(tag).size());
  int opset = 0;
  for (const auto &entry : model.opset_import())
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      opset = int(entry.version());
  for (const onnx::NodeProto &node : model.graph().node())
    if (node.name() == name && !name.empty())
      return nodeHeading(node, opset) + ": " + what + " (ONNX's shape inference)";
  return "shape inference fails: " + text;
}

/// ONNX 1.12's shape inference trusts attributes it should check (a
/// LayerNormalization axis outside the rank reads out of bounds), so it runs
/// in a child process: a crash there is an error here. The child sends back
/// only the shapes, length-prefixed, through a pipe.
std::map<std::string, Shape> inferShapesIsolated(onnx::ModelProto &model, bool checkTypes) {
  int fds[2];
  if (pipe(fds) != 0)
    throw ImportError(std::string("cannot create a pipe: ") + std::strerror(errno));
  pid_t child = fork();
  if (child < 0)
    throw ImportError(std::string("cannot fork: ") + std::strerror(errno));
  if (child == 0) {
    close(fds[0]);
    // The parent's crash handlers (LLVM's, in cnnc) would print a stack
    // dump and a plea for a bug report: a crash here is the model's fault
    // and the parent says so in one line.
    for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS})
      std::signal(signal, SIG_DFL);
    alarm(120);  // a hang in inference ends the child
    std::string out;
    auto put = [&](const void *data, size_t size) {
      out.append(static_cast<const char *>(data), size);
    };
    try {
      std::map<std::string, Shape> shapes = inferShapes(model, checkTypes);
      out = "S";
      for (const auto &[name, shape] : shapes) {
        uint64_t length = name.size(), rank = shape.size();
        put(&length, 8);
        put(name.data(), name.size());
        put(&rank, 8);
        put(shape.data(), rank * 8);
      }
    } catch (const onnx::InferenceError &e) {
      out = std::string("E") + e.what();
    } catch (const onnx::checker::ValidationError &e) {
      out = std::string("E") + e.what();
    } catch (const std::exception &e) {
      // A standard library's text (map::at, vector::_M_range_check) says
      // nothing about the model.
      out = "Eit reads past what the model defines (the library says: " + std::string(e.what()) +
            ")";
    }
    for (size_t done = 0; done < out.size();) {
      ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0)
        _exit(2);
      done += size_t(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string in;
  char buffer[65536];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    in.append(buffer, size_t(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || in.empty())
    throw ImportError("ONNX's shape inference failed on the model (" +
                      (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                           : "exit " + std::to_string(WEXITSTATUS(status))) +
                      "): it is malformed in a way the checker does not see");
  if (in[0] == 'E')
    throw ImportError(inferenceFailure(model, in.substr(1)));
  std::map<std::string, Shape> shapes;
  size_t at = 1;
  auto take = [&](void *into, size_t size) {
    if (size == 0)
      return;
    if (at + size > in.size())
      throw ImportError("shape inference sent a truncated answer");
    std::memcpy(into, in.data() + at, size);
    at += size;
  };
  while (at < in.size()) {
    uint64_t length = 0, rank = 0;
    take(&length, 8);
    if (length > in.size())
      throw ImportError("shape inference sent a malformed answer");
    std::string name(length, '\0');
    take(name.data(), length);
    take(&rank, 8);
    if (rank > 64)
      throw ImportError("shape inference sent a malformed answer");
    Shape shape(rank);
    take(shape.data(), rank * 8);
    shapes[name] = shape;
  }
  return shapes;
}

onnx::TensorProto toTensor(const std::string &name, const Constant &c) {
  onnx::TensorProto t;
  t.set_name(name);
  for (int64_t d : c.shape)
    t.add_dims(d);
  if (c.integer) {
    t.set_data_type(onnx::TensorProto::INT64);
    for (int64_t v : c.ints())
      t.add_int64_data(v);
  } else {
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (double v : c.values)
      t.add_float_data(float(v));
  }
  return t;
}

/// Replaces what folds (shape subgraphs, Constant nodes) by initializers and
/// infers shapes again, until nothing more folds: a Reshape or Slice whose
/// bounds a subgraph computes then has a static shape.
std::map<std::string, Shape> foldAndInfer(onnx::ModelProto &model, const ImportOptions &options,
                                          const std::string &displayName) {
  std::map<std::string, Shape> shapes = inferShapesIsolated(model, /*checkTypes=*/true);
  for (int round = 0; round < 16; ++round) {
    std::set<int> foldedNodes;
    std::vector<std::pair<std::string, Constant>> folded;
    {
      Importer folder(model, options, displayName, shapes);
      folded = folder.foldAll(foldedNodes);
    }
    if (foldedNodes.empty())
      break;
    onnx::GraphProto *graph = model.mutable_graph();
    std::set<std::string> read;
    for (int i = 0; i < graph->node_size(); ++i)
      if (!foldedNodes.count(i))
        for (const std::string &in : graph->node(i).input())
          read.insert(in);
    for (const auto &out : graph->output())
      read.insert(out.name());
    for (const auto &[name, value] : folded)
      if (read.count(name))
        *graph->add_initializer() = toTensor(name, value);
    google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
    for (int i = 0; i < graph->node_size(); ++i)
      if (!foldedNodes.count(i))
        *kept.Add() = graph->node(i);
    graph->mutable_node()->Swap(&kept);
    shapes = inferShapesIsolated(model, /*checkTypes=*/false);
  }
  return shapes;
}

} // namespace

bool importBytes(const std::string &bytes, const std::string &displayName,
                 const ImportOptions &options, ImportedModel &result, std::string &error) {
  try {
    onnx::ModelProto model;
    if (!model.ParseFromString(bytes))
      throw ImportError("not an ONNX model: the protobuf does not parse (a truncated or "
                        "corrupt file?)");
    if (model.graph().node_size() > maxNodes)
      throw ImportError("the graph has " + std::to_string(model.graph().node_size()) +
                        " nodes (at most " + std::to_string(maxNodes) + ")");
    if (model.functions_size())
      throw ImportError("model-local functions are not supported");
    // Before the checker, whose message about it is obscure.
    for (const auto &init : model.graph().initializer())
      if (init.data_location() == onnx::TensorProto::EXTERNAL || init.external_data_size())
        throw ImportError("initializer '" + init.name() + "' keeps its data in an external "
                          "file (ONNX's format for models of 2 GiB and more), which is not "
                          "supported");
    int opset = 0;
    for (const auto &entry : model.opset_import())
      if (entry.domain().empty() || entry.domain() == "ai.onnx")
        opset = int(entry.version());
    // Opsets 6 to 8 differ from 9 in ways the handlers check (legacy
    // broadcasting attributes, BatchNormalization's is_test); 18 and 19 are
    // checked and inferred as 17 (Opset.cpp).
    if (opset < 6 || opset > 19)
      throw ImportError("opset " + std::to_string(opset) + " of the default domain is not "
                        "supported (6 to 19 are)");
    writeAsOpset17(model, opset);
    writeQOperatorsAsQdq(model, opset);
    try {
      onnx::checker::check_model(model);
    } catch (const onnx::checker::ValidationError &e) {
      std::string why = e.what();  // one line: the checker's spans several
      for (char &c : why)
        c = c == '\n' ? ' ' : c;
      throw ImportError("the ONNX checker refuses the model: " + why);
    } catch (const std::logic_error &) {
      throw ImportError("the ONNX checker cannot read the model: it is malformed");
    }
    fixInputShapes(model, options);
    checkAttributesBeforeInference(model, opset);
    if (model.graph().output_size() == 0)
      throw ImportError("the graph has no outputs: nothing to compute");
    std::map<std::string, Shape> shapes;
    try {
      shapes = foldAndInfer(model, options, displayName);
    } catch (const onnx::InferenceError &e) {
      throw ImportError(std::string("shape inference fails: ") + e.what());
    }
    ImportOptions named = options;
    if (named.modelName.empty()) {  // the file's stem: graph names are "torch_jit"
      size_t slash = displayName.rfind('/');
      std::string stem = displayName.substr(slash == std::string::npos ? 0 : slash + 1);
      named.modelName = stem.substr(0, stem.rfind('.'));
    }
    // Messages name the file's own opset.
    for (auto &entry : *model.mutable_opset_import())
      if (entry.domain().empty() || entry.domain() == "ai.onnx")
        entry.set_version(opset);
    Importer importer(model, named, displayName, std::move(shapes));
    result = importer.run();
    return true;
  } catch (const ImportError &e) {
    error = displayName + ": " + e.what();
  } catch (const std::bad_alloc &) {
    error = displayName + ": importing it needs more memory than this machine gives";
  } catch (const std::exception &) {
    // A standard library's own text (map::at) would say nothing about the
    // file; what reaches here escaped every check.
    error = displayName + ": the importer cannot read this model (an unchecked case: please "
                          "report it with the model)";
  }
  return false;
}

bool importFile(const std::string &path, const ImportOptions &options, ImportedModel &result,
                std::string &error) {
  std::string bytes, why;
  if (!readRegularFile(path, bytes, why, size_t(maxFileBytes))) {
    error = path + ": " + why;
    return false;
  }
  return importBytes(bytes, path, options, result, error);
}

bool parseInputShape(const std::string &text, std::pair<std::string, Shape> &shape,
                     std::string &error) {
  size_t equals = text.rfind('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
    error = "--input-shape expects name=1x3x224x224, found '" + text + "'";
    return false;
  }
  shape.first = text.substr(0, equals);
  shape.second.clear();
  std::stringstream dims(text.substr(equals + 1));
  for (std::string d; std::getline(dims, d, 'x');) {
    char *end = nullptr;
    errno = 0;
    long long v = std::strtoll(d.c_str(), &end, 10);
    if (d.empty() || *end || errno || v <= 0 || v > (1LL << 31) || shape.second.size() >= 6) {
      error = "--input-shape " + text + ": dimensions are 1 to 6 positive integers "
              "joined by 'x'";
      return false;
    }
    shape.second.push_back(v);
  }
  return true;
}

} // namespace cnnc::onnx_import
