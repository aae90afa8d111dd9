//===- Patterns.h - element-wise nodes and the patterns they complete -----===//
//
// Exporters write hardswish as x * clip(x + 3, 0, 6) / 6, SiLU as
// x * sigmoid(x), GELU with Erf, and layer normalisation as nine nodes; a
// bias may follow a MatMul or a convolution as its own Add. The element-wise
// handlers recognise these as they complete and emit the one layer.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_ONNXIMPORT_PATTERNS_H
#define CNNC_ONNXIMPORT_PATTERNS_H

#include "onnximport/Importer.h"

namespace cnnc::onnx_import {

/// Adds x * scale + shift (a `cnn.scale_shift`) and returns its activation.
int scalarLayer(Importer &im, int x, double scale, double shift);

/// x * scale + shift before an unpadded convolution (its `weight` [O, I/g,
/// kh, kw] and `bias`, absent when empty) that is x's only reader, folded
/// into them: the weights times scale, each bias plus shift times the sum
/// of its channel's weights. Returns the convolution's new input, the
/// affine's operand, or x itself when x is no such affine (or the numbers
/// are not finite).
int absorbAffineBefore(Importer &im, int x, Constant &weight, Constant &bias);

/// Add, Sub, Mul and Div: `op` is '+', '-', '*' or '/'.
void arithmetic(Importer &im, char op);

} // namespace cnnc::onnx_import

#endif // CNNC_ONNXIMPORT_PATTERNS_H
