//===- RandomWeights.h - seeded parameters and inputs for a model ---------===//
//
// Lets every model run without trained weights: `cnnc weights`, `cnnc run`
// and compiled binaries started without --weights use these.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_REFERENCE_RANDOMWEIGHTS_H
#define CNNC_REFERENCE_RANDOMWEIGHTS_H

#include "reference/Interpreter.h"

#include "mlir/IR/BuiltinOps.h"

namespace cnnc::reference {

/// Seeded random inputs: N(0, 1) images, and valid boxes inside the image for
/// inputs that feed RoI pooling.
std::vector<Tensor> randomInputs(mlir::func::FuncOp function, uint64_t seed);

/// Seeded random parameters: He-normal convolution and dense weights, small
/// biases, batch-norm scale near 1 (near 0.05 where the batch norm ends a
/// residual branch) and shift near 0. Each parameter's values
/// depend only on the seed and its name. Batch-norm running statistics are
/// then calibrated: the model runs on `calibrationInputs` and a few more
/// seeded inputs, and each batch norm takes the mean and variance of what it
/// actually sees (slightly perturbed), so activations stay normalised
/// through any depth.
Parameters randomParameters(mlir::ModuleOp module, uint64_t seed,
                            const std::vector<Tensor> &calibrationInputs);

} // namespace cnnc::reference

#endif // CNNC_REFERENCE_RANDOMWEIGHTS_H
