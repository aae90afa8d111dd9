//===- Interpreter.h - the reference interpreter of the cnn dialect -------===//
//
// The oracle every pass and kernel is checked against: each op is a direct
// transcription of its definition (PyTorch's, where the op mirrors one) in
// plain loops with double accumulation. It stays simple on purpose; the
// only concession to speed is splitting output channels over threads.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_REFERENCE_INTERPRETER_H
#define CNNC_REFERENCE_INTERPRETER_H

#include "reference/Tensor.h"

#include "cnn/IR/CnnOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <functional>
#include <map>
#include <string>

namespace cnnc::reference {

using Parameters = std::map<std::string, Tensor>;

class Interpreter {
public:
  /// `parameters` holds every cnn.parameter by name; it may be changed by
  /// `beforeBatchNorm` while running.
  explicit Interpreter(Parameters &parameters) : parameters(parameters) {}

  /// Called with each batch_norm's input before the op runs (used to
  /// calibrate running statistics of random weights).
  std::function<void(cnn::BatchNormOp, const Tensor &)> beforeBatchNorm;

  /// Runs the module's init function, if it has one, which stores the
  /// `computed` parameters; call it before `run`.
  void initialize(mlir::ModuleOp module);

  /// Runs `function` on `inputs` (one per argument, shapes already checked).
  std::vector<Tensor> run(mlir::func::FuncOp function, std::vector<Tensor> inputs);

private:
  Parameters &parameters;
};

} // namespace cnnc::reference

#endif // CNNC_REFERENCE_INTERPRETER_H
