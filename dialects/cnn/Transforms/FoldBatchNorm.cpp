//===- FoldBatchNorm.cpp - batch norms into the layer before them ---------===//
//
// conv -> batch_norm becomes conv(fold_batch_norm(weights)): the batch norm
// costs nothing at run time, and the fold is a weight transform that runs
// once at load.
//
//===----------------------------------------------------------------------===//

#include "cnn/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace cnn {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "cnn/Transforms/Passes.h.inc"

namespace {

/// Builds the fold for `bn` applied to `weight` and `bias` (which may be
/// null); returns the folded weight and bias.
std::pair<mlir::Value, mlir::Value> fold(mlir::OpBuilder &builder, BatchNormOp bn,
                                         mlir::Value weight, mlir::Value bias) {
  auto folded = FoldBatchNormOp::create(builder, bn.getLoc(), weight, bn.getScale(),
                                        bn.getShift(), bn.getMean(), bn.getVariance(),
                                        bias, bn.getEpsilonAttr());
  return {folded.getFoldedWeight(), folded.getFoldedBias()};
}

struct FoldBatchNorm : impl::FoldBatchNormBase<FoldBatchNorm> {
  using Base::Base;

  void runOnOperation() override {
    getOperation().walk([&](BatchNormOp bn) {
      mlir::Operation *producer = bn.getInput().getDefiningOp();
      if (!producer || !llvm::isa<Conv2DOp, DenseOp>(producer)) {
        if (emitRemarks)
          bn->emitRemark() << "batch norm " << describeLayer(bn)
                           << " not folded: its input is not a convolution or dense layer";
        return;
      }
      if (!producer->hasOneUse()) {
        if (emitRemarks)
          bn->emitRemark() << "batch norm " << describeLayer(bn) << " not folded: "
                           << describeLayer(producer) << " is used elsewhere too";
        return;
      }
      mlir::OpBuilder builder(bn);
      mlir::Value replacement;
      if (auto conv = llvm::dyn_cast<Conv2DOp>(producer)) {
        auto [weight, bias] = fold(builder, bn, conv.getWeight(), conv.getBias());
        replacement = Conv2DOp::create(builder, conv.getLoc(), conv.getInput(), weight, bias,
                                       conv.getStrideAttr(), conv.getPadAttr(),
                                       conv.getDilationAttr(), conv.getGroupsAttr());
      } else {
        auto dense = llvm::cast<DenseOp>(producer);
        auto [weight, bias] = fold(builder, bn, dense.getWeight(), dense.getBias());
        replacement = DenseOp::create(builder, dense.getLoc(), dense.getInput(), weight, bias);
      }
      if (emitRemarks)
        bn->emitRemark() << "batch norm " << describeLayer(bn) << " folded into "
                         << describeLayer(producer);
      bn.getResult().replaceAllUsesWith(replacement);
      bn.erase();
      producer->erase();
    });
  }
};
} // namespace
} // namespace cnn
