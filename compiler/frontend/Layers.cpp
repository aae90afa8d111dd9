//===- Layers.cpp - the built-in layers: one cnn op each ------------------===//
//
// Each layer checks its operands with the op's shape rule before building,
// so a mistake is reported against the .cnn line with the layer's name, and
// declares its parameters under PyTorch's names (weight, bias, running_mean,
// running_var). `cbr`-style sugar is left to user blocks: fusion belongs to
// the compiler and stays visible in the IR.
//
//===----------------------------------------------------------------------===//

#include "frontend/Elaborator.h"

#include "cnn/IR/CnnOps.h"
#include "cnn/IR/ShapeRules.h"

namespace cnnc::detail {
namespace {

using Args = BoundArguments;

llvm::ArrayRef<int64_t> shapeOf(mlir::Value value) {
  return llvm::cast<mlir::RankedTensorType>(value.getType()).getShape();
}

/// Reports a broken shape rule in the layer's words.
void check(Elaborator &e, const Args &args, const std::string &layer,
           const cnn::ShapeOrError &rule) {
  if (!rule)
    e.fail(args.location, args.callee + " '" + layer + "': " + rule.getError());
}

mlir::DenseI64ArrayAttr ints(Elaborator &e, llvm::ArrayRef<int64_t> values) {
  return e.getBuilder().getDenseI64ArrayAttr(values);
}

/// The `shape` argument: a non-empty list of positive integers.
std::vector<int64_t> shapeArg(Elaborator &e, const Args &args) {
  const Value &shapeValue = args.values.at("shape");
  auto shape = shapeValue.getDimensions();
  if (!shape)
    e.fail(e.argLocation(args, "shape"), "argument 'shape' of '" + args.callee +
                                             "' must be a list of positive integers, found " +
                                             shapeValue.str());
  return *shape;
}

/// Padding: an integer, [height, width], [top, left, bottom, right], or
/// `same` (half the dilated kernel on each side, as torchvision pads).
std::array<int64_t, 4> padding(Elaborator &e, const Args &args,
                               std::array<int64_t, 2> kernel,
                               std::array<int64_t, 2> dilation) {
  const Value &value = args.values.at("pad");
  if (value.is(Value::Kind::String)) {
    if (value.getString() != "same")
      e.fail(e.argLocation(args, "pad"), "padding '" + value.getString() +
                                             "' is unknown (use same, an integer, "
                                             "or a list of 2 or 4 integers)");
    int64_t h = (kernel[0] - 1) / 2 * dilation[0], w = (kernel[1] - 1) / 2 * dilation[1];
    return {h, w, h, w};
  }
  if (value.is(Value::Kind::List) && value.getList().size() == 4) {
    std::vector<int64_t> four = e.intsArg(args, "pad", 4, 0);
    return {four[0], four[1], four[2], four[3]};
  }
  std::vector<int64_t> two = e.intsArg(args, "pad", 2, 0);
  return {two[0], two[1], two[0], two[1]};
}

std::array<int64_t, 2> pairOf(const std::vector<int64_t> &v) { return {v[0], v[1]}; }

/// The arguments conv and conv_t share.
struct ConvArguments {
  mlir::Value x;
  int64_t channels;
  std::array<int64_t, 2> kernel;
  cnn::WindowGeometry geometry;
  int64_t groups;
  bool hasBias;
};

ConvArguments readConvArguments(Elaborator &e, const Args &args) {
  ConvArguments c;
  c.x = e.tensorArg(args, "x", 4);
  c.channels = e.intArg(args, "c", 1);
  c.kernel = pairOf(e.intsArg(args, "k", 2, 1));
  c.geometry.stride = pairOf(e.intsArg(args, "s", 2, 1));
  c.geometry.dilation = pairOf(e.intsArg(args, "dilation", 2, 1));
  c.geometry.pad = padding(e, args, c.kernel, c.geometry.dilation);
  c.groups = e.intArg(args, "groups", 1);
  c.hasBias = e.boolArg(args, "bias");
  return c;
}

Value conv(Elaborator &e, Args &args) {
  auto [x, channels, kernel, geometry, groups, hasBias] = readConvArguments(e, args);
  std::string name = e.nameLayer(args, "conv");

  llvm::SmallVector<int64_t, 4> weightShape{channels, shapeOf(x)[1] / groups,
                                            kernel[0], kernel[1]};
  if (shapeOf(x)[1] % groups != 0 || channels % groups != 0)
    check(e, args, name, cnn::inferConv2D(shapeOf(x), weightShape, std::nullopt,
                                          geometry, groups));
  llvm::SmallVector<int64_t, 1> biasShape{channels};
  check(e, args, name, cnn::inferConv2D(shapeOf(x), weightShape,
                                        hasBias ? std::optional<cnn::ShapeRef>(biasShape)
                                                : std::nullopt,
                                        geometry, groups));
  mlir::Value weight = e.parameter(args, name, "weight", weightShape);
  mlir::Value bias = hasBias ? e.parameter(args, name, "bias", biasShape) : mlir::Value();
  auto &b = e.getBuilder();
  return Value::tensor(cnn::Conv2DOp::create(
      b, e.locate(*args.call, name), x, weight, bias, ints(e, geometry.stride),
      ints(e, geometry.pad), ints(e, geometry.dilation), b.getI64IntegerAttr(groups)));
}

Value convTranspose(Elaborator &e, Args &args) {
  auto [x, channels, kernel, geometry, groups, hasBias] = readConvArguments(e, args);
  auto outputPad = pairOf(e.intsArg(args, "output_pad", 2, 0));
  std::string name = e.nameLayer(args, "conv_t");
  if (channels % groups != 0)
    e.fail(args.location, "conv_t '" + name + "': output channels (" +
                              std::to_string(channels) + ") are not divisible by groups (" +
                              std::to_string(groups) + ")");
  llvm::SmallVector<int64_t, 4> weightShape{shapeOf(x)[1], channels / groups,
                                            kernel[0], kernel[1]};
  llvm::SmallVector<int64_t, 1> biasShape{channels};
  check(e, args, name, cnn::inferConvTranspose2D(shapeOf(x), weightShape, std::nullopt,
                                                 geometry, outputPad, groups));
  mlir::Value weight = e.parameter(args, name, "weight", weightShape);
  mlir::Value bias = hasBias ? e.parameter(args, name, "bias", biasShape) : mlir::Value();
  auto &b = e.getBuilder();
  return Value::tensor(cnn::ConvTranspose2DOp::create(
      b, e.locate(*args.call, name), x, weight, bias, ints(e, geometry.stride),
      ints(e, geometry.pad), ints(e, outputPad), ints(e, geometry.dilation),
      b.getI64IntegerAttr(groups)));
}

/// `build` applied over dimension `axis` of `x`. The cnn ops that mix or
/// normalise features do so over dimension 1 (the channels); over another
/// dimension the op sits between two transposes that bring that dimension
/// to 1 and back, which cnn-sink-transposes cancels where it can.
template <typename Build>
mlir::Value overAxis(Elaborator &e, const Args &args, const std::string &name, mlir::Value x,
                     int64_t axis, Build build) {
  int64_t rank = int64_t(shapeOf(x).size());
  if (axis == 1)
    return build(x);
  llvm::SmallVector<int64_t> there{0, axis}, back(rank);
  for (int64_t d = 1; d < rank; ++d)
    if (d != axis)
      there.push_back(d);
  for (int64_t i = 0; i < rank; ++i)
    back[there[i]] = i;
  auto &b = e.getBuilder();
  mlir::Location location = e.locate(*args.call, name);
  mlir::Value moved = cnn::TransposeOp::create(b, location, x, ints(e, there));
  return cnn::TransposeOp::create(b, location, build(moved), ints(e, back));
}

/// A dimension given as `value`, negative counting from the end as in
/// PyTorch (-1 is the last of `rank`); the shape rules check the upper end.
int64_t fromEnd(Elaborator &e, const Args &args, const std::string &argName, int64_t value,
                int64_t rank) {
  if (value < -rank)
    e.fail(e.argLocation(args, argName), args.callee + ": " + argName + " " +
                                             std::to_string(value) + " is out of range for rank " +
                                             std::to_string(rank));
  return value < 0 ? value + rank : value;
}

/// The axis argument of a layer over one dimension; negative counts from
/// the end, as in PyTorch.
int64_t axisOf(Elaborator &e, const Args &args, mlir::Value x, int64_t given) {
  int64_t rank = int64_t(shapeOf(x).size());
  if (given < -rank || given >= rank || given == 0 || given == -rank)
    e.fail(e.argLocation(args, "axis"), args.callee + ": axis " + std::to_string(given) +
                                            " is not a feature dimension of a rank-" +
                                            std::to_string(rank) +
                                            " tensor (1 to " + std::to_string(rank - 1) + ")");
  return given < 0 ? given + rank : given;
}

/// nn.Linear: over the last dimension of a [N, ..., K] tensor.
Value dense(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  int64_t rank = int64_t(shapeOf(x).size());
  if (rank < 2)
    e.fail(e.argLocation(args, "x"), "dense: the input " + cnn::formatShape(shapeOf(x)) +
                                         " has no dimension but the batch");
  int64_t features = e.intArg(args, "n", 1);
  bool hasBias = e.boolArg(args, "bias");
  std::string name = e.nameLayer(args, "dense");
  int64_t axis = rank - 1;
  mlir::Value weight = e.parameter(args, name, "weight", {features, shapeOf(x)[axis]});
  mlir::Value bias = hasBias ? e.parameter(args, name, "bias", {features}) : mlir::Value();
  return Value::tensor(overAxis(e, args, name, x, axis, [&](mlir::Value input) {
    return cnn::DenseOp::create(e.getBuilder(), e.locate(*args.call, name), input, weight,
                                bias)
        .getResult();
  }));
}

/// nn.LayerNorm over the last dimension by default; axis=1 is ConvNeXt's
/// LayerNorm2d (over channels).
Value layerNorm(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  if (shapeOf(x).size() < 2)
    e.fail(e.argLocation(args, "x"), "layer_norm: the input " +
                                         cnn::formatShape(shapeOf(x)) +
                                         " has no dimension but the batch");
  int64_t axis = axisOf(e, args, x, e.intArg(args, "axis", INT64_MIN));
  double epsilon = e.numberArg(args, "eps");
  std::string name = e.nameLayer(args, "layer_norm");
  if (epsilon <= 0)
    e.fail(e.argLocation(args, "eps"), "layer_norm '" + name + "': eps must be positive");
  int64_t features = shapeOf(x)[axis];
  mlir::Value scale = e.parameter(args, name, "weight", {features});
  mlir::Value shift = e.parameter(args, name, "bias", {features});
  return Value::tensor(overAxis(e, args, name, x, axis, [&](mlir::Value input) {
    return cnn::LayerNormOp::create(e.getBuilder(), e.locate(*args.call, name), input, scale,
                                    shift, e.getBuilder().getF64FloatAttr(epsilon))
        .getResult();
  }));
}

/// torch.permute: result dimension i is dimension dims[i] of x.
Value permute(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  size_t rank = shapeOf(x).size();
  std::vector<int64_t> dims = e.intsArg(args, "dims", rank, INT64_MIN);
  for (int64_t &dim : dims)
    dim = fromEnd(e, args, "dims", dim, int64_t(rank));
  std::string name = e.nameLayer(args, "permute"); // torchvision's Permute module
  check(e, args, name, cnn::inferTranspose(shapeOf(x), dims));
  return Value::tensor(cnn::TransposeOp::create(e.getBuilder(), e.locate(*args.call, name), x,
                                                ints(e, dims)));
}

/// A learned tensor of its own, named by `as` exactly (ConvNeXt's
/// `layer_scale`), as an nn.Parameter is.
Value learned(Elaborator &e, Args &args) {
  std::vector<int64_t> shape = shapeArg(e, args);
  // Weights files match parameters by name; a generated one matches
  // nothing a training framework wrote.
  if (args.call && args.call->layerName.empty())
    e.warn(args.location, "learned(...) without 'as NAME' gets a generated name, which no "
                          "weights file will have: name it as its framework does");
  std::string name = e.nameLayer(args, "learned", /*consumesIndex=*/false);
  return Value::tensor(e.parameter(args, name, "", shape));
}

/// torchvision's StochasticDepth: the identity at inference. It takes a
/// position inside a sequential block, as the module does.
Value stochasticDepth(Elaborator &e, Args &args) {
  e.tensorArg(args, "x");
  double rate = e.numberArg(args, "p");
  std::string name = e.nameLayer(args, "stochastic_depth");
  if (rate < 0 || rate > 1)
    e.fail(e.argLocation(args, "p"), "stochastic_depth '" + name + "': p must be in [0, 1]");
  return args.values.at("x");
}

Value batchNorm(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  double epsilon = e.numberArg(args, "eps");
  std::string name = e.nameLayer(args, "bn");
  if (shapeOf(x).size() < 2)
    e.fail(args.location, "bn '" + name + "': input " + cnn::formatShape(shapeOf(x)) +
                              " has no channel dimension");
  if (epsilon <= 0)
    e.fail(e.argLocation(args, "eps"), "bn '" + name + "': eps must be positive");
  int64_t channels = shapeOf(x)[1];
  mlir::Value scale = e.parameter(args, name, "weight", {channels});
  mlir::Value shift = e.parameter(args, name, "bias", {channels});
  mlir::Value mean = e.parameter(args, name, "running_mean", {channels});
  mlir::Value variance = e.parameter(args, name, "running_var", {channels});
  return Value::tensor(cnn::BatchNormOp::create(
      e.getBuilder(), e.locate(*args.call, name), x, scale, shift, mean, variance,
      e.getBuilder().getF64FloatAttr(epsilon)));
}

Value lrn(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x", 4);
  int64_t size = e.intArg(args, "size", 1);
  auto &b = e.getBuilder();
  std::string name = e.nameLayer(args, "lrn");
  return Value::tensor(cnn::LrnOp::create(
      b, e.locate(*args.call, name), x, b.getI64IntegerAttr(size),
      b.getF64FloatAttr(e.numberArg(args, "alpha")),
      b.getF64FloatAttr(e.numberArg(args, "beta")),
      b.getF64FloatAttr(e.numberArg(args, "k"))));
}

/// An element-wise activation with no attributes.
template <typename Op> Value activation(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  std::string name = e.nameLayer(args, args.callee);
  return Value::tensor(Op::create(e.getBuilder(), e.locate(*args.call, name), x));
}

Value clip(Elaborator &e, Args &args, double low, double high) {
  mlir::Value x = e.tensorArg(args, "x");
  std::string name = e.nameLayer(args, args.callee);
  if (low > high)
    e.fail(args.location, "clip '" + name + "': min is greater than max");
  auto &b = e.getBuilder();
  return Value::tensor(cnn::ClipOp::create(b, e.locate(*args.call, name), x,
                                           b.getF64FloatAttr(low), b.getF64FloatAttr(high)));
}

/// An activation with a slope or scale `alpha`: leaky ReLU, ELU.
template <typename Op> Value activationWithAlpha(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  std::string name = e.nameLayer(args, args.callee);
  auto &b = e.getBuilder();
  return Value::tensor(Op::create(b, e.locate(*args.call, name), x,
                                  b.getF64FloatAttr(e.numberArg(args, "alpha"))));
}

Value dropout(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  double rate = e.numberArg(args, "p");
  std::string name = e.nameLayer(args, "dropout");
  if (rate < 0 || rate >= 1)
    e.fail(e.argLocation(args, "p"), "dropout '" + name + "': p must be in [0, 1)");
  auto &b = e.getBuilder();
  return Value::tensor(cnn::DropoutOp::create(b, e.locate(*args.call, name), x,
                                              b.getF64FloatAttr(rate)));
}

/// max_pool2d and avg_pool2d; the stride defaults to the window (PyTorch).
template <typename Op> Value pool(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x", 4);
  auto window = pairOf(e.intsArg(args, "k", 2, 1));
  cnn::WindowGeometry geometry;
  geometry.stride = e.isNone(args, "s") ? window : pairOf(e.intsArg(args, "s", 2, 1));
  geometry.pad = padding(e, args, window, {1, 1});
  bool ceil = e.boolArg(args, "ceil");
  std::string name = e.nameLayer(args, args.callee);
  check(e, args, name, cnn::inferPool2D(shapeOf(x), window, geometry, ceil));
  auto &b = e.getBuilder();
  mlir::UnitAttr ceilAttr = ceil ? b.getUnitAttr() : nullptr;
  if constexpr (std::is_same_v<Op, cnn::AvgPool2DOp>) {
    mlir::UnitAttr countPad = e.boolArg(args, "count_pad") ? b.getUnitAttr() : nullptr;
    return Value::tensor(Op::create(b, e.locate(*args.call, name), x, ints(e, window),
                                    ints(e, geometry.stride), ints(e, geometry.pad),
                                    ceilAttr, countPad));
  } else {
    return Value::tensor(Op::create(b, e.locate(*args.call, name), x, ints(e, window),
                                    ints(e, geometry.stride), ints(e, geometry.pad),
                                    ceilAttr));
  }
}

template <typename Op> Value globalPool(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x", 4);
  std::string name = e.nameLayer(args, args.callee);
  return Value::tensor(Op::create(e.getBuilder(), e.locate(*args.call, name), x));
}

template <typename Op> Value adaptivePool(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x", 4);
  auto size = e.intsArg(args, "size", 2, 1);
  std::string name = e.nameLayer(args, args.callee);
  check(e, args, name, cnn::inferAdaptivePool2D(shapeOf(x), {size[0], size[1]}));
  return Value::tensor(Op::create(e.getBuilder(), e.locate(*args.call, name), x,
                                  ints(e, size)));
}

Value roiPool(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x", 4);
  mlir::Value rois = e.tensorArg(args, "rois", 2);
  auto size = pairOf(e.intsArg(args, "size", 2, 1));
  double scale = e.numberArg(args, "scale");
  std::string name = e.nameLayer(args, "roi_pool");
  if (scale <= 0)
    e.fail(e.argLocation(args, "scale"), "roi_pool '" + name + "': scale must be positive");
  check(e, args, name, cnn::inferRoiPool(shapeOf(x), shapeOf(rois), size));
  auto &b = e.getBuilder();
  return Value::tensor(cnn::RoiPoolOp::create(b, e.locate(*args.call, name), x, rois,
                                              ints(e, size), b.getF64FloatAttr(scale)));
}

Value upsample(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x", 4);
  std::string mode = e.stringArg(args, "mode");
  bool alignCorners = e.boolArg(args, "align_corners");
  std::string name = e.nameLayer(args, "upsample");
  std::vector<int64_t> size;
  if (e.isNone(args, "size") == e.isNone(args, "scale"))
    e.fail(args.location, "upsample '" + name + "': give exactly one of size and scale");
  if (!e.isNone(args, "size")) {
    size = e.intsArg(args, "size", 2, 1);
  } else {
    auto scale = e.intsArg(args, "scale", 2, 1);
    size = {0, 0};
    if (__builtin_mul_overflow(shapeOf(x)[2], scale[0], &size[0]) ||
        __builtin_mul_overflow(shapeOf(x)[3], scale[1], &size[1]))
      e.fail(e.argLocation(args, "scale"), "upsample '" + name + "': the scale is too large");
  }
  auto parsed = cnn::symbolizeUpsampleMode(mode);
  if (!parsed)
    e.fail(e.argLocation(args, "mode"), "upsample '" + name + "': mode '" + mode +
                                            "' is unknown (nearest or bilinear)");
  if (alignCorners && *parsed != cnn::UpsampleMode::bilinear)
    e.fail(e.argLocation(args, "align_corners"),
           "upsample '" + name + "': align_corners applies only to bilinear mode");
  check(e, args, name, cnn::inferUpsample(shapeOf(x), {size[0], size[1]}));
  auto &b = e.getBuilder();
  return Value::tensor(cnn::UpsampleOp::create(
      b, e.locate(*args.call, name), x, ints(e, size),
      cnn::UpsampleModeAttr::get(b.getContext(), *parsed),
      alignCorners ? b.getUnitAttr() : nullptr));
}

/// flatten and softmax: a tensor, one integer attribute, and a shape rule.
/// Inside a sequential block they take a position, as nn.Flatten and
/// nn.Softmax do in an nn.Sequential (ConvNeXt's classifier is LayerNorm2d,
/// Flatten, Linear: the Linear is `classifier.2`).
template <typename Op, cnn::ShapeOrError (*rule)(cnn::ShapeRef, int64_t)>
Value withIntegerAttribute(Elaborator &e, Args &args, const std::string &argName) {
  mlir::Value x = e.tensorArg(args, "x");
  int64_t value = fromEnd(e, args, argName, e.intArg(args, argName, INT64_MIN),
                          int64_t(shapeOf(x).size()));
  std::string name = e.nameLayer(args, args.callee);
  check(e, args, name, rule(shapeOf(x), value));
  auto &b = e.getBuilder();
  return Value::tensor(Op::create(b, e.locate(*args.call, name), x,
                                  b.getI64IntegerAttr(value)));
}

Value reshape(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  std::vector<int64_t> shape = shapeArg(e, args);
  std::string name = e.nameLayer(args, "reshape", /*consumesIndex=*/false);
  check(e, args, name, cnn::inferReshape(shapeOf(x), shape));
  return Value::tensor(cnn::ReshapeOp::create(e.getBuilder(), e.locate(*args.call, name),
                                              x, ints(e, shape)));
}

/// reduce(x, kind, axes, keepdim=false): torch.sum, mean, amax, amin and
/// the L2 norm over `axes` (an integer or a list; negative from the end).
/// A function in PyTorch, so no position in a sequential.
Value reduce(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  int64_t rank = int64_t(shapeOf(x).size());
  std::string kind = e.stringArg(args, "kind");
  auto parsed = cnn::symbolizeReduceKind(kind);
  if (!parsed)
    e.fail(e.argLocation(args, "kind"), "reduce: kind '" + kind +
                                            "' is not one of sum, mean, max, min, l2");
  const Value &given = args.values.at("axes");
  std::vector<Value> items = given.is(Value::Kind::List) ? given.getList()
                                                          : std::vector<Value>{given};
  std::vector<int64_t> axes;
  for (const Value &item : items) {
    if (!item.is(Value::Kind::Int))
      e.fail(e.argLocation(args, "axes"), "reduce: axes are integers, found " + item.describe());
    axes.push_back(fromEnd(e, args, "axes", item.getInt(), rank));
  }
  std::sort(axes.begin(), axes.end());
  std::string name = e.nameLayer(args, "reduce", /*consumesIndex=*/false);
  auto kept = cnn::inferReduce(shapeOf(x), axes);
  check(e, args, name, kept);
  auto &b = e.getBuilder();
  mlir::Location location = e.locate(*args.call, name);
  mlir::Value result =
      cnn::ReduceOp::create(b, location, x, cnn::ReduceKindAttr::get(b.getContext(), *parsed),
                            ints(e, axes));
  if (!e.boolArg(args, "keepdim")) {
    std::vector<int64_t> shape;
    for (int64_t d = 0; d < rank; ++d)
      if (!std::binary_search(axes.begin(), axes.end(), d))
        shape.push_back(shapeOf(x)[size_t(d)]);
    if (shape.empty())
      shape.push_back(1);  // programs compute tensors of rank 1 or more
    result = cnn::ReshapeOp::create(b, location, result, ints(e, shape));
  }
  return Value::tensor(result);
}

/// torch.matmul on tensors of one rank: a function in PyTorch, so no
/// position in a sequential.
Value matmul(Elaborator &e, Args &args) {
  mlir::Value a = e.tensorArg(args, "a"), b = e.tensorArg(args, "b");
  std::string name = e.nameLayer(args, "matmul", /*consumesIndex=*/false);
  check(e, args, name, cnn::inferMatmul(shapeOf(a), shapeOf(b)));
  return Value::tensor(
      cnn::MatmulOp::create(e.getBuilder(), e.locate(*args.call, name), a, b));
}

Value concat(Elaborator &e, Args &args) {
  // concat(a, b, c) or concat([a, b, c]).
  std::vector<Value> items;
  const Value &first = args.values.at("x");
  if (first.is(Value::Kind::List) && args.rest.empty())
    items = first.getList();
  else {
    items.push_back(first);
    items.insert(items.end(), args.rest.begin(), args.rest.end());
  }
  int64_t axis = e.intArg(args, "axis", INT64_MIN);
  // Joining one tensor is no layer: DenseNet's first layer sees its input.
  if (items.size() == 1 && items[0].is(Value::Kind::Tensor))
    return items[0];
  std::string name = e.nameLayer(args, "concat", /*consumesIndex=*/false);
  llvm::SmallVector<mlir::Value> inputs;
  llvm::SmallVector<cnn::ShapeRef> shapes;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is(Value::Kind::Tensor))
      e.fail(args.location, "concat '" + name + "': input " + std::to_string(i) +
                                " is " + items[i].describe() + ", not a tensor");
    inputs.push_back(items[i].getTensor());
    shapes.push_back(shapeOf(inputs.back()));
  }
  if (!shapes.empty())
    axis = fromEnd(e, args, "axis", axis, int64_t(shapes.front().size()));
  check(e, args, name, cnn::inferConcat(shapes, axis));
  auto &b = e.getBuilder();
  return Value::tensor(cnn::ConcatOp::create(b, e.locate(*args.call, name), inputs,
                                             b.getI64IntegerAttr(axis)));
}

/// Consecutive slices of `x` along `axis` of the given sizes, as a list.
Value slices(Elaborator &e, Args &args, int64_t axis, const std::vector<int64_t> &sizes) {
  mlir::Value x = e.tensorArg(args, "x");
  std::string name = e.nameLayer(args, args.callee, /*consumesIndex=*/false);
  std::vector<Value> pieces;
  int64_t start = 0;
  auto &b = e.getBuilder();
  for (int64_t size : sizes) {
    check(e, args, name, cnn::inferSlice(shapeOf(x), axis, start, size));
    pieces.push_back(Value::tensor(cnn::SliceOp::create(
        b, e.locate(*args.call, name), x, b.getI64IntegerAttr(axis),
        b.getI64IntegerAttr(start), b.getI64IntegerAttr(size))));
    start += size;
  }
  return Value::list(std::move(pieces));
}

int64_t axisArg(Elaborator &e, Args &args, mlir::Value x) {
  int64_t rank = int64_t(shapeOf(x).size());
  int64_t given = e.intArg(args, "axis", INT64_MIN);
  if (given >= rank)
    e.fail(e.argLocation(args, "axis"), args.callee + ": axis " + std::to_string(given) +
                                            " is out of range for rank " + std::to_string(rank));
  return fromEnd(e, args, "axis", given, rank);
}

/// split(x, size): pieces of `size` (the last may be smaller);
/// split(x, [s0, s1, ...]): pieces of those sizes, which cover the axis.
/// Both as torch.split.
Value split(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  int64_t axis = axisArg(e, args, x), extent = shapeOf(x)[axis];
  std::vector<int64_t> sizes;
  const Value &given = args.values.at("sizes");
  if (given.is(Value::Kind::List)) {
    sizes = e.intsArg(args, "sizes", given.getList().size(), 1);
    int64_t total = 0;
    for (int64_t size : sizes)
      total += size;
    if (total != extent)
      e.fail(e.argLocation(args, "sizes"), "split: the sizes add up to " +
                                               std::to_string(total) + ", but axis " +
                                               std::to_string(axis) + " has " +
                                               std::to_string(extent));
  } else {
    int64_t size = e.intArg(args, "sizes", 1);
    for (int64_t start = 0; start < extent; start += size)
      sizes.push_back(std::min(size, extent - start));
  }
  return slices(e, args, axis, sizes);
}

/// chunk(x, n): n pieces of ceil(extent / n) (fewer when they run out), as
/// torch.chunk.
Value chunk(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  int64_t axis = axisArg(e, args, x), extent = shapeOf(x)[axis];
  int64_t count = e.intArg(args, "n", 1);
  int64_t size = (extent + count - 1) / count;
  std::vector<int64_t> sizes;
  for (int64_t start = 0; start < extent; start += size)
    sizes.push_back(std::min(size, extent - start));
  return slices(e, args, axis, sizes);
}

Value channelShuffle(Elaborator &e, Args &args) {
  mlir::Value x = e.tensorArg(args, "x");
  int64_t groups = e.intArg(args, "groups", 1);
  std::string name = e.nameLayer(args, "channel_shuffle", /*consumesIndex=*/false);
  check(e, args, name, cnn::inferChannelShuffle(shapeOf(x), groups));
  auto &b = e.getBuilder();
  return Value::tensor(cnn::ChannelShuffleOp::create(b, e.locate(*args.call, name), x,
                                                     b.getI64IntegerAttr(groups)));
}

Value identity(Elaborator &e, Args &args) {
  e.tensorArg(args, "x");
  return args.values.at("x");
}

} // namespace

Value Elaborator::tensorBinary(const ast::Expr &expr, const std::string &op,
                               const Value &lhs, const Value &rhs) {
  bool arithmetic = op == "+" || op == "-" || op == "*" || op == "/";
  BoundArguments args;
  args.call = &expr;
  args.location = expr.location;
  // A tensor and a number: one scale-and-shift layer.
  if (arithmetic && (lhs.isNumber() || rhs.isNumber())) {
    const Value &tensor = lhs.isNumber() ? rhs : lhs;
    double number = (lhs.isNumber() ? lhs : rhs).getNumber();
    if (tensor.is(Value::Kind::Tensor)) {
      if (op == "/" && lhs.isNumber())
        fail(expr.location, "cannot divide a number by a tensor: no layer computes k / x");
      if (op == "/" && number == 0)
        fail(expr.location, "division of a tensor by zero");
      double scale = op == "*" ? number : op == "/" ? 1 / number
                     : op == "-" && lhs.isNumber() ? -1 : 1;
      double shift = op == "+" ? number : op == "-" ? (lhs.isNumber() ? number : -number) : 0;
      return scaleShift(expr, tensor.getTensor(), scale, shift);
    }
  }
  if (!lhs.is(Value::Kind::Tensor) || !rhs.is(Value::Kind::Tensor) || !arithmetic)
    fail(expr.location, "operator '" + op + "' cannot combine " + lhs.describe() +
                            " and " + rhs.describe() +
                            " (tensors take '+', '-', '*' and '/' with tensors and numbers)");
  static const std::map<std::string, std::string> kinds = {
      {"+", "add"}, {"-", "sub"}, {"*", "mul"}, {"/", "div"}};
  args.callee = kinds.at(op);
  std::string name = nameLayer(args, args.callee, /*consumesIndex=*/false);
  auto rule = op == "+" ? cnn::inferSameShape(lhs.getShape(), rhs.getShape())
                        : cnn::inferBroadcast(lhs.getShape(), rhs.getShape());
  if (!rule)
    fail(expr.location, "cannot " + std::string(op == "+" ? "add" : op == "-" ? "subtract"
                                                : op == "*" ? "multiply" : "divide") +
                            " tensors " + cnn::formatShape(lhs.getShape()) + " and " +
                            cnn::formatShape(rhs.getShape()) + ": " + rule.getError());
  mlir::Location location = locate(expr, name);
  mlir::Value a = lhs.getTensor(), b = rhs.getTensor();
  if (op == "+")
    return Value::tensor(cnn::AddOp::create(builder, location, a, b));
  if (op == "-")
    return Value::tensor(cnn::SubOp::create(builder, location, a, b));
  if (op == "*")
    return Value::tensor(cnn::MulOp::create(builder, location, a, b));
  return Value::tensor(cnn::DivOp::create(builder, location, a, b));
}

Value Elaborator::scaleShift(const ast::Expr &expr, mlir::Value x, double scale,
                             double shift) {
  BoundArguments args;
  args.call = &expr;
  args.callee = "scale_shift";
  args.location = expr.location;
  std::string name = nameLayer(args, args.callee, /*consumesIndex=*/false);
  return Value::tensor(cnn::ScaleShiftOp::create(builder, locate(expr, name), x,
                                                 builder.getF64FloatAttr(scale),
                                                 builder.getF64FloatAttr(shift)));
}

/// exp, log and sqrt of a tensor: element-wise, functions in PyTorch (no
/// position in a sequential). Of a number they are Functions.cpp's.
Value tensorFunction(Elaborator &e, BoundArguments &args) {
  mlir::Value x = e.tensorArg(args, "x");
  if (args.callee == "log" && !e.isNone(args, "base"))
    e.fail(e.argLocation(args, "base"), "log of a tensor is the natural log: it takes no base");
  std::string name = e.nameLayer(args, args.callee, /*consumesIndex=*/false);
  mlir::Location location = e.locate(*args.call, name);
  if (args.callee == "exp")
    return Value::tensor(cnn::ExpOp::create(e.getBuilder(), location, x));
  if (args.callee == "log")
    return Value::tensor(cnn::LogOp::create(e.getBuilder(), location, x));
  return Value::tensor(cnn::SqrtOp::create(e.getBuilder(), location, x));
}

/// max(a, b) and min(a, b) of two tensors: torch.maximum and torch.minimum,
/// broadcasting as the arithmetic operators do.
Value tensorExtreme(Elaborator &e, BoundArguments &args, bool largest) {
  std::vector<Value> items{args.values.at("x")};
  items.insert(items.end(), args.rest.begin(), args.rest.end());
  if (items.size() != 2 || !items[0].is(Value::Kind::Tensor) ||
      !items[1].is(Value::Kind::Tensor))
    e.fail(args.location, args.callee + " of tensors takes two tensors (" +
                              std::to_string(items.size()) + " values given); a tensor and "
                              "a number is clip(x, min, max) or relu");
  mlir::Value a = items[0].getTensor(), b = items[1].getTensor();
  std::string name = e.nameLayer(args, args.callee, /*consumesIndex=*/false);
  check(e, args, name, cnn::inferBroadcast(shapeOf(a), shapeOf(b)));
  mlir::Location location = e.locate(*args.call, name);
  if (largest)
    return Value::tensor(cnn::MaxOp::create(e.getBuilder(), location, a, b));
  return Value::tensor(cnn::MinOp::create(e.getBuilder(), location, a, b));
}

/// Builds the layer part of the built-in table; Functions.cpp adds the rest.
void addLayerBuiltins(std::map<std::string, Builtin> &table) {
  using P = Builtin::Param;
  auto none = Value::none();
  auto layer = [&](const std::string &name, std::vector<P> params,
                   std::function<Value(Elaborator &, BoundArguments &)> run,
                   bool variadic = false) {
    table[name] = Builtin{std::move(params), /*isLayer=*/true, variadic, std::move(run)};
  };
  layer("conv", {{"x"}, {"c"}, {"k"}, {"s", Value::integer(1)}, {"pad", Value::integer(0)},
                 {"groups", Value::integer(1)}, {"dilation", Value::integer(1)},
                 {"bias", Value::boolean(true)}}, conv);
  layer("conv_t", {{"x"}, {"c"}, {"k"}, {"s", Value::integer(1)}, {"pad", Value::integer(0)},
                   {"output_pad", Value::integer(0)}, {"groups", Value::integer(1)},
                   {"dilation", Value::integer(1)}, {"bias", Value::boolean(true)}},
        convTranspose);
  layer("dense", {{"x"}, {"n"}, {"bias", Value::boolean(true)}}, dense);
  layer("matmul", {{"a"}, {"b"}}, matmul);
  layer("reduce", {{"x"}, {"kind"}, {"axes"}, {"keepdim", Value::boolean(false)}}, reduce);
  layer("bn", {{"x"}, {"eps", Value::number(1e-5)}}, batchNorm);
  layer("lrn", {{"x"}, {"size", Value::integer(5)}, {"alpha", Value::number(1e-4)},
                {"beta", Value::number(0.75)}, {"k", Value::number(1.0)}}, lrn);
  layer("relu", {{"x"}}, activation<cnn::ReluOp>);
  layer("sigmoid", {{"x"}}, activation<cnn::SigmoidOp>);
  layer("tanh", {{"x"}}, activation<cnn::TanhOp>);
  layer("silu", {{"x"}}, activation<cnn::SiluOp>);
  layer("hardswish", {{"x"}}, activation<cnn::HardswishOp>);
  layer("hardsigmoid", {{"x"}}, activation<cnn::HardsigmoidOp>);
  layer("gelu", {{"x"}}, activation<cnn::GeluOp>);
  layer("selu", {{"x"}}, activation<cnn::SeluOp>);
  layer("softplus", {{"x"}}, activation<cnn::SoftplusOp>);
  layer("mish", {{"x"}}, activation<cnn::MishOp>);
  layer("abs", {{"x"}}, activation<cnn::AbsOp>);
  layer("elu", {{"x"}, {"alpha", Value::number(1.0)}}, activationWithAlpha<cnn::EluOp>);
  layer("relu6", {{"x"}}, [](Elaborator &e, Args &a) { return clip(e, a, 0, 6); });
  layer("clip", {{"x"}, {"min"}, {"max"}}, [](Elaborator &e, Args &a) {
    return clip(e, a, e.numberArg(a, "min"), e.numberArg(a, "max"));
  });
  layer("leaky", {{"x"}, {"alpha", Value::number(0.01)}}, activationWithAlpha<cnn::LeakyReluOp>);
  layer("dropout", {{"x"}, {"p", Value::number(0.5)}}, dropout);
  layer("id", {{"x"}}, identity);
  layer("maxpool", {{"x"}, {"k"}, {"s", none}, {"pad", Value::integer(0)},
                    {"ceil", Value::boolean(false)}}, pool<cnn::MaxPool2DOp>);
  layer("avgpool", {{"x"}, {"k"}, {"s", none}, {"pad", Value::integer(0)},
                    {"ceil", Value::boolean(false)}, {"count_pad", Value::boolean(true)}},
        pool<cnn::AvgPool2DOp>);
  layer("gap", {{"x"}}, globalPool<cnn::GlobalAvgPool2DOp>);
  layer("gmp", {{"x"}}, globalPool<cnn::GlobalMaxPool2DOp>);
  layer("adaptive_avgpool", {{"x"}, {"size"}}, adaptivePool<cnn::AdaptiveAvgPool2DOp>);
  layer("adaptive_maxpool", {{"x"}, {"size"}}, adaptivePool<cnn::AdaptiveMaxPool2DOp>);
  layer("roi_pool", {{"x"}, {"rois"}, {"size"}, {"scale"}}, roiPool);
  layer("upsample", {{"x"}, {"size", none}, {"scale", none},
                     {"mode", Value::string("nearest")},
                     {"align_corners", Value::boolean(false)}}, upsample);
  layer("flatten", {{"x"}, {"start", Value::integer(1)}}, [](Elaborator &e, Args &a) {
    return withIntegerAttribute<cnn::FlattenOp, cnn::inferFlatten>(e, a, "start");
  });
  layer("reshape", {{"x"}, {"shape"}}, reshape);
  layer("softmax", {{"x"}, {"axis", Value::integer(1)}}, [](Elaborator &e, Args &a) {
    return withIntegerAttribute<cnn::SoftmaxOp, cnn::inferAlongAxis>(e, a, "axis");
  });
  layer("log_softmax", {{"x"}, {"axis", Value::integer(1)}}, [](Elaborator &e, Args &a) {
    Value softmax = withIntegerAttribute<cnn::SoftmaxOp, cnn::inferAlongAxis>(e, a, "axis");
    softmax.getTensor().getDefiningOp<cnn::SoftmaxOp>().setLog(true);
    return softmax;
  });
  layer("concat", {{"x"}, {"axis", Value::integer(1)}}, concat, /*variadic=*/true);
  layer("split", {{"x"}, {"sizes"}, {"axis", Value::integer(1)}}, split);
  layer("layer_norm", {{"x"}, {"eps", Value::number(1e-5)}, {"axis", Value::integer(-1)}},
        layerNorm);
  layer("permute", {{"x"}, {"dims"}}, permute);
  layer("learned", {{"shape"}}, learned);
  layer("stochastic_depth", {{"x"}, {"p", Value::number(0.0)}}, stochasticDepth);
  layer("chunk", {{"x"}, {"n"}, {"axis", Value::integer(1)}}, chunk);
  layer("channel_shuffle", {{"x"}, {"groups"}}, channelShuffle);
}

} // namespace cnnc::detail
