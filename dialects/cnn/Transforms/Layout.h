//===- Layout.h - what the selected layout implies ------------------------===//

#ifndef CNN_TRANSFORMS_LAYOUT_H
#define CNN_TRANSFORMS_LAYOUT_H

#include "mlir/IR/BuiltinOps.h"

namespace cnn {

/// Whether cnn-select-layout chose channels-innermost activations.
bool channelsInnermost(mlir::ModuleOp module);

/// Whether `op` (a flatten, a reshape or a slice) only renames its input's
/// bytes under the given layout; otherwise it is a copy kernel.
bool isView(mlir::Operation *op, bool channelsInnermost);

} // namespace cnn

#endif // CNN_TRANSFORMS_LAYOUT_H
