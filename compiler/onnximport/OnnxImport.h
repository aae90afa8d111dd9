//===- OnnxImport.h - ONNX models as .cnn programs -------------------------===//
//
// An ONNX file becomes a program in the architecture language, one layer a
// line, and the weights it holds under the names the program declares. The
// compiler then reads that program as it reads any .cnn file, so an imported
// network is checked, optimised and compiled exactly like a hand-written one.
//
// This library has no LLVM or MLIR dependency (the fuzzer builds it alone).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_ONNXIMPORT_ONNXIMPORT_H
#define CNNC_ONNXIMPORT_ONNXIMPORT_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cnnc::onnx_import {

struct ImportOptions {
  /// Sizes for inputs whose dimensions are symbolic: name -> dimensions.
  std::vector<std::pair<std::string, std::vector<int64_t>>> inputShapes;
  /// The model's name in the program (default: the graph's, or "imported").
  std::string modelName;
};

struct Weight {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
};

struct ImportedModel {
  std::string source;           // the .cnn program
  std::vector<Weight> weights;  // in declaration order
  /// A QDQ model's activation ranges, from its QuantizeLinear nodes, as a
  /// .qparams file (method qdq) keyed by the layers cnnc will run; empty
  /// when the model has none.
  std::string qparams;
  /// For each line of `source`, the node it came from ("model.onnx: node
  /// 'conv1' (Conv, domain ai.onnx, opset 13)"), or empty: messages about
  /// the program name the node instead of the line.
  std::vector<std::string> lineOrigins;
};

/// Reads, checks and translates `path`. On failure returns false with one
/// message in `error`, starting with the file name.
bool importFile(const std::string &path, const ImportOptions &options,
                ImportedModel &model, std::string &error);

/// The same for bytes already in memory; `displayName` names them in errors.
bool importBytes(const std::string &bytes, const std::string &displayName,
                 const ImportOptions &options, ImportedModel &model, std::string &error);

/// Parses "name=1x3x224x224" as given to --input-shape.
bool parseInputShape(const std::string &text, std::pair<std::string, std::vector<int64_t>> &shape,
                     std::string &error);

} // namespace cnnc::onnx_import

#endif // CNNC_ONNXIMPORT_ONNXIMPORT_H
