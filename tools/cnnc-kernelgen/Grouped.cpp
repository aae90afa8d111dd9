//===- Grouped.cpp - grouped convolutions with narrow groups ------------===//
//
// A grouped convolution whose groups are narrower than a vector (ResNeXt's
// 4 and 8 channels a group, RegNet's 8) cannot vectorise over output
// channels the direct kernel's way: lanes of different groups read
// different input channels, so each multiply-add needs a gather or a
// shuffle of the input, or the vector shrinks to one group (4 lanes of 16).
//
// This kernel keeps the input vector as it is in memory, 16 channels of one
// pixel, and rotates the accumulators instead. With g channels a group,
// accumulator s (0 <= s < g) holds in lane l of each group the products of
// input channel l with the weights of output channel (l - s) mod g:
//
//   A_s[q*g + l] += w[q*g + (l - s) mod g, l] * in[q*g + l]
//
// Every term is a dense load of the input and of the rotated weights, and
// each input vector serves g multiply-adds; no lane's work is wasted. Once
// the reduction ends, output channel o of group q sums lane (o + s) mod g of
// every A_s: g in-register rotations per output vector, against 9g
// multiply-adds for a 3x3 window. The rotated weights (channels x g x taps)
// are built per call, a few thousand elements.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

namespace cnnc::kernelgen {

using namespace Halide;

Kernel buildRotatedGroupConv(const KernelSpec &spec) {
  std::vector<int64_t> inShape = spec.integers("in"), outShape = spec.integers("out");
  std::vector<int64_t> window = spec.integers("kernel"), stride = spec.integers("stride");
  std::vector<int64_t> dilation = spec.integers("dilation"), pad = spec.integers("pad");
  int64_t groups = spec.integer("groups"), channels = inShape[1];
  int group = int(channels / groups);
  int vec = int(spec.integer("vec")), tileX = int(spec.integer("tile_x"));
  int groupsPerVector = vec / group;

  ImageParam input = activationInput("input", inShape);
  ImageParam weights = parameterInput("weights", {channels, group, window[1], window[0]});
  KernelInput in = prologueInput(spec, input, channels, anyPadding(pad), inShape[3], inShape[2]);

  Var c("c"), x("x"), y("y"), n("n"), l("l"), q("q"), s("s"), kx("kx"), ky("ky");
  Func rotated("rotated"), acc("acc"), output("output");
  rotated(l, q, s, kx, ky) = weights(q * group + (l - s + group) % group, l, kx, ky);
  RDom r(0, int(window[1]), 0, int(window[0]), "r");
  Expr ix = x * int(stride[1]) - int(pad[1]) + r.x * int(dilation[1]);
  Expr iy = y * int(stride[0]) - int(pad[0]) + r.y * int(dilation[0]);
  acc(l, q, s, x, y, n) = 0.0f;
  acc(l, q, s, x, y, n) += rotated(l, q, s, r.x, r.y) * in.read(q * group + l, ix, iy, n);

  std::vector<Argument> arguments = {input, weights};
  Expr value = 0.0f;
  if (spec.integer("bias")) {
    ImageParam bias = parameterInput("bias", {channels});
    arguments.push_back(bias);
    value = bias(c);
  }
  for (int shift = 0; shift < group; ++shift)
    value += acc((c % group + shift) % group, c / group, shift, x, y, n);
  defineConvolutionOutput(output, spec, value, outShape, in, arguments, {c, x, y, n});

  rotated.compute_root().vectorize(l).unroll(s);
  Var co("co"), ci("ci"), cq("cq"), cl("cl"), xo("xo"), xi("xi"), qo("qo"), qi("qi");
  output.split(c, co, ci, vec)
      .split(ci, cq, cl, group)
      .split(x, xo, xi, tileX, tailFor(outShape[3], tileX))
      .reorder(cl, cq, xi, xo, co, y, n)
      .vectorize(cl)
      .vectorize(cq)
      .unroll(xi);
  int64_t rowWork = outShape[3] * channels * group * window[0] * window[1];
  parallelInChunks(output, y, outShape[2], rowWork);
  acc.compute_at(output, xo)
      .split(q, qo, qi, groupsPerVector)
      .reorder(l, qi, s, x, qo)
      .vectorize(l)
      .vectorize(qi)
      .unroll(s)
      .unroll(x);
  acc.update()
      .split(q, qo, qi, groupsPerVector)
      .reorder(l, qi, s, x, r.x, r.y, qo)
      .vectorize(l)
      .vectorize(qi)
      .unroll(s)
      .unroll(x);
  return {output, arguments};
}

} // namespace cnnc::kernelgen
