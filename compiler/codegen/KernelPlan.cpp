//===- KernelPlan.cpp - from the optimised graph to kernel calls ----------===//

#include "codegen/KernelPlan.h"

#include "cnn/IR/CnnOps.h"
#include "cnn/IR/ShapeRules.h"
#include "cnn/Transforms/KernelDescription.h"
#include "cnn/Transforms/Layout.h"
#include "cnn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

namespace cnnc::codegen {

namespace {

constexpr int specVersion = 1;

std::vector<int64_t> shapeOf(mlir::Value value) {
  auto shape = llvm::cast<mlir::RankedTensorType>(value.getType()).getShape();
  return {shape.begin(), shape.end()};
}

uint64_t fnv1a(const std::string &text) {
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : text)
    hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

/// Where a tensor's bytes are: its root buffer (arena offset or model
/// input) and its first channel within the root's channels.
struct Placement {
  BufferRef::Kind kind = BufferRef::Arena;
  int index = 0;
  int64_t byteOffset = 0, channelOffset = 0, rootChannels = 0;
};

/// Channels innermost, then the other dimensions from the last to the
/// second, then the batch: [N, C, H, W] -> (c, x, y, n). Only the batch-
/// and-pixel strides depend on the root's channel count.
BufferRef describe(const Placement &place, const std::vector<int64_t> &shape) {
  BufferRef ref;
  ref.kind = place.kind;
  ref.index = place.index;
  ref.byteOffset = place.byteOffset + place.channelOffset * 4;
  std::vector<int64_t> order;
  if (shape.size() < 2) {
    order = {0};
  } else {
    order.push_back(1);
    for (int64_t d = int64_t(shape.size()) - 1; d >= 2; --d)
      order.push_back(d);
    order.push_back(0);
  }
  int64_t stride = 1;
  for (size_t i = 0; i < order.size(); ++i) {
    ref.extents.push_back(shape[order[i]]);
    ref.strides.push_back(stride);
    stride *= i == 0 && shape.size() >= 2 ? place.rootChannels : shape[order[i]];
  }
  return ref;
}

/// Where logical `axis` is among a buffer's dimensions: channels innermost,
/// then the trailing dimensions from the last, then the batch.
int64_t bufferDimension(int64_t rank, int64_t axis) {
  return rank < 2 ? 0 : axis == 0 ? rank - 1 : rank - axis;
}

/// A tensor of shape `shape` that is a view of the tensor `ref` describes,
/// its logical dimension d being that tensor's dimension `source[d]` (a
/// transpose that moves no data).
BufferRef permutedView(const BufferRef &ref, const std::vector<int64_t> &shape,
                       const std::vector<int64_t> &source) {
  int64_t rank = int64_t(shape.size());
  auto position = [&](int64_t axis) { // (c, x, y, ..., n), as describe() orders them
    return rank < 2 ? 0 : axis == 1 ? 0 : axis == 0 ? rank - 1 : rank - axis;
  };
  BufferRef view = ref;
  view.extents.assign(size_t(rank), 0);
  view.strides.assign(size_t(rank), 0);
  for (int64_t d = 0; d < rank; ++d) {
    view.extents[size_t(position(d))] = shape[size_t(d)];
    view.strides[size_t(position(d))] = ref.strides[size_t(position(source[size_t(d)]))];
  }
  return view;
}

/// A transpose that is all its model input is used for (TensorFlow's NHWC
/// image turned NCHW): the runtime writes the input straight into the
/// transposed tensor's layout, and no kernel runs.
bool transposesInput(cnn::TransposeOp transpose) {
  auto argument = llvm::dyn_cast<mlir::BlockArgument>(transpose.getInput());
  return argument && argument.hasOneUse();
}

/// A transpose that is the last op and only gives an output (NCHW back to
/// NHWC): the runtime reads the output from its operand's buffer, which no
/// later op can overwrite, and no kernel runs.
bool transposesOutput(cnn::TransposeOp transpose) {
  mlir::Operation *next = transpose->getNextNode();
  return transpose.getInput().getDefiningOp() && transpose.getInput().hasOneUse() &&
         transpose->hasOneUse() && next && llvm::isa<mlir::func::ReturnOp>(next) &&
         *transpose->getUsers().begin() == next;
}

/// A [N, C, H, W] tensor (channels innermost, each row's pixels adjacent)
/// as the [C * W, H, N] rows the int8 row-tap convolution reads.
BufferRef asRows(BufferRef ref) {
  ref.extents = {ref.extents[0] * ref.extents[1], ref.extents[2], ref.extents[3]};
  ref.strides = {1, ref.strides[2], ref.strides[3]};
  return ref;
}

/// A [N, K, H, W] tensor as the (k, pixel) matrix a GEMM reads.
BufferRef asMatrix(BufferRef ref) {
  int64_t rows = 1;
  for (size_t i = 1; i < ref.extents.size(); ++i)
    rows *= ref.extents[i];
  ref.extents = {ref.extents[0], rows};
  ref.strides = {1, ref.strides.size() > 1 ? ref.strides[1] : ref.extents[0]};
  return ref;
}

class PlanBuilder {
public:
  PlanBuilder(mlir::ModuleOp module, std::string target, std::string stamp)
      : module(module), stamp(std::move(stamp)) {
    plan.target = std::move(target);
  }

  mlir::FailureOr<Plan> build();

private:
  mlir::LogicalResult addParameters();
  mlir::LogicalResult addInit(mlir::func::FuncOp init);
  mlir::LogicalResult addStep(mlir::Operation &op);
  mlir::LogicalResult addConcat(cnn::ConcatOp concat);
  mlir::LogicalResult addConcatAlong(cnn::ConcatOp concat);
  mlir::LogicalResult addSlice(cnn::SliceOp slice);
  mlir::LogicalResult checkInterface(mlir::func::FuncOp model);

  Placement placementOf(mlir::Value value);
  BufferRef activation(mlir::Value value) { return describe(placementOf(value), shapeOf(value)); }
  BufferRef parameter(mlir::Value value, std::vector<int64_t> sourceShape = {},
                      std::vector<int64_t> permutation = {}, int winograd = 0,
                      PreparedParameter::Quantize quantize = PreparedParameter::None);
  BufferRef quantizedParameter(mlir::Value weight, PreparedParameter::Quantize kind,
                               mlir::Value bias, mlir::DictionaryAttr int8,
                               std::vector<int64_t> sourceShape = {},
                               std::vector<int64_t> permutation = {}, int64_t rowTaps = 0);
  mlir::LogicalResult addInt8Step(mlir::Operation &op, const std::string &keys,
                                  const std::string &schedule);
  void emitStep(mlir::Operation *op, const std::string &family, const std::string &keys,
                std::vector<BufferRef> arguments, const std::string &schedule = "");

  mlir::ModuleOp module;
  std::string stamp;
  Plan plan;
  std::map<std::string, int> parameterIndex;
  std::map<std::tuple<int, std::vector<int64_t>, int, int>, int> preparedIndex;
  std::map<std::string, size_t> kernelIndex;
};

mlir::FailureOr<Plan> PlanBuilder::build() {
  mlir::func::FuncOp model = cnn::modelFunction(module);
  if (!model)
    return module.emitError("code generation: the module has no model function"), mlir::failure();
  if (!cnn::channelsInnermost(module) || !module->hasAttr("cnn.arena_bytes"))
    return module.emitError("code generation needs the optimised graph (cnnc --emit=opt), "
                            "with the nhwc layout and a memory plan"),
           mlir::failure();
  if (mlir::failed(checkInterface(model)))
    return mlir::failure();
  plan.model = model.getSymName().str();
  plan.arenaBytes = module->getAttrOfType<mlir::IntegerAttr>("cnn.arena_bytes").getInt();
  if (mlir::failed(addParameters()))
    return mlir::failure();
  if (mlir::func::FuncOp init = cnn::initFunction(module))
    if (mlir::failed(addInit(init)))
      return mlir::failure();
  for (unsigned i = 0; i < model.getNumArguments(); ++i) {
    mlir::Value argument = model.getArgument(i);
    auto name = model.getArgAttrOfType<mlir::StringAttr>(i, "cnn.name");
    BufferRef buffer = activation(argument);
    if (argument.hasOneUse())
      if (auto transpose = llvm::dyn_cast<cnn::TransposeOp>(*argument.getUsers().begin());
          transpose && transposesInput(transpose)) {
        // Input dimension d is the transposed tensor's dimension p^-1(d).
        llvm::ArrayRef<int64_t> permutation = transpose.getPermutation();
        std::vector<int64_t> source(permutation.size());
        for (size_t r = 0; r < permutation.size(); ++r)
          source[size_t(permutation[r])] = int64_t(r);
        buffer = permutedView(activation(transpose.getResult()), shapeOf(argument), source);
      }
    plan.inputs.push_back({name ? name.str() : "input " + std::to_string(i), shapeOf(argument),
                           buffer});
  }
  for (mlir::Operation &op : model.getBody().front())
    if (mlir::failed(addStep(op)))
      return mlir::failure();
  return plan;
}

/// What the runtime can take and give: f32 tensors of rank 1 to 6 as inputs,
/// and outputs that are activations (a layer's result or an input), not a
/// parameter's data.
mlir::LogicalResult PlanBuilder::checkInterface(mlir::func::FuncOp model) {
  for (unsigned i = 0; i < model.getNumArguments(); ++i) {
    auto type = llvm::dyn_cast<mlir::RankedTensorType>(model.getArgument(i).getType());
    if (!type || !type.getElementType().isF32() || !type.hasStaticShape() ||
        type.getRank() < 1 || type.getRank() > 6)
      return model.emitError("code generation: input ")
             << i << " has type " << model.getArgument(i).getType()
             << "; a model's inputs must be statically shaped f32 tensors of rank 1 to 6";
  }
  for (mlir::Operation &op : model.getBody().front())
    if (auto ret = llvm::dyn_cast<mlir::func::ReturnOp>(op))
      for (unsigned i = 0; i < ret.getNumOperands(); ++i)
        if (auto weight = ret.getOperand(i).getDefiningOp<cnn::WeightOp>())
          return ret.emitError("code generation: output ")
                 << i << " is the parameter '" << weight.getName()
                 << "' itself; a model's outputs must be computed by its layers";
  return mlir::success();
}

mlir::LogicalResult PlanBuilder::addParameters() {
  for (auto parameter : module.getOps<cnn::ParameterOp>()) {
    parameterIndex[parameter.getSymName().str()] = int(plan.parameters.size());
    auto type = llvm::cast<mlir::RankedTensorType>(parameter.getType());
    plan.parameters.push_back({parameter.getSymName().str(),
                               {type.getShape().begin(), type.getShape().end()},
                               parameter.getComputed()});
  }
  return mlir::success();
}

mlir::LogicalResult PlanBuilder::addInit(mlir::func::FuncOp init) {
  llvm::DenseMap<mlir::Value, int> slot;
  // A transform writes straight into the computed parameter it is stored as.
  init.walk([&](cnn::StoreOp store) { slot[store.getValue()] = parameterIndex[store.getName().str()]; });
  auto slotOf = [&](mlir::Value value) { return value ? slot.lookup(value) : -1; };
  for (mlir::Operation &op : init.getBody().front()) {
    mlir::LogicalResult result =
        llvm::TypeSwitch<mlir::Operation *, mlir::LogicalResult>(&op)
            .Case([&](cnn::WeightOp weight) {
              slot[weight.getResult()] = parameterIndex[weight.getName().str()];
              return mlir::success();
            })
            .Case([&](cnn::FoldBatchNormOp fold) -> mlir::LogicalResult {
              if (!slot.count(fold.getFoldedWeight()) || !slot.count(fold.getFoldedBias()))
                return fold.emitError("code generation: a folded weight that init does not store");
              std::vector<int64_t> shape = shapeOf(fold.getWeight());
              int64_t perChannel = 1;
              for (size_t d = 1; d < shape.size(); ++d)
                perChannel *= shape[d];
              plan.init.push_back({"fold_batch_norm",
                                   {slotOf(fold.getWeight()), slotOf(fold.getScale()),
                                    slotOf(fold.getShift()), slotOf(fold.getMean()),
                                    slotOf(fold.getVariance()), slotOf(fold.getBias()),
                                    slotOf(fold.getFoldedWeight()), slotOf(fold.getFoldedBias())},
                                   {shape[0], perChannel},
                                   fold.getEpsilon().convertToDouble()});
              return mlir::success();
            })
            .Case([&](cnn::BatchNormAffineOp affine) -> mlir::LogicalResult {
              if (!slot.count(affine.getMultiplier()) || !slot.count(affine.getOffset()))
                return affine.emitError("code generation: an affine batch norm that init does "
                                        "not store");
              plan.init.push_back({"batch_norm_affine",
                                   {slotOf(affine.getScale()), slotOf(affine.getShift()),
                                    slotOf(affine.getMean()), slotOf(affine.getVariance()),
                                    slotOf(affine.getMultiplier()), slotOf(affine.getOffset())},
                                   {shapeOf(affine.getScale())[0]},
                                   affine.getEpsilon().convertToDouble()});
              return mlir::success();
            })
            .Case<cnn::StoreOp, mlir::func::ReturnOp>([](auto) { return mlir::success(); })
            .Default([](mlir::Operation *other) -> mlir::LogicalResult {
              return other->emitError("code generation: init cannot run '")
                     << other->getName() << "'";
            });
    if (mlir::failed(result))
      return mlir::failure();
  }
  return mlir::success();
}

Placement PlanBuilder::placementOf(mlir::Value value) {
  Placement place;
  if (auto argument = llvm::dyn_cast<mlir::BlockArgument>(value)) {
    place.kind = BufferRef::Input;
    place.index = int(argument.getArgNumber());
    place.rootChannels = shapeOf(value).size() > 1 ? shapeOf(value)[1] : 1;
    return place;
  }
  mlir::Operation *op = value.getDefiningOp();
  if (auto transpose = llvm::dyn_cast<cnn::TransposeOp>(op); transpose && transposesInput(transpose)) {
    place.kind = BufferRef::Input; // The input itself, in this tensor's layout.
    place.index = int(llvm::cast<mlir::BlockArgument>(transpose.getInput()).getArgNumber());
    place.rootChannels = shapeOf(value).size() > 1 ? shapeOf(value)[1] : 1;
    return place;
  }
  if (llvm::isa<cnn::FlattenOp, cnn::ReshapeOp>(op) && !op->hasAttr("cnn.offset"))
    return placementOf(op->getOperand(0)); // A view: same bytes, same channels.
  if (auto slice = llvm::dyn_cast<cnn::SliceOp>(op); slice && !op->hasAttr("cnn.offset")) {
    Placement whole = placementOf(slice.getInput()); // A view of some channels.
    whole.channelOffset += slice.getStart();
    return whole;
  }
  place.byteOffset = op->getAttrOfType<mlir::IntegerAttr>("cnn.offset").getInt();
  std::vector<int64_t> shape = shapeOf(value);
  place.rootChannels = shape.size() > 1 ? shape[1] : 1;
  if (auto offset = op->getAttrOfType<mlir::IntegerAttr>("cnn.channel_offset")) {
    place.channelOffset = offset.getInt();
    place.rootChannels = op->getAttrOfType<mlir::IntegerAttr>("cnn.root_channels").getInt();
  }
  return place;
}

BufferRef PlanBuilder::parameter(mlir::Value value, std::vector<int64_t> sourceShape,
                                 std::vector<int64_t> permutation, int winograd,
                                 PreparedParameter::Quantize quantize) {
  auto weight = value.getDefiningOp<cnn::WeightOp>();
  int index = parameterIndex.at(weight.getName().str());
  if (sourceShape.empty())
    sourceShape = shapeOf(value);
  auto key = std::make_tuple(index, permutation, winograd, int(quantize));
  auto it = preparedIndex.find(key);
  if (it == preparedIndex.end()) {
    it = preparedIndex.insert({key, int(plan.prepared.size())}).first;
    plan.prepared.push_back({index, sourceShape, permutation, winograd, quantize});
  }
  // The packed tensor is row-major over the permuted dimensions; Halide
  // wants innermost first.
  std::vector<int64_t> packed;
  for (size_t d = 0; d < sourceShape.size(); ++d)
    packed.push_back(permutation.empty() ? sourceShape[d] : sourceShape[permutation[d]]);
  BufferRef ref;
  ref.kind = BufferRef::Prepared;
  ref.index = it->second;
  if (quantize == PreparedParameter::Bf16)
    ref.type = BufferRef::BF16;
  int64_t stride = 1;
  for (size_t i = packed.size(); i-- > 0;) {
    ref.extents.push_back(packed[i]);
    ref.strides.push_back(stride);
    stride *= packed[i];
  }
  return ref;
}

/// An int8 kernel's weights (s8, viewed as `sourceShape` and permuted),
/// bias (s32) or scales (f32), each quantized from the float weight at load
/// with the kernel's input scale and zero point.
BufferRef PlanBuilder::quantizedParameter(mlir::Value weight, PreparedParameter::Quantize kind,
                                          mlir::Value bias, mlir::DictionaryAttr int8,
                                          std::vector<int64_t> sourceShape,
                                          std::vector<int64_t> permutation, int64_t rowTaps) {
  auto indexOf = [&](mlir::Value value) {
    return value ? parameterIndex.at(value.getDefiningOp<cnn::WeightOp>().getName().str()) : -1;
  };
  PreparedParameter prepared;
  prepared.parameter = indexOf(weight);
  prepared.quantize = kind;
  prepared.bias = indexOf(bias);
  prepared.inputScale = int8.getAs<mlir::FloatAttr>("input_scale").getValueAsDouble();
  prepared.inputZero = int8.getAs<mlir::IntegerAttr>("input_zero").getInt();
  BufferRef ref;
  ref.kind = BufferRef::Prepared;
  ref.index = int(plan.prepared.size());
  if (kind == PreparedParameter::Weights) {
    prepared.sourceShape = sourceShape;
    prepared.permutation = permutation;
    prepared.rowTaps = rowTaps;
    int64_t stride = 1;
    for (size_t i = permutation.size(); i-- > 0;) {
      ref.extents.push_back(sourceShape[permutation[i]]);
      ref.strides.push_back(stride);
      stride *= sourceShape[permutation[i]];
    }
    ref.type = BufferRef::S8;
  } else {
    ref.extents = {shapeOf(weight)[0]};
    ref.strides = {1};
    ref.type = kind == PreparedParameter::Bias ? BufferRef::S32 : BufferRef::F32;
  }
  plan.prepared.push_back(prepared);
  return ref;
}

/// An int8 convolution or GEMM (cnn.int8): u8 input, s8 weights with four
/// input channels innermost, s32 bias, f32 scales, [u8 residual], then a u8
/// or f32 output (tools/cnnc-kernelgen/Quantized.cpp).
mlir::LogicalResult PlanBuilder::addInt8Step(mlir::Operation &op, const std::string &keys,
                                             const std::string &schedule) {
  auto int8 = op.getAttrOfType<mlir::DictionaryAttr>("cnn.int8");
  bool u8 = int8.getAs<mlir::StringAttr>("output").getValue() == "u8";
  auto typed = [](BufferRef ref, BufferRef::Type type) {
    ref.type = type;
    return ref;
  };
  std::vector<BufferRef> arguments;
  mlir::Value weight = op.getOperand(1), bias, residual;
  std::vector<int64_t> w = shapeOf(weight), view, permutation;
  bool gemm = llvm::isa<cnn::GemmOp>(op);
  int64_t rowTaps = 0;
  int64_t groups = 1;
  if (auto conv = llvm::dyn_cast<cnn::FusedConv2DOp>(op)) {
    bias = conv.getBias();
    residual = conv.getResidual();
    groups = conv.getGroups();
  } else if (auto conv = llvm::dyn_cast<cnn::Conv2DOp>(op)) {
    bias = conv.getBias();
    groups = conv.getGroups();
  }
  if (!gemm) {
    if (groups > 1) { // [C, 1, kh, kw] -> (c, kx, ky)
      view = {w[0], w[2], w[3]};
      permutation = {1, 2, 0};
    } else if (w[1] % 4) { // rows of taps: [O, kh, J/4, 4] -> (4, o, J/4, ky)
      rowTaps = (w[1] * w[3] + 3) / 4 * 4;
      view = {w[0], w[2], rowTaps / 4, 4};
      permutation = {1, 2, 0, 3};
    } else { // [O, I/4, 4, kh, kw] -> (4, o, i/4, kx, ky)
      view = {w[0], w[1] / 4, 4, w[2], w[3]};
      permutation = {3, 4, 1, 0, 2};
    }
  } else {
    auto product = llvm::cast<cnn::GemmOp>(op);
    bias = product.getBias();
    residual = product.getResidual();
    view = {w[0], w[1] / 4, 4}; // [M, K/4, 4] -> (4, m, k/4)
    permutation = {1, 0, 2};
  }
  auto activationOf = [&](mlir::Value value, BufferRef::Type type) {
    return typed(gemm ? asMatrix(activation(value)) : activation(value), type);
  };
  BufferRef input = activationOf(op.getOperand(0), BufferRef::U8);
  if (rowTaps) {
    if (input.extents.size() != 4 || input.strides[1] != input.extents[0])
      return op.emitError("code generation: the int8 row-tap convolution reads its input's "
                          "rows whole, and this input's pixels are not adjacent");
    input = asRows(input);
  }
  arguments.push_back(input);
  arguments.push_back(quantizedParameter(weight, PreparedParameter::Weights, bias, int8, view,
                                         permutation, rowTaps));
  arguments.push_back(quantizedParameter(weight, PreparedParameter::Bias, bias, int8));
  arguments.push_back(quantizedParameter(weight, PreparedParameter::Scale, bias, int8));
  if (residual)
    arguments.push_back(activationOf(residual, BufferRef::U8));
  BufferRef output = activationOf(op.getResult(0), u8 ? BufferRef::U8 : BufferRef::F32);
  if (u8) {
    output.scale = int8.getAs<mlir::FloatAttr>("output_scale").getValueAsDouble();
    output.zero = int8.getAs<mlir::IntegerAttr>("output_zero").getInt();
  }
  arguments.push_back(output);
  emitStep(&op, gemm ? "gemm" : "conv", keys, std::move(arguments), schedule);
  return mlir::success();
}

void PlanBuilder::emitStep(mlir::Operation *op, const std::string &family,
                           const std::string &keys, std::vector<BufferRef> arguments,
                           const std::string &schedule) {
  std::string body = family + " " + keys + (schedule.empty() ? "" : " " + schedule);
  std::string symbol;
  auto it = kernelIndex.find(body);
  if (it != kernelIndex.end()) {
    symbol = plan.kernels[it->second].symbol;
  } else {
    std::string hash;
    llvm::raw_string_ostream(hash)
        << llvm::format_hex_no_prefix(fnv1a(std::to_string(specVersion) + "|" + plan.target +
                                            "|" + stamp + "|" + body),
                                      16);
    symbol = "cnnk_" + family + "_" + hash;
    kernelIndex[body] = plan.kernels.size();
    auto source = op->getAttrOfType<mlir::StringAttr>("cnn.schedule_source");
    plan.kernels.push_back({symbol, family, "kernel " + symbol + " " + body, family + " " + keys,
                            schedule, source ? source.str() : ""});
  }
  plan.steps.push_back({cnn::layerName(op, op->getName().getStringRef()), op->getName().stripDialect().str(), symbol,
                        std::move(arguments), cnn::multiplyAdds(op)});
}

mlir::LogicalResult PlanBuilder::addConcat(cnn::ConcatOp concat) {
  if (concat->hasAttr("cnn.in_place"))
    return mlir::success();
  if (concat.getAxis() != 1)
    return addConcatAlong(concat);
  // Copy each input that is not already in its slice.
  Placement target = placementOf(concat.getResult());
  for (mlir::Value input : concat.getInputs()) {
    Placement source = placementOf(input);
    std::vector<int64_t> shape = shapeOf(input);
    bool inPlace = source.kind == target.kind && source.byteOffset == target.byteOffset &&
                   source.channelOffset == target.channelOffset && source.kind == BufferRef::Arena;
    if (!inPlace) {
      cnn::KernelDescription copy{"copy", {}};
      copy.add("in", shape);
      copy.add("out", shape);
      emitStep(concat, "copy", copy.signature().substr(5),
               {describe(source, shape), describe(target, shape)});
    }
    target.channelOffset += shape[1];
  }
  return mlir::success();
}

/// A concat along another axis than channels: the memory plan places only
/// channel concats, so each input is copied into its block of the result,
/// a view with the result's strides, the input's extents and an offset
/// along the axis.
mlir::LogicalResult PlanBuilder::addConcatAlong(cnn::ConcatOp concat) {
  int64_t axis = concat.getAxis();
  std::vector<int64_t> outShape = shapeOf(concat.getResult());
  int64_t rank = int64_t(outShape.size());
  int64_t position = bufferDimension(rank, axis);
  BufferRef whole = activation(concat.getResult());
  int64_t offset = 0;
  for (mlir::Value input : concat.getInputs()) {
    std::vector<int64_t> shape = shapeOf(input);
    BufferRef source = activation(input);
    BufferRef block = whole;
    block.extents = source.extents;
    block.byteOffset += offset * whole.strides[position] * 4;
    cnn::KernelDescription copy{"copy", {}};
    copy.add("in", shape);
    copy.add("out", shape);
    emitStep(concat, "copy", copy.signature().substr(5), {source, block});
    offset += shape[axis];
  }
  return mlir::success();
}

/// A slice that is not a view (not along channels): a copy from a view of
/// its input with the input's strides, the slice's extents and an offset.
mlir::LogicalResult PlanBuilder::addSlice(cnn::SliceOp slice) {
  if (!slice->hasAttr("cnn.offset"))
    return mlir::success(); // A view.
  std::vector<int64_t> shape = shapeOf(slice.getResult());
  int64_t rank = int64_t(shape.size()), axis = slice.getAxis();
  int64_t position = bufferDimension(rank, axis);
  BufferRef source = activation(slice.getInput());
  BufferRef result = activation(slice.getResult());
  source.extents = result.extents;
  source.byteOffset += slice.getStart() * source.strides[position] * 4;
  cnn::KernelDescription copy{"copy", {}};
  copy.add("in", shape);
  copy.add("out", shape);
  emitStep(slice, "copy", copy.signature().substr(5), {source, result});
  return mlir::success();
}

mlir::LogicalResult PlanBuilder::addStep(mlir::Operation &op) {
  if (auto ret = llvm::dyn_cast<mlir::func::ReturnOp>(op)) {
    auto model = llvm::cast<mlir::func::FuncOp>(op.getParentOp());
    for (unsigned i = 0; i < ret.getNumOperands(); ++i) {
      auto name = model.getResultAttrOfType<mlir::StringAttr>(i, "cnn.name");
      mlir::Value value = ret.getOperand(i);
      BufferRef buffer = activation(value);
      if (auto transpose = value.getDefiningOp<cnn::TransposeOp>();
          transpose && transposesOutput(transpose)) {
        llvm::ArrayRef<int64_t> permutation = transpose.getPermutation();
        buffer = permutedView(activation(transpose.getInput()), shapeOf(value),
                              {permutation.begin(), permutation.end()});
      }
      plan.outputs.push_back({name ? name.str() : "output " + std::to_string(i),
                              shapeOf(value), buffer});
    }
    return mlir::success();
  }
  if (llvm::isa<cnn::WeightOp>(op))
    return mlir::success();
  if (auto concat = llvm::dyn_cast<cnn::ConcatOp>(op))
    return addConcat(concat);
  if (llvm::isa<cnn::FlattenOp, cnn::ReshapeOp>(op)) {
    if (!op.hasAttr("cnn.offset"))
      return mlir::success(); // A view.
    cnn::KernelDescription copy{"copy", {}};
    copy.add("in", shapeOf(op.getOperand(0)));
    copy.add("out", shapeOf(op.getResult(0)));
    emitStep(&op, "copy", copy.signature().substr(5),
             {activation(op.getOperand(0)), activation(op.getResult(0))});
    return mlir::success();
  }
  if (auto slice = llvm::dyn_cast<cnn::SliceOp>(op))
    return addSlice(slice);
  if (auto transpose = llvm::dyn_cast<cnn::TransposeOp>(op);
      transpose && (transposesInput(transpose) || transposesOutput(transpose)))
    return mlir::success(); // A view of the input or output buffer.
  std::optional<cnn::KernelDescription> kernel = cnn::describeKernel(&op);
  if (!kernel)
    return op.emitError("code generation: no kernel for '") << op.getName() << "'";
  std::string keys = kernel->signature().substr(kernel->family.size() + 1);
  // IR that did not go through cnn-schedule-kernels gets the heuristic's
  // AVX-512 schedule.
  auto schedule = op.getAttrOfType<mlir::DictionaryAttr>("cnn.schedule");
  if (!schedule && llvm::isa<cnn::Conv2DOp, cnn::FusedConv2DOp, cnn::GemmOp>(op))
    schedule = cnn::defaultSchedule(&op, 16);
  std::string scheduleText = schedule ? cnn::scheduleKeys(schedule) : "";
  auto scheduled = [&](llvm::StringRef key) -> int64_t {
    auto value = schedule ? schedule.getAs<mlir::IntegerAttr>(key) : nullptr;
    return value ? value.getInt() : 0;
  };

  if (op.hasAttr("cnn.int8"))
    return addInt8Step(op, keys, scheduleText);
  if (auto quantize = llvm::dyn_cast<cnn::QuantizeOp>(op)) {
    BufferRef output = activation(quantize.getResult());
    if (!quantize.getReal()) {
      output.type = BufferRef::U8;
      output.scale = quantize.getScale().convertToDouble();
      output.zero = quantize.getZeroPoint();
    }
    emitStep(&op, "quantize", keys, {activation(quantize.getInput()), output});
    return mlir::success();
  }
  std::vector<BufferRef> arguments;
  auto optionalParameter = [&](mlir::Value value) {
    if (value)
      arguments.push_back(parameter(value));
  };
  auto optionalActivation = [&](mlir::Value value, bool matrix) {
    if (value)
      arguments.push_back(matrix ? asMatrix(activation(value)) : activation(value));
  };
  // The schedule's wblock: weights packed per tile of that many output
  // channels, one contiguous panel each, for the cache-blocked kernels.
  int64_t block = scheduled("wblock");
  auto blockFits = [&](int64_t channels) {
    if (block <= 0 || channels % block == 0)
      return true;
    auto source = op.getAttrOfType<mlir::StringAttr>("cnn.schedule_source");
    op.emitError() << (source ? source.str() + ": the tuning database's" : "code generation:")
                   << " schedule wblock=" << block << " does not divide the " << channels
                   << " output channels";
    return false;
  };
  if (llvm::isa<cnn::Conv2DOp, cnn::FusedConv2DOp>(op)) {
    std::vector<int64_t> weight = shapeOf(op.getOperand(1));
    if (!blockFits(weight[0]))
      return mlir::failure();
    arguments.push_back(activation(op.getOperand(0)));
    // Winograd F(m x m, 3x3): the transformed weights are an (m+2) x (m+2)
    // window's, packed per block like the direct kernel's.
    int64_t tile = scheduled("winograd");
    if (tile) {
      if (block <= 0 || weight[2] != 3 || weight[3] != 3)
        return op.emitError("code generation: schedule winograd=")
               << tile << " needs a 3x3 kernel and a wblock";
      weight[2] = weight[3] = tile + 2;
    }
    if (op.hasAttr("cnn.bf16")) // [O, I/2, 2, kh, kw] -> (2, o, i/2, kx, ky), rounded to bf16
      arguments.push_back(parameter(op.getOperand(1),
                                    {weight[0], weight[1] / 2, 2, weight[2], weight[3]},
                                    {3, 4, 1, 0, 2}, 0, PreparedParameter::Bf16));
    else if (block > 0) // [O/T, T, I, kh, kw] -> [O/T, kh, kw, I, T]
      arguments.push_back(parameter(op.getOperand(1),
                                    {weight[0] / block, block, weight[1], weight[2], weight[3]},
                                    {0, 3, 4, 2, 1}, int(tile)));
    else // OIHW -> HWIO
      arguments.push_back(parameter(op.getOperand(1), {}, {2, 3, 1, 0}));
    if (auto conv = llvm::dyn_cast<cnn::Conv2DOp>(op)) {
      optionalParameter(conv.getBias());
    } else {
      auto fused = llvm::cast<cnn::FusedConv2DOp>(op);
      optionalParameter(fused.getBias());
      optionalActivation(fused.getResidual(), false);
      optionalParameter(fused.getInputMultiplier());
      optionalParameter(fused.getInputOffset());
    }
    arguments.push_back(activation(op.getResult(0)));
  } else if (auto gemm = llvm::dyn_cast<cnn::GemmOp>(op)) {
    std::vector<int64_t> weight = shapeOf(gemm.getWeight());
    if (!blockFits(weight[0]))
      return mlir::failure();
    arguments.push_back(asMatrix(activation(gemm.getInput())));
    if (op.hasAttr("cnn.bf16")) // [N, K/2, 2] -> (2, n, k/2), rounded to bf16
      arguments.push_back(parameter(gemm.getWeight(), {weight[0], weight[1] / 2, 2}, {1, 0, 2},
                                    0, PreparedParameter::Bf16));
    else if (block > 0) // [N/T, T, K] -> [N/T, K, T]
      arguments.push_back(
          parameter(gemm.getWeight(), {weight[0] / block, block, weight[1]}, {0, 2, 1}));
    else // -> IO
      arguments.push_back(parameter(gemm.getWeight(), {weight[0], weight[1]}, {1, 0}));
    optionalParameter(gemm.getBias());
    optionalActivation(gemm.getResidual(), true);
    optionalParameter(gemm.getInputMultiplier());
    optionalParameter(gemm.getInputOffset());
    arguments.push_back(asMatrix(activation(gemm.getResult())));
  } else if (auto conv = llvm::dyn_cast<cnn::ConvTranspose2DOp>(op)) {
    arguments.push_back(activation(conv.getInput()));
    arguments.push_back(parameter(conv.getWeight(), {}, {2, 3, 0, 1})); // IOHW -> HWIO
    optionalParameter(conv.getBias());
    arguments.push_back(activation(conv.getResult()));
  } else if (llvm::isa<cnn::AddOp, cnn::MulOp, cnn::SubOp, cnn::DivOp, cnn::MaxOp, cnn::MinOp,
                       cnn::MatmulOp>(op)) {
    // A learned tensor (ConvNeXt's layer scale) is read as an activation
    // is: packed at load in the activation order (channels innermost), its
    // rank raised to the result's with leading 1s.
    std::vector<int64_t> out = shapeOf(op.getResult(0));
    std::vector<int64_t> toActivationOrder{0};
    for (size_t d = 2; d < out.size(); ++d)
      toActivationOrder.push_back(int64_t(d));
    if (out.size() >= 2)
      toActivationOrder.push_back(1);
    for (mlir::Value operand : op.getOperands()) {
      std::vector<int64_t> shape = shapeOf(operand);
      if (operand.getDefiningOp<cnn::WeightOp>()) {
        auto aligned = cnn::alignedRank(shape, out.size());
        arguments.push_back(parameter(operand, {aligned.begin(), aligned.end()},
                                      toActivationOrder));
      } else if (shape.size() != out.size()) {
        return op.emitError("code generation: '")
               << op.getName() << "' broadcasts a computed tensor of rank " << shape.size()
               << " to rank " << out.size() << "; only learned tensors may have a lower rank";
      } else {
        arguments.push_back(activation(operand));
      }
    }
    arguments.push_back(activation(op.getResult(0)));
  } else {
    // Every other kernel reads its operands in order: activations as they
    // are placed, parameters (batch norm statistics) as they are.
    for (mlir::Value operand : op.getOperands())
      arguments.push_back(operand.getDefiningOp<cnn::WeightOp>() ? parameter(operand)
                                                                  : activation(operand));
    arguments.push_back(activation(op.getResult(0)));
  }
  emitStep(&op, kernel->family, keys, std::move(arguments), scheduleText);
  return mlir::success();
}

void printShape(std::ostream &os, const std::vector<int64_t> &values) {
  for (size_t i = 0; i < values.size(); ++i)
    os << (i ? "x" : "") << values[i];
}

void printBuffer(std::ostream &os, const BufferRef &ref, const Plan &plan) {
  switch (ref.kind) {
  case BufferRef::Arena: os << "arena+" << ref.byteOffset; break;
  case BufferRef::Input: os << "input" << ref.index; break;
  case BufferRef::Prepared: {
    const PreparedParameter &prepared = plan.prepared[ref.index];
    os << "@" << plan.parameters[prepared.parameter].name;
    static const char *quantized[] = {"", "{s8 weights}", "{s32 bias}", "{scales}",
                                      "{bf16 weights}"};
    os << quantized[prepared.quantize];
    if (prepared.winograd)
      os << "{winograd " << prepared.winograd << "}";
    if (!prepared.permutation.empty()) {
      os << "{perm ";
      printShape(os, prepared.permutation);
      os << "}";
    }
    break;
  }
  }
  static const char *types[] = {"", " u8", " s8", " s32", " bf16"};
  os << types[ref.type] << "[";
  printShape(os, ref.extents);
  os << " / ";
  printShape(os, ref.strides);
  os << "]";
}

} // namespace

std::string firstTargetFeature(const std::string &target,
                               std::initializer_list<llvm::StringRef> features) {
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(target).split(parts, '-');
  for (llvm::StringRef part : parts)
    if (llvm::is_contained(features, part))
      return part.str();
  return "";
}

std::string deviceApi(const std::string &halideTarget) {
  return firstTargetFeature(halideTarget, {"cuda", "opencl"});
}

mlir::FailureOr<Plan> buildPlan(mlir::ModuleOp module, const std::string &target,
                                const std::string &generatorStamp) {
  return PlanBuilder(module, target, generatorStamp).build();
}

void printKernelSpec(const Plan &plan, std::ostream &os) {
  // The model's name is the user's; a comment line ends at a newline, so
  // control characters never reach the spec (the verifier refuses them too).
  std::string model = plan.model;
  for (char &c : model)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = '?';
  os << "# cnnc kernel spec: model " << model << ", " << plan.kernels.size()
     << " distinct kernels\n";
  os << "version " << specVersion << "\n";
  os << "target " << plan.target << "\n";
  for (const KernelLine &kernel : plan.kernels)
    os << kernel.text << "\n";
}

void printPlan(const Plan &plan, std::ostream &os) {
  printKernelSpec(plan, os);
  os << "\n# arena " << plan.arenaBytes << " bytes; buffers are [extents / strides], "
        "innermost first\n";
  for (const ModelIo &input : plan.inputs) {
    os << "input '" << input.name << "' ";
    printShape(os, input.shape);
    os << "\n";
  }
  for (const InitCall &call : plan.init) {
    os << "init " << call.function;
    for (int p : call.parameters)
      os << " " << (p < 0 ? std::string("-") : "@" + plan.parameters[p].name);
    os << "\n";
  }
  for (const Step &step : plan.steps) {
    os << "call " << step.symbol << " (" << step.layer << ", " << step.op << ")";
    for (const BufferRef &argument : step.arguments) {
      os << " ";
      printBuffer(os, argument, plan);
    }
    os << "\n";
  }
  for (const ModelIo &output : plan.outputs) {
    os << "output '" << output.name << "' ";
    printBuffer(os, output.buffer, plan);
    os << "\n";
  }
}

} // namespace cnnc::codegen
