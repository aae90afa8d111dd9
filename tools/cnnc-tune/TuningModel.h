//===- TuningModel.h - a model's tunable kernels and their variants -------===//
//
// cnnc-tune's view of the compiler (MLIR side; Halide runs in
// cnnc-kernelgen, as for cnnc). The model is optimised once with the
// heuristic's schedules; a task is one distinct convolution or GEMM kernel.
// A variant of a task is the whole model's plan rebuilt with another
// schedule on that kernel's ops, so weights are packed and buffers placed
// exactly as a compiled model would, then cut down to the task's first call.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TUNE_TUNINGMODEL_H
#define CNNC_TUNE_TUNINGMODEL_H

#include "codegen/KernelPlan.h"
#include "driver/ModelLoading.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cnnc::tune {

struct Task {
  std::string signature;                 // The kernel's description: the database's key.
  std::string family;                    // conv or gemm.
  std::string defaultSchedule;           // The heuristic's keys.
  std::vector<std::string> alternatives; // The heuristic's direct and Winograd forms.
  std::vector<std::string> layers;
  int calls = 0;
  int64_t multiplyAdds = 0; // Per call.
  std::vector<mlir::Operation *> ops;
  int64_t parameterBytes = 0; // Of one variant's kernel model: bounds a batch.
};

/// Schedules by kernel description, replacing the heuristic's.
using Schedules = std::map<std::string, std::string>;

class TuningModel {
public:
  /// Loads a model file as cnnc does (.cnn, .onnx or .mlir) and optimises
  /// it for `target` (cnnc --target's values), with `quantize` (cnnc
  /// --quantize: "", int8 with the calibration `qparams`, or bf16); prints
  /// errors.
  bool load(const ModelRequest &request, const std::string &target,
            const std::string &quantize = "", const std::string &qparams = "");

  const std::vector<Task> &tasks() const { return taskList; }
  const std::string &vectorIsa() const { return isa; }
  const std::string &modelName() const { return name; }

  /// The whole model's plan with `schedules` on the kernels they name.
  mlir::FailureOr<codegen::Plan> plan(const Schedules &schedules);
  /// The plan of `task`'s first call alone with `schedule`: one kernel, one
  /// step, its buffers as in the model (arena offsets moved to start near
  /// 0), its parameters random (not computed by init).
  mlir::FailureOr<codegen::Plan> kernelPlan(const Task &task, const std::string &schedule);

private:
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<mlir::ScopedDiagnosticHandler> diagnostics;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string halideTarget, isa, stamp, name;
  std::vector<Task> taskList;
};

} // namespace cnnc::tune

#endif // CNNC_TUNE_TUNINGMODEL_H
