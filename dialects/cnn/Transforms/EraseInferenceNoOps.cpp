//===- EraseInferenceNoOps.cpp - drop dropout and identity ----------------===//

#include "cnn/Transforms/Passes.h"

namespace cnn {
#define GEN_PASS_DEF_ERASEINFERENCENOOPS
#include "cnn/Transforms/Passes.h.inc"

namespace {
struct EraseInferenceNoOps : impl::EraseInferenceNoOpsBase<EraseInferenceNoOps> {
  using Base::Base;

  void runOnOperation() override {
    getOperation().walk([&](mlir::Operation *op) {
      if (!llvm::isa<DropoutOp, IdentityOp>(op))
        return;
      if (emitRemarks)
        op->emitRemark() << op->getName().stripDialect() << " " << describeLayer(op)
                         << " erased: it is the identity at inference";
      op->getResult(0).replaceAllUsesWith(op->getOperand(0));
      op->erase();
    });
  }
};
} // namespace
} // namespace cnn
