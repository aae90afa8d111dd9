//===- OnnxCommands.h - .onnx files in every cnnc command -----------------===//

#ifndef CNNC_TOOLS_ONNXCOMMANDS_H
#define CNNC_TOOLS_ONNXCOMMANDS_H

#include "onnximport/OnnxImport.h"

#include <string>
#include <vector>

namespace cnnc {

/// Writes the imported weights as safetensors; prints the error if any.
bool writeImportedWeights(const onnx_import::ImportedModel &model, const std::string &path);

/// `model.cnn` -> `model.safetensors`, `build/model` -> `build/model.safetensors`.
std::string weightsBeside(const std::string &path);

} // namespace cnnc

#endif // CNNC_TOOLS_ONNXCOMMANDS_H
