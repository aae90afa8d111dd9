//===- QParamsTest.cpp - the .qparams reader on good and hostile files ----===//

#include "quantize/QParams.h"

#include <gtest/gtest.h>

using namespace cnnc::quantize;

namespace {

const char *kHeader = "version 1\nmodel \"m\"\nmethod entropy\nsamples 4\n";

std::string errorOf(const std::string &text) {
  QParams qparams;
  std::string error;
  EXPECT_FALSE(parseQParams(text, "q.qparams", qparams, error)) << text;
  return error;
}

TEST(QParams, AQdqModelsRangesNeedNoSamples) {
  QParams q;
  std::string error;
  ASSERT_TRUE(parseQParams("version 1\nmodel \"m\"\nmethod qdq\ntensor \"x\" -1 1\n", "q.qparams",
                           q, error))
      << error;
  EXPECT_EQ(q.method, "qdq");
  EXPECT_EQ(q.samples, 0);
  EXPECT_EQ(errorOf("version 1\nmodel \"m\"\nmethod minmax\ntensor \"x\" -1 1\n"),
            "q.qparams:4: the file ends before its 'version', 'model', 'method' and 'samples' "
            "lines");
}

TEST(QParams, ReadsWhatCalibrationWrites) {
  QParams q;
  std::string error;
  ASSERT_TRUE(parseQParams("# a comment\nversion 1\nmodel \"resnet18\"\nmethod percentile 99.99\n"
                           "samples 8\ntensor \"image\" -3.5 3.5\ntensor \"odd \\x22name\\x5c\" 0 "
                           "4.25\n",
                           "q.qparams", q, error))
      << error;
  EXPECT_EQ(q.model, "resnet18");
  EXPECT_EQ(q.method, "percentile");
  EXPECT_DOUBLE_EQ(q.percentile, 99.99);
  EXPECT_EQ(q.samples, 8);
  ASSERT_EQ(q.tensors.size(), 2u);
  EXPECT_DOUBLE_EQ(q.tensors.at("image").low, -3.5);
  EXPECT_DOUBLE_EQ(q.tensors.at("odd \"name\\").high, 4.25);
  EXPECT_EQ(q.tensors.at("image").line, 6);
  // \x0a is a newline: refused inside a name, as every control character.
  EXPECT_NE(errorOf(std::string(kHeader) + "tensor \"a\\x0ab\" 0 1\n").find("control"),
            std::string::npos);
}

TEST(QParams, NamesTheLineAndWhatWasExpected) {
  EXPECT_EQ(errorOf("version 2\n"), "q.qparams:1: this cnnc reads qparams version 1");
  EXPECT_EQ(errorOf("model \"m\"\n"), "q.qparams:1: expected 'version 1' first");
  EXPECT_EQ(errorOf(std::string(kHeader) + "tensor \"a\" 0 1\ntensor \"a\" 0 2\n"),
            "q.qparams:6: tensor 'a' is given twice (first on line 5)");
  EXPECT_EQ(errorOf(std::string(kHeader) + "tensor \"a\" 0.5 1\n"),
            "q.qparams:5: tensor 'a': its range [low, high] must contain 0");
  EXPECT_EQ(errorOf(std::string(kHeader) + "tensor \"a\" 0 nan\n"),
            "q.qparams:5: tensor 'a': its range is two finite numbers");
  EXPECT_EQ(errorOf(std::string(kHeader) + "tensor \"a\" 0 1e999\n"),
            "q.qparams:5: tensor 'a': its range is two finite numbers");
  EXPECT_EQ(errorOf(std::string(kHeader) + "tensor a 0 1\n"),
            "q.qparams:5: expected 'tensor \"<name>\" <low> <high>'");
  EXPECT_EQ(errorOf(std::string(kHeader) + "tensor \"a 0 1\n"),
            "q.qparams:5: a quoted name ends with '\"'");
  EXPECT_EQ(errorOf(std::string(kHeader) + "tensor \"\\q\" 0 1\n"),
            "q.qparams:5: a name's escape is \\x and two lower-case hex digits");
  EXPECT_EQ(errorOf("version 1\nmodel \"m\"\nmethod kl\n"),
            "q.qparams:3: unknown method 'kl': expected minmax, percentile, entropy or qdq");
  EXPECT_EQ(errorOf("version 1\nmodel \"m\"\nmethod percentile 101\n"),
            "q.qparams:3: expected 'method percentile P', P from 50 to 100");
  EXPECT_EQ(errorOf("version 1\nmodel \"m\"\nmethod minmax\nsamples 0\n"),
            "q.qparams:4: expected one 'samples N' line, N a whole number from 1 to 2^31");
  EXPECT_EQ(errorOf("version 1\nmodel \"m\"\n"),
            "q.qparams:2: the file ends before its 'version', 'model', 'method' and 'samples' "
            "lines");
  EXPECT_EQ(errorOf(std::string(kHeader) + "scale 3\n"),
            "q.qparams:5: unknown line 'scale': expected version, model, method, samples, tensor "
            "or addend");
  EXPECT_EQ(errorOf(std::string(kHeader) + "addend \"c2\" 0 1\naddend \"c2\" 0 2\n"),
            "q.qparams:6: addend 'c2' is given twice (first on line 5)");
  EXPECT_EQ(errorOf(std::string(kHeader) + "addend \"c2\" 1 2\n"),
            "q.qparams:5: addend 'c2': its range [low, high] must contain 0");
  EXPECT_EQ(errorOf(std::string(kHeader) + std::string(5000, 'x') + "\n"),
            "q.qparams:5: a line has at most 4096 bytes");
  EXPECT_EQ(errorOf(std::string(kHeader) + "tensor \"" + std::string(257, 'a') + "\" 0 1\n"),
            "q.qparams:5: a name has 1 to 256 bytes");
}

TEST(QParams, RefusesWhatIsNotARegularFile) {
  QParams q;
  std::string error;
  EXPECT_FALSE(readQParams("/dev/zero", q, error));
  EXPECT_EQ(error, "/dev/zero: cannot read the quantization parameters: it is not a regular file");
}

TEST(QParams, AffineU8KeepsZeroExact) {
  AffineU8 relu = affineU8({0, 5.1, 0});
  EXPECT_EQ(relu.zeroPoint, 0);
  EXPECT_DOUBLE_EQ(relu.scale, 5.1 / 255);
  AffineU8 signed_ = affineU8({-1, 3, 0});
  EXPECT_EQ(signed_.zeroPoint, 64); // -low / scale = 63.75, rounded
  AffineU8 empty = affineU8({0, 0, 0});
  EXPECT_EQ(empty.zeroPoint, 0);
  EXPECT_DOUBLE_EQ(empty.scale, 1);
}

} // namespace
