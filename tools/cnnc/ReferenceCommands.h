//===- ReferenceCommands.h - cnnc weights and cnnc run --------------------===//

#ifndef CNNC_TOOLS_REFERENCECOMMANDS_H
#define CNNC_TOOLS_REFERENCECOMMANDS_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace cnnc {

struct ReferenceOptions {
  uint64_t seed = 1;
  std::string weightsPath;               // empty: seeded random weights
  std::vector<std::string> inputPaths;   // empty: seeded random inputs
  std::vector<std::string> outputPaths;  // empty: print a summary of outputs
  std::string preprocess;                // how image inputs become tensors (cnnrt_image.h)
  bool quiet = false;                    // no note about random weights
};

/// `cnnc weights`: writes seeded random weights for the model as safetensors.
int writeRandomWeights(mlir::ModuleOp module, const ReferenceOptions &options,
                       const std::string &outputPath);

/// Whether the weights file holds exactly the model's parameters, each of
/// its shape, with valid values (as `cnnc run` loads them); prints why not.
bool checkWeightsFile(mlir::ModuleOp module, const std::string &path);

/// `cnnc run`: runs the model on the reference interpreter.
int runReference(mlir::ModuleOp module, const ReferenceOptions &options);

} // namespace cnnc

#endif // CNNC_TOOLS_REFERENCECOMMANDS_H
