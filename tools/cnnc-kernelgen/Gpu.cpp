//===- Gpu.cpp - the GPU schedules (CUDA and OpenCL) ----------------------===//
//
// One schedule source serves both GPU back ends; Halide emits PTX for CUDA
// and C source for OpenCL from it. Activations stay channels innermost on
// the GPU too: consecutive threads take consecutive channels, so a warp's
// loads and stores of an activation or of (co-innermost) weights are one
// contiguous segment, coalesced, with no transposes between kernels. This
// is the layout Halide's own GPU convolution reaches 88% of a GTX 980's
// peak with (apps/conv_layer). It has not been measured against NCHW on a
// GPU here: these machines have none (issue 14's closing note).
//
// - Convolutions and GEMMs: a thread accumulates a register tile of `vec`
//   channels (one vector load of weights per reduction step) by `tile_x`
//   columns (pixels, for a GEMM), over the whole reduction. A block is
//   tile_c / vec threads across channels by `block_x` threads across
//   column tiles: every input value a step loads is shared by the block's
//   channel threads (one cache line, broadcast), every weight vector by its
//   column threads.
// - Everything else is bound by memory bandwidth: one thread per output
//   element, the dimensions fused so that a block of threads covers
//   consecutive channels, then columns.
//
// - `ksplit` parts of a long reduction over few outputs: each part is a
//   tile of its own (the `parts` Func, computed at root, one kernel), and
//   the output, one thread per element, sums them.
//
// Not yet: staging the reduction's input slice in shared memory (the loads
// now go through the L1 cache; docs/gpu.md says why Halide 14 makes it
// hard), and Winograd; the validator refuses `winograd` on a GPU target.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

namespace cnnc::kernelgen {

using namespace Halide;

void scheduleFlatOnGpu(Func f) {
  std::vector<Var> vars = f.args();
  Var flat = vars[0];
  for (size_t i = 1; i < vars.size(); ++i) {
    Var fused(flat.name() + "_" + vars[i].name());
    f.fuse(flat, vars[i], fused);
    flat = fused;
  }
  Var block(flat.name() + "_block"), thread(flat.name() + "_thread");
  f.gpu_tile(flat, block, thread, 256, TailStrategy::GuardWithIf);
}

GpuTiles gpuTiles(const KernelSpec &spec, int64_t channels, int64_t columns,
                  const std::string &channelKey, const std::string &columnKey,
                  int columnThreads) {
  GpuTiles tiles;
  tiles.channelExtent = channels;
  tiles.columnExtent = columns;
  tiles.channels = int(spec.integer(channelKey));
  tiles.vector = int(spec.integer("vec"));
  tiles.columns = int(spec.integer(columnKey));
  tiles.columnThreads = columnThreads;
  return tiles;
}

void scheduleTilesOnGpu(Func output, Func acc, const std::vector<RVar> &reduction,
                        const GpuTiles &tiles) {
  std::vector<Var> vars = output.args(); // (channel, column, [rest...])
  Var co("co"), cv("cv"), ct("ct"), cl("cl"), xo("xo"), xv("xv"), xt("xt"), xi("xi");
  // A block that overhangs an edge is shifted inwards (the validator keeps
  // a block within the extents): a guard would leave the accumulators,
  // computed per thread above it, reading past the inputs' edges.
  int blockColumns = tiles.columns * tiles.columnThreads;
  output.split(vars[0], co, cv, tiles.channels, TailStrategy::ShiftInwards)
      .split(cv, ct, cl, tiles.vector)
      .split(vars[1], xo, xv, blockColumns, TailStrategy::ShiftInwards)
      .split(xv, xt, xi, tiles.columns)
      .reorder(cl, xi, ct, xt, xo, co)
      .unroll(cl)
      .unroll(xi)
      .gpu_threads(ct, xt);
  // The remaining dimensions (rows and images) are one block dimension.
  if (vars.size() > 2) {
    Var rest = vars[2];
    for (size_t i = 3; i < vars.size(); ++i) {
      Var fused(rest.name() + "_" + vars[i].name());
      output.fuse(rest, vars[i], fused);
      rest = fused;
    }
    output.gpu_blocks(xo, co, rest);
  } else {
    output.gpu_blocks(xo, co);
  }

  // Per thread: `vector` x `columns` accumulators, in registers.
  std::vector<Var> accVars = acc.args();
  acc.compute_at(output, ct).vectorize(accVars[0], tiles.vector).unroll(accVars[1]);
  std::vector<VarOrRVar> loops = {accVars[0], accVars[1]};
  loops.insert(loops.end(), reduction.begin(), reduction.end());
  Stage update = acc.update();
  update.reorder(loops).vectorize(accVars[0], tiles.vector).unroll(accVars[1]);
  for (const RVar &tap : tiles.unrolledReduction)
    update.unroll(tap);
}

} // namespace cnnc::kernelgen
