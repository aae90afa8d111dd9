//===- Winograd.cpp - stride-1 3x3 convolutions as Winograd F(m x m, 3x3) -===//
//
// Each m x m tile of outputs is computed from an (m+2) x (m+2) tile of
// inputs in three steps (Lavin and Gray, 2015):
//
//   V = B^T d B     per input channel and tile (the input transform),
//   M = sum over input channels of U * V, elementwise per tile position:
//       (m+2)^2 independent GEMMs (tiles x input channels x output channels),
//   Y = A^T M A     per output channel and tile (the output transform),
//
// with U = G g G^T, the transformed weights, computed once by init (see
// runtime/src/transforms.c, which holds G). F(4x4, 3x3) does 36 multiplies
// per 16 outputs where the direct form does 144: 4x fewer. The transforms
// cost additions, and the products are rounded in a different order, so
// the result differs from the direct form by a few units in the last place
// per layer (docs/passes.md gives the measured error).
//
// Schedule. A task is `rows` tile rows of `images` images for a group of
// `cgroup` output channels: it transforms its input tiles (all input
// channels) into V, runs the GEMMs into M with the register tile of the
// blocked direct convolution (tile_c channels by tile_x tiles, which run
// on across tile rows and images; weights
// packed per wblock channels, the reduction split into ci_block slices so
// that a slice of U stays in L1), and transforms M into outputs with the
// epilogue applied. Tasks hold enough tiles that each weight slice, read
// from L2 or memory, serves many of them.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

namespace cnnc::kernelgen {

using namespace Halide;

namespace {

using Matrix = std::vector<std::vector<int>>;

/// B^T and A^T of F(m x m, 3x3) for m = 2 and 4. F(2x2) interpolates at 0,
/// +-1 and infinity. F(4x4) at 0, 1, -1, 1/2, -2 and infinity rather than
/// the usual 0, +-1, +-2: its products carry smaller rounding errors (a
/// 64-to-512-channel layer's relative error falls from 11x the direct
/// form's to 7x in a float32 simulation; F(2x2) is 1.7x). Rows of B^T are
/// scaled by 2 and A^T's column for 1/2 by 8, powers of two that G absorbs,
/// so both hold small integers and the transforms are exact sums; all the
/// rounding of G is in the weights (runtime/src/transforms.c).
struct Transforms {
  Matrix inputT, outputT;
};

Transforms transformsFor(int m) {
  if (m == 2)
    return {{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
            {{1, 1, 1, 0}, {0, 1, -1, -1}}};
  if (m == 4)
    return {{{2, -3, -4, 3, 2, 0},
             {0, -2, 1, 5, 2, 0},
             {0, 2, -5, 1, 2, 0},
             {0, -4, -2, 4, 2, 0},
             {0, 1, -2, -1, 2, 0},
             {0, 2, -3, -4, 3, 2}},
            {{1, 1, 1, 8, 1, 0}, {0, 1, -1, 4, -2, 0}, {0, 1, 1, 2, 4, 0}, {0, 1, -1, 1, -8, 1}}};
  throw SpecError("conv kernel: winograd=" + std::to_string(m) + " (expected 2 or 4)");
}

/// Row `row` of `matrix` times the vector term(0..n-1), skipping zeros; as
/// a mux over `row` so that a Func can be defined for every row at once
/// (once `row` is unrolled, the mux folds to that row's sum).
Expr rowTimes(const Matrix &matrix, Expr row, const std::function<Expr(int)> &term) {
  std::vector<Expr> sums;
  for (const std::vector<int> &coefficients : matrix) {
    Expr sum;
    for (size_t k = 0; k < coefficients.size(); ++k) {
      if (!coefficients[k])
        continue;
      Expr value = coefficients[k] == 1    ? term(int(k))
                   : coefficients[k] == -1 ? -term(int(k))
                                           : float(coefficients[k]) * term(int(k));
      sum = sum.defined() ? sum + value : value;
    }
    sums.push_back(sum);
  }
  return mux(row, sums);
}

} // namespace

Kernel buildWinogradConv(const KernelSpec &spec) {
  std::vector<int64_t> inShape = spec.integers("in"), outShape = spec.integers("out");
  std::vector<int64_t> window = spec.integers("kernel"), stride = spec.integers("stride");
  std::vector<int64_t> dilation = spec.integers("dilation"), pad = spec.integers("pad");
  if (window != std::vector<int64_t>{3, 3} || stride != std::vector<int64_t>{1, 1} ||
      dilation != std::vector<int64_t>{1, 1} || spec.integer("groups") != 1)
    throw SpecError("conv kernel: winograd needs a 3x3 window, stride 1, no dilation or groups");
  int m = int(spec.integer("winograd")), a = m + 2;
  Transforms transforms = transformsFor(m);
  int64_t channels = inShape[1], outChannels = outShape[1];
  int vec = int(spec.integer("vec")), registerTiles = int(spec.integer("tile_x"));
  int block = int(spec.integer("wblock"));
  int cgroup = int(spec.integer("cgroup", outChannels));
  int rows = int(spec.integer("rows", 1)), images = int(spec.integer("images", 1));
  int ciBlock = int(spec.integer("ci_block", channels));
  if (block <= 0 || outChannels % block || cgroup % block || outChannels % cgroup)
    throw SpecError("conv kernel: winograd needs wblock dividing cgroup dividing the channels");
  int64_t tilesWide = (outShape[3] + m - 1) / m, tilesHigh = (outShape[2] + m - 1) / m;

  ImageParam input = activationInput("input", inShape);
  // U, packed per block like the direct kernel's weights with the (m+2)^2
  // tile positions in place of the taps: (lane, ci, u, v, block).
  ImageParam weights = parameterInput("weights", {block, channels, a, a, outChannels / block});
  // Tiles past the right and bottom edges read zeros, padding or not.
  KernelInput in = prologueInput(spec, input, channels, true, inShape[3], inShape[2]);
  std::vector<Argument> arguments = {input, weights};

  // u, v: positions in a tile along x and y. t numbers the tiles along a
  // row, then down the rows, then across images, so that a task's tiles are
  // one range of t and register tiles run on across tile rows and images.
  Var k("k"), u("u"), v("v"), j("j"), t("t"), lane("lane"), cb("cb");
  Var c("c"), x("x"), y("y"), n("n"), p("p");
  int tilesPerImage = int(tilesWide * tilesHigh);
  Expr tileColumn = t % int(tilesWide), tileRow = t / int(tilesWide) % int(tilesHigh);
  Expr image = t / tilesPerImage;
  Func inputRows("winograd_input_rows"), transformed("winograd_input");
  inputRows(k, u, j, t) = rowTimes(transforms.inputT, u, [&](int i) {
    return in.read(k, tileColumn * m + i - int(pad[1]), tileRow * m + j - int(pad[0]), image);
  });
  transformed(k, u, v, t) =
      rowTimes(transforms.inputT, v, [&](int i) { return inputRows(k, u, i, t); });

  Func products("winograd_products");
  RDom r(0, int(channels), "r");
  products(lane, u, v, t, cb) = 0.0f;
  products(lane, u, v, t, cb) += weights(lane, r, u, v, cb) * transformed(r, u, v, t);

  Func outputColumns("winograd_output_columns"), output("output");
  outputColumns(c, p, v, t) = rowTimes(transforms.outputT, p, [&](int i) {
    return products(c % block, i, v, t, c / block);
  });
  Expr tile = x / m + int(tilesWide) * (y / m) + tilesPerImage * n;
  Expr value = rowTimes(transforms.outputT, y % m,
                        [&](int i) { return outputColumns(c, x % m, i, tile); });
  if (spec.integer("bias")) {
    ImageParam bias = parameterInput("bias", {outChannels});
    arguments.push_back(bias);
    value += bias(c);
  }
  defineConvolutionOutput(output, spec, value, outShape, in, arguments, {c, x, y, n});

  // The output: tasks of (channel group, tile-row group, image group), and
  // within one, an m x m tile of one channel vector at a time.
  Var cg("cg"), cc("cc"), cv("cv"), cl("cl"), yg("yg"), yr("yr"), tyl("tyl"), q("q");
  Var txo("txo"), px("px"), ng("ng"), nl("nl"), rowTask("row_task"), task("task");
  auto guardUnless = [](bool divides) {
    return divides ? TailStrategy::RoundUp : TailStrategy::GuardWithIf;
  };
  output.split(c, cg, cc, cgroup)
      .split(cc, cv, cl, vec)
      .split(y, yg, yr, rows * m, guardUnless(outShape[2] % (rows * m) == 0))
      .split(yr, tyl, q, m, guardUnless(outShape[2] % m == 0))
      .split(x, txo, px, m, guardUnless(outShape[3] % m == 0))
      .split(n, ng, nl, images, guardUnless(outShape[0] % images == 0))
      .reorder(cl, px, q, cv, txo, tyl, nl, cg, yg, ng)
      .vectorize(cl)
      .unroll(px)
      .unroll(q)
      .fuse(cg, yg, rowTask)
      .fuse(rowTask, ng, task)
      .parallel(task);
  outputColumns.compute_at(output, cv).vectorize(c).unroll(p).unroll(v);

  // The GEMMs, over the task's tiles for each tile position and channel
  // block: the accumulators stay in registers across a ci_block slice.
  products.compute_at(output, task).vectorize(lane, vec);
  Var to("to"), ti("ti");
  RVar rco("rco"), rci("rci");
  Stage update = products.update();
  update.split(t, to, ti, registerTiles, TailStrategy::GuardWithIf);
  if (ciBlock < channels && channels % ciBlock == 0)
    update.split(r, rco, rci, ciBlock).reorder(lane, ti, rci, to, rco, u, v, cb);
  else
    update.reorder(lane, ti, r, to, u, v, cb);
  update.vectorize(lane, vec).unroll(ti);
  if (block > vec) {
    products.unroll(lane);
    update.unroll(lane);
  }

  // The input transform, a channel vector of one tile at a time.
  Var ko("ko"), ki("ki");
  transformed.compute_at(output, task)
      .split(k, ko, ki, vec, tailFor(channels, vec))
      .reorder(ki, u, v, ko, t)
      .vectorize(ki)
      .unroll(u)
      .unroll(v);
  inputRows.compute_at(transformed, ko).vectorize(k).unroll(u).unroll(j);
  if (in.prologue.defined())
    in.prologue.compute_root()
        .vectorize(in.prologue.args()[0], vec, TailStrategy::GuardWithIf)
        .parallel(in.prologue.args()[2]);
  return {output, arguments};
}

} // namespace cnnc::kernelgen
