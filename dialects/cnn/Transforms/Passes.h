//===- Passes.h - the cnn dialect's optimisation passes -------------------===//

#ifndef CNN_TRANSFORMS_PASSES_H
#define CNN_TRANSFORMS_PASSES_H

#include "cnn/IR/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace cnn {

#define GEN_PASS_DECL
#include "cnn/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "cnn/Transforms/Passes.h.inc"

/// The one op that reads `value`, or null when it has none or several.
inline mlir::Operation *soleUser(mlir::Value value) {
  return value.hasOneUse() ? *value.getUsers().begin() : nullptr;
}

/// "'layer1.0.conv1'": an op's layer name from its location, for remarks.
inline std::string describeLayer(mlir::Operation *op) {
  return "'" + layerName(op, op->getName().getStringRef()) + "'";
}

/// The inference pipeline `cnnc --emit=opt` runs, in order; with
/// `emitRemarks` each pass says what it did and did not do.
struct PipelineOptions {
  bool emitRemarks = false;
  std::string layout = "nhwc";
  std::string target = "avx512"; // The vector ISA schedules are for.
  std::string tuningDatabase;
  int threads = 0; // The thread count whose tuning-db entries apply; 0: one per core.
  bool winograd = true; // Winograd F(4x4, 3x3) where it pays.
  std::string qparams;  // A calibration: run what can as int8 (cnn-quantize).
  bool bf16 = false;    // Run what can as bf16 (cnn-bf16); no calibration.
  std::vector<std::string> keepFloat; // Layers cnn-quantize or cnn-bf16 leaves in float.
};
void buildOptimizationPipeline(mlir::OpPassManager &pm, const PipelineOptions &options = {});

} // namespace cnn

#endif // CNN_TRANSFORMS_PASSES_H
