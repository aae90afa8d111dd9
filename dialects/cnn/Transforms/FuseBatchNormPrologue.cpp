//===- FuseBatchNormPrologue.cpp - BN-ReLU-conv as one kernel -------------===//
//
// DenseNet normalises before convolving, so its batch norms have no weights
// to fold into. Applying them in the convolution's input prologue still
// saves two passes over the tensor, and two tensors; so does a pooling's
// (norm5 and its ReLU before DenseNet's global pooling).
//
//===----------------------------------------------------------------------===//

#include "cnn/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

namespace cnn {
#define GEN_PASS_DEF_FUSEBATCHNORMPROLOGUE
#include "cnn/Transforms/Passes.h.inc"

namespace {

// The kernels with an input prologue: besides convolutions and GEMMs, the
// pools a batch norm can precede (DenseNet's norm5 and ReLU before its
// global pooling).
#define PROLOGUE_OPS                                                           \
  FusedConv2DOp, GemmOp, GlobalAvgPool2DOp, GlobalMaxPool2DOp, AdaptiveAvgPool2DOp, \
      AdaptiveMaxPool2DOp

/// Whether `op` already has an input prologue; nothing for an op that cannot.
std::optional<bool> hasPrologue(mlir::Operation *op) {
  return llvm::TypeSwitch<mlir::Operation *, std::optional<bool>>(op)
      .Case<PROLOGUE_OPS>([](auto op) { return bool(op.getInputMultiplier()); })
      .Default([](mlir::Operation *) { return std::nullopt; });
}

/// Activations a prologue can apply: those with no parameter.
std::optional<Activation> prologueActivation(mlir::Operation *op) {
  std::optional<ActivationInfo> info = activationOf(op);
  if (!info || info->kind == Activation::clip || info->kind == Activation::leaky_relu ||
      info->kind == Activation::elu)
    return std::nullopt;
  return info->kind;
}

struct FuseBatchNormPrologue : impl::FuseBatchNormPrologueBase<FuseBatchNormPrologue> {
  using Base::Base;

  void runOnOperation() override {
    llvm::SmallVector<BatchNormOp> norms;
    getOperation().walk([&](BatchNormOp bn) { norms.push_back(bn); });
    for (BatchNormOp bn : norms)
      fuse(bn);
  }

  void fuse(BatchNormOp bn) {
    mlir::Value tail = bn.getResult();
    mlir::Operation *activation = nullptr;
    Activation kind = Activation::none;
    mlir::Operation *user = soleUser(tail);
    if (user)
      if (auto act = prologueActivation(user)) {
        activation = user;
        kind = *act;
        tail = user->getResult(0);
        user = soleUser(tail);
      }
    bool consumerTakesPrologue =
        user && user->getOperand(0) == tail &&
        (llvm::isa<Conv2DOp>(user) || !hasPrologue(user).value_or(true));
    if (!consumerTakesPrologue) {
      if (emitRemarks)
        bn->emitRemark() << "batch norm " << describeLayer(bn)
                         << " not fused forward: no convolution or pooling reads it (alone)";
      return;
    }

    mlir::OpBuilder builder(user);
    auto affine = BatchNormAffineOp::create(builder, bn.getLoc(), bn.getScale(), bn.getShift(),
                                            bn.getMean(), bn.getVariance(),
                                            bn.getEpsilonAttr());
    auto inputActivation = ActivationAttr::get(builder.getContext(), kind);
    mlir::Value x = bn.getInput(), m = affine.getMultiplier(), o = affine.getOffset();
    mlir::Operation *replacement;
    if (auto conv = llvm::dyn_cast<Conv2DOp>(user)) {
      auto none = ActivationAttr::get(builder.getContext(), Activation::none);
      auto zero = builder.getF64FloatAttr(0);
      replacement = FusedConv2DOp::create(
          builder, conv.getLoc(), x, conv.getWeight(), conv.getBias(), mlir::Value(), m, o,
          conv.getStrideAttr(), conv.getPadAttr(), conv.getDilationAttr(),
          conv.getGroupsAttr(), none, zero, zero, zero, inputActivation);
    } else {
      // Same op, new input and prologue.
      replacement = builder.clone(*user);
      replacement->setOperand(0, x);
      llvm::TypeSwitch<mlir::Operation *>(replacement).Case<PROLOGUE_OPS>([&](auto op) {
        op.getInputMultiplierMutable().assign(m);
        op.getInputOffsetMutable().assign(o);
        op.setInputActivation(kind);
      });
    }
    if (emitRemarks)
      bn->emitRemark() << "batch norm " << describeLayer(bn)
                       << (activation ? " and its activation" : "")
                       << " fused into the input of " << describeLayer(user);
    user->getResult(0).replaceAllUsesWith(replacement->getResult(0));
    user->erase();
    if (activation)
      activation->erase();
    bn.erase();
  }
};
} // namespace
} // namespace cnn
