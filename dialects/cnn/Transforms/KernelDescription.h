//===- KernelDescription.h - what the kernel generator needs to know ------===//
//
// A kernel op of the optimised graph, described as the kernel spec's family
// and key=value pairs (docs/kernel-spec.md). The schedule pass keys its
// tuning database by this description, and the kernel plan prints it,
// followed by the op's schedule, as one spec line.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_TRANSFORMS_KERNELDESCRIPTION_H
#define CNN_TRANSFORMS_KERNELDESCRIPTION_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cnn {

struct KernelDescription {
  std::string family;
  std::vector<std::pair<std::string, std::string>> keys;

  void add(llvm::StringRef key, llvm::StringRef value) { keys.push_back({key.str(), value.str()}); }
  void add(llvm::StringRef key, int64_t value) { add(key, std::to_string(value)); }
  void add(llvm::StringRef key, llvm::ArrayRef<int64_t> values);
  void addReal(llvm::StringRef key, double value);
  /// `family key=value ...`: the tuning database's key.
  std::string signature() const;
};

/// The kernel `op` runs as, or nothing for ops that are not kernels of
/// their own (weights, views, concats: the plan handles those).
std::optional<KernelDescription> describeKernel(mlir::Operation *op);

/// The multiply-adds `op` performs (0 for ops that are not convolutions or
/// matrix products), for GFLOP/s in profiles.
int64_t multiplyAdds(mlir::Operation *op);

/// The schedule `op` gets without a tuning database (ScheduleKernels.cpp);
/// `winograd` allows Winograd F(4x4, 3x3) for the convolutions it suits.
mlir::DictionaryAttr defaultSchedule(mlir::Operation *op, int vectorWidth, bool winograd = true);
/// The schedule of an int8 or bf16 kernel (cnn-quantize, cnn-bf16): 16
/// lanes, up to 4 vectors of output channels (one for depthwise); a GEMM
/// takes 6 pixels and keeps the parallel loop the fp32 schedule chose, a
/// convolution the columns that suit its row width. No weight blocking or
/// Winograd.
mlir::DictionaryAttr lowPrecisionSchedule(mlir::Operation *op);
/// The GPU schedule of a convolution or GEMM (CUDA and OpenCL alike): a
/// block of channel threads by column threads, each a register tile of
/// `vec` channels by `tile_x` (`tile_m`) columns.
mlir::DictionaryAttr defaultGpuSchedule(mlir::Operation *op);

/// Spec keys (`vec=16 tile_c=64 parallel=n`) as a schedule attribute.
mlir::DictionaryAttr parseScheduleKeys(mlir::MLIRContext *context, llvm::StringRef keys);

/// `schedule`'s entries as spec keys (`vec=16 tile_c=64 ...`).
std::string scheduleKeys(mlir::DictionaryAttr schedule);

} // namespace cnn

#endif // CNN_TRANSFORMS_KERNELDESCRIPTION_H
