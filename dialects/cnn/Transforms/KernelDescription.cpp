//===- KernelDescription.cpp - kernel ops as spec lines -------------------===//

#include "cnn/Transforms/KernelDescription.h"

#include "cnn/IR/CnnOps.h"
#include "cnn/IR/ShapeRules.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace cnn {

namespace {
llvm::ArrayRef<int64_t> shapeOf(mlir::Value value) {
  return llvm::cast<mlir::RankedTensorType>(value.getType()).getShape();
}

template <typename Op> void addPrologue(KernelDescription &kernel, Op op) {
  kernel.add("affine", op.getInputMultiplier() ? 1 : 0);
  if (op.getInputMultiplier())
    kernel.add("pact", stringifyActivation(op.getInputActivation()));
}

/// An int8 kernel's numbers (cnn.int8, from the cnn-quantize pass): what
/// its input, residual and output are on the u8 grid. The bias is always
/// there: it carries the input zero point's correction.
void addInt8(KernelDescription &kernel, mlir::Operation *op) {
  auto int8 = op->getAttrOfType<mlir::DictionaryAttr>("cnn.int8");
  auto real = [&](llvm::StringRef key) {
    return int8.getAs<mlir::FloatAttr>(key).getValueAsDouble();
  };
  auto integer = [&](llvm::StringRef key) { return int8.getAs<mlir::IntegerAttr>(key).getInt(); };
  kernel.add("precision", "int8");
  kernel.add("in_zero", integer("input_zero"));
  llvm::StringRef output = int8.getAs<mlir::StringAttr>("output").getValue();
  kernel.add("out_type", output);
  if (output == "u8") {
    kernel.addReal("out_scale", real("output_scale"));
    kernel.add("out_zero", integer("output_zero"));
  }
  if (int8.get("residual_scale")) {
    kernel.addReal("res_scale", real("residual_scale"));
    kernel.add("res_zero", integer("residual_zero"));
  }
  // A QDQ model's grids (cnn-quantize): the fused sum's first term, and
  // an f32 output, rounded to u8 steps.
  if (int8.get("addend_scale")) {
    kernel.addReal("add_scale", real("addend_scale"));
    kernel.add("add_zero", integer("addend_zero"));
  }
  if (int8.get("grid_scale")) {
    kernel.addReal("grid_scale", real("grid_scale"));
    kernel.add("grid_zero", integer("grid_zero"));
  }
}

/// A bf16 kernel (cnn.bf16, from the cnn-bf16 pass) says only its precision.
void addPrecision(KernelDescription &kernel, mlir::Operation *op) {
  if (op->hasAttr("cnn.int8"))
    addInt8(kernel, op);
  else if (op->hasAttr("cnn.bf16"))
    kernel.add("precision", "bf16");
}

template <typename Op> void addEpilogue(KernelDescription &kernel, Op op) {
  bool int8 = op->hasAttr("cnn.int8");
  kernel.add("bias", op.getBias() || int8 ? 1 : 0);
  kernel.add("residual", op.getResidual() ? 1 : 0);
  addPrologue(kernel, op);
  kernel.add("act", stringifyActivation(op.getActivation()));
  if (op.getActivation() == Activation::leaky_relu || op.getActivation() == Activation::elu)
    kernel.addReal("alpha", op.getAlpha().convertToDouble());
  if (op.getActivation() == Activation::clip) {
    kernel.addReal("min", op.getMin().convertToDouble());
    kernel.addReal("max", op.getMax().convertToDouble());
  }
  addPrecision(kernel, op);
}

template <typename Op> void addConvGeometry(KernelDescription &kernel, Op op) {
  auto weight = shapeOf(op.getWeight());
  kernel.add("in", shapeOf(op.getInput()));
  kernel.add("out", shapeOf(op.getResult()));
  kernel.add("kernel", llvm::ArrayRef<int64_t>{weight[2], weight[3]});
  kernel.add("stride", op.getStride());
  kernel.add("dilation", op.getDilation());
  kernel.add("pad", op.getPad());
  kernel.add("groups", op.getGroups());
}

KernelDescription unary(mlir::Operation *op, const ActivationInfo &activation) {
  KernelDescription kernel{"unary", {}};
  kernel.add("shape", shapeOf(op->getResult(0)));
  kernel.add("act", stringifyActivation(activation.kind));
  kernel.addReal("alpha", activation.alpha);
  kernel.addReal("min", activation.min);
  kernel.addReal("max", activation.max);
  return kernel;
}
} // namespace

void KernelDescription::add(llvm::StringRef key, llvm::ArrayRef<int64_t> values) {
  std::string text;
  for (size_t i = 0; i < values.size(); ++i)
    text += (i ? "," : "") + std::to_string(values[i]);
  add(key, text);
}

void KernelDescription::addReal(llvm::StringRef key, double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.9g", value);
  add(key, text);
}

std::string KernelDescription::signature() const {
  std::string text = family;
  for (const auto &[key, value] : keys)
    text += " " + key + "=" + value;
  return text;
}

std::optional<KernelDescription> describeKernel(mlir::Operation *op) {
  using Result = std::optional<KernelDescription>;
  return llvm::TypeSwitch<mlir::Operation *, Result>(op)
      .Case([](Conv2DOp conv) -> Result {
        KernelDescription kernel{"conv", {}};
        addConvGeometry(kernel, conv);
        bool int8 = conv->hasAttr("cnn.int8");
        kernel.add("bias", conv.getBias() || int8 ? 1 : 0);
        kernel.add("residual", 0);
        kernel.add("affine", 0);
        kernel.add("act", "none");
        addPrecision(kernel, conv);
        return kernel;
      })
      .Case([](FusedConv2DOp conv) -> Result {
        KernelDescription kernel{"conv", {}};
        addConvGeometry(kernel, conv);
        addEpilogue(kernel, conv);
        return kernel;
      })
      .Case([](GemmOp gemm) -> Result {
        // Pixels (and images) are the rows; channels-innermost makes a 1x1
        // convolution's input exactly a [pixels, K] matrix.
        auto in = shapeOf(gemm.getInput());
        int64_t rows = 1;
        for (size_t d = 0; d < in.size(); ++d)
          rows *= d == 1 ? 1 : in[d];
        KernelDescription kernel{"gemm", {}};
        kernel.add("m", rows);
        kernel.add("k", in[1]);
        kernel.add("n", shapeOf(gemm.getWeight())[0]);
        addEpilogue(kernel, gemm);
        return kernel;
      })
      .Case([](QuantizeOp quantize) -> Result {
        KernelDescription kernel{"quantize", {}};
        kernel.add("shape", shapeOf(quantize.getResult()));
        kernel.addReal("scale", quantize.getScale().convertToDouble());
        kernel.add("zero", quantize.getZeroPoint());
        if (quantize.getReal())
          kernel.add("real", 1);
        return kernel;
      })
      .Case([](ConvTranspose2DOp conv) -> Result {
        KernelDescription kernel{"conv_transpose", {}};
        addConvGeometry(kernel, conv);
        kernel.add("bias", conv.getBias() ? 1 : 0);
        return kernel;
      })
      .Case<MaxPool2DOp, AvgPool2DOp>([](auto pool) -> Result {
        KernelDescription kernel{"pool", {}};
        kernel.add("in", shapeOf(pool.getInput()));
        kernel.add("out", shapeOf(pool.getResult()));
        kernel.add("kernel", pool.getWindow());
        kernel.add("stride", pool.getStride());
        kernel.add("pad", pool.getPad());
        bool isMax = std::is_same_v<decltype(pool), MaxPool2DOp>;
        kernel.add("kind", isMax ? "max" : "avg");
        if constexpr (std::is_same_v<decltype(pool), AvgPool2DOp>)
          kernel.add("include_pad", pool.getCountIncludePad() ? 1 : 0);
        return kernel;
      })
      .Case<GlobalAvgPool2DOp, GlobalMaxPool2DOp, AdaptiveAvgPool2DOp, AdaptiveMaxPool2DOp>(
          [](auto pool) -> Result {
            KernelDescription kernel{"adaptive_pool", {}};
            kernel.add("in", shapeOf(pool.getInput()));
            kernel.add("out", shapeOf(pool.getResult()));
            bool isMax = llvm::isa<GlobalMaxPool2DOp, AdaptiveMaxPool2DOp>(pool);
            kernel.add("kind", isMax ? "max" : "avg");
            // Keys only for a prologue, so that plain pools keep their lines.
            if (pool.getInputMultiplier())
              addPrologue(kernel, pool);
            return kernel;
          })
      .Case([](RoiPoolOp pool) -> Result {
        KernelDescription kernel{"roi_pool", {}};
        kernel.add("in", shapeOf(pool.getInput()));
        kernel.add("out", shapeOf(pool.getResult()));
        kernel.addReal("scale", pool.getSpatialScale().convertToDouble());
        return kernel;
      })
      .Case<AddOp, MulOp, SubOp, DivOp, MaxOp, MinOp>([](mlir::Operation *binary) -> Result {
        KernelDescription kernel{"binary", {}};
        kernel.add("op", llvm::TypeSwitch<mlir::Operation *, const char *>(binary)
                             .Case([](AddOp) { return "add"; })
                             .Case([](MulOp) { return "mul"; })
                             .Case([](SubOp) { return "sub"; })
                             .Case([](MaxOp) { return "max"; })
                             .Case([](MinOp) { return "min"; })
                             .Default([](mlir::Operation *) { return "div"; }));
        // Operands of a lower rank broadcast with leading 1s (NumPy).
        auto out = shapeOf(binary->getResult(0));
        kernel.add("a", alignedRank(shapeOf(binary->getOperand(0)), out.size()));
        kernel.add("b", alignedRank(shapeOf(binary->getOperand(1)), out.size()));
        kernel.add("out", out);
        return kernel;
      })
      .Case([](MatmulOp matmul) -> Result {
        KernelDescription kernel{"matmul", {}};
        kernel.add("a", shapeOf(matmul.getLhs()));
        kernel.add("b", shapeOf(matmul.getRhs()));
        return kernel;
      })
      .Case([](ReduceOp reduce) -> Result {
        KernelDescription kernel{"reduce", {}};
        kernel.add("in", shapeOf(reduce.getInput()));
        kernel.add("axes", reduce.getAxes());
        kernel.add("kind", stringifyReduceKind(reduce.getKind()));
        return kernel;
      })
      .Case([](TransposeOp transpose) -> Result {
        KernelDescription kernel{"transpose", {}};
        kernel.add("in", shapeOf(transpose.getInput()));
        kernel.add("permutation", transpose.getPermutation());
        return kernel;
      })
      .Case([](LayerNormOp norm) -> Result {
        KernelDescription kernel{"layer_norm", {}};
        kernel.add("shape", shapeOf(norm.getInput()));
        kernel.addReal("epsilon", norm.getEpsilon().convertToDouble());
        return kernel;
      })
      .Case([](ScaleShiftOp op) -> Result {
        KernelDescription kernel = unary(op, ActivationInfo{});
        kernel.addReal("scale", op.getScale().convertToDouble());
        kernel.addReal("shift", op.getShift().convertToDouble());
        return kernel;
      })
      .Case([](ChannelShuffleOp shuffle) -> Result {
        KernelDescription kernel{"channel_shuffle", {}};
        kernel.add("shape", shapeOf(shuffle.getInput()));
        kernel.add("groups", shuffle.getGroups());
        return kernel;
      })
      .Case([](BatchNormOp norm) -> Result {
        KernelDescription kernel{"affine", {}};
        kernel.add("shape", shapeOf(norm.getInput()));
        kernel.addReal("epsilon", norm.getEpsilon().convertToDouble());
        return kernel;
      })
      .Case([](LrnOp lrn) -> Result {
        KernelDescription kernel{"lrn", {}};
        kernel.add("shape", shapeOf(lrn.getInput()));
        kernel.add("size", lrn.getSize());
        kernel.addReal("alpha", lrn.getAlpha().convertToDouble());
        kernel.addReal("beta", lrn.getBeta().convertToDouble());
        kernel.addReal("k", lrn.getK().convertToDouble());
        return kernel;
      })
      .Case([](SoftmaxOp softmax) -> Result {
        KernelDescription kernel{"softmax", {}};
        kernel.add("shape", shapeOf(softmax.getInput()));
        kernel.add("axis", softmax.getAxis());
        if (softmax.getLog())
          kernel.add("log", 1);
        return kernel;
      })
      .Case([](UpsampleOp upsample) -> Result {
        KernelDescription kernel{"upsample", {}};
        kernel.add("in", shapeOf(upsample.getInput()));
        kernel.add("out", shapeOf(upsample.getResult()));
        kernel.add("mode", stringifyUpsampleMode(upsample.getMode()));
        kernel.add("align_corners", upsample.getAlignCorners() ? 1 : 0);
        return kernel;
      })
      .Default([](mlir::Operation *other) -> Result {
        if (auto activation = activationOf(other))
          return unary(other, *activation);
        return std::nullopt;
      });
}

int64_t multiplyAdds(mlir::Operation *op) {
  auto outputs = [&] {
    return llvm::cast<mlir::RankedTensorType>(op->getResult(0).getType()).getNumElements();
  };
  if (llvm::isa<Conv2DOp, FusedConv2DOp>(op)) {
    auto weight = shapeOf(op->getOperand(1));
    return outputs() * weight[1] * weight[2] * weight[3];
  }
  if (auto gemm = llvm::dyn_cast<GemmOp>(op))
    return outputs() * shapeOf(gemm.getWeight())[1];
  if (auto matmul = llvm::dyn_cast<MatmulOp>(op))
    return outputs() * shapeOf(matmul.getLhs()).back();
  if (auto conv = llvm::dyn_cast<ConvTranspose2DOp>(op)) {
    auto weight = shapeOf(conv.getWeight());
    return llvm::cast<mlir::RankedTensorType>(conv.getInput().getType()).getNumElements() *
           weight[1] * weight[2] * weight[3];
  }
  return 0;
}

std::string scheduleKeys(mlir::DictionaryAttr schedule) {
  std::string text;
  llvm::raw_string_ostream os(text);
  bool first = true;
  for (mlir::NamedAttribute entry : schedule) {
    os << (first ? "" : " ") << entry.getName().getValue() << "=";
    if (auto integer = llvm::dyn_cast<mlir::IntegerAttr>(entry.getValue()))
      os << integer.getInt();
    else if (auto word = llvm::dyn_cast<mlir::StringAttr>(entry.getValue()))
      os << word.getValue();
    first = false;
  }
  return text;
}

} // namespace cnn
