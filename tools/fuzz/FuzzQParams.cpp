//===- FuzzQParams.cpp - libFuzzer target for the .qparams reader ---------===//
//
// Any byte string is either a valid calibration or a reported error naming
// its line: never a crash, a hang or a sanitizer report. A file that parses
// must hold only what the reader promises.
//
//===----------------------------------------------------------------------===//

#include "quantize/QParams.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cnnc::quantize::QParams qparams;
  std::string error;
  std::string text(reinterpret_cast<const char *>(data), size);
  if (!cnnc::quantize::parseQParams(text, "fuzz.qparams", qparams, error)) {
    if (error.rfind("fuzz.qparams:", 0) != 0)
      std::abort(); // every error names the file and line
    return 0;
  }
  for (const auto &[name, range] : qparams.tensors) {
    if (name.empty() || name.size() > 256 || !std::isfinite(range.low) ||
        !std::isfinite(range.high) || range.low > 0 || range.high < 0)
      std::abort();
    cnnc::quantize::AffineU8 q = cnnc::quantize::affineU8(range);
    if (!(q.scale > 0) || q.zeroPoint < 0 || q.zeroPoint > 255)
      std::abort();
  }
  return 0;
}
