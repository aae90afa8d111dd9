//===- Interpreter.cpp - the reference interpreter of the cnn dialect -----===//

#include "reference/Interpreter.h"
#include "reference/Convolution.h"
#include "reference/Movement.h"
#include "reference/Normalization.h"
#include "reference/Parallel.h"
#include "reference/Pooling.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/ErrorHandling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <thread>

namespace cnnc::reference {

std::string Tensor::shapeString() const {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

namespace {

std::vector<int64_t> shapeOf(mlir::Value value) {
  auto shape = llvm::cast<mlir::RankedTensorType>(value.getType()).getShape();
  return {shape.begin(), shape.end()};
}

template <typename F> Tensor map(const Tensor &in, F f) {
  Tensor out(in.shape);
  for (size_t i = 0; i < in.size(); ++i)
    out.data[i] = f(double(in.data[i]));
  return out;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }


// torch.nn.SELU's constants.
constexpr double kSeluAlpha = 1.6732632423543772, kSeluScale = 1.0507009873554805;

/// log(1 + exp(x)) without overflow.
double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }

/// f(x), or x itself when it is NaN: PyTorch's activations pass NaN through.
template <typename F> auto keepingNan(F f) {
  return [f](double x) { return std::isnan(x) ? x : f(x); };
}

/// The activation a fused kernel applies last, as the separate ops define it.
Tensor activate(const Tensor &in, cnn::Activation kind, double alpha, double lo,
                double hi) {
  switch (kind) {
  case cnn::Activation::none: return in;
  case cnn::Activation::relu:
    return map(in, keepingNan([](double x) { return x > 0 ? x : 0.0; }));
  case cnn::Activation::clip:
    return map(in, keepingNan([=](double x) { return std::clamp(x, lo, hi); }));
  case cnn::Activation::leaky_relu:
    return map(in, keepingNan([=](double x) { return x > 0 ? x : alpha * x; }));
  case cnn::Activation::sigmoid: return map(in, keepingNan(sigmoid));
  case cnn::Activation::tanh: return map(in, keepingNan([](double x) { return std::tanh(x); }));
  case cnn::Activation::silu:
    return map(in, keepingNan([](double x) { return x * sigmoid(x); }));
  case cnn::Activation::hardswish:
    return map(in,
               keepingNan([](double x) { return x * std::clamp(x + 3.0, 0.0, 6.0) / 6.0; }));
  case cnn::Activation::hardsigmoid:
    return map(in, keepingNan([](double x) { return std::clamp(x + 3.0, 0.0, 6.0) / 6.0; }));
  case cnn::Activation::gelu:
    return map(in, keepingNan([](double x) { return x * (1 + std::erf(x * M_SQRT1_2)) / 2; }));
  case cnn::Activation::elu:
    return map(in, keepingNan([=](double x) { return x > 0 ? x : alpha * std::expm1(x); }));
  case cnn::Activation::selu:
    return map(in, keepingNan([](double x) {
      return kSeluScale * (x > 0 ? x : kSeluAlpha * std::expm1(x));
    }));
  case cnn::Activation::softplus: return map(in, keepingNan(softplus));
  case cnn::Activation::mish:
    return map(in, keepingNan([](double x) { return x * std::tanh(softplus(x)); }));
  case cnn::Activation::abs: return map(in, keepingNan([](double x) { return std::fabs(x); }));
  case cnn::Activation::exp: return map(in, keepingNan([](double x) { return std::exp(x); }));
  case cnn::Activation::log: return map(in, keepingNan([](double x) { return std::log(x); }));
  case cnn::Activation::sqrt:
    return map(in, keepingNan([](double x) { return std::sqrt(x); }));
  }
  llvm_unreachable("unknown activation");
}

// f[c] = scale[c] / sqrt(var[c] + eps); w'[c, ...] = w[c, ...] * f[c];
// b'[c] = (b[c] - mean[c]) * f[c] + shift[c].
std::pair<Tensor, Tensor> foldBatchNorm(const Tensor &weight, const Tensor *bias,
                                        const Tensor &scale, const Tensor &shift,
                                        const Tensor &mean, const Tensor &var,
                                        double epsilon) {
  Tensor folded(weight.shape), foldedBias({weight.dim(0)});
  size_t perChannel = weight.size() / weight.dim(0);
  for (int64_t c = 0; c < weight.dim(0); ++c) {
    double factor = scale.data[c] / std::sqrt(var.data[c] + epsilon);
    for (size_t i = 0; i < perChannel; ++i)
      folded.data[c * perChannel + i] = weight.data[c * perChannel + i] * factor;
    foldedBias.data[c] = ((bias ? bias->data[c] : 0.0) - mean.data[c]) * factor + shift.data[c];
  }
  return {std::move(folded), std::move(foldedBias)};
}

// multiplier[c] = scale[c] / sqrt(var[c] + eps); offset[c] = shift[c] - mean[c] * multiplier[c].
std::pair<Tensor, Tensor> batchNormAffine(const Tensor &scale, const Tensor &shift,
                                          const Tensor &mean, const Tensor &var,
                                          double epsilon) {
  Tensor multiplier(scale.shape), offset(scale.shape);
  for (size_t c = 0; c < scale.size(); ++c) {
    multiplier.data[c] = scale.data[c] / std::sqrt(var.data[c] + epsilon);
    offset.data[c] = shift.data[c] - mean.data[c] * multiplier.data[c];
  }
  return {std::move(multiplier), std::move(offset)};
}

/// A kernel's input prologue: activation(x[c] * multiplier[c] + offset[c]).
/// Applied to the tensor itself, so a convolution's padding stays zero.
Tensor prologue(const Tensor &in, const Tensor *multiplier, const Tensor *offset,
                cnn::Activation kind) {
  if (!multiplier)
    return in;
  Tensor out(in.shape);
  int64_t N = in.dim(0), C = in.dim(1), P = planeSize(in);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t p = 0; p < P; ++p) {
        size_t i = (n * C + c) * P + p;
        out.data[i] = in.data[i] * multiplier->data[c] + offset->data[c];
      }
  return activate(out, kind, 0, 0, 0);
}

/// NumPy broadcasting of two tensors (the shorter shape gains leading 1s).
template <typename F>
Tensor broadcast(const Tensor &a, const Tensor &b, std::vector<int64_t> outShape, F f) {
  Tensor out(std::move(outShape));
  size_t rank = out.shape.size();
  // The operands' shapes with leading 1s; their data is read in place.
  std::vector<int64_t> aShape(rank - a.shape.size(), 1), bShape(rank - b.shape.size(), 1);
  aShape.insert(aShape.end(), a.shape.begin(), a.shape.end());
  bShape.insert(bShape.end(), b.shape.begin(), b.shape.end());
  std::vector<int64_t> index(rank, 0);
  for (size_t i = 0; i < out.size(); ++i) {
    size_t ia = 0, ib = 0;
    for (size_t d = 0; d < rank; ++d) {
      ia = ia * aShape[d] + (aShape[d] == 1 ? 0 : index[d]);
      ib = ib * bShape[d] + (bShape[d] == 1 ? 0 : index[d]);
    }
    out.data[i] = f(double(a.data[ia]), double(b.data[ib]));
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out.shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

/// torch.matmul on equal ranks: the matrices are the last two dimensions,
/// the batch dimensions broadcast.
Tensor matmul(const Tensor &a, const Tensor &b, std::vector<int64_t> outShape) {
  Tensor out(std::move(outShape));
  size_t rank = out.shape.size();
  int64_t M = a.shape[rank - 2], K = a.shape[rank - 1], N = b.shape[rank - 1];
  int64_t batches = int64_t(out.size()) / (M * N);
  std::vector<int64_t> index(rank - 2, 0);
  for (int64_t batch = 0; batch < batches; ++batch) {
    size_t ia = 0, ib = 0;
    for (size_t d = 0; d + 2 < rank; ++d) {
      ia = ia * a.shape[d] + (a.shape[d] == 1 ? 0 : index[d]);
      ib = ib * b.shape[d] + (b.shape[d] == 1 ? 0 : index[d]);
    }
    const double *lhs = a.data.data() + ia * M * K, *rhs = b.data.data() + ib * K * N;
    double *result = out.data.data() + batch * M * N;
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double sum = 0;
        for (int64_t k = 0; k < K; ++k)
          sum += lhs[m * K + k] * rhs[k * N + n];
        result[m * N + n] = sum;
      }
    for (size_t d = rank - 2; d-- > 0;) {
      if (++index[d] < out.shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

/// The reduction of `axes` (kept with extent 1), in float64.
Tensor reduce(const Tensor &in, cnn::ReduceKind kind, llvm::ArrayRef<int64_t> axes,
              std::vector<int64_t> outShape) {
  Tensor out(std::move(outShape));
  size_t rank = in.shape.size();
  std::vector<bool> reduced(rank, false);
  for (int64_t a : axes)
    reduced[size_t(a)] = true;
  bool extreme = kind == cnn::ReduceKind::max || kind == cnn::ReduceKind::min;
  std::vector<double> total(out.size(), extreme ? NAN : 0.0);
  std::vector<bool> started(out.size(), false);
  std::vector<int64_t> index(rank, 0);
  for (size_t i = 0; i < in.size(); ++i) {
    size_t o = 0;
    for (size_t d = 0; d < rank; ++d)
      o = o * out.shape[d] + (reduced[d] ? 0 : index[d]);
    double v = in.data[i];
    if (!extreme) {
      total[o] += kind == cnn::ReduceKind::l2 ? v * v : v;
    } else if (!started[o] || std::isnan(v) || std::isnan(total[o])) {
      total[o] = started[o] && std::isnan(total[o]) ? total[o] : v;
    } else {
      total[o] = kind == cnn::ReduceKind::max ? std::max(total[o], v) : std::min(total[o], v);
    }
    started[o] = true;
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < in.shape[d])
        break;
      index[d] = 0;
    }
  }
  double count = double(in.size()) / double(out.size());
  for (size_t o = 0; o < out.size(); ++o)
    out.data[o] = kind == cnn::ReduceKind::mean ? total[o] / count
                  : kind == cnn::ReduceKind::l2 ? std::sqrt(total[o])
                                                : total[o];
  return out;
}

Tensor softmax(const Tensor &in, int64_t axis, bool log) {
  Tensor out(in.shape);
  int64_t outer = 1, inner = 1, length = in.shape[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= in.shape[d];
  for (size_t d = axis + 1; d < in.shape.size(); ++d)
    inner *= in.shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) { return (o * length + j) * inner + i; };
      double top = -std::numeric_limits<double>::infinity(), sum = 0;
      for (int64_t j = 0; j < length; ++j)
        top = maxKeepingNan(top, double(in.data[at(j)]));
      for (int64_t j = 0; j < length; ++j)
        sum += std::exp(double(in.data[at(j)]) - top);
      for (int64_t j = 0; j < length; ++j)
        out.data[at(j)] = log ? double(in.data[at(j)]) - top - std::log(sum)
                              : std::exp(double(in.data[at(j)]) - top) / sum;
    }
  return out;
}

} // namespace

void Interpreter::initialize(mlir::ModuleOp module) {
  if (mlir::func::FuncOp init = cnn::initFunction(module))
    run(init, {});
}

std::vector<Tensor> Interpreter::run(mlir::func::FuncOp function,
                                     std::vector<Tensor> inputs) {
  // Values are shared, not copied: a weight is the parameter itself, and a
  // tensor is released after the last op that reads it.
  llvm::DenseMap<mlir::Value, std::shared_ptr<const Tensor>> values;
  for (auto [argument, input] : llvm::zip(function.getArguments(), inputs))
    values[argument] = std::make_shared<const Tensor>(std::move(input));
  auto get = [&](mlir::Value v) -> const Tensor & { return *values.find(v)->second; };
  auto optional = [&](mlir::Value v) -> const Tensor * {
    return v ? values.find(v)->second.get() : nullptr;
  };
  llvm::DenseMap<mlir::Value, mlir::Operation *> lastUse;
  for (mlir::Operation &op : function.getBody().front())
    for (mlir::Value operand : op.getOperands())
      lastUse[operand] = &op;

  std::vector<Tensor> results;
  for (mlir::Operation &op : function.getBody().front()) {
    if (auto ret = llvm::dyn_cast<mlir::func::ReturnOp>(op)) {
      for (mlir::Value v : ret.getOperands())
        results.push_back(get(v));
      break;
    }
    mlir::Value result = op.getNumResults() ? op.getResult(0) : mlir::Value();
    if (auto w = llvm::dyn_cast<cnn::WeightOp>(op)) {
      const Tensor &parameter = parameters.at(w.getName().str());
      values[result] = std::shared_ptr<const Tensor>(&parameter, [](const Tensor *) {});
      continue;
    }
    if (auto store = llvm::dyn_cast<cnn::StoreOp>(op)) {
      parameters[store.getName().str()] = get(store.getValue());
      continue;
    }
    if (auto affine = llvm::dyn_cast<cnn::BatchNormAffineOp>(op)) {
      auto [multiplier, offset] =
          batchNormAffine(get(affine.getScale()), get(affine.getShift()), get(affine.getMean()),
                          get(affine.getVariance()), affine.getEpsilon().convertToDouble());
      values[affine.getMultiplier()] = std::make_shared<const Tensor>(std::move(multiplier));
      values[affine.getOffset()] = std::make_shared<const Tensor>(std::move(offset));
      continue;
    }
    if (auto fold = llvm::dyn_cast<cnn::FoldBatchNormOp>(op)) {
      auto [weight, bias] = foldBatchNorm(get(fold.getWeight()), optional(fold.getBias()),
                                          get(fold.getScale()), get(fold.getShift()),
                                          get(fold.getMean()), get(fold.getVariance()),
                                          fold.getEpsilon().convertToDouble());
      values[fold.getFoldedWeight()] = std::make_shared<const Tensor>(std::move(weight));
      values[fold.getFoldedBias()] = std::make_shared<const Tensor>(std::move(bias));
      continue;
    }
    std::vector<int64_t> outShape = result ? shapeOf(result) : std::vector<int64_t>{};
    Tensor out =
        llvm::TypeSwitch<mlir::Operation *, Tensor>(&op)
            .Case([&](cnn::Conv2DOp c) {
              return conv2d(get(c.getInput()), get(c.getWeight()), optional(c.getBias()),
                            geometry(c.getStride(), c.getPad(), c.getDilation()),
                            c.getGroups(), outShape);
            })
            .Case([&](cnn::FusedConv2DOp c) {
              Tensor x = prologue(get(c.getInput()), optional(c.getInputMultiplier()),
                                  optional(c.getInputOffset()), c.getInputActivation());
              Tensor y = conv2d(x, get(c.getWeight()), optional(c.getBias()),
                                geometry(c.getStride(), c.getPad(), c.getDilation()),
                                c.getGroups(), outShape);
              if (const Tensor *residual = optional(c.getResidual()))
                for (size_t i = 0; i < y.size(); ++i)
                  y.data[i] += residual->data[i];
              return activate(y, c.getActivation(), c.getAlpha().convertToDouble(),
                              c.getMin().convertToDouble(), c.getMax().convertToDouble());
            })
            .Case([&](cnn::GemmOp g) {
              Tensor x = prologue(get(g.getInput()), optional(g.getInputMultiplier()),
                                  optional(g.getInputOffset()), g.getInputActivation());
              return activate(gemm(x, get(g.getWeight()), optional(g.getBias()),
                                   optional(g.getResidual()), outShape),
                              g.getActivation(), g.getAlpha().convertToDouble(),
                              g.getMin().convertToDouble(), g.getMax().convertToDouble());
            })
            .Case([&](cnn::ConvTranspose2DOp c) {
              return convTranspose2d(get(c.getInput()), get(c.getWeight()),
                                     optional(c.getBias()),
                                     geometry(c.getStride(), c.getPad(), c.getDilation()),
                                     c.getGroups(), outShape);
            })
            .Case([&](cnn::DenseOp d) {
              if (outShape.size() != 2) // mixing channels at every pixel
                return gemm(get(d.getInput()), get(d.getWeight()), optional(d.getBias()),
                            nullptr, outShape);
              return dense(get(d.getInput()), get(d.getWeight()), optional(d.getBias()));
            })
            .Case([&](cnn::BatchNormOp bn) {
              if (beforeBatchNorm)
                beforeBatchNorm(bn, get(bn.getInput()));
              // Statistics are read after the hook, which may have set them.
              auto stat = [&](mlir::Value v) -> const Tensor & {
                if (auto w = v.getDefiningOp<cnn::WeightOp>())
                  return parameters.at(w.getName().str());
                return get(v);
              };
              return batchNorm(get(bn.getInput()), stat(bn.getScale()), stat(bn.getShift()),
                               stat(bn.getMean()), stat(bn.getVariance()),
                               bn.getEpsilon().convertToDouble());
            })
            .Case([&](cnn::LrnOp l) {
              return lrn(get(l.getInput()), l.getSize(), l.getAlpha().convertToDouble(),
                         l.getBeta().convertToDouble(), l.getK().convertToDouble());
            })
            .Case([&](cnn::DropoutOp o) { return get(o.getInput()); })
            .Case([&](cnn::IdentityOp o) { return get(o.getInput()); })
            .Case([&](cnn::AddOp o) {
              return broadcast(get(o.getLhs()), get(o.getRhs()), outShape,
                               [](double a, double b) { return a + b; });
            })
            .Case([&](cnn::MulOp o) {
              return broadcast(get(o.getLhs()), get(o.getRhs()), outShape,
                               [](double a, double b) { return a * b; });
            })
            .Case([&](cnn::ReduceOp o) {
              return reduce(get(o.getInput()), o.getKind(), o.getAxes(), outShape);
            })
            .Case([&](cnn::MatmulOp o) {
              return matmul(get(o.getLhs()), get(o.getRhs()), outShape);
            })
            .Case([&](cnn::SubOp o) {
              return broadcast(get(o.getLhs()), get(o.getRhs()), outShape,
                               [](double a, double b) { return a - b; });
            })
            .Case([&](cnn::MaxOp o) {
              return broadcast(get(o.getLhs()), get(o.getRhs()), outShape, [](double a, double b) {
                return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
              });
            })
            .Case([&](cnn::MinOp o) {
              return broadcast(get(o.getLhs()), get(o.getRhs()), outShape, [](double a, double b) {
                return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
              });
            })
            .Case([&](cnn::DivOp o) {
              return broadcast(get(o.getLhs()), get(o.getRhs()), outShape,
                               [](double a, double b) { return a / b; });
            })
            .Case([&](cnn::ScaleShiftOp o) {
              double scale = o.getScale().convertToDouble(), shift = o.getShift().convertToDouble();
              return map(get(o.getInput()), [=](double x) { return x * scale + shift; });
            })
            .Case([&](cnn::TransposeOp t) {
              auto permutation = t.getPermutation();
              return transpose(get(t.getInput()), {permutation.begin(), permutation.end()});
            })
            .Case([&](cnn::LayerNormOp l) {
              return layerNorm(get(l.getInput()), get(l.getScale()), get(l.getShift()),
                               l.getEpsilon().convertToDouble());
            })
            .Case([&](cnn::SliceOp s) {
              return slice(get(s.getInput()), s.getAxis(), s.getStart(), s.getSize());
            })
            .Case([&](cnn::ChannelShuffleOp s) {
              return channelShuffle(get(s.getInput()), s.getGroups());
            })
            .Case([&](cnn::MaxPool2DOp p) {
              return pool2d(get(p.getInput()), p.getWindow(),
                            geometry(p.getStride(), p.getPad(), {1, 1}), true, false,
                            outShape);
            })
            .Case([&](cnn::AvgPool2DOp p) {
              return pool2d(get(p.getInput()), p.getWindow(),
                            geometry(p.getStride(), p.getPad(), {1, 1}), false,
                            p.getCountIncludePad(), outShape);
            })
            .Case<cnn::GlobalAvgPool2DOp, cnn::GlobalMaxPool2DOp, cnn::AdaptiveAvgPool2DOp,
                  cnn::AdaptiveMaxPool2DOp>([&](auto p) {
              Tensor x = prologue(get(p.getInput()), optional(p.getInputMultiplier()),
                                  optional(p.getInputOffset()), p.getInputActivation());
              bool isMax = llvm::isa<cnn::GlobalMaxPool2DOp, cnn::AdaptiveMaxPool2DOp>(p);
              return adaptivePool2d(x, outShape[2], outShape[3], isMax);
            })
            .Case([&](cnn::RoiPoolOp p) {
              return roiPool(get(p.getInput()), get(p.getRois()), outShape[2], outShape[3],
                             p.getSpatialScale().convertToDouble());
            })
            .Case([&](cnn::ConcatOp c) {
              std::vector<const Tensor *> inputs;
              for (mlir::Value v : c.getInputs())
                inputs.push_back(&get(v));
              return concat(inputs, c.getAxis(), outShape);
            })
            .Case<cnn::FlattenOp, cnn::ReshapeOp>([&](mlir::Operation *o) {
              Tensor reshaped = get(o->getOperand(0)); // a copy: values are shared
              reshaped.shape = outShape;
              return reshaped;
            })
            .Case([&](cnn::SoftmaxOp s) { return softmax(get(s.getInput()), s.getAxis(), s.getLog()); })
            .Case([&](cnn::UpsampleOp u) {
              return upsample(get(u.getInput()), outShape[2], outShape[3],
                              u.getMode() == cnn::UpsampleMode::bilinear,
                              u.getAlignCorners());
            })
            .Default([&](mlir::Operation *o) -> Tensor {
              // Activation ops compute what a fused kernel's activation does.
              if (auto activation = cnn::activationOf(o))
                return activate(get(o->getOperand(0)), activation->kind, activation->alpha,
                                activation->min, activation->max);
              llvm::report_fatal_error(llvm::Twine("reference interpreter: no rule for ") +
                                       o->getName().getStringRef());
            });
    for (mlir::Value operand : op.getOperands())
      if (lastUse.lookup(operand) == &op)
        values.erase(operand);
    if (result)
      values[result] = std::make_shared<const Tensor>(std::move(out));
  }
  return results;
}

} // namespace cnnc::reference
