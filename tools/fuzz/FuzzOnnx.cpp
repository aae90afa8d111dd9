//===- FuzzOnnx.cpp - libFuzzer target for the ONNX importer --------------===//
//
// Any byte string must either import or end in a reported error: never a
// crash, a hang, a runaway allocation or a sanitizer report. The bytes go
// through protobuf, ONNX's checker and shape inference, constant folding
// and the translation, as a file given to `cnnc import` does. Run by
// test/Onnx/fuzz-importer.test on the conformance models.
//
//===----------------------------------------------------------------------===//

#include "onnximport/OnnxImport.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cnnc::onnx_import::ImportOptions options;
  cnnc::onnx_import::ImportedModel model;
  std::string error;
  cnnc::onnx_import::importBytes(std::string(reinterpret_cast<const char *>(data), size),
                                 "fuzz.onnx", options, model, error);
  return 0;
}
