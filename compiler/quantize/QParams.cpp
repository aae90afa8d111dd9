//===- QParams.cpp - the .qparams reader ----------------------------------===//

#include "quantize/QParams.h"

#include "support/ReadFile.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace cnnc::quantize {

namespace {

constexpr size_t kMaxLineBytes = 4096;
constexpr size_t kMaxNameBytes = 256; // as the dialect's parameter names
constexpr int64_t kMaxSamples = int64_t(1) << 31;

/// Splits a line into words; a word starting with `"` runs to the closing
/// quote and is unescaped (\xHH is the only escape, and must give a byte
/// that is not a control character).
class Words {
public:
  explicit Words(const std::string &line) : line(line) {}

  /// The next word, or false at the end of the line or on a bad word
  /// (then `why` says what).
  bool next(std::string &word, std::string &why) {
    while (at < line.size() && line[at] == ' ')
      ++at;
    if (at == line.size())
      return false;
    word.clear();
    if (line[at] != '"') {
      while (at < line.size() && line[at] != ' ')
        word += line[at++];
      return true;
    }
    for (++at; at < line.size() && line[at] != '"'; ++at) {
      char c = line[at];
      if (c != '\\') {
        word += c;
        continue;
      }
      auto hex = [](char h) {
        return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
      };
      if (at + 3 >= line.size() || line[at + 1] != 'x' || hex(line[at + 2]) < 0 ||
          hex(line[at + 3]) < 0) {
        why = "a name's escape is \\x and two lower-case hex digits";
        return false;
      }
      unsigned char byte = static_cast<unsigned char>(hex(line[at + 2]) * 16 + hex(line[at + 3]));
      if (byte < 0x20 || byte == 0x7f) {
        why = "a name holds no control characters";
        return false;
      }
      word += static_cast<char>(byte);
      at += 3;
    }
    if (at == line.size()) {
      why = "a quoted name ends with '\"'";
      return false;
    }
    ++at;
    if (word.empty() || word.size() > kMaxNameBytes) {
      why = "a name has 1 to 256 bytes";
      return false;
    }
    return true;
  }

private:
  const std::string &line;
  size_t at = 0;
};

bool parseNumber(const std::string &word, double &value) {
  if (word.empty() || word.size() > 64)
    return false;
  char *end = nullptr;
  errno = 0;
  value = std::strtod(word.c_str(), &end);
  return end == word.c_str() + word.size() && errno != ERANGE && std::isfinite(value);
}

} // namespace

bool parseQParams(const std::string &text, const std::string &path, QParams &out,
                  std::string &error) {
  out = QParams();
  int lineNumber = 0;
  bool sawVersion = false, sawModel = false, sawMethod = false, sawSamples = false;
  auto fail = [&](const std::string &why) {
    error = path + ":" + std::to_string(lineNumber) + ": " + why;
    return false;
  };
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos)
      end = text.size();
    std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    ++lineNumber;
    if (line.size() > kMaxLineBytes)
      return fail("a line has at most 4096 bytes");
    for (char c : line)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        return fail("a line holds printable text only (names escape other bytes as \\xHH)");
    if (line.empty() || line[0] == '#')
      continue;
    Words words(line);
    std::string key, why;
    std::vector<std::string> values;
    words.next(key, why);
    for (std::string word; words.next(word, why);)
      values.push_back(word);
    if (!why.empty())
      return fail(why);
    if (!sawVersion && key != "version")
      return fail("expected 'version 1' first");
    if (key == "version") {
      if (sawVersion)
        return fail("'version' is given twice");
      if (values.size() != 1 || values[0] != "1")
        return fail("this cnnc reads qparams version 1");
      sawVersion = true;
    } else if (key == "model") {
      if (sawModel || values.size() != 1)
        return fail("expected one 'model <name>' line");
      out.model = values[0];
      sawModel = true;
    } else if (key == "method") {
      if (sawMethod || values.empty())
        return fail("expected one 'method minmax|percentile P|entropy|qdq' line");
      out.method = values[0];
      bool percentile = out.method == "percentile";
      if (out.method != "minmax" && out.method != "entropy" && out.method != "qdq" && !percentile)
        return fail("unknown method '" + out.method +
                    "': expected minmax, percentile, entropy or qdq");
      if (values.size() != (percentile ? 2u : 1u) ||
          (percentile && (!parseNumber(values[1], out.percentile) || out.percentile < 50 ||
                          out.percentile > 100)))
        return fail(percentile ? "expected 'method percentile P', P from 50 to 100"
                               : "'method " + out.method + "' takes no value");
      sawMethod = true;
    } else if (key == "samples") {
      double samples;
      if (sawSamples || values.size() != 1 || !parseNumber(values[0], samples) ||
          samples < 1 || samples > double(kMaxSamples) || samples != std::floor(samples))
        return fail("expected one 'samples N' line, N a whole number from 1 to 2^31");
      out.samples = int64_t(samples);
      sawSamples = true;
    } else if (key == "tensor" || key == "addend") {
      TensorRange range;
      range.line = lineNumber;
      if (values.size() != 3 || line.find('"') == std::string::npos)
        return fail("expected '" + key + " \"<name>\" <low> <high>'");
      if (!parseNumber(values[1], range.low) || !parseNumber(values[2], range.high))
        return fail(key + " '" + values[0] + "': its range is two finite numbers");
      if (range.low > 0 || range.high < 0)
        return fail(key + " '" + values[0] + "': its range [low, high] must contain 0");
      auto &ranges = key == "tensor" ? out.tensors : out.addends;
      auto [earlier, inserted] = ranges.emplace(values[0], range);
      if (!inserted)
        return fail(key + " '" + values[0] + "' is given twice (first on line " +
                    std::to_string(earlier->second.line) + ")");
    } else {
      return fail("unknown line '" + key +
                  "': expected version, model, method, samples, tensor or addend");
    }
  }
  // A QDQ model's ranges (method qdq) come from its file, not from samples.
  if (!sawVersion || !sawModel || !sawMethod || (!sawSamples && out.method != "qdq"))
    return fail("the file ends before its 'version', 'model', 'method' and 'samples' lines");
  return true;
}

bool splitQuotedWords(const std::string &line, std::vector<std::string> &words,
                      std::string &why) {
  words.clear();
  why.clear();
  Words split(line);
  std::string word;
  while (split.next(word, why))
    words.push_back(word);
  return why.empty();
}

bool readQParams(const std::string &path, QParams &out, std::string &error) {
  std::string text, why;
  if (!readRegularFile(path, text, why, kMaxQParamsBytes)) {
    error = path + ": cannot read the quantization parameters: " + why;
    return false;
  }
  return parseQParams(text, path, out, error);
}

AffineU8 affineU8(const TensorRange &range) {
  AffineU8 q;
  double width = range.high - range.low;
  if (!(width > 0))
    return q;
  q.scale = width / 255;
  q.zeroPoint = int(std::lround(-range.low / q.scale));
  q.zeroPoint = q.zeroPoint < 0 ? 0 : q.zeroPoint > 255 ? 255 : q.zeroPoint;
  return q;
}

} // namespace cnnc::quantize
