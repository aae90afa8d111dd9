//===- Kernels.h - Halide pipelines for the kernel families ---------------===//
//
// Each family builds one Halide pipeline from a spec line: the algorithm
// from the op's definition, the schedule from the spec's schedule keys. All
// shapes are static: every buffer's extents are fixed, and only the strides
// of dimensions past the first are left free, so that a producer can write
// straight into its slice of a concat.
//
// Activations use the physical layout "channels innermost": a tensor with
// logical (PyTorch) dimensions [d0, d1, d2, ..., dr-1] is a Halide buffer
// whose dimension 0 is d1 (channels), then dr-1 down to d2, then d0 (batch).
// [N, C, H, W] is (c, x, y, n); [N, K] is (k, n).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_KERNELGEN_KERNELS_H
#define CNNC_KERNELGEN_KERNELS_H

#include "Spec.h"

#include "Halide.h"

#include <functional>

namespace cnnc::kernelgen {

/// A pipeline ready for AOT compilation: its output and its inputs in the
/// order of the generated function's parameters (the output comes last).
struct Kernel {
  Halide::Func output;
  std::vector<Halide::Argument> arguments;
};

Kernel buildKernel(const KernelSpec &spec);

// Family builders (one per file group).
Kernel buildConv(const KernelSpec &spec);
Kernel buildGemm(const KernelSpec &spec);
Kernel buildWinogradConv(const KernelSpec &spec);
Kernel buildRotatedGroupConv(const KernelSpec &spec);
// precision=int8 (Quantized.cpp): u8 activations, s8 weights, s32 sums.
Kernel buildQuantizedGemm(const KernelSpec &spec);
Kernel buildQuantizedConv(const KernelSpec &spec);
Kernel buildQuantize(const KernelSpec &spec);
// precision=bf16 (Bf16.cpp): f32 activations read as bf16, bf16 weights, f32 sums.
Kernel buildBf16Gemm(const KernelSpec &spec);
Kernel buildBf16Conv(const KernelSpec &spec);
Kernel buildConvTranspose(const KernelSpec &spec);
Kernel buildPool(const KernelSpec &spec);
Kernel buildAdaptivePool(const KernelSpec &spec);
Kernel buildRoiPool(const KernelSpec &spec);
Kernel buildUnary(const KernelSpec &spec);
Kernel buildBinary(const KernelSpec &spec);
Kernel buildMatmul(const KernelSpec &spec);
Kernel buildAffine(const KernelSpec &spec);
Kernel buildCopy(const KernelSpec &spec);
Kernel buildChannelShuffle(const KernelSpec &spec);
Kernel buildTranspose(const KernelSpec &spec);
Kernel buildLayerNorm(const KernelSpec &spec);
Kernel buildSoftmax(const KernelSpec &spec);
Kernel buildReduce(const KernelSpec &spec);
Kernel buildLrn(const KernelSpec &spec);
Kernel buildUpsample(const KernelSpec &spec);

//--- helpers shared by the families ---------------------------------------//

/// A convolution's input as its kernel reads it: with the prologue (a batch
/// norm and activation folded in front) applied, and zero outside the image
/// when the convolution pads.
struct KernelInput {
  Halide::Func read;                      // Zero-padded, prologue applied.
  Halide::Func prologue;                  // Defined only when there is one.
  std::vector<Halide::Argument> arguments; // The multiplier and offset.
};
KernelInput prologueInput(const KernelSpec &spec, Halide::ImageParam &input, int64_t channels,
                          bool pad, int64_t width, int64_t height);
bool anyPadding(const std::vector<int64_t> &pad);
/// output(at) = epilogue(value + the residual, when the spec has one); adds
/// the residual and the prologue's parameters to `arguments`, in the order
/// the plan passes them, and fixes the output's extents.
void defineConvolutionOutput(Halide::Func output, const KernelSpec &spec, Halide::Expr value,
                             const std::vector<int64_t> &outShape, const KernelInput &in,
                             std::vector<Halide::Argument> &arguments,
                             const std::vector<Halide::Var> &at);

/// The logical dimension behind each Halide dimension of an activation.
std::vector<int> physicalOrder(size_t rank);

/// An input activation of logical shape `shape`, its extents fixed and its
/// innermost stride 1.
Halide::ImageParam activationInput(const std::string &name, const std::vector<int64_t> &shape,
                                   Halide::Type type = Halide::Float(32));
/// A parameter tensor with the given Halide extents (dense, innermost first).
Halide::ImageParam parameterInput(const std::string &name, const std::vector<int64_t> &extents,
                                  Halide::Type type = Halide::Float(32));
/// Fixes the output's extents to those of logical `shape`.
void constrainOutput(Halide::Func output, const std::vector<int64_t> &shape);

/// `kind` applied to v: none, relu, clip (lo, hi), leaky_relu (alpha),
/// sigmoid, tanh, silu, hardswish, hardsigmoid, gelu, exactly as the cnn dialect defines them.
Halide::Expr activate(Halide::Expr v, const std::string &kind, double alpha, double lo,
                      double hi);
/// Whether v is NaN, or infinite: tests on the bits, which fast math keeps
/// and every back end vectorises.
Halide::Expr isNan(Halide::Expr v);
Halide::Expr isInf(Halide::Expr v);
/// The largest of `tap` over its RDom, NaN when any tap is NaN, as PyTorch's
/// max pooling and max reductions give. Halide's max, like the hardware's,
/// returns the other operand when one is NaN, which would hide a fault.
Halide::Expr maximumKeepingNan(Halide::Expr tap);

/// The float32 sum of term(i) for i in [0, extent), in blocks: sums of 32
/// consecutive terms, then the sum of those. Rounding then grows with
/// extent / 32 + 32 terms, not with extent (a softmax over 1000 classes,
/// a layer norm over 1024 channels); the terms are read in the same order,
/// so it costs nothing measurable.
Halide::Expr blockedSum(int extent, const std::function<Halide::Expr(Halide::Expr)> &term,
                        const std::string &name);

/// The spec's epilogue activation (keys act, alpha, min, max).
Halide::Expr epilogue(const KernelSpec &spec, Halide::Expr v);

/// Runs loop `v` (of `iterations`, each `work` multiply-adds or element
/// operations) in parallel, in chunks big enough that a task's scheduling
/// cost (an atomic on a shared counter) is noise: at least 64k operations
/// per task, and at most 64 tasks. Returns the loop inside a task that
/// steps through `v` (for a stage computed at each step).
Halide::Var parallelInChunks(Halide::Func output, Halide::VarOrRVar v, int64_t iterations,
                             int64_t work);

/// The loop split an output uses: vectorised over channels, the tail
/// recomputed (shifted inwards) when the extent allows it.
Halide::TailStrategy tailFor(int64_t extent, int64_t factor);

/// The register tile of an int8 or bf16 kernel (Quantized.cpp, Bf16.cpp):
/// `tileC` output channels (whole vectors of `vec`) by `tileX` columns,
/// shifted inwards at an edge; `co` and `xo` are the tile loops, channel
/// tiles outermost when `channelsOuter`. `acc` (its pure definition, then
/// one update over `reduction`, innermost first) lives per tile. With
/// `dotProduct`, reduction[0] is the run of adjacent elements one
/// instruction sums into each lane (vpdpbusd's four bytes, vdpbf16ps's two
/// bf16), vectorised atomically so that Halide finds the instruction.
void scheduleReductionTiles(Halide::Func output, Halide::Func acc,
                            const std::vector<Halide::VarOrRVar> &reduction, int64_t channels,
                            int64_t columns, int vec, int tileC, int tileX, Halide::Var co,
                            Halide::Var xo, bool channelsOuter, bool dotProduct);

/// An int8 or bf16 GEMM's schedule from its spec: register tiles of
/// `tile_n` channels by `tile_m` pixels, channel tiles (parallel=n) or pixel
/// tiles in parallel.
void scheduleLowPrecisionGemm(const KernelSpec &spec, Halide::Func output, Halide::Func acc,
                              const std::vector<Halide::VarOrRVar> &reduction, int64_t rows,
                              int64_t depth, int64_t columns);
/// An int8 or bf16 convolution's (c, x, y, n): register tiles of `tile_c`
/// channels by `tile_x` columns; with parallel=n channel tiles outermost,
/// each task running every row against its slice of the weights, which
/// then stays in cache (layers whose weights outweigh their activations:
/// ResNet's 14x14 and 7x7 stages, 2.4 MB of weights over 25 KB of input);
/// otherwise rows of every image go to threads. `taps` is the reduction's
/// length per output. Returns the loop that steps through output rows.
Halide::Var scheduleLowPrecisionConv(const KernelSpec &spec, Halide::Func output,
                                     Halide::Func acc,
                                     const std::vector<Halide::VarOrRVar> &reduction,
                                     const std::vector<int64_t> &outShape, int64_t taps,
                                     bool dotProduct);

//--- GPU schedules (Gpu.cpp) ------------------------------------------------//

/// One thread per element, 256 to a block, all dimensions fused (channels
/// innermost, so a warp touches consecutive addresses).
void scheduleFlatOnGpu(Halide::Func f);

/// A convolution's or GEMM's register tiles on a GPU: the output's
/// dimension 0 is channels, dimension 1 columns (pixels), the rest go to one
/// block dimension.
struct GpuTiles {
  int64_t channelExtent = 0, columnExtent = 0;
  int channels = 32;     // Channels per block (tile_c, tile_n).
  int vector = 1;        // Channels per thread, one vector load (vec).
  int columns = 1;       // Columns per thread (tile_x, tile_m).
  int columnThreads = 1; // Threads across column tiles (block_x).
  std::vector<Halide::RVar> unrolledReduction; // E.g. a depthwise window's taps.
};
/// The tiles a spec line's schedule keys give: `channelKey` channels per
/// block, `columnKey` columns per thread, `vec`.
GpuTiles gpuTiles(const KernelSpec &spec, int64_t channels, int64_t columns,
                  const std::string &channelKey, const std::string &columnKey,
                  int columnThreads);
/// `acc` (pure definition then one update over `reduction`, innermost
/// first) accumulates per thread in registers; `output` reads it.
void scheduleTilesOnGpu(Halide::Func output, Halide::Func acc,
                        const std::vector<Halide::RVar> &reduction, const GpuTiles &tiles);

} // namespace cnnc::kernelgen

#endif // CNNC_KERNELGEN_KERNELS_H
