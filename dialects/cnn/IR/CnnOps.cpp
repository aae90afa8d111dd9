//===- CnnOps.cpp - result type inference and verifiers of cnn ops --------===//
//
// Each op's inferReturnTypes reads operand shapes and attributes through its
// adaptor and defers to the matching rule in ShapeRules.cpp. The same function
// serves the builders and the verifier (InferTypeOpInterface checks a printed
// result type against it), so a rule is never stated twice.
//
//===----------------------------------------------------------------------===//

#include "cnn/IR/CnnOps.h"
#include "cnn/IR/ShapeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace cnn;

#include "cnn/IR/CnnEnums.cpp.inc"

namespace {

/// The static shape of `value` when it is a ranked tensor (of `rank` when
/// given). Anything else is left to the operand type constraints, which report
/// it with a better message.
std::optional<ShapeRef> shapeOf(Value value, int64_t rank = -1) {
  auto type = value ? llvm::dyn_cast<RankedTensorType>(value.getType())
                    : RankedTensorType();
  if (!type || !type.hasStaticShape() || (rank >= 0 && type.getRank() != rank))
    return std::nullopt;
  return type.getShape();
}

template <size_t N>
std::optional<std::array<int64_t, N>> arrayOf(llvm::ArrayRef<int64_t> values) {
  if (values.size() != N)
    return std::nullopt;
  std::array<int64_t, N> result;
  std::copy(values.begin(), values.end(), result.begin());
  return result;
}

std::optional<WindowGeometry> geometryOf(llvm::ArrayRef<int64_t> stride,
                                         llvm::ArrayRef<int64_t> pad,
                                         llvm::ArrayRef<int64_t> dilation) {
  auto s = arrayOf<2>(stride), d = arrayOf<2>(dilation);
  auto p = arrayOf<4>(pad);
  if (!s || !d || !p)
    return std::nullopt;
  return WindowGeometry{*s, *p, *d};
}

/// Appends the tensor type of a successful rule, or reports its failure the
/// way an op verifier would ("'cnn.conv2d' op ...").
LogicalResult deliver(StringRef opName, std::optional<Location> location,
                      MLIRContext *context, const ShapeOrError &rule,
                      SmallVectorImpl<Type> &types) {
  if (!rule)
    return emitOptionalError(location, "'", opName, "' op ", rule.getError());
  types.push_back(
      RankedTensorType::get(rule.getShape(), Float32Type::get(context)));
  return success();
}

/// Operands or attributes so malformed that the rule cannot be asked; the
/// invariant checks that run alongside report the precise problem.
LogicalResult malformed(StringRef opName, std::optional<Location> location) {
  return emitOptionalError(location, "'", opName,
                           "' op has operands or attributes of the wrong kind");
}

} // namespace

#define CNN_RULE(Op, ...)                                                      \
  deliver(Op::getOperationName(), location, context, __VA_ARGS__,             \
          inferredReturnTypes)
#define CNN_MALFORMED(Op) malformed(Op::getOperationName(), location)

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verifySymbolUses(SymbolTableCollection &symbols) {
  auto parameter =
      symbols.lookupNearestSymbolFrom<ParameterOp>(*this, getNameAttr());
  if (!parameter)
    return emitOpError("refers to '") << getName()
                                      << "', which is not a cnn.parameter";
  if (parameter.getType() != getResult().getType())
    return emitOpError("has type ")
           << getResult().getType() << " but parameter '" << getName()
           << "' is declared as " << parameter.getType();
  return success();
}

LogicalResult StoreOp::verifySymbolUses(SymbolTableCollection &symbols) {
  auto parameter =
      symbols.lookupNearestSymbolFrom<ParameterOp>(*this, getNameAttr());
  if (!parameter)
    return emitOpError("refers to '") << getName()
                                      << "', which is not a cnn.parameter";
  if (!parameter.getComputed())
    return emitOpError("stores into '")
           << getName() << "', which is read from the weights file, not computed";
  if (parameter.getType() != getValue().getType())
    return emitOpError("stores ")
           << getValue().getType() << " into '" << getName() << "', declared as "
           << parameter.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Convolutions and dense
//===----------------------------------------------------------------------===//

/// Operand shapes and geometry of conv2d and conv_transpose2d, when well
/// formed.
struct ConvOperands {
  ShapeRef input, weight;
  std::optional<ShapeRef> bias;
  WindowGeometry geometry;
  int64_t groups;
};

template <typename Adaptor>
static std::optional<ConvOperands> readConvOperands(Adaptor adaptor) {
  auto input = shapeOf(adaptor.getInput(), 4);
  auto weight = shapeOf(adaptor.getWeight(), 4);
  auto bias = shapeOf(adaptor.getBias(), 1);
  auto geometry = geometryOf(adaptor.getStride(), adaptor.getPad(),
                             adaptor.getDilation());
  int64_t groups = adaptor.getGroups();
  if (!input || !weight || (adaptor.getBias() && !bias) || !geometry || groups < 1)
    return std::nullopt;
  return ConvOperands{*input, *weight, bias, *geometry, groups};
}

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferredReturnTypes) {
  auto conv = readConvOperands(adaptor);
  if (!conv)
    return CNN_MALFORMED(Conv2DOp);
  return CNN_RULE(Conv2DOp, inferConv2D(conv->input, conv->weight, conv->bias,
                                        conv->geometry, conv->groups));
}

LogicalResult ConvTranspose2DOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto conv = readConvOperands(adaptor);
  auto outputPad = arrayOf<2>(adaptor.getOutputPad());
  if (!conv || !outputPad)
    return CNN_MALFORMED(ConvTranspose2DOp);
  return CNN_RULE(ConvTranspose2DOp,
                  inferConvTranspose2D(conv->input, conv->weight, conv->bias,
                                       conv->geometry, *outputPad, conv->groups));
}

/// The input prologue's multiplier and offset, when present, have one value
/// per input channel.
template <typename Adaptor>
static std::optional<std::string> prologueError(Adaptor adaptor, int64_t channels) {
  for (Value v : {adaptor.getInputMultiplier(), adaptor.getInputOffset()}) {
    auto shape = shapeOf(v, 1);
    if (v && (!shape || (*shape)[0] != channels))
      return llvm::formatv("input prologue needs {0} values (one per input channel)",
                           channels)
          .str();
  }
  return std::nullopt;
}

LogicalResult FusedConv2DOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto conv = readConvOperands(adaptor);
  auto residual = shapeOf(adaptor.getResidual(), 4);
  if (!conv || (adaptor.getResidual() && !residual))
    return CNN_MALFORMED(FusedConv2DOp);
  if (auto error = prologueError(adaptor, conv->input[1]))
    return CNN_RULE(FusedConv2DOp, ShapeOrError::error(*error));
  return CNN_RULE(FusedConv2DOp,
                  checkResidual(inferConv2D(conv->input, conv->weight, conv->bias,
                                            conv->geometry, conv->groups),
                                residual));
}

LogicalResult BatchNormAffineOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto scale = shapeOf(adaptor.getScale(), 1);
  SmallVector<ShapeRef, 4> statistics;
  for (Value value : {adaptor.getScale(), adaptor.getShift(), adaptor.getMean(),
                      adaptor.getVariance()}) {
    auto shape = shapeOf(value, 1);
    if (!shape)
      return CNN_MALFORMED(BatchNormAffineOp);
    statistics.push_back(*shape);
  }
  // The rule is batch norm's, on a tensor of `scale`'s channel count.
  Shape channelsOnly{1, (*scale)[0]};
  ShapeOrError rule = inferBatchNorm(channelsOnly, statistics);
  if (!rule)
    return CNN_RULE(BatchNormAffineOp, rule);
  // Multiplier and offset: one value per channel each.
  (void)CNN_RULE(BatchNormAffineOp, Shape(*scale));
  return CNN_RULE(BatchNormAffineOp, Shape(*scale));
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location, Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput());
  auto weight = shapeOf(adaptor.getWeight());
  auto bias = shapeOf(adaptor.getBias(), 1);
  auto residual = shapeOf(adaptor.getResidual());
  if (!input || !weight || (adaptor.getBias() && !bias) ||
      (adaptor.getResidual() && !residual))
    return CNN_MALFORMED(GemmOp);
  if (input->size() >= 2)
    if (auto error = prologueError(adaptor, (*input)[1]))
      return CNN_RULE(GemmOp, ShapeOrError::error(*error));
  return CNN_RULE(GemmOp, checkResidual(inferGemm(*input, *weight, bias), residual));
}

LogicalResult FusedConv2DOp::verify() {
  if (getActivation() == Activation::clip &&
      getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError("has min (") << getMin().convertToDouble()
                                    << ") greater than max ("
                                    << getMax().convertToDouble() << ")";
  return success();
}

LogicalResult QuantizeOp::verify() {
  double scale = getScale().convertToDouble();
  if (!std::isfinite(scale) || scale <= 0)
    return emitOpError("has scale ") << scale << "; it must be positive and finite";
  if (getZeroPoint() < 0 || getZeroPoint() > 255)
    return emitOpError("has zero_point ") << getZeroPoint() << "; a u8 zero point is 0 to 255";
  return success();
}

LogicalResult FoldBatchNormOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto weight = shapeOf(adaptor.getWeight());
  auto bias = shapeOf(adaptor.getBias(), 1);
  SmallVector<ShapeRef, 4> statistics;
  for (Value value : {adaptor.getScale(), adaptor.getShift(), adaptor.getMean(),
                      adaptor.getVariance()}) {
    auto shape = shapeOf(value, 1);
    if (!shape)
      return CNN_MALFORMED(FoldBatchNormOp);
    statistics.push_back(*shape);
  }
  if (!weight || (adaptor.getBias() && !bias))
    return CNN_MALFORMED(FoldBatchNormOp);
  ShapeOrError rule = inferFoldBatchNorm(*weight, statistics, bias);
  if (!rule)
    return deliver(FoldBatchNormOp::getOperationName(), location, context, rule,
                   inferredReturnTypes);
  inferredReturnTypes.push_back(adaptor.getWeight().getType());
  return deliver(FoldBatchNormOp::getOperationName(), location, context, rule,
                 inferredReturnTypes);
}

LogicalResult DenseOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput());
  auto weight = shapeOf(adaptor.getWeight(), 2);
  auto bias = shapeOf(adaptor.getBias(), 1);
  if (!input || !weight || (adaptor.getBias() && !bias))
    return CNN_MALFORMED(DenseOp);
  return CNN_RULE(DenseOp, inferDense(*input, *weight, bias));
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferredReturnTypes) {
  auto lhs = shapeOf(adaptor.getLhs()), rhs = shapeOf(adaptor.getRhs());
  if (!lhs || !rhs)
    return CNN_MALFORMED(MatmulOp);
  return CNN_RULE(MatmulOp, inferMatmul(*lhs, *rhs));
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput());
  SmallVector<ShapeRef, 4> statistics;
  for (Value value : {adaptor.getScale(), adaptor.getShift(), adaptor.getMean(),
                      adaptor.getVariance()}) {
    auto shape = shapeOf(value, 1);
    if (!shape)
      return CNN_MALFORMED(BatchNormOp);
    statistics.push_back(*shape);
  }
  if (!input)
    return CNN_MALFORMED(BatchNormOp);
  return CNN_RULE(BatchNormOp, inferBatchNorm(*input, statistics));
}

LogicalResult LrnOp::inferReturnTypes(MLIRContext *context,
                                      std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput(), 4);
  if (!input)
    return CNN_MALFORMED(LrnOp);
  return CNN_RULE(LrnOp, Shape(*input));
}

//===----------------------------------------------------------------------===//
// Element-wise (the same-type ops get their inference from ODS)
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::verify() {
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError("has min (") << getMin().convertToDouble()
                                    << ") greater than max ("
                                    << getMax().convertToDouble() << ")";
  return success();
}

/// mul, sub and div broadcast alike.
#define CNN_BROADCAST_RULE(Op)                                                 \
  LogicalResult Op::inferReturnTypes(MLIRContext *context,                     \
                                     std::optional<Location> location,         \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferredReturnTypes) { \
    auto lhs = shapeOf(adaptor.getLhs()), rhs = shapeOf(adaptor.getRhs());     \
    if (!lhs || !rhs)                                                          \
      return CNN_MALFORMED(Op);                                                \
    return CNN_RULE(Op, inferBroadcast(*lhs, *rhs));                           \
  }
CNN_BROADCAST_RULE(MulOp)
CNN_BROADCAST_RULE(SubOp)
CNN_BROADCAST_RULE(DivOp)
CNN_BROADCAST_RULE(MaxOp)
CNN_BROADCAST_RULE(MinOp)
#undef CNN_BROADCAST_RULE

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

template <typename Op, typename Adaptor>
static LogicalResult inferWindowPool(MLIRContext *context,
                                     std::optional<Location> location,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput(), 4);
  auto window = arrayOf<2>(adaptor.getWindow());
  auto geometry = geometryOf(adaptor.getStride(), adaptor.getPad(), {1, 1});
  if (!input || !window || !geometry)
    return CNN_MALFORMED(Op);
  return CNN_RULE(Op, inferPool2D(*input, *window, *geometry,
                                  adaptor.getCeilMode()));
}

LogicalResult MaxPool2DOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  return inferWindowPool<MaxPool2DOp>(context, location, adaptor,
                                      inferredReturnTypes);
}

LogicalResult AvgPool2DOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  return inferWindowPool<AvgPool2DOp>(context, location, adaptor,
                                      inferredReturnTypes);
}

#define CNN_GLOBAL_POOL_INFERENCE(Op)                                          \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *context, std::optional<Location> location,                  \
      Adaptor adaptor, SmallVectorImpl<Type> &inferredReturnTypes) {           \
    auto input = shapeOf(adaptor.getInput(), 4);                               \
    if (!input)                                                                \
      return CNN_MALFORMED(Op);                                                \
    if (auto error = prologueError(adaptor, (*input)[1]))                      \
      return CNN_RULE(Op, ShapeOrError::error(*error));                        \
    return CNN_RULE(Op, inferGlobalPool2D(*input));                            \
  }
CNN_GLOBAL_POOL_INFERENCE(GlobalAvgPool2DOp)
CNN_GLOBAL_POOL_INFERENCE(GlobalMaxPool2DOp)
#undef CNN_GLOBAL_POOL_INFERENCE

#define CNN_ADAPTIVE_POOL_INFERENCE(Op)                                        \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *context, std::optional<Location> location,                  \
      Adaptor adaptor, SmallVectorImpl<Type> &inferredReturnTypes) {           \
    auto input = shapeOf(adaptor.getInput(), 4);                               \
    auto size = arrayOf<2>(adaptor.getOutputSize());                           \
    if (!input || !size)                                                       \
      return CNN_MALFORMED(Op);                                                \
    if (auto error = prologueError(adaptor, (*input)[1]))                      \
      return CNN_RULE(Op, ShapeOrError::error(*error));                        \
    return CNN_RULE(Op, inferAdaptivePool2D(*input, *size));                   \
  }
CNN_ADAPTIVE_POOL_INFERENCE(AdaptiveAvgPool2DOp)
CNN_ADAPTIVE_POOL_INFERENCE(AdaptiveMaxPool2DOp)
#undef CNN_ADAPTIVE_POOL_INFERENCE

LogicalResult RoiPoolOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput(), 4);
  auto rois = shapeOf(adaptor.getRois(), 2);
  auto size = arrayOf<2>(adaptor.getOutputSize());
  if (!input || !rois || !size)
    return CNN_MALFORMED(RoiPoolOp);
  return CNN_RULE(RoiPoolOp, inferRoiPool(*input, *rois, *size));
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  SmallVector<ShapeRef> inputs;
  for (Value value : adaptor.getInputs()) {
    auto shape = shapeOf(value);
    if (!shape)
      return CNN_MALFORMED(ConcatOp);
    inputs.push_back(*shape);
  }
  return CNN_RULE(ConcatOp, inferConcat(inputs, adaptor.getAxis()));
}

LogicalResult SliceOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput());
  if (!input)
    return CNN_MALFORMED(SliceOp);
  return CNN_RULE(SliceOp, inferSlice(*input, adaptor.getAxis(), adaptor.getStart(),
                                      adaptor.getSize()));
}

LogicalResult ReduceOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput());
  if (!input)
    return CNN_MALFORMED(ReduceOp);
  return CNN_RULE(ReduceOp, inferReduce(*input, adaptor.getAxes()));
}

LogicalResult TransposeOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput());
  if (!input)
    return CNN_MALFORMED(TransposeOp);
  return CNN_RULE(TransposeOp, inferTranspose(*input, adaptor.getPermutation()));
}

LogicalResult LayerNormOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput());
  auto scale = shapeOf(adaptor.getScale()), shift = shapeOf(adaptor.getShift());
  if (!input || !scale || !shift)
    return CNN_MALFORMED(LayerNormOp);
  return CNN_RULE(LayerNormOp, inferLayerNorm(*input, *scale, *shift));
}

LogicalResult ChannelShuffleOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput());
  if (!input)
    return CNN_MALFORMED(ChannelShuffleOp);
  return CNN_RULE(ChannelShuffleOp, inferChannelShuffle(*input, adaptor.getGroups()));
}

LogicalResult FlattenOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput());
  if (!input)
    return CNN_MALFORMED(FlattenOp);
  return CNN_RULE(FlattenOp, inferFlatten(*input, adaptor.getStartDim()));
}

LogicalResult ReshapeOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput());
  if (!input)
    return CNN_MALFORMED(ReshapeOp);
  return CNN_RULE(ReshapeOp, inferReshape(*input, adaptor.getShape()));
}

LogicalResult SoftmaxOp::verify() {
  ShapeOrError rule =
      inferAlongAxis(getInput().getType().getShape(), getAxis());
  if (!rule)
    return emitOpError(rule.getError());
  return success();
}

LogicalResult UpsampleOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto input = shapeOf(adaptor.getInput(), 4);
  auto size = arrayOf<2>(adaptor.getSize());
  if (!input || !size)
    return CNN_MALFORMED(UpsampleOp);
  return CNN_RULE(UpsampleOp, inferUpsample(*input, *size));
}

LogicalResult ParameterOp::verify() {
  return verifyExposedName(*this, "parameter name", getSymName());
}

LogicalResult UpsampleOp::verify() {
  if (getAlignCorners() && getMode() != UpsampleMode::bilinear)
    return emitOpError("align_corners applies only to bilinear upsampling");
  return success();
}

namespace cnn {
std::string layerName(mlir::Operation *op, llvm::StringRef fallback) {
  if (auto name = llvm::dyn_cast<mlir::NameLoc>(op->getLoc()))
    return name.getName().str();
  return fallback.str();
}

mlir::func::FuncOp modelFunction(mlir::ModuleOp module) {
  if (auto name = module->getAttrOfType<mlir::StringAttr>("cnn.model"))
    if (auto model = module.lookupSymbol<mlir::func::FuncOp>(name))
      return model;
  // IR written by hand: the one function that is not the init function.
  mlir::func::FuncOp found;
  for (auto function : module.getOps<mlir::func::FuncOp>())
    if (function.getName() != "init")
      found = function;
  return found;
}


std::optional<ActivationInfo> activationOf(mlir::Operation *op) {
  ActivationInfo info;
  if (llvm::isa<ReluOp>(op))
    info.kind = Activation::relu;
  else if (auto clip = llvm::dyn_cast<ClipOp>(op)) {
    info.kind = Activation::clip;
    info.min = clip.getMin().convertToDouble();
    info.max = clip.getMax().convertToDouble();
  } else if (auto leaky = llvm::dyn_cast<LeakyReluOp>(op)) {
    info.kind = Activation::leaky_relu;
    info.alpha = leaky.getAlpha().convertToDouble();
  } else if (llvm::isa<SigmoidOp>(op))
    info.kind = Activation::sigmoid;
  else if (llvm::isa<TanhOp>(op))
    info.kind = Activation::tanh;
  else if (llvm::isa<SiluOp>(op))
    info.kind = Activation::silu;
  else if (llvm::isa<HardswishOp>(op))
    info.kind = Activation::hardswish;
  else if (llvm::isa<HardsigmoidOp>(op))
    info.kind = Activation::hardsigmoid;
  else if (llvm::isa<GeluOp>(op))
    info.kind = Activation::gelu;
  else if (auto elu = llvm::dyn_cast<EluOp>(op)) {
    info.kind = Activation::elu;
    info.alpha = elu.getAlpha().convertToDouble();
  } else if (llvm::isa<SeluOp>(op))
    info.kind = Activation::selu;
  else if (llvm::isa<SoftplusOp>(op))
    info.kind = Activation::softplus;
  else if (llvm::isa<MishOp>(op))
    info.kind = Activation::mish;
  else if (llvm::isa<AbsOp>(op))
    info.kind = Activation::abs;
  else if (llvm::isa<ExpOp>(op))
    info.kind = Activation::exp;
  else if (llvm::isa<LogOp>(op))
    info.kind = Activation::log;
  else if (llvm::isa<SqrtOp>(op))
    info.kind = Activation::sqrt;
  else
    return std::nullopt;
  return info;
}

mlir::func::FuncOp initFunction(mlir::ModuleOp module) {
  return module.lookupSymbol<mlir::func::FuncOp>("init");
}
} // namespace cnn

#define GET_OP_CLASSES
#include "cnn/IR/CnnOps.cpp.inc"
