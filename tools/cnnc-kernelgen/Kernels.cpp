//===- Kernels.cpp - dispatch and helpers shared by the families ----------===//

#include "Kernels.h"

#include <limits>

namespace cnnc::kernelgen {

using namespace Halide;

Kernel buildKernel(const KernelSpec &spec) {
  using Builder = Kernel (*)(const KernelSpec &);
  static const std::map<std::string, Builder> families = {
      {"conv", buildConv},       {"gemm", buildGemm},
      {"conv_transpose", buildConvTranspose},
      {"pool", buildPool},       {"adaptive_pool", buildAdaptivePool},
      {"roi_pool", buildRoiPool}, {"unary", buildUnary},
      {"binary", buildBinary},   {"matmul", buildMatmul},
      {"reduce", buildReduce},
      {"affine", buildAffine},
      {"copy", buildCopy},       {"softmax", buildSoftmax},
      {"channel_shuffle", buildChannelShuffle}, {"transpose", buildTranspose},
      {"layer_norm", buildLayerNorm},
      {"lrn", buildLrn},         {"upsample", buildUpsample},
      {"quantize", buildQuantize},
  };
  std::string precision = spec.word("precision", "f32");
  if (precision == "int8")
    return spec.family == "gemm" ? buildQuantizedGemm(spec) : buildQuantizedConv(spec);
  if (precision == "bf16")
    return spec.family == "gemm" ? buildBf16Gemm(spec) : buildBf16Conv(spec);
  auto it = families.find(spec.family);
  if (it == families.end())
    throw SpecError("spec line " + std::to_string(spec.line) + ": unknown kernel family '" +
                    spec.family + "'");
  return it->second(spec);
}

std::vector<int> physicalOrder(size_t rank) {
  if (rank < 2)
    return {0};
  std::vector<int> order = {1};
  for (int d = int(rank) - 1; d >= 2; --d)
    order.push_back(d);
  order.push_back(0);
  return order;
}

ImageParam activationInput(const std::string &name, const std::vector<int64_t> &shape,
                           Type type) {
  ImageParam input(type, int(shape.size()), name);
  std::vector<int> order = physicalOrder(shape.size());
  for (size_t i = 0; i < order.size(); ++i)
    input.dim(int(i)).set_bounds(0, int(shape[order[i]]));
  input.dim(0).set_stride(1);
  return input;
}

ImageParam parameterInput(const std::string &name, const std::vector<int64_t> &extents,
                          Type type) {
  ImageParam input(type, int(extents.size()), name);
  int64_t stride = 1;
  for (size_t i = 0; i < extents.size(); ++i) {
    input.dim(int(i)).set_bounds(0, int(extents[i])).set_stride(int(stride));
    stride *= extents[i];
  }
  return input;
}

void constrainOutput(Func output, const std::vector<int64_t> &shape) {
  std::vector<int> order = physicalOrder(shape.size());
  OutputImageParam buffer = output.output_buffer();
  for (size_t i = 0; i < order.size(); ++i)
    buffer.dim(int(i)).set_bounds(0, int(shape[order[i]]));
  buffer.dim(0).set_stride(1);
}

// NaN and infinity tests on the bits: an integer compare, which every back
// end vectorises. Halide's is_nan and is_inf make vectors of bools that its
// OpenCL back end cannot lower (an internal error in EliminateBoolVectors
// once a kernel vectorises them), and a float compare (v != v) would be
// folded away under fast math.
namespace {
Expr magnitudeBits(Expr v) { return reinterpret<uint32_t>(v) & UInt(32).max() >> 1; }
} // namespace
Expr isNan(Expr v) { return magnitudeBits(v) > Expr(uint32_t(0x7f800000)); }
Expr isInf(Expr v) { return magnitudeBits(v) == Expr(uint32_t(0x7f800000)); }

namespace {

// torch.nn.SELU's constants.
constexpr double kSeluAlpha = 1.6732632423543772, kSeluScale = 1.0507009873554805;

/// log(1 + exp(x)) without overflow: exp's argument is never positive.
Expr softplus(Expr v) { return max(v, 0.0f) + log(1.0f + exp(-abs(v))); }

Expr activateFinite(Expr v, const std::string &kind, double alpha, double lo, double hi) {
  if (kind == "relu")
    return max(v, 0.0f);
  if (kind == "clip")
    return clamp(v, float(lo), float(hi));
  if (kind == "leaky_relu")
    return select(v > 0.0f, v, float(alpha) * v);
  if (kind == "sigmoid")
    return 1.0f / (1.0f + exp(-v));
  if (kind == "tanh")
    return tanh(v);
  if (kind == "silu")
    return v / (1.0f + exp(-v));
  if (kind == "hardswish")
    return v * clamp(v + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f);
  if (kind == "hardsigmoid")
    return clamp(v + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f);
  if (kind == "gelu")
    return 0.5f * v * (1.0f + erf(v * float(M_SQRT1_2)));
  if (kind == "elu")
    return select(v > 0.0f, v, float(alpha) * (exp(v) - 1.0f));
  if (kind == "selu")
    return float(kSeluScale) * select(v > 0.0f, v, float(kSeluAlpha) * (exp(v) - 1.0f));
  if (kind == "softplus")
    return softplus(v);
  if (kind == "mish")
    return v * tanh(softplus(v));
  if (kind == "abs")
    return abs(v);
  if (kind == "exp")
    return exp(v);
  if (kind == "log")
    return log(v);
  if (kind == "sqrt")
    return sqrt(v);
  throw SpecError("unknown activation '" + kind + "'");
}
} // namespace

Expr activate(Expr v, const std::string &kind, double alpha, double lo, double hi) {
  if (kind == "none")
    return v;
  // Halide compiles with fast-math flags (no NaNs assumed), and max, clamp
  // and its exp drop a NaN. PyTorch keeps it, and so must we: a NaN input is
  // a fault upstream that the output should show. isNan tests the bits,
  // which fast math cannot fold; the select costs an and, a compare and a
  // blend per element.
  Expr result = activateFinite(v, kind, alpha, lo, hi);
  // The fast-math exp does not reach the infinities' limits: give PyTorch's
  // values there (silu(-inf) is -inf * 0 in PyTorch: NaN).
  const float nan = std::numeric_limits<float>::quiet_NaN();
  if (kind == "sigmoid")
    result = select(isInf(v), select(v > 0.0f, 1.0f, 0.0f), result);
  if (kind == "silu" || kind == "mish")
    result = select(isInf(v), select(v > 0.0f, v, nan), result);
  if (kind == "elu" || kind == "selu") {
    double scale = kind == "selu" ? kSeluScale : 1, low = kind == "selu" ? -kSeluAlpha : -alpha;
    result = select(isInf(v), select(v > 0.0f, v, float(scale * low)), result);
  }
  if (kind == "softplus" || kind == "exp")
    result = select(isInf(v), select(v > 0.0f, v, 0.0f), result);
  // The fast-math log and sqrt assume a positive argument.
  const float infinity = std::numeric_limits<float>::infinity();
  if (kind == "log")
    result = select(v < 0.0f, nan, select(v == 0.0f, -infinity, select(isInf(v), v, result)));
  if (kind == "sqrt")
    result = select(v < 0.0f, nan, select(isInf(v), v, result));
  return select(isNan(v), v, result);
}

Expr maximumKeepingNan(Expr tap) {
  Expr largest = maximum(tap);
  Expr anyNan = maximum(select(isNan(tap), 1, 0));
  return select(anyNan > 0, std::numeric_limits<float>::quiet_NaN(), largest);
}

Expr blockedSum(int extent, const std::function<Expr(Expr)> &term, const std::string &name) {
  constexpr int block = 32;
  if (extent <= block) {
    RDom r(0, extent, name);
    return sum(r, term(r), name);
  }
  RDom blocks(0, (extent + block - 1) / block, name + "_blocks");
  RDom within(0, block, name + "_within");
  Expr i = blocks * block + within;
  // A partial last block masks its missing terms (reading a clamped one).
  Expr value = extent % block ? select(i < extent, term(min(i, extent - 1)), 0.0f) : term(i);
  Expr part = sum(within, value, name + "_block");
  return sum(blocks, part, name);
}

Expr epilogue(const KernelSpec &spec, Expr v) {
  return activate(v, spec.word("act", "none"), spec.real("alpha"), spec.real("min"),
                  spec.real("max"));
}

Var parallelInChunks(Func output, VarOrRVar v, int64_t iterations, int64_t work) {
  int64_t chunk = std::max<int64_t>((iterations + 63) / 64, (65536 + work - 1) / std::max<int64_t>(work, 1));
  chunk = std::min(chunk, iterations);
  if (chunk <= 1) {
    output.parallel(v);
    return Var(v.name());
  }
  Var task(v.name() + "_task"), within(v.name() + "_within");
  output.split(v, task, within, int(chunk), TailStrategy::GuardWithIf).parallel(task);
  return within;
}

void scheduleReductionTiles(Func output, Func acc, const std::vector<VarOrRVar> &reduction,
                            int64_t channels, int64_t columns, int vec, int tileC, int tileX,
                            Var co, Var xo, bool channelsOuter, bool dotProduct) {
  std::vector<Var> args = output.args();
  Var ci("ci"), xi("xi");
  output.split(args[0], co, ci, tileC, tailFor(channels, tileC))
      .split(args[1], xo, xi, tileX, tailFor(columns, tileX))
      .vectorize(ci, vec)
      .unroll(xi);
  if (channelsOuter)
    output.reorder(ci, xi, xo, co);
  else
    output.reorder(ci, xi, co, xo);
  if (tileC > vec)
    output.unroll(ci);
  Var inner = channelsOuter ? xo : co;
  std::vector<Var> accArgs = acc.args();
  acc.compute_at(output, inner).vectorize(accArgs[0], vec).unroll(accArgs[1]);
  if (tileC > vec)
    acc.unroll(accArgs[0]);
  Stage update = acc.update();
  std::vector<VarOrRVar> order;
  if (dotProduct)
    order.push_back(reduction[0]);
  order.push_back(accArgs[0]);
  order.push_back(accArgs[1]);
  order.insert(order.end(), reduction.begin() + (dotProduct ? 1 : 0), reduction.end());
  update.reorder(order);
  if (dotProduct)
    update.atomic().vectorize(reduction[0]);
  update.vectorize(accArgs[0], vec).unroll(accArgs[1]);
  if (tileC > vec)
    update.unroll(accArgs[0]);
}

void scheduleLowPrecisionGemm(const KernelSpec &spec, Func output, Func acc,
                              const std::vector<VarOrRVar> &reduction, int64_t rows,
                              int64_t depth, int64_t columns) {
  int vec = int(spec.integer("vec")), tileN = int(spec.integer("tile_n"));
  int tileM = int(spec.integer("tile_m"));
  bool channelsOuter = spec.word("parallel", "n") == "n";
  Var co("co"), xo("xo");
  scheduleReductionTiles(output, acc, reduction, columns, rows, vec, tileN, tileM, co, xo,
                         channelsOuter, true);
  if (channelsOuter)
    parallelInChunks(output, co, (columns + tileN - 1) / tileN, rows * tileN * depth);
  else
    parallelInChunks(output, xo, (rows + tileM - 1) / tileM, columns * tileM * depth);
}

Var scheduleLowPrecisionConv(const KernelSpec &spec, Func output, Func acc,
                             const std::vector<VarOrRVar> &reduction,
                             const std::vector<int64_t> &outShape, int64_t taps,
                             bool dotProduct) {
  int vec = int(spec.integer("vec")), tileC = int(spec.integer("tile_c"));
  int tileX = int(spec.integer("tile_x"));
  std::vector<Var> at = output.args(); // c, x, y, n
  Var co("co"), xo("xo"), row("row");
  bool channelsOuter = spec.word("parallel", "m") == "n";
  scheduleReductionTiles(output, acc, reduction, outShape[1], outShape[3], vec, tileC, tileX, co,
                         xo, channelsOuter, dotProduct);
  if (channelsOuter) {
    output.reorder(xo, at[2], at[3], co);
    parallelInChunks(output, co, (outShape[1] + tileC - 1) / tileC,
                     outShape[0] * outShape[2] * outShape[3] * tileC * taps);
    return at[2];
  }
  output.fuse(at[2], at[3], row);
  return parallelInChunks(output, row, outShape[0] * outShape[2],
                          outShape[1] * outShape[3] * taps);
}

TailStrategy tailFor(int64_t extent, int64_t factor) {
  return extent >= factor ? TailStrategy::ShiftInwards : TailStrategy::GuardWithIf;
}

} // namespace cnnc::kernelgen
