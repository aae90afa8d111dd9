//===- Dot.h - the network as a Graphviz graph ----------------------------===//
//
// `cnnc --emit=dot` draws the cnn dialect: one node per op with its layer
// name, op and output shape, inside clusters for the blocks its names show
// ("layer1" > "layer1.0"). `--emit=dot-opt` draws the optimised IR: each
// kernel is a cluster of the layers it replaced (a convolution with its
// batch norm, activation and residual add), in-place concats are marked and
// every buffer shows its arena offset.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_SUMMARY_DOT_H
#define CNNC_SUMMARY_DOT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {

/// `original` is the elaborated module; `optimized`, if given, the same
/// module after the pipeline, drawn with the layers each kernel absorbed.
void printDot(mlir::ModuleOp original, mlir::ModuleOp optimized, llvm::raw_ostream &os);

} // namespace cnnc

#endif // CNNC_SUMMARY_DOT_H
