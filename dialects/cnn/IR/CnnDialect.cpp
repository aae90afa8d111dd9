//===- CnnDialect.cpp - the cnn dialect -----------------------------------===//

#include "cnn/IR/CnnDialect.h"
#include "cnn/IR/CnnOps.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace cnn;

#include "cnn/IR/CnnDialect.cpp.inc"

void CnnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "cnn/IR/CnnOps.cpp.inc"
      >();
}

namespace {

/// The rule for every name the model exposes (parameters, inputs, outputs,
/// the model): 1 to 256 bytes and no control characters. Names reach weights
/// files, messages and generated C; the C is escaped byte by byte anyway,
/// and this keeps every printed form on one line.
mlir::LogicalResult verifyName(mlir::Operation *op, llvm::StringRef what,
                               mlir::Attribute attribute) {
  auto name = llvm::dyn_cast<mlir::StringAttr>(attribute);
  if (!name)
    return op->emitOpError() << what << " must be a string";
  return verifyExposedName(op, what, name.getValue());
}

} // namespace

mlir::LogicalResult cnn::verifyExposedName(mlir::Operation *op, llvm::StringRef what,
                                           llvm::StringRef name) {
  if (name.empty() || name.size() > 256)
    return op->emitOpError() << what << " must have 1 to 256 bytes, not " << name.size();
  for (char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      std::string shown;
      llvm::raw_string_ostream os(shown);
      llvm::printEscapedString(name.take_front(60), os);
      return op->emitOpError() << what << " \"" << shown << "\" contains control character "
                               << int(c) << "; names may not";
    }
  return mlir::success();
}

mlir::LogicalResult CnnDialect::verifyOperationAttribute(mlir::Operation *op,
                                                         mlir::NamedAttribute attribute) {
  if (attribute.getName() == "cnn.model")
    return verifyName(op, "the model name (cnn.model)", attribute.getValue());
  return mlir::success();
}

mlir::LogicalResult CnnDialect::verifyRegionArgAttribute(mlir::Operation *op, unsigned,
                                                         unsigned, mlir::NamedAttribute attribute) {
  if (attribute.getName() == "cnn.name")
    return verifyName(op, "an input name (cnn.name)", attribute.getValue());
  return mlir::success();
}

mlir::LogicalResult CnnDialect::verifyRegionResultAttribute(mlir::Operation *op, unsigned,
                                                            unsigned,
                                                            mlir::NamedAttribute attribute) {
  if (attribute.getName() == "cnn.name")
    return verifyName(op, "an output name (cnn.name)", attribute.getValue());
  return mlir::success();
}
