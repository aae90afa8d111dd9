//===- ModelLoading.h - a model file into the cnn dialect ------------------===//
//
// cnnc and cnnc-tune read the same files the same way: a .cnn program is
// elaborated with its --param overrides, an .onnx file is imported (with its
// --input-shape sizes) and elaborated from the program the importer wrote,
// and an .mlir file is parsed and verified. Messages start with the tool's
// name; source locations go through `sourceMgr`, which the caller keeps for
// the diagnostics of later passes.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_DRIVER_MODELLOADING_H
#define CNNC_DRIVER_MODELLOADING_H

#include "frontend/Elaborator.h"
#include "onnximport/OnnxImport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <string>
#include <vector>

namespace cnnc {

struct ModelRequest {
  std::string tool; // The message prefix: "cnnc", "cnnc-tune".
  std::string path;
  std::vector<std::string> params;      // --param name=value
  std::vector<std::string> inputShapes; // --input-shape name=NxCxHxW, .onnx only
  /// An imported program's line origins (ImportedModel::lineOrigins).
  std::vector<std::string> lineOrigins;
};

enum class ModelFormat { Program, Onnx, Mlir };

/// By the file's extension; anything else is read as a program.
ModelFormat modelFormat(const std::string &path);

/// The --param overrides; a name given twice warns and the last wins.
bool parseParamOverrides(const ModelRequest &request, ElaborationOptions &options);

/// Imports an .onnx file with the request's --input-shape sizes.
bool importOnnx(const ModelRequest &request, onnx_import::ImportedModel &model);

/// Elaborates a program: `text` when given (an imported model, named
/// `request.path + ".cnn"`), else the file at `request.path`.
mlir::OwningOpRef<mlir::ModuleOp> elaborateModel(const ModelRequest &request,
                                                 const std::string *text,
                                                 mlir::MLIRContext &context,
                                                 llvm::SourceMgr &sourceMgr);

/// Parses and verifies an .mlir file.
mlir::OwningOpRef<mlir::ModuleOp>
parseMlirModel(const ModelRequest &request, mlir::MLIRContext &context, llvm::SourceMgr &sourceMgr);

/// Any model file, by its format; `imported` (when given) receives an .onnx
/// file's weights and program.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(const ModelRequest &request, mlir::MLIRContext &context,
                                            llvm::SourceMgr &sourceMgr,
                                            onnx_import::ImportedModel *imported = nullptr);

} // namespace cnnc

#endif // CNNC_DRIVER_MODELLOADING_H
