//===- ModelLoading.cpp - a model file into the cnn dialect ----------------===//

#include "driver/ModelLoading.h"

#include "frontend/Diagnostics.h"
#include "support/ReadFile.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <iostream>

namespace cnnc {

ModelFormat modelFormat(const std::string &path) {
  llvm::StringRef name(path);
  if (name.ends_with(".onnx"))
    return ModelFormat::Onnx;
  if (name.ends_with(".mlir"))
    return ModelFormat::Mlir;
  return ModelFormat::Program;
}

bool parseParamOverrides(const ModelRequest &request, ElaborationOptions &options) {
  for (const std::string &param : request.params) {
    size_t equals = param.find('=');
    if (equals == std::string::npos || equals == 0) {
      llvm::errs() << request.tool << ": --param expects name=value, found '" << param << "'\n";
      return false;
    }
    std::string name = param.substr(0, equals), value = param.substr(equals + 1);
    auto earlier = std::find_if(options.paramOverrides.begin(), options.paramOverrides.end(),
                                [&](const auto &entry) { return entry.first == name; });
    if (earlier != options.paramOverrides.end()) {
      llvm::errs() << request.tool << ": warning: --param " << name << " is given more than "
                   << "once; the last, " << name << "=" << value << ", wins\n";
      options.paramOverrides.erase(earlier);
    }
    options.paramOverrides.push_back({name, value});
  }
  return true;
}

bool importOnnx(const ModelRequest &request, onnx_import::ImportedModel &model) {
  onnx_import::ImportOptions options;
  std::string error;
  for (const std::string &text : request.inputShapes) {
    std::pair<std::string, std::vector<int64_t>> shape;
    if (!onnx_import::parseInputShape(text, shape, error)) {
      llvm::errs() << request.tool << ": " << error << "\n";
      return false;
    }
    options.inputShapes.push_back(shape);
  }
  if (!onnx_import::importFile(request.path, options, model, error)) {
    llvm::errs() << request.tool << ": " << error << "\n";
    return false;
  }
  return true;
}

mlir::OwningOpRef<mlir::ModuleOp> elaborateModel(const ModelRequest &request,
                                                 const std::string *text,
                                                 mlir::MLIRContext &context,
                                                 llvm::SourceMgr &sourceMgr) {
  ElaborationOptions options;
  if (!parseParamOverrides(request, options))
    return nullptr;
  SourceManager sources;
  DiagnosticEngine diagnostics(sources, std::cerr);
  std::string why;
  int file =
      text ? sources.addBuffer(request.path + ".cnn", *text) : sources.addFile(request.path, why);
  if (file < 0) {
    llvm::errs() << request.tool << ": cannot open input file '" << request.path << "': " << why
                 << "\n";
    return nullptr;
  }
  diagnostics.setLineOrigins(file, request.lineOrigins);
  mlir::OwningOpRef<mlir::ModuleOp> module;
  try {
    std::vector<std::unique_ptr<ast::File>> files;
    loadProgram(file, sources, diagnostics, files);
    module = elaborate(files, context, sources, diagnostics, options);
  } catch (const CompilationAborted &) {
    return nullptr;
  }
  // Later passes' messages point into the same files.
  for (int i = 0; i < sources.getFileCount(); ++i)
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(sources.getText(i), sources.getPath(i)),
        llvm::SMLoc());
  return module;
}

mlir::OwningOpRef<mlir::ModuleOp> parseMlirModel(const ModelRequest &request,
                                                 mlir::MLIRContext &context,
                                                 llvm::SourceMgr &sourceMgr) {
  std::string text, why;
  if (!readRegularFile(request.path, text, why)) {
    llvm::errs() << request.tool << ": cannot open input file '" << request.path << "': " << why
                 << "\n";
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, request.path),
                               llvm::SMLoc());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module || mlir::failed(mlir::verify(*module)))
    return nullptr;
  return module;
}

mlir::OwningOpRef<mlir::ModuleOp> loadModel(const ModelRequest &request, mlir::MLIRContext &context,
                                            llvm::SourceMgr &sourceMgr,
                                            onnx_import::ImportedModel *imported) {
  switch (modelFormat(request.path)) {
  case ModelFormat::Mlir:
    return parseMlirModel(request, context, sourceMgr);
  case ModelFormat::Onnx: {
    onnx_import::ImportedModel own;
    onnx_import::ImportedModel &model = imported ? *imported : own;
    if (!importOnnx(request, model))
      return nullptr;
    ModelRequest withOrigins = request;
    withOrigins.lineOrigins = model.lineOrigins;
    return elaborateModel(withOrigins, &model.source, context, sourceMgr);
  }
  case ModelFormat::Program:
    return elaborateModel(request, nullptr, context, sourceMgr);
  }
  return nullptr;
}

} // namespace cnnc
