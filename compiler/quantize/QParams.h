//===- QParams.h - a calibration's activation ranges, read and checked ----===//
//
// `cnnc calibrate` (through the compiled model's --calibrate mode) writes a
// .qparams file: per tensor, the range [low, high] that int8 quantization
// maps onto 256 levels (docs/quantization.md). The file comes from outside
// and is read like every other input: bounded, every line checked, and a bad
// one named by file, line and what was expected.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_QUANTIZE_QPARAMS_H
#define CNNC_QUANTIZE_QPARAMS_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cnnc::quantize {

/// The largest .qparams file read: a million tensors fit in far less.
constexpr size_t kMaxQParamsBytes = size_t(16) << 20;

struct TensorRange {
  double low = 0, high = 0; // low <= 0 <= high, both finite
  int line = 0;             // where the file gives it
};

struct QParams {
  std::string model, method;
  double percentile = 0; // method percentile only
  int64_t samples = 0;
  std::map<std::string, TensorRange> tensors;
  /// A QDQ model's (`addend` lines): the range a convolution's own result
  /// is rounded to before the residual sum it is fused with, where the
  /// model quantizes both terms of the sum (QLinearAdd).
  std::map<std::string, TensorRange> addends;
};

/// Parses the text of a .qparams file; on failure returns false and sets
/// `error` to "<path>:<line>: <what was expected>".
bool parseQParams(const std::string &text, const std::string &path, QParams &out,
                  std::string &error);
/// Splits a line of the .qparams syntax into words (a quoted name is one
/// word, unescaped); false with `why` on a bad word. The runtime's
/// --dump-layers manifest quotes its layer names the same way.
bool splitQuotedWords(const std::string &line, std::vector<std::string> &words,
                      std::string &why);
/// Reads and parses `path` (a regular file of at most kMaxQParamsBytes).
bool readQParams(const std::string &path, QParams &out, std::string &error);

/// The scale and zero point of an asymmetric u8 tensor over [low, high]:
/// real = scale * (q - zeroPoint), zero exact. A range of width 0 gets scale 1.
struct AffineU8 {
  double scale = 1;
  int zeroPoint = 0;
};
AffineU8 affineU8(const TensorRange &range);

} // namespace cnnc::quantize

#endif // CNNC_QUANTIZE_QPARAMS_H
