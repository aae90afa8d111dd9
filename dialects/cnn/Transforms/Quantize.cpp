//===- Quantize.cpp - int8 convolutions and GEMMs from a calibration ------===//
//
// The optimised graph's convolutions and GEMMs become int8 kernels where the
// int8 kernels can run them and the calibration knows their tensors
// (docs/quantization.md). Each gets `cnn.int8`: its input's scale and zero
// point, its output's (u8, when every reader is an int8 kernel too, so the
// tensor stays u8 between them) or `f32`, and its residual's. A float
// tensor an int8 kernel reads gets one `cnn.quantize`. Weights are not
// touched here: the plan quantizes them per output channel at load.
//
// What stays float, and why, is said as a remark: a layer --keep-float
// names, a batch-norm prologue
// (its input is not a calibrated tensor), a grouped convolution that is
// not depthwise, a GEMM whose input channels are not in fours, or a tensor
// the calibration does not name. A convolution whose input channels are
// not in fours (the RGB stem) runs int8 in the row-tap form.
//
//===----------------------------------------------------------------------===//

#include "cnn/IR/CnnOps.h"
#include "cnn/Transforms/KernelDescription.h"
#include "cnn/Transforms/Passes.h"

#include "quantize/QParams.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <optional>
#include <set>

namespace cnn {
#define GEN_PASS_DEF_QUANTIZE
#include "cnn/Transforms/Passes.h.inc"

namespace {

using cnnc::quantize::TensorRange;

/// A tensor's name as the calibration knows it (runtime/src/calibrate.c):
/// a model input's, or the layer of the kernel that computes it.
std::string tensorName(mlir::Value value) {
  if (auto argument = llvm::dyn_cast<mlir::BlockArgument>(value)) {
    auto function = llvm::cast<mlir::func::FuncOp>(argument.getOwner()->getParentOp());
    auto name = function.getArgAttrOfType<mlir::StringAttr>(argument.getArgNumber(), "cnn.name");
    return name ? name.str() : "input " + std::to_string(argument.getArgNumber());
  }
  return layerName(value.getDefiningOp(), "");
}

/// Why `op` cannot run as an int8 kernel, or "" when it can.
std::string whyFloat(mlir::Operation *op) {
  auto channels = [](mlir::Value v) {
    return llvm::cast<mlir::RankedTensorType>(v.getType()).getShape()[1];
  };
  // The narrowest int8 vector is 4 s32 lanes of output channels.
  if (channels(op->getResult(0)) < 4)
    return std::to_string(channels(op->getResult(0))) + " output channels, fewer than 4";
  auto convolution = [&](auto conv) -> std::string {
    int64_t groups = conv.getGroups(), in = channels(conv.getInput());
    if (groups > 1 && !(groups == in && groups == channels(conv.getResult())))
      return "a grouped convolution that is not depthwise";
    // Channels not in fours (the RGB stem) take the row-tap form, which
    // reads a kernel row's pixels as one run of bytes.
    if (groups == 1 && in % 4 && conv.getDilation()[1] != 1)
      return std::to_string(in) + " input channels, not a multiple of 4, with a horizontal "
             "dilation";
    return "";
  };
  if (auto conv = llvm::dyn_cast<Conv2DOp>(op))
    return convolution(conv);
  if (auto conv = llvm::dyn_cast<FusedConv2DOp>(op))
    return conv.getInputMultiplier() ? "a batch-norm prologue" : convolution(conv);
  auto gemm = llvm::cast<GemmOp>(op);
  if (gemm.getInputMultiplier())
    return "a batch-norm prologue";
  if (channels(gemm.getInput()) % 4)
    return std::to_string(channels(gemm.getInput())) + " input channels, not a multiple of 4";
  return "";
}

/// The residual operand of an int8 candidate, if it has one.
mlir::OpOperand *residualOf(mlir::Operation *op) {
  if (auto conv = llvm::dyn_cast<FusedConv2DOp>(op); conv && conv.getResidual())
    return &conv.getResidualMutable()[0];
  if (auto gemm = llvm::dyn_cast<GemmOp>(op); gemm && gemm.getResidual())
    return &gemm.getResidualMutable()[0];
  return nullptr;
}

struct QuantizePass : impl::QuantizeBase<QuantizePass> {
  using QuantizeBase::QuantizeBase;

  void runOnOperation() override;

private:
  std::optional<TensorRange> rangeOf(mlir::Value value);
  mlir::Value quantized(mlir::Value value, mlir::OpBuilder &builder);
  void roundFloatTensors(mlir::func::FuncOp function);

  cnnc::quantize::QParams qparams;
  llvm::DenseMap<mlir::Value, mlir::Value> quantizedOf;
};

/// The calibrated range of a tensor: a model input by its name, a kernel's
/// result by its layer, a view by what it views, a concat by its inputs'.
std::optional<TensorRange> QuantizePass::rangeOf(mlir::Value value) {
  auto find = [&](const std::string &name) -> std::optional<TensorRange> {
    auto it = qparams.tensors.find(name);
    return it == qparams.tensors.end() ? std::nullopt : std::optional(it->second);
  };
  if (llvm::isa<mlir::BlockArgument>(value))
    return find(tensorName(value));
  mlir::Operation *op = value.getDefiningOp();
  if (llvm::isa<FlattenOp, ReshapeOp>(op) && !op->hasAttr("cnn.relayout"))
    return rangeOf(op->getOperand(0));
  if (auto slice = llvm::dyn_cast<SliceOp>(op); slice && slice.getAxis() == 1)
    return rangeOf(slice.getInput());
  if (auto concat = llvm::dyn_cast<ConcatOp>(op)) {
    TensorRange whole;
    for (mlir::Value input : concat.getInputs()) {
      std::optional<TensorRange> part = rangeOf(input);
      if (!part)
        return std::nullopt;
      whole.low = std::min(whole.low, part->low);
      whole.high = std::max(whole.high, part->high);
    }
    return whole;
  }
  return find(tensorName(value));
}

/// `value` as an int8 kernel reads it: itself when an int8 kernel wrote it
/// as u8, else one cnn.quantize of it, shared by its int8 readers.
mlir::Value QuantizePass::quantized(mlir::Value value, mlir::OpBuilder &builder) {
  if (mlir::Operation *producer = value.getDefiningOp())
    if (auto int8 = producer->getAttrOfType<mlir::DictionaryAttr>("cnn.int8"))
      if (int8.getAs<mlir::StringAttr>("output").getValue() == "u8")
        return value;
  mlir::Value &q = quantizedOf[value];
  if (q)
    return q;
  cnnc::quantize::AffineU8 affine = cnnc::quantize::affineU8(*rangeOf(value));
  auto loc = mlir::NameLoc::get(builder.getStringAttr(tensorName(value) + ".quantize"),
                                value.getLoc());
  q = builder.create<QuantizeOp>(loc, value, builder.getF64FloatAttr(affine.scale),
                                 builder.getI64IntegerAttr(affine.zeroPoint));
  return q;
}

void QuantizePass::runOnOperation() {
  mlir::func::FuncOp function = getOperation();
  if (function.getName() == "init")
    return;
  std::string error;
  if (!cnnc::quantize::readQParams(qparamsPath, qparams, error)) {
    function.emitError(error);
    return signalPassFailure();
  }
  // Which kernels run as int8.
  llvm::DenseSet<mlir::Operation *> int8;
  KeepFloatList kept(keepFloat);
  function.walk([&](mlir::Operation *op) {
    if (!llvm::isa<Conv2DOp, FusedConv2DOp, GemmOp>(op))
      return;
    std::string why = whyFloat(op), layer = layerName(op, "");
    if (kept.keeps(op))
      why = "--keep-float names it";
    mlir::OpOperand *residual = residualOf(op);
    if (why.empty() && !rangeOf(op->getOperand(0)))
      why = "its input has no calibrated range";
    if (why.empty() && residual && !rangeOf(residual->get()))
      why = "its residual has no calibrated range";
    if (why.empty())
      int8.insert(op);
    else if (emitRemarks)
      op->emitRemark() << "'" << layer << "' stays float: " << why;
  });
  if (mlir::failed(kept.checkAllFound(function)))
    return signalPassFailure();
  // A result stays u8 when every reader is an int8 kernel.
  auto readsAsInt8 = [&](mlir::OpOperand &use) {
    mlir::Operation *user = use.getOwner();
    if (!int8.count(user))
      return false;
    mlir::OpOperand *residual = residualOf(user);
    return use.getOperandNumber() == 0 || &use == residual;
  };
  mlir::OpBuilder builder(function.getContext());
  function.walk([&](mlir::Operation *op) {
    if (!int8.count(op))
      return;
    mlir::Value result = op->getResult(0);
    bool u8 = !result.use_empty() && rangeOf(result) &&
              llvm::all_of(result.getUses(), readsAsInt8);
    builder.setInsertionPoint(op);
    llvm::SmallVector<mlir::NamedAttribute> keys;
    auto add = [&](llvm::StringRef key, mlir::Attribute value) {
      keys.push_back(builder.getNamedAttr(key, value));
    };
    auto addAffine = [&](llvm::StringRef prefix, mlir::Value value) {
      cnnc::quantize::AffineU8 affine = cnnc::quantize::affineU8(*rangeOf(value));
      add((prefix + "_scale").str(), builder.getF64FloatAttr(affine.scale));
      add((prefix + "_zero").str(), builder.getI64IntegerAttr(affine.zeroPoint));
    };
    addAffine("input", op->getOperand(0));
    op->setOperand(0, quantized(op->getOperand(0), builder));
    if (mlir::OpOperand *residual = residualOf(op)) {
      addAffine("residual", residual->get());
      residual->set(quantized(residual->get(), builder));
    }
    add("output", builder.getStringAttr(u8 ? "u8" : "f32"));
    if (u8)
      addAffine("output", result);
    // A QDQ model quantizes every tensor its pairs name: where cnnc fuses
    // or keeps f32, the kernel still rounds to those grids, so the program
    // computes what the model says (and what ONNX Runtime computes).
    if (qparams.method == "qdq") {
      auto grid = [&](llvm::StringRef prefix, const TensorRange &range) {
        cnnc::quantize::AffineU8 affine = cnnc::quantize::affineU8(range);
        add((prefix + "_scale").str(), builder.getF64FloatAttr(affine.scale));
        add((prefix + "_zero").str(), builder.getI64IntegerAttr(affine.zeroPoint));
      };
      auto addend = qparams.addends.find(layerName(op, ""));
      if (addend != qparams.addends.end())
        grid("addend", addend->second);
      if (!u8)
        if (std::optional<TensorRange> range = rangeOf(result))
          grid("grid", *range);
    }
    op->setAttr("cnn.int8", builder.getDictionaryAttr(keys));
    op->setAttr("cnn.schedule", lowPrecisionSchedule(op));
    if (emitRemarks)
      op->emitRemark() << "'" << layerName(op, "") << "' runs int8, " << (u8 ? "u8" : "f32")
                       << " output";
  });
  if (qparams.method == "qdq")
    roundFloatTensors(function);
}

/// A QDQ model rounds every tensor its pairs name. The int8 kernels round
/// their own results; a float kernel's result (and a model input) that has
/// a range gets a `cnn.quantize ... real`, which every reader then reads.
/// Views (a flatten, a reshape or a slice that moves no element) keep
/// their source's values and need none.
void QuantizePass::roundFloatTensors(mlir::func::FuncOp function) {
  mlir::OpBuilder builder(function.getContext());
  auto round = [&](mlir::Value value, const std::string &name, mlir::Location at) {
    auto range = qparams.tensors.find(name);
    if (range == qparams.tensors.end() || value.use_empty())
      return;
    cnnc::quantize::AffineU8 affine = cnnc::quantize::affineU8(range->second);
    auto loc = mlir::NameLoc::get(builder.getStringAttr(name + ".round"), at);
    auto rounded = builder.create<QuantizeOp>(loc, value, builder.getF64FloatAttr(affine.scale),
                                              builder.getI64IntegerAttr(affine.zeroPoint),
                                              builder.getUnitAttr());
    value.replaceAllUsesExcept(rounded.getResult(), rounded);
  };
  builder.setInsertionPointToStart(&function.getBody().front());
  for (mlir::BlockArgument argument : function.getArguments())
    round(argument, tensorName(argument), function.getLoc());
  llvm::SmallVector<mlir::Operation *> floats;
  function.walk([&](mlir::Operation *op) {
    if (op->getNumResults() != 1 || op->hasAttr("cnn.int8") ||
        llvm::isa<QuantizeOp, WeightOp, SliceOp>(op) ||
        (llvm::isa<FlattenOp, ReshapeOp>(op) && !op->hasAttr("cnn.relayout")) ||
        !llvm::isa<mlir::RankedTensorType>(op->getResult(0).getType()))
      return;
    floats.push_back(op);
  });
  for (mlir::Operation *op : floats) {
    builder.setInsertionPointAfter(op);
    round(op->getResult(0), layerName(op, ""), op->getLoc());
  }
}

} // namespace
} // namespace cnn
