//===- HoistWeightTransforms.cpp - weight arithmetic into init ------------===//

#include "cnn/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace cnn {
#define GEN_PASS_DEF_HOISTWEIGHTTRANSFORMS
#include "cnn/Transforms/Passes.h.inc"

namespace {

/// Ops that compute parameters from parameters.
bool isWeightTransform(mlir::Operation *op) {
  return llvm::isa<FoldBatchNormOp, BatchNormAffineOp>(op);
}

struct HoistWeightTransforms : impl::HoistWeightTransformsBase<HoistWeightTransforms> {
  using Base::Base;

  void runOnOperation() override {
    mlir::ModuleOp module = getOperation();
    mlir::func::FuncOp model = modelFunction(module);
    if (!model)
      return;

    // Values computed from parameters alone, and the transforms to move.
    llvm::DenseSet<mlir::Value> fromParameters;
    llvm::SmallVector<mlir::Operation *> hoisted;
    for (mlir::Operation &op : model.getBody().front()) {
      bool inputsAreParameters = llvm::all_of(op.getOperands(), [&](mlir::Value v) {
        return fromParameters.contains(v);
      });
      if (llvm::isa<WeightOp>(op) || (isWeightTransform(&op) && inputsAreParameters)) {
        fromParameters.insert(op.getResults().begin(), op.getResults().end());
        if (!llvm::isa<WeightOp>(op))
          hoisted.push_back(&op);
      } else if (isWeightTransform(&op) && emitRemarks) {
        op.emitRemark() << "weight transform " << describeLayer(&op)
                        << " stays: it reads a value computed at run time";
      }
    }
    if (hoisted.empty())
      return;

    mlir::SymbolTable symbols(module);
    mlir::OpBuilder builder(module.getContext());
    mlir::func::FuncOp init = getOrCreateInit(module, symbols, builder);
    mlir::Operation *initReturn = init.getBody().front().getTerminator();

    mlir::IRMapping mapping;
    for (mlir::Operation *op : hoisted) {
      builder.setInsertionPoint(initReturn);
      for (mlir::Value operand : op->getOperands())
        if (!mapping.contains(operand))
          mapping.map(operand, builder.clone(*operand.getDefiningOp())->getResult(0));
      mlir::Operation *copy = builder.clone(*op, mapping);

      // Each result the model still needs becomes a computed parameter.
      for (auto [index, result] : llvm::enumerate(op->getResults())) {
        bool usedByModel = llvm::any_of(result.getUsers(), [&](mlir::Operation *user) {
          return !llvm::is_contained(hoisted, user);
        });
        if (!usedByModel)
          continue;
        std::string name = uniqueName(symbols, layerName(op, "transform") + "." +
                                                   resultSuffix(op, index));
        builder.setInsertionPoint(model);
        auto parameter = ParameterOp::create(
            builder, op->getLoc(), name,
            llvm::cast<mlir::RankedTensorType>(result.getType()), /*computed=*/true);
        symbols.insert(parameter);
        builder.setInsertionPoint(initReturn);
        StoreOp::create(builder, op->getLoc(), copy->getResult(index),
                        mlir::FlatSymbolRefAttr::get(parameter.getSymNameAttr()));
        builder.setInsertionPoint(op);
        auto read = WeightOp::create(builder, op->getLoc(), result.getType(), name);
        result.replaceUsesWithIf(read.getResult(), [&](mlir::OpOperand &use) {
          return !llvm::is_contained(hoisted, use.getOwner());
        });
      }
      if (emitRemarks)
        op->emitRemark() << "weight transform " << describeLayer(op)
                         << " moved into init: computed once, at load";
    }
    for (auto it = hoisted.rbegin(); it != hoisted.rend(); ++it)
      (*it)->erase();
    // Parameters only the moved transforms read are no longer the model's.
    for (mlir::Operation &op : llvm::make_early_inc_range(model.getBody().front()))
      if (llvm::isa<WeightOp>(op) && op.use_empty())
        op.erase();
  }

  static std::string resultSuffix(mlir::Operation *op, unsigned index) {
    if (llvm::isa<FoldBatchNormOp>(op))
      return index == 0 ? "folded_weight" : "folded_bias";
    if (llvm::isa<BatchNormAffineOp>(op))
      return index == 0 ? "multiplier" : "offset";
    return "result" + std::to_string(index);
  }

  static std::string uniqueName(mlir::SymbolTable &symbols, std::string name) {
    std::string candidate = name;
    for (int i = 1; symbols.lookup(candidate); ++i)
      candidate = name + "_" + std::to_string(i);
    return candidate;
  }

  static mlir::func::FuncOp getOrCreateInit(mlir::ModuleOp module, mlir::SymbolTable &symbols,
                                            mlir::OpBuilder &builder) {
    if (auto init = symbols.lookup<mlir::func::FuncOp>("init"))
      return init;
    builder.setInsertionPointToEnd(module.getBody());
    auto init = mlir::func::FuncOp::create(builder, module.getLoc(), "init",
                                           builder.getFunctionType({}, {}));
    symbols.insert(init);
    builder.setInsertionPointToEnd(init.addEntryBlock());
    mlir::func::ReturnOp::create(builder, module.getLoc());
    return init;
  }
};
} // namespace

} // namespace cnn
