//===- Bf16.cpp - bf16 convolutions and GEMMs (precision=bf16) ------------===//
//
// For users who cannot calibrate: weights and activations rounded to bf16
// (float32's exponent, 8 significant bits), products summed in f32:
//
//   out = act(bias[o] + sum bf16(x) * bf16(w) (+ residual))
//
// Activations stay f32 between kernels, so a bf16 kernel drops in wherever
// its float twin ran, with the same bias, residual and epilogue. Each kernel
// rounds its whole input to bf16 once, before its sums (a pass at memory
// speed: half a GEMM's bytes, against hundreds of multiply-adds per
// element), and the runtime rounds the weights at load (runtime/src/
// quantize.c). Both round to nearest, ties to even.
//
// The reduction takes two adjacent input channels at a time: weights are
// packed (2, o, k/2), and the update, vectorised atomically over those two
// and then over 16 output channels, is Halide's pattern for AVX512-BF16's
// vdpbf16ps (16 lanes, each the f32 sum of two bf16 products: 32
// multiply-adds an instruction, twice the fp32 FMA's 16). Halide 14 reaches
// it only through the avx512_sapphirerapids feature (../shared/
// TOOLCHAIN.md); without it the pairs widen to f32 and run as FMAs.
//
// Input channels come in pairs (the validator's rule): the RGB stem and
// depthwise convolutions, which have no pairs to sum, stay f32.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

namespace cnnc::kernelgen {

using namespace Halide;
using namespace Halide::ConciseCasts;

namespace {

const Type bf16 = BFloat(16);

/// `input` rounded to bf16, computed once for the whole tensor before the
/// kernel's sums: vectors of channels, pixels in parallel in tasks of at
/// least 64k elements.
Func roundedInput(ImageParam input, const std::vector<int64_t> &shape) {
  Func rounded("rounded");
  std::vector<Var> vars(input.dimensions());
  rounded(vars) = cast(bf16, input(std::vector<Expr>(vars.begin(), vars.end())));
  int64_t pixels = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    pixels *= d == 1 ? 1 : shape[d];
  Var pixel = vars[1];
  for (size_t d = 2; d < vars.size(); ++d) {
    Var fused("pixel" + std::to_string(d));
    rounded.fuse(pixel, vars[d], fused);
    pixel = fused;
  }
  int task = int(std::min<int64_t>(pixels, std::max<int64_t>(1, 65536 / shape[1])));
  rounded.compute_root()
      .vectorize(vars[0], 32, TailStrategy::GuardWithIf)
      .parallel(pixel, task, TailStrategy::GuardWithIf);
  return rounded;
}

/// The bias, when the spec has one, else 0; appended to `arguments`.
Expr initialSum(const KernelSpec &spec, int64_t channels, Expr channel,
                std::vector<Argument> &arguments) {
  if (!spec.integer("bias"))
    return 0.0f;
  ImageParam bias = parameterInput("bias", {channels});
  arguments.push_back(bias);
  return bias(channel);
}

} // namespace

Kernel buildBf16Gemm(const KernelSpec &spec) {
  int64_t rows = spec.integer("m"), depth = spec.integer("k"), columns = spec.integer("n");
  int64_t pairs = depth / 2;
  ImageParam input = activationInput("input", {rows, depth});
  ImageParam weights = parameterInput("weights", {2, columns, pairs}, bf16);
  std::vector<Argument> arguments = {input, weights};
  Var o("o"), m("m");
  Func acc("acc"), output("output"), rounded = roundedInput(input, {rows, depth});
  RDom r(0, 2, 0, int(pairs), "r");
  acc(o, m) = initialSum(spec, columns, o, arguments);
  acc(o, m) += f32(rounded(r.y * 2 + r.x, m)) * f32(weights(r.x, o, r.y));
  defineConvolutionOutput(output, spec, acc(o, m), {rows, columns}, KernelInput(), arguments,
                          {o, m});

  scheduleLowPrecisionGemm(spec, output, acc, {r.x, r.y}, rows, depth, columns);
  return {output, arguments};
}

Kernel buildBf16Conv(const KernelSpec &spec) {
  std::vector<int64_t> inShape = spec.integers("in"), outShape = spec.integers("out");
  std::vector<int64_t> k = spec.integers("kernel"), s = spec.integers("stride"),
                       d = spec.integers("dilation"), pad = spec.integers("pad");
  int64_t inChannels = inShape[1], outChannels = outShape[1], pairs = inChannels / 2;
  ImageParam input = activationInput("input", inShape);
  ImageParam weights = parameterInput("weights", {2, outChannels, pairs, k[1], k[0]}, bf16);
  std::vector<Argument> arguments = {input, weights};
  Func rounded = roundedInput(input, inShape);
  Func read = BoundaryConditions::constant_exterior(
      rounded, cast(bf16, 0.0f),
      {Range(0, int(inChannels)), Range(0, int(inShape[3])), Range(0, int(inShape[2])),
       Range(0, int(inShape[0]))});
  Var c("c"), x("x"), y("y"), n("n");
  Func acc("acc"), output("output");
  Expr px = x * int(s[1]) - int(pad[1]), py = y * int(s[0]) - int(pad[0]);
  RDom r(0, 2, 0, int(pairs), 0, int(k[1]), 0, int(k[0]), "r");
  acc(c, x, y, n) = initialSum(spec, outChannels, c, arguments);
  // Channel pairs innermost, taps outer, as the int8 kernel's quads.
  acc(c, x, y, n) += f32(read(r[1] * 2 + r[0], px + r[2] * int(d[1]), py + r[3] * int(d[0]), n)) *
                     f32(weights(r[0], c, r[1], r[2], r[3]));
  defineConvolutionOutput(output, spec, acc(c, x, y, n), outShape, KernelInput(), arguments,
                          {c, x, y, n});

  scheduleLowPrecisionConv(spec, output, acc, {r[0], r[1], r[2], r[3]}, outShape,
                           k[0] * k[1] * inChannels, true);
  return {output, arguments};
}

} // namespace cnnc::kernelgen
