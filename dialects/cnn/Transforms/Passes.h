//===- Passes.h - the cnn dialect's optimisation passes -------------------===//

#ifndef CNN_TRANSFORMS_PASSES_H
#define CNN_TRANSFORMS_PASSES_H

#include "cnn/IR/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <set>
#include <string>

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

/// The layers --keep-float names (cnn-quantize, cnn-bf16): whether a
/// kernel is one of them, and, once every kernel was asked, an error at
/// `where` for a name that is none.
class KeepFloatList {
public:
  template <typename Names>
  explicit KeepFloatList(const Names &names) : names(names.begin(), names.end()) {}
  bool keeps(mlir::Operation *op) {
    std::string layer = layerName(op, "");
    if (!names.count(layer))
      return false;
    found.insert(layer);
    return true;
  }
  mlir::LogicalResult checkAllFound(mlir::Operation *where) const {
    for (const std::string &layer : names)
      if (!found.count(layer))
        return where->emitError("--keep-float names '")
               << layer << "', which is not a convolution or GEMM of the optimised graph (its "
               << "layers are named as --remarks and --profile show them)";
    return mlir::success();
  }

private:
  std::set<std::string> names, found;
};

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
