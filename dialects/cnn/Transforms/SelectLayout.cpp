//===- SelectLayout.cpp - physical layouts of activations and weights -----===//

#include "cnn/Transforms/Layout.h"
#include "cnn/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace cnn {
#define GEN_PASS_DEF_SELECTLAYOUT
#include "cnn/Transforms/Passes.h.inc"

bool channelsInnermost(mlir::ModuleOp module) {
  auto layout = module->getAttrOfType<mlir::StringAttr>("cnn.layout");
  return layout && layout.getValue() == "nhwc";
}

/// Whether the element order of a tensor of logical `shape` is the same
/// with channels innermost as in row-major NCHW: all dimensions after the
/// channels are 1 (or there are none).
static bool sameOrderBothWays(llvm::ArrayRef<int64_t> shape) {
  for (size_t d = 2; d < shape.size(); ++d)
    if (shape[d] != 1)
      return false;
  return true;
}

bool isView(mlir::Operation *op, bool channelsInnermost) {
  // A channel slice reads its input's bytes with its input's strides.
  if (auto slice = llvm::dyn_cast<SliceOp>(op))
    return channelsInnermost && slice.getAxis() == 1;
  if (!llvm::isa<FlattenOp, ReshapeOp>(op))
    return false;
  if (!channelsInnermost)
    return true;
  auto shape = [](mlir::Value v) {
    return llvm::cast<mlir::RankedTensorType>(v.getType()).getShape();
  };
  return sameOrderBothWays(shape(op->getOperand(0))) && sameOrderBothWays(shape(op->getResult(0)));
}

namespace {
struct SelectLayout : impl::SelectLayoutBase<SelectLayout> {
  using Base::Base;

  void runOnOperation() override {
    mlir::ModuleOp module = getOperation();
    if (layout != "nhwc" && layout != "nchw") {
      module.emitError() << "cnn-select-layout: unknown layout '" << layout
                         << "' (expected nhwc or nchw)";
      return signalPassFailure();
    }
    mlir::Builder builder(module.getContext());
    module->setAttr("cnn.layout", builder.getStringAttr(layout));
    bool innermost = layout == "nhwc";
    mlir::func::FuncOp model = modelFunction(module);
    if (!model)
      return;
    model.walk([&](mlir::Operation *op) {
      if (llvm::isa<Conv2DOp, FusedConv2DOp, ConvTranspose2DOp>(op))
        op->setAttr("cnn.weight_layout", builder.getStringAttr("HWIO"));
      else if (llvm::isa<GemmOp>(op))
        op->setAttr("cnn.weight_layout", builder.getStringAttr("IO"));
      if (!llvm::isa<FlattenOp, ReshapeOp>(op) || isView(op, innermost))
        return;
      op->setAttr("cnn.relayout", builder.getUnitAttr());
      if (emitRemarks)
        op->emitRemark() << describeLayer(op)
                         << " changes the element order (channels innermost to "
                            "row-major): one copy kernel";
    });
  }
};
} // namespace
} // namespace cnn
