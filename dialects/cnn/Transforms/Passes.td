//===- Passes.td - the cnn dialect's optimisation passes -----------------===//
//
// Each pass has its own flag and its own test file, test/Transforms/<flag>.mlir.
// Each keeps the model's numbers (the reference interpreter checks it on the
// zoo) and can explain itself with `emit-remarks`.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_PASSES_TD
#define CNN_PASSES_TD

include "mlir/Pass/PassBase.td"

class Cnn_FunctionPass<string flag> : Pass<flag, "::mlir::func::FuncOp"> {
  let dependentDialects = ["::cnn::CnnDialect"];
  list<Option> remarkOption = [
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "Say, at each op's .cnn location, what was rewritten and what was not, and why">
  ];
}

//===----------------------------------------------------------------------===//
// Inference clean-up
//===----------------------------------------------------------------------===//

def EraseInferenceNoOps : Cnn_FunctionPass<"cnn-erase-inference-noops"> {
  let summary = "Removes ops that do nothing at inference: dropout and identity";
  let description = [{
    Dropout is the identity at inference and identity ops only keep a layer
    visible in the source; both are replaced by their input. A scale_shift
    whose input is another, read by it alone, absorbs it (`x * 0.5 + 3`
    elaborates as two).
  }];
  let options = remarkOption;
}

def SinkTransposes : Cnn_FunctionPass<"cnn-sink-transposes"> {
  let summary = "Moves transposes past element-wise ops until they cancel";
  let description = [{
    A transpose followed by an element-wise op (an activation, a dropout, a
    scale-and-shift) is the op followed by the transpose; two transposes in a
    row are one, and a transpose that keeps every dimension in place is none.
    ConvNeXt's blocks go channels-last for a layer norm, two linear layers
    and a GELU, and back: the language writes each of those ops between
    transposes to and from channels, and this pass leaves none of them.
    A transpose that remains is a copy kernel.
  }];
  let options = remarkOption;
}

//===----------------------------------------------------------------------===//
// Folding and fusion
//===----------------------------------------------------------------------===//

def FoldBatchNorm : Cnn_FunctionPass<"cnn-fold-batch-norm"> {
  let summary = "Folds batch norms into the convolution or dense layer before them";
  let description = [{
    A batch norm whose input is a convolution or dense layer used nowhere
    else becomes part of that layer: a `cnn.fold_batch_norm` computes the
    folded weight and bias from the parameters (once, at load), and the layer
    uses them. Batch norms that follow anything else (DenseNet's
    BN-ReLU-conv order) are left in place, with a remark saying why.
  }];
  let options = remarkOption;
}

def FuseConvActivation : Cnn_FunctionPass<"cnn-fuse-conv-activation"> {
  let summary = "Fuses a convolution with its residual sum and activation";
  let description = [{
    `act(conv(x) + b + r)` becomes one `cnn.fused_conv2d`: a convolution used
    only by a residual `cnn.add` and/or an activation (ReLU, clip, leaky ReLU,
    sigmoid, tanh, SiLU, hardswish) is replaced by the fused kernel, so the
    intermediate tensors never exist. Run after `cnn-fold-batch-norm`, which
    removes the batch norms between convolutions and activations.
  }];
  let options = remarkOption;
}

def FuseBatchNormPrologue : Cnn_FunctionPass<"cnn-fuse-batch-norm-prologue"> {
  let summary = "Fuses a batch norm (and activation) into the convolution after it";
  let description = [{
    Where a batch norm cannot be folded because it comes before its
    convolution (DenseNet's BN-ReLU-conv), the convolution applies it as it
    reads its input: `cnn.batch_norm_affine` turns the statistics into a
    multiplier and offset (a weight transform), and the convolution's input
    prologue applies them and the activation. Padding stays zero, as in the
    unfused graph.
  }];
  let options = remarkOption;
}

def LowerToGemm : Cnn_FunctionPass<"cnn-lower-to-gemm"> {
  let summary = "Lowers 1x1 convolutions and dense layers to cnn.gemm";
  let description = [{
    A convolution with a 1x1 kernel, stride 1, no padding and one group is a
    matrix product of its weight (M x K) and its input seen as K x (N*H*W);
    so is a dense layer. Both become `cnn.gemm`, keeping a fused
    convolution's bias, residual and activation. Other convolutions are left
    alone, with a remark saying which condition failed.
  }];
  let options = remarkOption;
}

//===----------------------------------------------------------------------===//
// Load-time work
//===----------------------------------------------------------------------===//

def HoistWeightTransforms : Pass<"cnn-hoist-weight-transforms", "::mlir::ModuleOp"> {
  let summary = "Moves weight transforms into an init function run once at load";
  let description = [{
    Ops that compute only from parameters (`cnn.fold_batch_norm`) move into
    `func.func @init`, which stores their results as `computed` parameters
    (named after the layer: `layer1.0.bn1.folded_weight`); the model reads
    those with `cnn.weight`. The model function then does no weight
    arithmetic at all.
  }];
  let dependentDialects = ["::cnn::CnnDialect", "::mlir::func::FuncDialect"];
  let options = [
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "Say, at each op's .cnn location, what was rewritten and what was not, and why">
  ];
}

def PlanMemory : Pass<"cnn-plan-memory", "::mlir::ModuleOp"> {
  let summary = "Places every activation in one arena, reusing memory by liveness";
  let description = [{
    Each tensor the model computes gets a byte offset in a single arena
    (`cnn.offset` on the op that makes it; `flatten` and `reshape` share their
    input's bytes). A tensor lives from the op that makes it to its last
    reader (outputs to the end); tensors whose lives overlap never share
    bytes. Offsets are chosen greedily, largest tensor first, at the lowest
    free address (64-byte aligned). The module records `cnn.arena_bytes`,
    the sum of all activations (`cnn.activation_bytes`) and the lower bound
    no plan can beat, the most bytes alive at once (`cnn.peak_live_bytes`).
    Inputs belong to the caller and are not placed.
  }];
  let options = [
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "Report the arena's size next to the sum of activations and the lower bound">
  ];
}

//===----------------------------------------------------------------------===//
// Kernel decisions: layout, schedule
//===----------------------------------------------------------------------===//

def SelectLayout : Pass<"cnn-select-layout", "::mlir::ModuleOp"> {
  let summary = "Chooses the physical layout of activations and of each kernel's weights";
  let description = [{
    Tensor types stay logical (PyTorch's NCHW); the layout says how the
    compiled model stores them. `nhwc` (channels innermost, the default)
    lets every kernel vectorise over channels and lets a producer write
    straight into its slice of a channel concat. The module gets
    `cnn.layout`; each convolution and GEMM gets `cnn.weight_layout`, the
    order its packed weights take (`HWIO`: kernel row, column, input
    channel, output channel; `IO` for GEMMs), repacked once in init.

    Layout changes are kept to the fewest: the model's inputs and outputs
    convert at the boundary, and a `flatten` or `reshape` is a view when
    both sides have the same element order (`[N, C, 1, 1]` to `[N, C]`),
    otherwise one copy kernel, marked `cnn.relayout`.
  }];
  let options = [
    Option<"layout", "layout", "std::string", "\"nhwc\"",
           "The activation layout: nhwc (channels innermost) or nchw">,
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "Say which reshapes need a layout change, at their .cnn location">
  ];
}

def ScheduleKernels : Cnn_FunctionPass<"cnn-schedule-kernels"> {
  let summary = "Attaches a schedule (tiles, vector width, parallel loop) to each kernel";
  let description = [{
    Every convolution and GEMM gets `cnn.schedule`: the vector width
    (`vec`), the register tile (`tile_c` output channels by `tile_x`
    columns, or `tile_n` by `tile_m` for a GEMM) and the loop run in
    parallel. The heuristic (docs/passes.md) scores each register tile
    that fits the target's vector registers by the share of its work that
    is useful (tiles that overhang an edge recompute) and by its size
    (reuse per load). A tuning database (`tuning-db`) overrides it for the
    kernels it lists, keyed by the kernel's spec description. With
    `low-precision`, run again once cnn-quantize or cnn-bf16 has marked
    its kernels, only those are looked up (their descriptions carry
    `precision=`), and a kernel the database does not list keeps the
    low-precision schedule it has.
  }];
  let options = [
    Option<"lowPrecision", "low-precision", "bool", "false",
           "Schedule only the int8 and bf16 kernels, from the tuning database">,
    Option<"target", "target", "std::string", "\"avx512\"",
           "What the schedule is for: avx512 or avx2 (vector ISAs), cuda or opencl">,
    Option<"tuningDatabase", "tuning-db", "std::string", "\"\"",
           "A tuning database whose entries replace the heuristic">,
    Option<"threads", "threads", "int", "0",
           "The thread count whose tuning-db entries apply (0: one per core)">,
    Option<"winograd", "winograd", "bool", "true",
           "Winograd F(4x4, 3x3) for stride-1 3x3 convolutions with enough tiles">,
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "Say what schedule each kernel got and where it came from">
  ];
}

def Quantize : Cnn_FunctionPass<"cnn-quantize"> {
  let summary = "Runs convolutions and GEMMs as int8 kernels, with a calibration's scales";
  let description = [{
    With the ranges of a `.qparams` file (`cnnc calibrate`), each fused
    convolution (ungrouped with input channels in fours, or depthwise) and
    GEMM (K in fours) without a batch-norm prologue, whose input (and
    residual) the calibration names, gets `cnn.int8`: the u8 scale and zero
    point of its input and residual, and its output's, `u8` when every
    reader is an int8 kernel (the tensor stays u8 between them) or `f32`.
    A float tensor an int8 kernel reads gets one `cnn.quantize`. The
    schedule becomes the int8 kernels' (16 s32 lanes, no weight blocking or
    Winograd). Weights are quantized per output channel at load.
  }];
  let options = [
    Option<"qparamsPath", "qparams", "std::string", "\"\"",
           "The calibration (.qparams) whose ranges give the scales">,
    ListOption<"keepFloat", "keep-float", "std::string",
               "Layers to keep in float (each must name a convolution or GEMM)">,
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "Say which kernels run int8 and why the others stay float">
  ];
}

def Bf16 : Cnn_FunctionPass<"cnn-bf16"> {
  let summary = "Runs convolutions and GEMMs as bf16 kernels, with no calibration";
  let description = [{
    Each fused convolution (ungrouped, input channels in pairs) and GEMM
    (K even) without a batch-norm prologue gets `cnn.bf16`: its kernel
    rounds its f32 input and its weights to bf16 and sums the products in
    f32 (AVX512-BF16's vdpbf16ps). Tensors stay f32 between kernels, so
    what stays float (depthwise and grouped convolutions, the RGB stem,
    layers --keep-float names) needs no conversion. The schedule becomes
    the low-precision kernels' (no weight blocking or Winograd).
  }];
  let options = [
    ListOption<"keepFloat", "keep-float", "std::string",
               "Layers to keep in float (each must name a convolution or GEMM)">,
    Option<"emitRemarks", "emit-remarks", "bool", "false",
           "Say which kernels run bf16 and why the others stay float">
  ];
}

#endif // CNN_PASSES_TD
