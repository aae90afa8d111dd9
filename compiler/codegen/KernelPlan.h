//===- KernelPlan.h - the optimised graph as kernel calls -----------------===//
//
// The last step on the MLIR side: the optimised module becomes a plan, plain
// data with no MLIR in it: the distinct kernels (as kernel spec lines for
// cnnc-kernelgen), the calls in order with every buffer's place, extents and
// strides, the parameters and their repacking, and the init function's
// weight transforms. `cnnc --emit=plan` prints it; DriverSource.cpp turns it
// into the model's C driver.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_CODEGEN_KERNELPLAN_H
#define CNNC_CODEGEN_KERNELPLAN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

namespace cnnc::codegen {

/// A Halide buffer over the arena, a model input, or a prepared parameter.
struct BufferRef {
  enum Kind { Arena, Input, Prepared } kind = Arena;
  int index = 0;          // Input or Prepared: which one.
  int64_t byteOffset = 0; // Arena: where its first element is.
  std::vector<int64_t> extents, strides; // Halide order: innermost first.
  /// The element type: f32, an int8 kernel's u8 activations, s8 weights
  /// and s32 bias, or a bf16 kernel's weights (libcnnrt's cnnrt_dtype names).
  enum Type { F32, U8, S8, S32, BF16 } type = F32;
  /// A u8 activation's real value: scale * (q - zero), so that a reader of
  /// the plan (the runtime's --dump-layers) can dequantize it.
  double scale = 0;
  int64_t zero = 0;
};

struct KernelLine {
  std::string symbol, family, text; // text: the whole spec line.
  std::string description;          // `family key=value ...`: the tuning database's key.
  std::string schedule;             // Its schedule keys, if the family has any.
  std::string scheduleSource;       // "tuning.db:12" when a database gave them.
};

struct Step {
  std::string layer, op, symbol;
  std::vector<BufferRef> arguments; // The output last.
  int64_t multiplyAdds = 0;
};

struct Parameter {
  std::string name;
  std::vector<int64_t> shape;
  bool computed = false;
};

/// A parameter as a kernel reads it: permuted so that the packed tensor's
/// dimension d is the source's dimension permutation[d] (row-major on both
/// sides), or used as it is when the permutation is empty. With `winograd`
/// (an output tile size m), 3x3 weights [O, I, 3, 3] first become the
/// Winograd F(m x m, 3x3) weights [O, I, m+2, m+2], which the source shape
/// and permutation then describe.
/// With `quantize` (an int8 kernel's), the float weight [O, ...] is
/// quantized per output channel first: s8 weights (then viewed and
/// permuted), the s32 bias (from `bias`, -1 for none, and the input's
/// scale and zero point) or the f32 scales (runtime/src/quantize.c). With
/// `Bf16` (a bf16 kernel's weights), the permuted weight is rounded to bf16.
struct PreparedParameter {
  int parameter = 0;
  std::vector<int64_t> sourceShape, permutation;
  int winograd = 0;
  enum Quantize { None, Weights, Bias, Scale, Bf16 } quantize = None;
  int bias = -1;
  double inputScale = 0;
  int64_t inputZero = 0;
  /// Weights: each kernel row's taps (kx, c) as kx * C + c, zero-padded to
  /// this length, before `sourceShape` views them (the int8 row-tap form).
  int64_t rowTaps = 0;
};

/// One weight transform of init: cnnrt_<function>(parameters..., integers...).
struct InitCall {
  std::string function;
  std::vector<int> parameters; // -1 for an absent optional operand.
  std::vector<int64_t> integers;
  double epsilon = 0;
};

struct ModelIo {
  std::string name;
  std::vector<int64_t> shape; // Logical (NCHW).
  BufferRef buffer;
};

/// The GPU API a Halide target string runs kernels on: "cuda", "opencl",
/// or "" (the host CPU).
std::string deviceApi(const std::string &halideTarget);
/// The first of `features` that the target string names, or "".
std::string firstTargetFeature(const std::string &target,
                               std::initializer_list<llvm::StringRef> features);

struct Plan {
  std::string model, target;
  std::vector<KernelLine> kernels;
  std::vector<Step> steps;
  std::vector<Parameter> parameters;
  std::vector<PreparedParameter> prepared;
  std::vector<InitCall> init;
  std::vector<ModelIo> inputs, outputs;
  int64_t arenaBytes = 0;
  /// What the program uses when its command line says nothing: a weights
  /// file (absolute) and an image preprocessing spec; empty: none.
  std::string defaultWeights, preprocess;
};

/// Builds the plan of an optimised module (cnnc --emit=opt's output) for a
/// Halide target string. `generatorStamp` goes into every kernel's hash, so
/// a rebuilt generator does not reuse stale cached kernels. Reports errors
/// (an op the code generator does not handle) as MLIR diagnostics.
mlir::FailureOr<Plan> buildPlan(mlir::ModuleOp module, const std::string &target,
                                const std::string &generatorStamp);

/// The kernel spec cnnc-kernelgen reads (docs/kernel-spec.md).
void printKernelSpec(const Plan &plan, std::ostream &os);
/// The spec followed by the calls, buffers and init, for --emit=plan.
void printPlan(const Plan &plan, std::ostream &os);

} // namespace cnnc::codegen

#endif // CNNC_CODEGEN_KERNELPLAN_H
