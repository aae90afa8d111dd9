//===- Bf16.cpp - bf16 convolutions and GEMMs, without a calibration ------===//
//
// bf16 keeps float32's range, so nothing needs a scale: each convolution
// and GEMM the bf16 kernels can run gets `cnn.bf16` and the low-precision
// schedule, and its kernel rounds its input and weights itself
// (tools/cnnc-kernelgen/Bf16.cpp). Tensors stay f32, so an op that stays
// float needs no conversion either side. What stays float, and why, is
// said as a remark: a layer --keep-float names, a batch-norm prologue, a
// grouped or depthwise convolution (no channel pairs to sum), input
// channels that are odd (the RGB stem), fewer than 4 output channels, or a
// Winograd schedule (4x fewer multiplies beat bf16's 2x rate).
//
//===----------------------------------------------------------------------===//

#include "cnn/IR/CnnOps.h"
#include "cnn/Transforms/KernelDescription.h"
#include "cnn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace cnn {
#define GEN_PASS_DEF_BF16
#include "cnn/Transforms/Passes.h.inc"

namespace {

int64_t channelsOf(mlir::Value value) {
  return llvm::cast<mlir::RankedTensorType>(value.getType()).getShape()[1];
}

/// Why `op` cannot run as a bf16 kernel, or "" when it can.
std::string whyFloat(mlir::Operation *op) {
  int64_t in = channelsOf(op->getOperand(0)), out = channelsOf(op->getResult(0));
  if (out < 4)
    return std::to_string(out) + " output channels, fewer than 4";
  mlir::Value multiplier;
  int64_t groups = 1;
  if (auto conv = llvm::dyn_cast<FusedConv2DOp>(op)) {
    multiplier = conv.getInputMultiplier();
    groups = conv.getGroups();
  } else if (auto conv = llvm::dyn_cast<Conv2DOp>(op)) {
    groups = conv.getGroups();
  } else {
    multiplier = llvm::cast<GemmOp>(op).getInputMultiplier();
  }
  if (multiplier)
    return "a batch-norm prologue";
  if (groups > 1)
    return "a grouped convolution (no channel pairs to sum)";
  if (in % 2)
    return std::to_string(in) + " input channels, an odd number (the sums take them in pairs)";
  // Winograd F(4x4, 3x3) does a quarter of the direct form's multiplies,
  // bf16 twice the rate: ResNet-50's 56x56 3x3 layers took 0.56 ms in fp32
  // Winograd against 0.85 ms in bf16 (one core of an AMD EPYC Zen 5).
  auto schedule = op->getAttrOfType<mlir::DictionaryAttr>("cnn.schedule");
  if (auto winograd = schedule ? schedule.getAs<mlir::IntegerAttr>("winograd") : nullptr;
      winograd && winograd.getInt() > 0)
    return "its schedule is Winograd's, faster in fp32 than the direct form in bf16";
  return "";
}

struct Bf16Pass : impl::Bf16Base<Bf16Pass> {
  using Bf16Base::Bf16Base;

  void runOnOperation() override {
    mlir::func::FuncOp function = getOperation();
    if (function.getName() == "init")
      return;
    mlir::UnitAttr unit = mlir::UnitAttr::get(function.getContext());
    KeepFloatList kept(keepFloat);
    function.walk([&](mlir::Operation *op) {
      if (!llvm::isa<Conv2DOp, FusedConv2DOp, GemmOp>(op))
        return;
      std::string why = whyFloat(op), layer = layerName(op, "");
      if (kept.keeps(op))
        why = "--keep-float names it";
      if (!why.empty()) {
        if (emitRemarks)
          op->emitRemark() << "'" << layer << "' stays float: " << why;
        return;
      }
      op->setAttr("cnn.bf16", unit);
      op->setAttr("cnn.schedule", lowPrecisionSchedule(op));
      if (emitRemarks)
        op->emitRemark() << "'" << layer << "' runs bf16";
    });
    if (mlir::failed(kept.checkAllFound(function)))
      signalPassFailure();
  }
};

} // namespace
} // namespace cnn
