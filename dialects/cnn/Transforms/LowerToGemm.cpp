//===- LowerToGemm.cpp - 1x1 convolutions and dense layers as GEMMs -------===//
//
// A GEMM kernel reaches a larger share of the machine's FMA peak than a
// direct convolution of the same work: there is no window to gather.
//
//===----------------------------------------------------------------------===//

#include "cnn/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace cnn {
#define GEN_PASS_DEF_LOWERTOGEMM
#include "cnn/Transforms/Passes.h.inc"

namespace {

/// Why a convolution is not a matrix product, or empty when it is.
template <typename Conv> std::string whyNotPointwise(Conv conv) {
  auto weight = llvm::cast<mlir::RankedTensorType>(conv.getWeight().getType()).getShape();
  if (weight[2] != 1 || weight[3] != 1)
    return "its kernel is not 1x1";
  if (llvm::any_of(conv.getStride(), [](int64_t s) { return s != 1; }))
    return "its stride is not 1";
  if (llvm::any_of(conv.getPad(), [](int64_t p) { return p != 0; }))
    return "it is padded";
  if (conv.getGroups() != 1)
    return "it is grouped";
  return "";
}

struct LowerToGemm : impl::LowerToGemmBase<LowerToGemm> {
  using Base::Base;

  void runOnOperation() override {
    llvm::SmallVector<mlir::Operation *> candidates;
    getOperation().walk([&](mlir::Operation *op) {
      if (llvm::isa<Conv2DOp, FusedConv2DOp, DenseOp>(op))
        candidates.push_back(op);
    });
    for (mlir::Operation *op : candidates) {
      mlir::OpBuilder builder(op);
      mlir::MLIRContext *context = builder.getContext();
      auto none = ActivationAttr::get(context, Activation::none);
      auto zero = builder.getF64FloatAttr(0);
      GemmOp gemm;
      if (auto dense = llvm::dyn_cast<DenseOp>(op)) {
        // A dense layer's activation joins the GEMM's epilogue, as a
        // convolution's does in cnn-fuse-conv-activation (ConvNeXt's GELU,
        // VGG's classifier ReLUs).
        mlir::Operation *user =
            dense->hasOneUse() ? *dense->getUsers().begin() : nullptr;
        std::optional<ActivationInfo> fused = user ? activationOf(user) : std::nullopt;
        ActivationInfo activation = fused.value_or(ActivationInfo{});
        if (fused)
          builder.setInsertionPoint(user);
        gemm = GemmOp::create(builder, op->getLoc(), dense.getInput(), dense.getWeight(),
                              dense.getBias(), mlir::Value(), mlir::Value(), mlir::Value(),
                              ActivationAttr::get(context, activation.kind),
                              builder.getF64FloatAttr(activation.alpha),
                              builder.getF64FloatAttr(activation.min),
                              builder.getF64FloatAttr(activation.max), none);
        if (fused) {
          if (emitRemarks)
            op->emitRemark() << "dense " << describeLayer(op) << " fused with "
                             << user->getName().stripDialect() << " " << describeLayer(user);
          user->getResult(0).replaceAllUsesWith(gemm.getResult());
          user->erase();
        }
      } else if (auto conv = llvm::dyn_cast<Conv2DOp>(op)) {
        if (!lowerable(conv))
          continue;
        gemm = GemmOp::create(builder, op->getLoc(), conv.getInput(), conv.getWeight(),
                              conv.getBias(), mlir::Value(), mlir::Value(), mlir::Value(),
                              none, zero, zero, zero, none);
      } else {
        auto fused = llvm::cast<FusedConv2DOp>(op);
        if (!lowerable(fused))
          continue;
        gemm = GemmOp::create(builder, op->getLoc(), fused.getInput(), fused.getWeight(),
                              fused.getBias(), fused.getResidual(), fused.getInputMultiplier(),
                              fused.getInputOffset(), fused.getActivationAttr(),
                              fused.getAlphaAttr(), fused.getMinAttr(), fused.getMaxAttr(),
                              fused.getInputActivationAttr());
      }
      if (emitRemarks)
        op->emitRemark() << op->getName().stripDialect() << " " << describeLayer(op)
                         << " lowered to a GEMM";
      op->getResult(0).replaceAllUsesWith(gemm.getResult());
      op->erase();
    }
  }

  template <typename Conv> bool lowerable(Conv conv) {
    std::string why = whyNotPointwise(conv);
    if (!why.empty() && emitRemarks)
      conv->emitRemark() << "convolution " << describeLayer(conv)
                         << " is not a GEMM: " << why;
    return why.empty();
  }
};
} // namespace
} // namespace cnn
