//===- FuseConvActivation.cpp - conv + residual + activation, one kernel --===//
//
// The kernel that replaces them writes each output once, where the three
// ops would write and re-read two full tensors.
//
//===----------------------------------------------------------------------===//

#include "cnn/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace cnn {
#define GEN_PASS_DEF_FUSECONVACTIVATION
#include "cnn/Transforms/Passes.h.inc"

namespace {

struct FuseConvActivation : impl::FuseConvActivationBase<FuseConvActivation> {
  using Base::Base;

  void runOnOperation() override {
    llvm::SmallVector<Conv2DOp> convs;
    getOperation().walk([&](Conv2DOp conv) { convs.push_back(conv); });
    for (Conv2DOp conv : convs)
      fuse(conv);
  }

  void fuse(Conv2DOp conv) {
    llvm::SmallVector<mlir::Operation *, 2> absorbed;
    mlir::Value residual;
    mlir::Value tail = conv.getResult();
    mlir::Operation *user = soleUser(tail);
    if (auto add = llvm::dyn_cast_or_null<AddOp>(user)) {
      residual = add.getLhs() == tail ? add.getRhs() : add.getLhs();
      if (residual != tail) { // conv + conv is no residual
        absorbed.push_back(add);
        tail = add.getResult();
        user = soleUser(tail);
      } else {
        residual = nullptr;
      }
    }
    ActivationInfo activation;
    if (user)
      if (auto info = activationOf(user)) {
        activation = *info;
        absorbed.push_back(user);
        tail = user->getResult(0);
      }
    if (absorbed.empty()) {
      if (emitRemarks)
        conv->emitRemark() << "convolution " << describeLayer(conv)
                           << (conv->hasOneUse()
                                   ? " not fused: no residual sum or activation follows"
                                   : " not fused: its result has several users");
      return;
    }
    mlir::Operation *last = absorbed.back();
    mlir::OpBuilder builder(last);
    auto fused = FusedConv2DOp::create(
        builder, conv.getLoc(), conv.getInput(), conv.getWeight(), conv.getBias(), residual,
        /*input_multiplier=*/mlir::Value(), /*input_offset=*/mlir::Value(),
        conv.getStrideAttr(), conv.getPadAttr(), conv.getDilationAttr(),
        conv.getGroupsAttr(), ActivationAttr::get(builder.getContext(), activation.kind),
        builder.getF64FloatAttr(activation.alpha), builder.getF64FloatAttr(activation.min),
        builder.getF64FloatAttr(activation.max),
        ActivationAttr::get(builder.getContext(), Activation::none));
    if (emitRemarks) {
      auto remark = conv->emitRemark() << "convolution " << describeLayer(conv)
                                        << " fused with";
      for (mlir::Operation *op : absorbed)
        remark << " " << op->getName().stripDialect() << " " << describeLayer(op);
    }
    tail.replaceAllUsesWith(fused.getResult());
    for (auto it = absorbed.rbegin(); it != absorbed.rend(); ++it)
      (*it)->erase();
    conv.erase();
  }
};
} // namespace

} // namespace cnn
