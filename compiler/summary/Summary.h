//===- Summary.h - per-layer parameters, shapes and MACs ------------------===//
//
// `cnnc summary` reads everything from the cnn dialect, the same IR every
// later stage consumes, so its counts describe what is compiled.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_SUMMARY_SUMMARY_H
#define CNNC_SUMMARY_SUMMARY_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cnnc {

struct LayerSummary {
  std::string name;   // From the op's NameLoc: the layer's .cnn name.
  std::string op;     // The op's mnemonic, e.g. "conv2d".
  std::vector<int64_t> output;
  int64_t weights = 0; // Learned weights the layer reads (BN: its scale).
  int64_t biases = 0;  // Learned biases (BN: its shift).
  int64_t macs = 0;    // Multiply-accumulates of convolutions and dense layers.
  bool int8 = false;   // Runs as an int8 kernel (markInt8).
};

struct ModelSummary {
  std::string model;
  std::vector<LayerSummary> layers;
  /// Learned parameters, each counted once (BN running statistics are
  /// buffers, not parameters, as in PyTorch's model.parameters()).
  int64_t totalParams = 0;
  int64_t totalMacs = 0;
  bool quantized = false; // markInt8 ran: the weights' bytes are shown both ways
};

ModelSummary summarize(mlir::ModuleOp module);
/// Marks the layers that `optimized` (the same model after the pipeline with
/// --quantize=int8) runs as int8 kernels.
void markInt8(ModelSummary &summary, mlir::ModuleOp optimized);
/// The bytes of the learned weights and biases: fp32 throughout, or as an
/// int8 build holds them (an int8 layer: s8 weights, and an s32 bias and an
/// f32 scale per output channel).
int64_t weightBytes(const ModelSummary &summary, bool int8);
void printTable(const ModelSummary &summary, llvm::raw_ostream &os);
void printJson(const ModelSummary &summary, llvm::raw_ostream &os);

} // namespace cnnc

#endif // CNNC_SUMMARY_SUMMARY_H
