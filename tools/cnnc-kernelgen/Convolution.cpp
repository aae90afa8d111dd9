//===- Convolution.cpp - direct, depthwise and transposed convolutions, GEMM ===//
//
// Schedules. Figures are ResNet-50's layers on one core of this AVX-512
// machine, whose FMA peak is 222 GFLOP/s (bench/peak.c), from `--profile`:
// - Direct convolution: a register tile of tile_c output channels (whole
//   vectors) by tile_x columns accumulates over input channels and taps.
//   Each step is tile_c/16 weight loads and tile_x broadcasts for
//   tile_c/16 * tile_x FMAs; with 64 x 6 (24 accumulators) that is 24 FMAs
//   per 10 loads. The 56x56 3x3 layers reach 195-205 GFLOP/s (88-92%), the
//   28x28 ones 180-190. On 14x14 and 7x7 maps (256-512 input channels) the
//   cache-blocked form (wblock) keeps a tap's weight slice in L1 across a
//   row and reaches 130-175 and 100-135: short rows leave few column tiles
//   to reuse a slice, and 7 rows split badly over threads.
// - GEMM (1x1 convolutions, dense layers): the same register tile over
//   channels and pixels, 180-210 GFLOP/s on 28x28 and 56x56 maps and 130-160
//   on 7x7 ones (49 pixels: little reuse of each weight). Dense layers at
//   batch 1 read each weight once: they are bound by memory bandwidth.
// - Depthwise convolution has no reuse across channels: one vector of
//   channels by tile_x columns, all taps unrolled; it is bound by memory
//   bandwidth, not FMAs.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

namespace cnnc::kernelgen {

using namespace Halide;

KernelInput prologueInput(const KernelSpec &spec, ImageParam &input, int64_t channels,
                          bool pad, int64_t width, int64_t height) {
  KernelInput result;
  Func source = input;
  if (spec.integer("affine", 0)) {
    ImageParam multiplier = parameterInput("multiplier", {channels});
    ImageParam offset = parameterInput("offset", {channels});
    std::vector<Var> vars(input.dimensions());
    std::vector<Expr> at(vars.begin(), vars.end());
    result.prologue = Func("prologue");
    result.prologue(vars) = activate(input(at) * multiplier(vars[0]) + offset(vars[0]),
                                     spec.word("pact", "none"), 0, 0, 0);
    source = result.prologue;
    result.arguments = {multiplier, offset};
  }
  result.read = pad ? BoundaryConditions::constant_exterior(
                          source, 0.0f, {{Expr(), Expr()}, {0, int(width)}, {0, int(height)}})
                    : source;
  return result;
}

void defineConvolutionOutput(Func output, const KernelSpec &spec, Expr value,
                             const std::vector<int64_t> &outShape, const KernelInput &in,
                             std::vector<Argument> &arguments, const std::vector<Var> &at) {
  if (spec.integer("residual")) {
    ImageParam residual = activationInput("residual", outShape);
    arguments.push_back(residual);
    value += residual(at);
  }
  output(at) = epilogue(spec, value);
  arguments.insert(arguments.end(), in.arguments.begin(), in.arguments.end());
  constrainOutput(output, outShape);
}

bool anyPadding(const std::vector<int64_t> &pad) {
  for (int64_t p : pad)
    if (p)
      return true;
  return false;
}

// Direct convolution. With `wblock=T` (T output channels dividing their
// count) weights are packed per block of T channels, (lane, ci, kx, ky,
// block), so a block's weights are one contiguous panel, and one task (a
// channel block and an output row) accumulates the whole row: the
// reduction runs over input channels in blocks of `ci_block`, then kernel
// taps, then column tiles of `tile_x`, so each tap's weight sub-panel
// (ci_block x T floats) stays in L1 while every column tile of the row uses
// it. Otherwise (a channel count with a tail, depthwise) each register tile
// accumulates over the whole reduction on its own.
Kernel buildConv(const KernelSpec &spec) {
  if (spec.integer("winograd", 0))
    return buildWinogradConv(spec);
  if (spec.integer("rotated", 0))
    return buildRotatedGroupConv(spec);
  std::vector<int64_t> inShape = spec.integers("in"), outShape = spec.integers("out");
  std::vector<int64_t> window = spec.integers("kernel"), stride = spec.integers("stride");
  std::vector<int64_t> dilation = spec.integers("dilation"), pad = spec.integers("pad");
  int64_t groups = spec.integer("groups"), channels = inShape[1], outChannels = outShape[1];
  int64_t perGroupIn = channels / groups, perGroupOut = outChannels / groups;
  bool depthwise = groups == channels && outChannels == channels && groups > 1;
  int vec = int(spec.integer("vec")), tileC = int(spec.integer("tile_c"));
  int tileX = int(spec.integer("tile_x"));
  int block = int(spec.integer("wblock", 0));
  if (block && (outChannels % block || depthwise || perGroupOut % block))
    throw SpecError("conv kernel: wblock must divide the output channels of a group (not "
                    "depthwise)");

  ImageParam input = activationInput("input", inShape);
  ImageParam weights =
      block ? parameterInput("weights", {block, perGroupIn, window[1], window[0],
                                         outChannels / block})
            : parameterInput("weights", {outChannels, perGroupIn, window[1], window[0]});
  KernelInput in = prologueInput(spec, input, channels, anyPadding(pad), inShape[3], inShape[2]);

  Var c("c"), x("x"), y("y"), n("n"), lane("lane"), cb("cb");
  Func acc("acc"), output("output");
  Expr ix = x * int(stride[1]) - int(pad[1]), iy = y * int(stride[0]) - int(pad[0]);
  std::vector<Argument> arguments = {input, weights};
  // The accumulator's channel: c itself, or block cb's lane.
  Expr channel = block ? cb * block + lane : Expr(c);
  std::vector<Var> accVars = block ? std::vector<Var>{lane, x, y, n, cb}
                                   : std::vector<Var>{c, x, y, n};
  Expr initial = 0.0f;
  if (spec.integer("bias")) {
    ImageParam bias = parameterInput("bias", {outChannels});
    arguments.push_back(bias);
    initial = bias(channel);
  }
  acc(accVars) = initial;
  RDom taps(0, int(window[1]), 0, int(window[0]), "taps");
  RDom r(0, int(perGroupIn), 0, int(window[1]), 0, int(window[0]), "r");
  // On a GPU, `ksplit` parts of the input channels each accumulate in a
  // kernel of their own, and the output sums the parts (docs/gpu.md).
  int splits = depthwise ? 1 : int(spec.integer("ksplit", 1));
  Func part("part"), parts("parts");
  Var p("p");
  RDom chunk(0, int(perGroupIn / splits), 0, int(window[1]), 0, int(window[0]), "chunk");
  if (splits > 1) {
    Expr ci = p * int(perGroupIn / splits) + chunk.x;
    Expr inChannel = groups == 1 ? ci : (c / int(perGroupOut)) * int(perGroupIn) + ci;
    part(c, x, y, n, p) = 0.0f;
    part(c, x, y, n, p) += weights(c, ci, chunk.y, chunk.z) *
                           in.read(inChannel, ix + chunk.y * int(dilation[1]),
                                   iy + chunk.z * int(dilation[0]), n);
    parts(c, x, y, n, p) = part(c, x, y, n, p);
    RDom each(0, splits, "each");
    acc(accVars) += parts(c, x, y, n, each);
  } else if (depthwise) {
    acc(accVars) += weights(c, 0, taps.x, taps.y) *
                    in.read(c, ix + taps.x * int(dilation[1]), iy + taps.y * int(dilation[0]), n);
  } else {
    // A block lies within one group (it divides the group's channels), so
    // its group is the block's, the same for every lane: a broadcast.
    Expr group = block ? (cb * block) / int(perGroupOut) : channel / int(perGroupOut);
    Expr inChannel = groups == 1 ? Expr(r.x) : group * int(perGroupIn) + r.x;
    Expr weight = block ? weights(lane, r.x, r.y, r.z, cb) : weights(c, r.x, r.y, r.z);
    acc(accVars) += weight * in.read(inChannel, ix + r.y * int(dilation[1]),
                                     iy + r.z * int(dilation[0]), n);
  }
  Expr value = block ? acc(c % block, x, y, n, c / block) : acc(c, x, y, n);
  defineConvolutionOutput(output, spec, value, outShape, in, arguments, {c, x, y, n});

  if (spec.gpu) {
    GpuTiles tiles = gpuTiles(spec, outChannels, outShape[3], "tile_c", "tile_x",
                              int(spec.integer("block_x", 1)));
    if (splits > 1) {
      parts.compute_root();
      scheduleTilesOnGpu(parts, part, {chunk.x, chunk.y, chunk.z}, tiles);
      scheduleFlatOnGpu(output); // acc, the sum of the parts, per thread.
    } else if (depthwise) {
      tiles.unrolledReduction = {taps.x};
      scheduleTilesOnGpu(output, acc, {taps.x, taps.y}, tiles);
    } else {
      scheduleTilesOnGpu(output, acc, {r.x, r.y, r.z}, tiles);
    }
    return {output, arguments};
  }
  Var co("co"), ci("ci"), xo("xo"), xi("xi"), task("task");
  if (in.prologue.defined())
    in.prologue.compute_root()
        .vectorize(in.prologue.args()[0], vec, TailStrategy::GuardWithIf)
        .parallel(in.prologue.args()[2]);
  if (block) {
    // A task is `rows` output rows of one channel block: on small maps
    // several rows, so that a weight slice serves enough column tiles.
    int rowsPerTask = int(spec.integer("rows", 1));
    Var yo("yo"), yi("yi");
    output.split(c, co, ci, block, TailStrategy::RoundUp).vectorize(ci, vec);
    if (rowsPerTask > 1)
      output.split(y, yo, yi, rowsPerTask, tailFor(outShape[2], rowsPerTask))
          .reorder(ci, x, yi, yo, co, n)
          .fuse(yo, co, task);
    else
      output.reorder(ci, x, y, co, n).fuse(y, co, task);
    if (block > vec)
      output.unroll(ci);
    output.parallel(task);
    acc.compute_at(output, task).vectorize(lane, vec);
    RVar rco("rco"), rci("rci");
    int ciBlock = int(spec.integer("ci_block", perGroupIn));
    int64_t width = outShape[3];
    Stage update = acc.update();
    update.split(x, xo, xi, tileX,
                 width % tileX ? TailStrategy::GuardWithIf : TailStrategy::RoundUp);
    if (ciBlock < perGroupIn && perGroupIn % ciBlock == 0) {
      update.split(r.x, rco, rci, ciBlock).reorder(lane, xi, rci, xo, y, r.y, r.z, rco);
    } else {
      update.reorder(lane, xi, r.x, xo, y, r.y, r.z);
    }
    update.vectorize(lane, vec).unroll(xi);
    if (block > vec) {
      acc.unroll(lane);
      update.unroll(lane);
    }
    return {output, arguments};
  }
  // A dilated window's last column tile is guarded, not shifted inwards:
  // Halide 14 partitioned the taps' loop of a shifted tile on bounds that
  // mixed its column with its row, and a 3x3 window dilated by 2 on an
  // 8-wide row, tile_x=6, summed the wrong taps (test/Codegen/
  // bf16-kernels.test's f32 twin).
  bool dilated = dilation[0] > 1 || dilation[1] > 1;
  output.split(c, co, ci, tileC, tailFor(outChannels, tileC))
      .split(x, xo, xi, tileX,
             dilated ? TailStrategy::GuardWithIf : tailFor(outShape[3], tileX))
      .reorder(ci, xi, xo, co, y, n)
      .vectorize(ci, vec)
      .unroll(xi);
  if (tileC > vec)
    output.unroll(ci);
  // Rows are tasks, several to a task when a row is little work: finer
  // tasks (a channel tile of a row) cost more in scheduling than they save
  // in balance, on small depthwise layers most.
  int64_t rowWork = outShape[3] * outChannels * perGroupIn * window[0] * window[1];
  parallelInChunks(output, y, outShape[2], rowWork);
  acc.compute_at(output, xo).vectorize(c, vec).unroll(x);
  if (depthwise) {
    acc.update().reorder(c, x, taps.x, taps.y).vectorize(c, vec).unroll(x).unroll(taps.x);
  } else {
    acc.update().reorder(c, x, r.x, r.y, r.z).vectorize(c, vec).unroll(x);
    if (tileC > vec)
      acc.update().unroll(c);
  }
  if (tileC > vec)
    acc.unroll(c);
  return {output, arguments};
}

// GEMM: with `wblock=T`, weights packed (lane, k, block) like the direct
// convolution's, and each task accumulates a block of `m_block` pixels for
// one channel block, the reduction split into `k_block` slices so that a
// slice of the weight panel (k_block x T floats) stays in L1 while the
// pixel block's register tiles use it.
Kernel buildGemm(const KernelSpec &spec) {
  int64_t rows = spec.integer("m"), depth = spec.integer("k"), columns = spec.integer("n");
  // Logical [rows, depth] -> Halide (k, m): the same physical layout as a
  // channels-innermost activation with its pixels flattened.
  std::vector<int64_t> inShape = {rows, depth}, outShape = {rows, columns};
  int vec = int(spec.integer("vec")), tileN = int(spec.integer("tile_n"));
  int tileM = int(spec.integer("tile_m"));
  int block = int(spec.integer("wblock", 0));
  if (block && columns % block)
    throw SpecError("gemm kernel: wblock must divide n");
  ImageParam input = activationInput("input", inShape);
  ImageParam weights = block ? parameterInput("weights", {block, depth, columns / block})
                             : parameterInput("weights", {columns, depth});
  KernelInput in = prologueInput(spec, input, depth, false, 0, 0);

  Var o("o"), m("m"), lane("lane"), nb("nb");
  Func acc("acc"), output("output");
  std::vector<Argument> arguments = {input, weights};
  Expr column = block ? nb * block + lane : Expr(o);
  std::vector<Var> accVars = block ? std::vector<Var>{lane, m, nb} : std::vector<Var>{o, m};
  Expr initial = 0.0f;
  if (spec.integer("bias")) {
    ImageParam bias = parameterInput("bias", {columns});
    arguments.push_back(bias);
    initial = bias(column);
  }
  RDom r(0, int(depth), "r");
  acc(accVars) = initial;
  int splits = int(spec.integer("ksplit", 1));
  Func part("part"), parts("parts");
  Var p("p");
  RDom chunk(0, int(depth / splits), "chunk");
  if (splits > 1) { // On a GPU, as the convolution's.
    Expr k = p * int(depth / splits) + chunk;
    part(o, m, p) = 0.0f;
    part(o, m, p) += weights(o, k) * in.read(k, m);
    parts(o, m, p) = part(o, m, p);
    RDom each(0, splits, "each");
    acc(accVars) += parts(o, m, each);
  } else {
    acc(accVars) += (block ? weights(lane, r, nb) : weights(o, r)) * in.read(r, m);
  }
  Expr value = block ? acc(o % block, m, o / block) : acc(o, m);
  if (spec.integer("residual")) {
    ImageParam residual = activationInput("residual", outShape);
    arguments.push_back(residual);
    value += residual(o, m);
  }
  output(o, m) = epilogue(spec, value);
  arguments.insert(arguments.end(), in.arguments.begin(), in.arguments.end());
  constrainOutput(output, outShape);

  if (spec.gpu) {
    int threads = int(spec.integer("m_block") / spec.integer("tile_m"));
    GpuTiles tiles = gpuTiles(spec, columns, rows, "tile_n", "tile_m", threads);
    if (splits > 1) {
      parts.compute_root();
      scheduleTilesOnGpu(parts, part, {chunk}, tiles);
      scheduleFlatOnGpu(output);
    } else {
      scheduleTilesOnGpu(output, acc, {r}, tiles);
    }
    return {output, arguments};
  }
  // Channel tiles outermost keep one weight panel in cache while the pixels
  // stream; with few pixels (dense layers) that is also the parallel loop.
  bool channelTilesOuter = spec.word("parallel", "n") == "n";
  Var oo("oo"), oi("oi"), mo("mo"), mi("mi");
  if (block) {
    int mBlock = int(std::min<int64_t>(spec.integer("m_block", tileM), rows));
    output.split(o, oo, oi, block, TailStrategy::RoundUp)
        .split(m, mo, mi, mBlock, tailFor(rows, mBlock))
        .vectorize(oi, vec);
    if (block > vec)
      output.unroll(oi);
    int64_t pixelBlocks = (rows + mBlock - 1) / mBlock;
    if (channelTilesOuter) {
      output.reorder(oi, mi, mo, oo);
      parallelInChunks(output, oo, columns / block, rows * block * depth);
    } else {
      output.reorder(oi, mi, oo, mo);
      parallelInChunks(output, mo, pixelBlocks, mBlock * columns * depth);
    }
    Var tile = channelTilesOuter ? mo : oo;
    acc.compute_at(output, tile).vectorize(lane, vec);
    Var mt("mt"), mm("mm");
    RVar rko("rko"), rki("rki");
    int kBlock = int(spec.integer("k_block", depth));
    Stage update = acc.update();
    update.split(m, mt, mm, tileM, mBlock % tileM ? TailStrategy::GuardWithIf
                                                  : TailStrategy::RoundUp);
    if (kBlock < depth && depth % kBlock == 0)
      update.split(r, rko, rki, kBlock).reorder(lane, mm, rki, mt, rko);
    else
      update.reorder(lane, mm, r, mt);
    update.vectorize(lane, vec).unroll(mm);
    if (block > vec) {
      acc.unroll(lane);
      update.unroll(lane);
    }
    if (in.prologue.defined())
      in.prologue.compute_at(output, tile)
          .vectorize(in.prologue.args()[0], vec, TailStrategy::GuardWithIf);
    return {output, arguments};
  }
  output.split(o, oo, oi, tileN, tailFor(columns, tileN))
      .split(m, mo, mi, tileM, tailFor(rows, tileM))
      .vectorize(oi, vec)
      .unroll(mi);
  if (tileN > vec)
    output.unroll(oi);
  if (channelTilesOuter) {
    output.reorder(oi, mi, mo, oo);
    parallelInChunks(output, oo, (columns + tileN - 1) / tileN, rows * tileN * depth);
  } else {
    output.reorder(oi, mi, oo, mo);
    parallelInChunks(output, mo, (rows + tileM - 1) / tileM, tileM * columns * depth);
  }
  // Accumulators live per register tile; the prologue (1 / tile_n of the
  // FMAs) is recomputed per tile rather than stored.
  Var tile = channelTilesOuter ? mo : oo;
  acc.compute_at(output, tile).vectorize(o, vec).unroll(m);
  acc.update().reorder(o, m, r).vectorize(o, vec).unroll(m);
  if (tileN > vec) {
    acc.unroll(o);
    acc.update().unroll(o);
  }
  if (in.prologue.defined())
    in.prologue.compute_at(output, tile)
        .vectorize(in.prologue.args()[0], vec, TailStrategy::GuardWithIf);
  return {output, arguments};
}

// Transposed convolution, as a gather: out[co, y, x] sums in[ci, iy, ix] *
// w[ci, co, ky, kx] over the taps with y = iy * stride - pad_top + ky *
// dilation. Without dilation, the taps that reach output column x are the
// ones in its phase, kx = (x + pad) % stride + j * stride (j = 0, 1, ...,
// ceil(kw / stride) - 1), each from input column (x + pad) / stride - j:
// a dense reduction with a bounds mask, which vectorises over output
// channels (or, with fewer than 8, over columns). PP-OCRv4's detector
// upsamples 24 channels of 160x160 by 2 with 2x2 taps: 45.8 ms as a scan
// of every tap with a divisibility test per term, 1.3 ms this way (one
// core of an AMD EPYC Zen 5). A dilated one keeps that scan.
Kernel buildConvTranspose(const KernelSpec &spec) {
  std::vector<int64_t> inShape = spec.integers("in"), outShape = spec.integers("out");
  std::vector<int64_t> window = spec.integers("kernel"), stride = spec.integers("stride");
  std::vector<int64_t> dilation = spec.integers("dilation"), pad = spec.integers("pad");
  int64_t groups = spec.integer("groups"), channels = inShape[1];
  int64_t perGroupIn = channels / groups, perGroupOut = outShape[1] / groups;

  ImageParam input = activationInput("input", inShape);
  // Packed from PyTorch's [Cin, Cout/groups, kh, kw] to (co, ci, kx, ky).
  ImageParam weights = parameterInput("weights", {perGroupOut, channels, window[1], window[0]});
  std::vector<Argument> arguments = {input, weights};
  Var c("c"), x("x"), y("y"), n("n");
  Expr initial = 0.0f;
  if (spec.integer("bias")) {
    ImageParam bias = parameterInput("bias", {outShape[1]});
    arguments.push_back(bias);
    initial = bias(c);
  }
  Func acc("acc"), output("output");
  Expr group = c / int(perGroupOut);
  acc(c, x, y, n) = initial;
  bool phased = dilation[0] == 1 && dilation[1] == 1;
  RDom r;
  if (phased) {
    int tapsX = int((window[1] + stride[1] - 1) / stride[1]);
    int tapsY = int((window[0] + stride[0] - 1) / stride[0]);
    r = RDom(0, int(perGroupIn), 0, tapsX, 0, tapsY, "r");
    Expr shiftedX = x + int(pad[1]), shiftedY = y + int(pad[0]);
    Expr kx = shiftedX % int(stride[1]) + r.y * int(stride[1]);
    Expr ky = shiftedY % int(stride[0]) + r.z * int(stride[0]);
    Expr ix = shiftedX / int(stride[1]) - r.y, iy = shiftedY / int(stride[0]) - r.z;
    Expr inside = kx < int(window[1]) && ky < int(window[0]) && ix >= 0 &&
                  ix < int(inShape[3]) && iy >= 0 && iy < int(inShape[2]);
    Expr inChannel = group * int(perGroupIn) + r.x;
    Expr term = weights(c % int(perGroupOut), inChannel, min(kx, int(window[1]) - 1),
                        min(ky, int(window[0]) - 1)) *
                input(inChannel, clamp(ix, 0, int(inShape[3]) - 1),
                      clamp(iy, 0, int(inShape[2]) - 1), n);
    acc(c, x, y, n) += select(inside, term, 0.0f);
  } else {
    r = RDom(0, int(perGroupIn), 0, int(window[1]), 0, int(window[0]), "r");
    Expr tx = x + int(pad[1]) - r.y * int(dilation[1]);
    Expr ty = y + int(pad[0]) - r.z * int(dilation[0]);
    r.where(tx >= 0 && tx % int(stride[1]) == 0 && tx / int(stride[1]) < int(inShape[3]));
    r.where(ty >= 0 && ty % int(stride[0]) == 0 && ty / int(stride[0]) < int(inShape[2]));
    Expr inChannel = group * int(perGroupIn) + r.x;
    acc(c, x, y, n) += weights(c % int(perGroupOut), inChannel, r.y, r.z) *
                       input(inChannel, clamp(tx / int(stride[1]), 0, int(inShape[3]) - 1),
                             clamp(ty / int(stride[0]), 0, int(inShape[2]) - 1), n);
  }
  output(c, x, y, n) = acc(c, x, y, n);
  constrainOutput(output, outShape);
  if (spec.gpu) {
    scheduleFlatOnGpu(output); // acc, unscheduled, is computed per thread.
    return {output, arguments};
  }
  int64_t rowWork = outShape[1] * outShape[3] * perGroupIn * window[0] * window[1];
  if (!phased) {
    acc.compute_at(output, parallelInChunks(output, y, outShape[2], rowWork));
    return {output, arguments};
  }
  // A register tile of a channel vector by 4 columns, or 16 columns of
  // one channel; the phase's taps unrolled.
  Var co("co"), ci("ci"), xo("xo"), xi("xi");
  int64_t outChannels = outShape[1];
  if (outChannels >= 8) {
    int vec = outChannels >= 16 ? 16 : 8;
    output.split(c, co, ci, vec, tailFor(outChannels, vec))
        .split(x, xo, xi, 4, tailFor(outShape[3], 4))
        .reorder(ci, xi, co, xo, y, n)
        .vectorize(ci)
        .unroll(xi);
    acc.compute_at(output, co).vectorize(c).unroll(x);
    acc.update().reorder(c, x, r.y, r.z, r.x).vectorize(c).unroll(x).unroll(r.y).unroll(r.z);
  } else {
    output.split(x, xo, xi, 16, tailFor(outShape[3], 16))
        .reorder(xi, c, xo, y, n)
        .vectorize(xi);
    acc.compute_at(output, c).vectorize(x);
    acc.update().reorder(x, r.y, r.z, r.x).vectorize(x).unroll(r.y).unroll(r.z);
  }
  parallelInChunks(output, y, outShape[2], rowWork);
  return {output, arguments};
}

} // namespace cnnc::kernelgen
