//===- DiagnosticsTest.cpp - messages about generated programs ------------===//
//
// A message about a line of an imported program names the node the line
// came from, not text the user never wrote; other lines keep file:line:col
// and the caret.
//
//===----------------------------------------------------------------------===//

#include "frontend/Diagnostics.h"

#include <gtest/gtest.h>

#include <sstream>

namespace {

TEST(Diagnostics, GeneratedLinesNameTheirOrigin) {
  cnnc::SourceManager sources;
  int file = sources.addBuffer("model.onnx.cnn", "# comment\nmodel m(x: [1]):\n  y = relu(x)\n");
  std::ostringstream out;
  cnnc::DiagnosticEngine diagnostics(sources, out);
  diagnostics.setLineOrigins(file, {"", "", "model.onnx: node 'r' (Relu, domain ai.onnx, opset 13)"});
  diagnostics.error({file, 3, 7}, "something is wrong");
  EXPECT_EQ(out.str(), "model.onnx: node 'r' (Relu, domain ai.onnx, opset 13): something is wrong "
                       "(model.onnx.cnn:3)\n");
  out.str("");
  diagnostics.error({file, 2, 1}, "at the model");
  EXPECT_EQ(out.str(), "model.onnx.cnn:2:1: error: at the model\nmodel m(x: [1]):\n^\n");
}

} // namespace
