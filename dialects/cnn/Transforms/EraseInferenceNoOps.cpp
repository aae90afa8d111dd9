//===- EraseInferenceNoOps.cpp - drop dropout and identity ----------------===//
//
// Also merges a scale_shift into the one before it when that one has no
// other reader: `x * 0.5 + 3` elaborates as two (one per operator), and
// each is a pass over the tensor.
//
//===----------------------------------------------------------------------===//

#include "cnn/Transforms/Passes.h"

namespace cnn {
#define GEN_PASS_DEF_ERASEINFERENCENOOPS
#include "cnn/Transforms/Passes.h.inc"

namespace {
struct EraseInferenceNoOps : impl::EraseInferenceNoOpsBase<EraseInferenceNoOps> {
  using Base::Base;

  void runOnOperation() override {
    getOperation().walk([&](ScaleShiftOp outer) {
      auto inner = outer.getInput().getDefiningOp<ScaleShiftOp>();
      if (!inner || !inner->hasOneUse())
        return;
      // (x * a + b) * c + d = x * (a c) + (b c + d).
      double a = inner.getScale().convertToDouble(), b = inner.getShift().convertToDouble();
      double c = outer.getScale().convertToDouble(), d = outer.getShift().convertToDouble();
      if (emitRemarks)
        outer->emitRemark() << "scale_shift " << describeLayer(outer) << " merged with "
                            << describeLayer(inner) << " before it";
      mlir::Builder builder(outer);
      outer->setOperand(0, inner.getInput());
      outer.setScaleAttr(builder.getF64FloatAttr(a * c));
      outer.setShiftAttr(builder.getF64FloatAttr(b * c + d));
      inner->erase();
    });
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
