//===- Handlers.h - the operator handlers, by theme ------------------------===//
//
// Windows.cpp: convolutions, pooling, Pad, MaxRoiPool. Movement.cpp:
// reshapes, transposes, concatenation, splits, slices, resizing.
// Operators.cpp: activations, normalisation, dense layers, and the table of
// op types. Patterns.cpp: the element-wise arithmetic.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_ONNXIMPORT_HANDLERS_H
#define CNNC_ONNXIMPORT_HANDLERS_H

#include "onnximport/Importer.h"

#include <string>

namespace cnnc::onnx_import {

/// "3" or "[3, 5]": a size pair as the language writes it.
std::string pair(int64_t a, int64_t b);

void convolution(Importer &im);
void convTranspose(Importer &im);
void pool(Importer &im, bool max);
void globalPool(Importer &im, bool max);
void maxRoiPool(Importer &im);
void pad(Importer &im);

/// The shape a Squeeze or Unsqueeze node makes of `shape`, with its axes
/// checked as ONNX defines them (in range, each once, squeezing only 1s).
Shape squeezedShape(const Importer &im, const Shape &shape);

void flatten(Importer &im);
void reshape(Importer &im);
void transposeOp(Importer &im);
void concat(Importer &im);
void depthToSpace(Importer &im);
void spaceToDepth(Importer &im);
void tileOp(Importer &im);
void split(Importer &im);
void slice(Importer &im);
void resize(Importer &im);

// Quantized.cpp: a QDQ model's QuantizeLinear and DequantizeLinear.
void quantizeLinear(Importer &im);
void dequantizeLinear(Importer &im);
/// Either of them on a constant (a QDQ model's weights and biases).
Constant foldQuantization(Importer &im, const Constant &x, bool quantize);

} // namespace cnnc::onnx_import

#endif // CNNC_ONNXIMPORT_HANDLERS_H
