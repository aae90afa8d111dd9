//===- SinkTransposes.cpp - transposes past element-wise ops, cancelled ---===//
//
// Rewrites to a fixed point: each step removes a transpose or moves one
// later past an element-wise op, so the walk ends.
//
//===----------------------------------------------------------------------===//

#include "cnn/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace cnn {
#define GEN_PASS_DEF_SINKTRANSPOSES
#include "cnn/Transforms/Passes.h.inc"

namespace {

bool isIdentity(llvm::ArrayRef<int64_t> permutation) {
  for (size_t i = 0; i < permutation.size(); ++i)
    if (permutation[i] != int64_t(i))
      return false;
  return true;
}

/// Ops that compute each element from the same element alone, so they
/// commute with any reordering.
bool isElementwise(mlir::Operation *op) {
  return activationOf(op) || llvm::isa<ScaleShiftOp, DropoutOp, IdentityOp>(op);
}

struct SinkTransposes : impl::SinkTransposesBase<SinkTransposes> {
  using Base::Base;

  void runOnOperation() override {
    bool changed = true;
    while (changed) {
      changed = false;
      llvm::SmallVector<TransposeOp> transposes;
      getOperation().walk([&](TransposeOp t) { transposes.push_back(t); });
      for (TransposeOp t : transposes)
        if (step(t)) {
          changed = true;
          break; // The list may hold erased ops now.
        }
    }
  }

  bool step(TransposeOp t) {
    mlir::OpBuilder builder(t);
    if (isIdentity(t.getPermutation())) {
      remark(t, "erased: it keeps every dimension in place");
      t.getResult().replaceAllUsesWith(t.getInput());
      t.erase();
      return true;
    }
    if (auto inner = t.getInput().getDefiningOp<TransposeOp>()) {
      // t(inner(x)): dimension i is inner's dimension t[i], x's inner[t[i]].
      llvm::SmallVector<int64_t> composed;
      for (int64_t d : t.getPermutation())
        composed.push_back(inner.getPermutation()[d]);
      auto merged = TransposeOp::create(builder, t.getLoc(), inner.getInput(),
                                        builder.getDenseI64ArrayAttr(composed));
      remark(t, "merged with the transpose before it");
      t.getResult().replaceAllUsesWith(merged.getResult());
      t.erase();
      if (inner->use_empty())
        inner.erase();
      return true;
    }
    if (!t->hasOneUse())
      return false;
    mlir::Operation *user = *t->getUsers().begin();
    if (!isElementwise(user) || user->getNumOperands() != 1)
      return false;
    // user(t(x)) -> t(user(x)).
    builder.setInsertionPoint(user);
    mlir::Operation *moved = builder.clone(*user);
    moved->setOperand(0, t.getInput());
    moved->getResult(0).setType(t.getInput().getType());
    auto after = TransposeOp::create(builder, t.getLoc(), moved->getResult(0),
                                     t.getPermutationAttr());
    remark(t, "moved past " + user->getName().stripDialect().str());
    user->getResult(0).replaceAllUsesWith(after.getResult());
    user->erase();
    t.erase();
    return true;
  }

  void remark(TransposeOp t, const std::string &what) {
    if (emitRemarks)
      t->emitRemark() << "transpose " << describeLayer(t) << " " << what;
  }
};
} // namespace
} // namespace cnn
