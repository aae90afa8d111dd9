//===- OnnxCommands.cpp - .onnx files in every cnnc command ---------------===//

#include "OnnxCommands.h"

#include "cnnrt.h"

#include "llvm/Support/raw_ostream.h"

namespace cnnc {

bool writeImportedWeights(const onnx_import::ImportedModel &model, const std::string &path) {
  std::vector<const char *> names;
  std::vector<int> ranks;
  std::vector<const int64_t *> shapes;
  std::vector<std::vector<float>> empty(model.weights.size());
  std::vector<const float *> data;
  for (const onnx_import::Weight &w : model.weights) {
    names.push_back(w.name.c_str());
    ranks.push_back(int(w.shape.size()));
    shapes.push_back(w.shape.data());
    data.push_back(w.data.data());
  }
  char error[512];
  if (cnnrt_weights_write(path.c_str(), names.size(), names.data(), ranks.data(),
                          shapes.data(), data.data(), error, sizeof error) != CNNRT_OK) {
    llvm::errs() << "cnnc: " << error << "\n";
    return false;
  }
  return true;
}

std::string weightsBeside(const std::string &path) {
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  std::string stem = dot != std::string::npos && (slash == std::string::npos || dot > slash)
                         ? path.substr(0, dot)
                         : path;
  return stem + ".safetensors";
}

} // namespace cnnc
