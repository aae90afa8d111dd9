//===- CnnOps.h - the cnn dialect's operations ----------------------------===//

#ifndef CNN_IR_CNNOPS_H
#define CNN_IR_CNNOPS_H

#include "cnn/IR/CnnDialect.h"
#include "cnn/IR/CnnEnums.h.inc"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace cnn::OpTrait {
/// Runs the op's result type inference as a verifier and compares the result
/// with the op's type. InferTypeOpInterface checks the same, but follows every
/// message with a generic "failed to infer returned types"; checking first,
/// and stopping there, leaves the user one precise error.
template <typename ConcreteType>
class ChecksShapeRule
    : public mlir::OpTrait::TraitBase<ConcreteType, ChecksShapeRule> {
public:
  static llvm::LogicalResult verifyTrait(mlir::Operation *op) {
    llvm::SmallVector<mlir::Type, 1> types;
    if (mlir::failed(ConcreteType::inferReturnTypes(
            op->getContext(), op->getLoc(), op->getOperands(),
            op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
            op->getRegions(), types)))
      return mlir::failure();
    if (mlir::TypeRange(types) != op->getResultTypes())
      return op->emitOpError("result type ")
             << op->getResultTypes() << " does not follow from the operands: "
             << "expected " << mlir::TypeRange(types);
    return mlir::success();
  }
};
} // namespace cnn::OpTrait

#define GET_OP_CLASSES
#include "cnn/IR/CnnOps.h.inc"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace cnn {
/// The model's function: the one the module's `cnn.model` attribute names,
/// or, in IR written by hand, the one that is not `init`.
mlir::func::FuncOp modelFunction(mlir::ModuleOp module);
/// The function that computes `computed` parameters at load, if any.
mlir::func::FuncOp initFunction(mlir::ModuleOp module);

/// The .cnn layer an op comes from (its NameLoc: "layer1.0.conv1"), or
/// `fallback` for ops without one.
std::string layerName(mlir::Operation *op, llvm::StringRef fallback);

/// Checks a name the model exposes (a parameter, input, output or the model
/// itself): 1 to 256 bytes, no control characters.
mlir::LogicalResult verifyExposedName(mlir::Operation *op, llvm::StringRef what,
                                      llvm::StringRef name);

/// What a standalone activation op computes, in the form a fused kernel
/// carries it (its `activation`, `alpha`, `min` and `max`).
struct ActivationInfo {
  Activation kind = Activation::none;
  double alpha = 0, min = 0, max = 0;
};
/// The activation `op` computes, if it is an activation op.
std::optional<ActivationInfo> activationOf(mlir::Operation *op);
} // namespace cnn

#endif // CNN_IR_CNNOPS_H
