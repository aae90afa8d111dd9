//===- Quantized.cpp - int8 convolutions and GEMMs (precision=int8) -------===//
//
// Activations are u8 with a per-tensor zero point, weights s8 symmetric per
// output channel, sums s32. Each kernel computes
//
//   acc[o] = bias[o] + sum u8(x) * s8(w)
//   real   = acc[o] * scale[o] (+ res_scale * (residual - res_zero))
//   out    = act(real), as f32, or requantized: u8(round(act(real) / out_scale) + out_zero) (out_type)
//
// A QDQ model's kernels round where its pairs do: the result to its own
// grid (add_scale, add_zero) before a fused residual sum or activation, and an f32 output to the grid of its tensor (grid_scale,
// grid_zero), as QuantizeLinear then DequantizeLinear would.
//
// where init folded everything per channel into `bias` and `scale`: the
// float bias over the product of scales, and the input zero point's share,
// -in_zero * sum w[o] (zero-point padding contributes nothing, so it is the
// same for every pixel). The activation runs in float on the real value,
// so every activation of the dialect fuses, at a few operations per output
// against K multiply-adds.
//
// The reduction takes four adjacent input channels at a time: weights are
// packed (4, o, k/4), and the update, vectorised atomically over those four and then
// over 16 output channels, is Halide's pattern for AVX-512 VNNI's vpdpbusd
// (u8 x s8, four products into each s32 lane: 64 multiply-adds an
// instruction, four times the fp32 FMA's 16). A 256x256x3136 GEMM on one
// core of an AMD EPYC (Zen 5) reached 433 GOP/s against 452 measured for
// vpdpbusd alone (bench/peak.c --int8). Without VNNI (a target without
// avx512_sapphirerapids), Halide widens to 16 bits and uses vpmaddwd, which
// adds pairs of exact 32-bit products: nothing saturates, unlike
// vpmaddubsw's 16-bit pair sums, which this pattern never produces.
//
// Input channels come in multiples of 4 (the validator's rule; a producer
// pads them): reading a ragged tail made LLVM, told the CPU is a Sapphire
// Rapids (Halide 14's only way to VNNI), move 2-byte pieces with AVX512-FP16's
// vmovw, which an AMD Zen 5 with VNNI lacks (SIGILL).
//
// A depthwise convolution has no channel reduction: its 16-lane vectors of
// channels multiply widened u8 by s8 per tap.
//
// Input channels not in fours (an RGB stem) take the row-tap form: with
// channels innermost, a kernel row's kw pixels of C channels are kw * C
// consecutive bytes of the input row, so the reduction runs over those
// bytes in fours (padded to a multiple of 4 with zero weights; the bytes
// past the row's taps belong to the next pixel or to the padding), read
// from the input viewed as [C * W, H, N]. The runtime packs the weights
// in the same order (row_taps in cnnrt_prepared).
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

namespace cnnc::kernelgen {

using namespace Halide;
using namespace Halide::ConciseCasts;

namespace {

/// `v` rounded to the u8 grid of `scale` and `zero`, as a real value.
Expr onGrid(Expr v, double scale, int64_t zero) {
  Expr q = clamp(round(v * float(1.0 / scale)) + float(zero), 0.0f, 255.0f);
  return (q - float(zero)) * float(scale);
}

/// The output of a quantized kernel from its s32 sums `acc(o, ...)`: the
/// scale, the residual, the activation, then f32 or u8.
void defineQuantizedOutput(Func output, const KernelSpec &spec, Func acc,
                           const std::vector<int64_t> &outShape,
                           std::vector<Argument> &arguments, const std::vector<Var> &at) {
  int64_t channels = outShape[1];
  ImageParam scale = parameterInput("scale", {channels});
  arguments.push_back(scale);
  Expr real = f32(acc(at)) * scale(at[0]);
  if (spec.has("add_scale"))
    real = onGrid(real, spec.real("add_scale"), spec.integer("add_zero"));
  if (spec.integer("residual")) {
    ImageParam residual = activationInput("residual", outShape, UInt(8));
    arguments.push_back(residual);
    real += float(spec.real("res_scale")) *
            (f32(residual(at)) - float(spec.integer("res_zero")));
  }
  Expr y = epilogue(spec, real);
  if (spec.word("out_type") == "u8")
    y = u8(clamp(round(y * float(1.0 / spec.real("out_scale"))) +
                     float(spec.integer("out_zero")),
                 0.0f, 255.0f));
  else if (spec.has("grid_scale"))
    y = onGrid(y, spec.real("grid_scale"), spec.integer("grid_zero"));
  output(at) = y;
  constrainOutput(output, outShape);
}

} // namespace

Kernel buildQuantizedGemm(const KernelSpec &spec) {
  int64_t rows = spec.integer("m"), depth = spec.integer("k"), columns = spec.integer("n");
  int64_t quads = depth / 4;
  ImageParam input = activationInput("input", {rows, depth}, UInt(8));
  ImageParam weights = parameterInput("weights", {4, columns, quads}, Int(8));
  ImageParam bias = parameterInput("bias", {columns}, Int(32));
  Var o("o"), m("m");
  Func acc("acc"), output("output");
  RDom r(0, 4, 0, int(quads), "r");
  acc(o, m) = bias(o);
  acc(o, m) += i32(input(r.y * 4 + r.x, m)) * i32(weights(r.x, o, r.y));
  std::vector<Argument> arguments = {input, weights, bias};
  defineQuantizedOutput(output, spec, acc, {rows, columns}, arguments, {o, m});

  // The parallel loop is the fp32 GEMM's choice: channel tiles when there
  // are enough of them, else pixel tiles.
  scheduleLowPrecisionGemm(spec, output, acc, {r.x, r.y}, rows, depth, columns);
  return {output, arguments};
}

Kernel buildQuantizedConv(const KernelSpec &spec) {
  std::vector<int64_t> inShape = spec.integers("in"), outShape = spec.integers("out");
  std::vector<int64_t> k = spec.integers("kernel"), s = spec.integers("stride"),
                       d = spec.integers("dilation"), pad = spec.integers("pad");
  int64_t groups = spec.integer("groups"), inChannels = inShape[1], outChannels = outShape[1];
  bool depthwise = groups > 1, rowTaps = !depthwise && inChannels % 4 != 0;
  ImageParam input;
  // Padding reads the zero point: the quantized value of a real 0.
  Expr zero = u8(Expr(int(spec.integer("in_zero"))));
  Func read;
  if (rowTaps) {
    input = ImageParam(UInt(8), 3, "input");
    input.dim(0).set_bounds(0, int(inChannels * inShape[3])).set_stride(1);
    input.dim(1).set_bounds(0, int(inShape[2]));
    input.dim(2).set_bounds(0, int(inShape[0]));
    read = BoundaryConditions::constant_exterior(
        input, zero, {Range(0, int(inChannels * inShape[3])), Range(0, int(inShape[2])), Range()});
  } else {
    input = activationInput("input", inShape, UInt(8));
    Region valid = {Range(), Range(0, int(inShape[3])), Range(0, int(inShape[2])), Range()};
    read = BoundaryConditions::constant_exterior(input, zero, valid);
  }
  Var c("c"), x("x"), y("y"), n("n");
  Func acc("acc"), output("output");
  Expr px = x * int(s[1]) - int(pad[1]), py = y * int(s[0]) - int(pad[0]);
  ImageParam weights, bias = parameterInput("bias", {outChannels}, Int(32));
  std::vector<VarOrRVar> reduction;
  acc(c, x, y, n) = bias(c);
  // The row-tap form reads its input rows through a copy made per output
  // row, padding included: a quad of bytes may straddle the padding, and
  // the boundary's per-byte selects would otherwise sit in the inner loop.
  Func rows("rows");
  if (rowTaps) {
    int64_t quads = (k[1] * inChannels + 3) / 4;
    weights = parameterInput("weights", {4, outChannels, quads, k[0]}, Int(8));
    Var j("j"), row("row"), image("image");
    rows(j, row, image) = read(j, row, image);
    RDom r(0, 4, 0, int(quads), 0, int(k[0]), "r");
    acc(c, x, y, n) += i32(rows(px * int(inChannels) + r[1] * 4 + r[0], py + r[2] * int(d[0]), n)) *
                       i32(weights(r[0], c, r[1], r[2]));
    reduction = {r[0], r[1], r[2]};
  } else if (depthwise) {
    weights = parameterInput("weights", {outChannels, k[1], k[0]}, Int(8));
    RDom r(0, int(k[1]), 0, int(k[0]), "r");
    acc(c, x, y, n) += i32(read(c, px + r.x * int(d[1]), py + r.y * int(d[0]), n)) *
                       i32(weights(c, r.x, r.y));
    reduction = {r.x, r.y};
  } else {
    int64_t quads = inChannels / 4;
    weights = parameterInput("weights", {4, outChannels, quads, k[1], k[0]}, Int(8));
    RDom r(0, 4, 0, int(quads), 0, int(k[1]), 0, int(k[0]), "r");
    acc(c, x, y, n) += i32(read(r[1] * 4 + r[0], px + r[2] * int(d[1]), py + r[3] * int(d[0]), n)) *
                       i32(weights(r[0], c, r[1], r[2], r[3]));
    // Channel quads innermost: weights (4, co, ci/4, ...) and the input (channels
    // innermost) are both read in order; taps outer. With taps inner, the
    // weights were read 256 KB apart (ResNet-18 layer4: 270 GOP/s).
    reduction = {r[0], r[1], r[2], r[3]};
  }
  std::vector<Argument> arguments = {input, weights, bias};
  defineQuantizedOutput(output, spec, acc, outShape, arguments, {c, x, y, n});

  int64_t taps = rowTaps ? k[0] * (k[1] * inChannels + 3) / 4 * 4
                         : k[0] * k[1] * (depthwise ? 1 : inChannels);
  Var eachRow = scheduleLowPrecisionConv(spec, output, acc, reduction, outShape, taps, !depthwise);
  if (rowTaps)
    rows.compute_at(output, eachRow).vectorize(rows.args()[0], 16);
  return {output, arguments};
}

} // namespace cnnc::kernelgen
