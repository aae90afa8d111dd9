//===- RuntimeTest.cpp - libcnnrt: safetensors and .npy faults ------------===//
//
// Every fault in a weights or tensor file must end in a message that names
// the file and the tensor; none may crash or read out of bounds. Each test
// writes a small file by hand, byte for byte.
//
//===----------------------------------------------------------------------===//

#include "cnnrt.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace {

/// A path of this process's own: the plain and the sanitized test binaries
/// run these tests concurrently.
std::string temporaryPath(const std::string &name) {
  return testing::TempDir() + "cnnrt-" + std::to_string(getpid()) + "-" + name;
}

/// A safetensors file with `header` as its JSON and `data` after it;
/// `declaredLength` overrides the length field when non-zero.
std::string writeSafetensors(const std::string &name, const std::string &header,
                             const std::vector<float> &data, uint64_t declaredLength = 0) {
  std::string path = temporaryPath(name);
  std::ofstream out(path, std::ios::binary);
  uint64_t length = declaredLength ? declaredLength : header.size();
  for (int i = 0; i < 8; ++i)
    out.put(char(length >> (8 * i)));
  out << header;
  out.write(reinterpret_cast<const char *>(data.data()), data.size() * sizeof(float));
  return path;
}

/// Opens `path` expecting `code`; returns the message.
std::string openFails(const std::string &path, int code) {
  char error[512] = "";
  cnnrt_weights *weights = nullptr;
  EXPECT_EQ(cnnrt_weights_open(path.c_str(), &weights, error, sizeof error), code);
  EXPECT_EQ(weights, nullptr);
  return error;
}

const std::string goodHeader =
    R"({"conv.weight":{"dtype":"F32","shape":[2,1,1,1],"data_offsets":[0,8]},)"
    R"("conv.bias":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})";

TEST(Safetensors, ReadsAndChecksShapes) {
  std::string path = writeSafetensors("good", goodHeader, {1, 2, 3, 4});
  char error[512];
  cnnrt_weights *weights = nullptr;
  ASSERT_EQ(cnnrt_weights_open(path.c_str(), &weights, error, sizeof error), CNNRT_OK) << error;
  const float *data = nullptr;
  int64_t shape[] = {2, 1, 1, 1};
  ASSERT_EQ(cnnrt_weights_get_f32(weights, "conv.weight", 4, shape, &data, error, sizeof error),
            CNNRT_OK);
  EXPECT_EQ(data[1], 2.0f);
  int64_t wrong[] = {2, 1, 3, 3};
  EXPECT_EQ(cnnrt_weights_get_f32(weights, "conv.weight", 4, wrong, &data, error, sizeof error),
            CNNRT_SHAPE);
  EXPECT_STREQ(error, (path + ": tensor 'conv.weight' has shape [2, 1, 1, 1], expected "
                              "[2, 1, 3, 3]").c_str());
  EXPECT_EQ(cnnrt_weights_get_f32(weights, "fc.weight", 4, shape, &data, error, sizeof error),
            CNNRT_MISSING);
  EXPECT_STREQ(error, (path + ": missing tensor 'fc.weight'").c_str());
  cnnrt_weights_close(weights);
}

TEST(Safetensors, MissingAndExtraTensors) {
  std::string path = writeSafetensors("names", goodHeader, {1, 2, 3, 4});
  char error[512];
  cnnrt_weights *weights = nullptr;
  ASSERT_EQ(cnnrt_weights_open(path.c_str(), &weights, error, sizeof error), CNNRT_OK);
  const char *more[] = {"conv.weight", "conv.bias", "bn.weight"};
  EXPECT_EQ(cnnrt_weights_expect_names(weights, 3, more, error, sizeof error), CNNRT_MISSING);
  EXPECT_STREQ(error, (path + ": missing tensor 'bn.weight' (the model has 3 parameters, "
                              "the file 2 tensors)").c_str());
  const char *fewer[] = {"conv.weight"};
  EXPECT_EQ(cnnrt_weights_expect_names(weights, 1, fewer, error, sizeof error), CNNRT_EXTRA);
  EXPECT_STREQ(error, (path + ": extra tensor 'conv.bias': the model has no parameter of "
                              "that name").c_str());
  cnnrt_weights_close(weights);
}

TEST(Safetensors, BatchNormCounterIsNotExtra) {
  std::string header =
      R"({"bn.weight":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
      R"("bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[4,12]}})";
  std::string path = writeSafetensors("counter", header, {1, 0, 0});
  char error[512];
  cnnrt_weights *weights = nullptr;
  ASSERT_EQ(cnnrt_weights_open(path.c_str(), &weights, error, sizeof error), CNNRT_OK) << error;
  const char *names[] = {"bn.weight"};
  EXPECT_EQ(cnnrt_weights_expect_names(weights, 1, names, error, sizeof error), CNNRT_OK);
  cnnrt_weights_close(weights);
}

TEST(Safetensors, WrongDtype) {
  std::string header = R"({"w":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})";
  std::string path = writeSafetensors("dtype", header, {0, 0});
  char error[512];
  cnnrt_weights *weights = nullptr;
  ASSERT_EQ(cnnrt_weights_open(path.c_str(), &weights, error, sizeof error), CNNRT_OK);
  const float *data;
  int64_t shape[] = {2};
  EXPECT_EQ(cnnrt_weights_get_f32(weights, "w", 1, shape, &data, error, sizeof error),
            CNNRT_DTYPE);
  EXPECT_STREQ(error, (path + ": tensor 'w' has dtype I32; weights must be F32, F16 or "
                              "BF16").c_str());
  cnnrt_weights_close(weights);
  std::string unknown = R"({"w":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})";
  EXPECT_EQ(openFails(writeSafetensors("unknown-dtype", unknown, {0, 0}), CNNRT_DTYPE),
            temporaryPath("unknown-dtype") + ": tensor 'w': unknown dtype 'Q4'");
}

TEST(Safetensors, HalfPrecisionConverts) {
  // 1.0, -2.0 and 65504 in F16; 1.0 and -2.0 in BF16.
  std::string header = R"({"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},)"
                       R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]}})";
  std::string path = temporaryPath("half");
  {
    std::ofstream out(path, std::ios::binary);
    uint64_t length = header.size();
    for (int i = 0; i < 8; ++i)
      out.put(char(length >> (8 * i)));
    out << header;
    const unsigned char bytes[] = {0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x80, 0x3F, 0x00, 0xC0};
    out.write(reinterpret_cast<const char *>(bytes), sizeof bytes);
  }
  char error[512];
  cnnrt_weights *weights = nullptr;
  ASSERT_EQ(cnnrt_weights_open(path.c_str(), &weights, error, sizeof error), CNNRT_OK) << error;
  const float *data;
  int64_t three[] = {3}, two[] = {2};
  ASSERT_EQ(cnnrt_weights_get_f32(weights, "h", 1, three, &data, error, sizeof error), CNNRT_OK);
  EXPECT_EQ(data[0], 1.0f);
  EXPECT_EQ(data[1], -2.0f);
  EXPECT_EQ(data[2], 65504.0f);
  ASSERT_EQ(cnnrt_weights_get_f32(weights, "b", 1, two, &data, error, sizeof error), CNNRT_OK);
  EXPECT_EQ(data[0], 1.0f);
  EXPECT_EQ(data[1], -2.0f);
  cnnrt_weights_close(weights);
}

TEST(Safetensors, TruncatedData) {
  std::string path = writeSafetensors("truncated", goodHeader, {1, 2, 3});
  EXPECT_EQ(openFails(path, CNNRT_FORMAT),
            path + ": tensor 'conv.bias': data is truncated: it ends at byte 16 of the data "
                   "section, which has 12 bytes");
}

TEST(Safetensors, HeaderLengthBeyondFile) {
  std::string path = writeSafetensors("long-header", goodHeader, {1, 2, 3, 4}, 1 << 30);
  EXPECT_EQ(openFails(path, CNNRT_FORMAT),
            path + ": header length 1073741824 goes beyond the file (" +
                std::to_string(goodHeader.size() + 16) + " bytes after the length)");
}

TEST(Safetensors, TooShortForLength) {
  std::string path = temporaryPath("short");
  std::ofstream(path, std::ios::binary) << "abc";
  EXPECT_EQ(openFails(path, CNNRT_FORMAT),
            path + ": 3 bytes is too short for a safetensors file (8-byte header length first)");
}

TEST(Safetensors, OverlappingOffsets) {
  std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  std::string path = writeSafetensors("overlap", header, {1, 2, 3});
  EXPECT_EQ(openFails(path, CNNRT_FORMAT),
            path + ": tensors 'a' and 'b' overlap in the data section");
}

TEST(Safetensors, SizeDisagreesWithShape) {
  std::string header = R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})";
  std::string path = writeSafetensors("size", header, {1, 2});
  EXPECT_EQ(openFails(path, CNNRT_FORMAT),
            path + ": tensor 'a': F32 [3] needs 12 bytes but data_offsets [0, 8] span 8");
}

TEST(Safetensors, MalformedJson) {
  std::string path = writeSafetensors("json", R"({"a":{"dtype":"F32",)", {});
  EXPECT_EQ(openFails(path, CNNRT_FORMAT),
            path + ": malformed JSON header at byte 20: expected a string key");
  std::string notObject = writeSafetensors("json-array", "[1, 2]", {});
  EXPECT_EQ(openFails(notObject, CNNRT_FORMAT), notObject + ": the header must be a JSON object");
  std::string entry = writeSafetensors("json-entry", R"({"a": 3})", {});
  EXPECT_EQ(openFails(entry, CNNRT_FORMAT),
            entry + ": tensor 'a': header entry needs \"dtype\" (a string), \"shape\" (a list) "
                    "and \"data_offsets\" ([begin, end])");
  std::string deep = writeSafetensors("json-deep", std::string(100, '[') + std::string(100, ']'), {});
  EXPECT_EQ(openFails(deep, CNNRT_FORMAT), deep + ": malformed JSON header at byte 65: nested too deeply");
}

TEST(Safetensors, DuplicateName) {
  std::string header = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                       R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})";
  std::string path = writeSafetensors("duplicate", header, {1, 2});
  EXPECT_EQ(openFails(path, CNNRT_FORMAT), path + ": tensor 'a' appears twice in the header");
}

TEST(Safetensors, MissingFile) {
  std::string path = temporaryPath("does-not-exist");
  EXPECT_EQ(openFails(path, CNNRT_IO), path + ": cannot open: No such file or directory");
}

TEST(Safetensors, WriteThenRead) {
  std::string path = temporaryPath("round-trip");
  const char *names[] = {"a", "b"};
  int ranks[] = {2, 1};
  int64_t shapeA[] = {2, 3}, shapeB[] = {1};
  const int64_t *shapes[] = {shapeA, shapeB};
  float a[] = {1, 2, 3, 4, 5, 6}, b[] = {7};
  const float *data[] = {a, b};
  char error[512];
  ASSERT_EQ(cnnrt_weights_write(path.c_str(), 2, names, ranks, shapes, data, error, sizeof error),
            CNNRT_OK);
  cnnrt_weights *weights = nullptr;
  ASSERT_EQ(cnnrt_weights_open(path.c_str(), &weights, error, sizeof error), CNNRT_OK) << error;
  const float *read;
  ASSERT_EQ(cnnrt_weights_get_f32(weights, "a", 2, shapeA, &read, error, sizeof error), CNNRT_OK);
  EXPECT_EQ(read[5], 6.0f);
  // The data section starts 8-byte aligned, so F32 data is used in place.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(read) % 8, 0u);
  cnnrt_weights_close(weights);
}

// An open weights file is the session's own: the file rewritten in place
// or truncated afterwards changes nothing it reads (a mapping would change,
// or raise SIGBUS on the lost pages).
TEST(Safetensors, OwnsItsDataAfterTheFileChanges) {
  std::string path = writeSafetensors("owned", goodHeader, {1, 2, 3, 4});
  char error[512];
  cnnrt_weights *weights = nullptr;
  ASSERT_EQ(cnnrt_weights_open(path.c_str(), &weights, error, sizeof error), CNNRT_OK) << error;
  {
    std::ofstream rewrite(path, std::ios::binary | std::ios::in | std::ios::out);
    rewrite.seekp(8 + long(goodHeader.size()));
    float other[] = {9, 9, 9, 9};
    rewrite.write(reinterpret_cast<const char *>(other), sizeof other);
  }
  ASSERT_EQ(truncate(path.c_str(), 0), 0);
  const float *data = nullptr;
  int64_t shape[] = {2};
  ASSERT_EQ(cnnrt_weights_get_f32(weights, "conv.bias", 1, shape, &data, error, sizeof error),
            CNNRT_OK);
  EXPECT_EQ(data[0], 3.0f);
  EXPECT_EQ(data[1], 4.0f);
  cnnrt_weights_close(weights);
}

// The writers replace a file by renaming a new one over it: a reader that
// opened the old one keeps it whole, and a device is written in place.
TEST(Safetensors, WriterRenamesANewFile) {
  std::string path = temporaryPath("renamed");
  const char *names[] = {"a"};
  int ranks[] = {1};
  int64_t shape[] = {2};
  const int64_t *shapes[] = {shape};
  float first[] = {1, 2}, second[] = {5, 6};
  const float *data[] = {first};
  char error[512];
  ASSERT_EQ(cnnrt_weights_write(path.c_str(), 1, names, ranks, shapes, data, error, sizeof error),
            CNNRT_OK);
  struct stat before;
  ASSERT_EQ(stat(path.c_str(), &before), 0);
  data[0] = second;
  ASSERT_EQ(cnnrt_weights_write(path.c_str(), 1, names, ranks, shapes, data, error, sizeof error),
            CNNRT_OK);
  struct stat after;
  ASSERT_EQ(stat(path.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
  EXPECT_EQ(cnnrt_weights_write("/dev/null", 1, names, ranks, shapes, data, error, sizeof error),
            CNNRT_OK)
      << error;
  struct stat null;
  ASSERT_EQ(stat("/dev/null", &null), 0);
  EXPECT_TRUE(S_ISCHR(null.st_mode));
  // A failed write leaves nothing behind: no file, no temporary.
  EXPECT_EQ(cnnrt_weights_write("/dev/full", 1, names, ranks, shapes, data, error, sizeof error),
            CNNRT_IO);
  EXPECT_NE(std::string(error).find("/dev/full: write failed"), std::string::npos) << error;
}

std::string writeNpy(const std::string &name, const std::string &dict,
                     const std::vector<float> &data, int version = 1) {
  std::string path = temporaryPath(name);
  std::ofstream out(path, std::ios::binary);
  out << "\x93NUMPY" << char(version) << char(0);
  std::string header = dict + std::string(64 - (10 + dict.size() + 1) % 64, ' ') + "\n";
  out.put(char(header.size() & 0xFF));
  out.put(char(header.size() >> 8));
  out << header;
  out.write(reinterpret_cast<const char *>(data.data()), data.size() * sizeof(float));
  return path;
}

std::string npyFails(const std::string &path, int code) {
  char error[512] = "";
  int rank;
  int64_t shape[CNNRT_MAX_RANK];
  float *data = nullptr;
  EXPECT_EQ(cnnrt_npy_read_f32(path.c_str(), &rank, shape, &data, error, sizeof error), code);
  EXPECT_EQ(data, nullptr);
  return error;
}

TEST(Npy, RoundTrip) {
  std::string path = temporaryPath("round-trip.npy");
  int64_t shape[] = {2, 3};
  float values[] = {1, 2, 3, 4, 5, 6};
  char error[512];
  ASSERT_EQ(cnnrt_npy_write_f32(path.c_str(), 2, shape, values, error, sizeof error), CNNRT_OK);
  int rank;
  int64_t read[CNNRT_MAX_RANK];
  float *data;
  ASSERT_EQ(cnnrt_npy_read_f32(path.c_str(), &rank, read, &data, error, sizeof error), CNNRT_OK);
  EXPECT_EQ(rank, 2);
  EXPECT_EQ(read[1], 3);
  EXPECT_EQ(data[4], 5.0f);
  free(data);
}

TEST(Npy, Faults) {
  std::string i32 = writeNpy("i32.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", {0});
  EXPECT_EQ(npyFails(i32, CNNRT_DTYPE), i32 + ": dtype '<i4'; read are little-endian float32, float64 and float16 ('<f4', '<f8', '<f2')");
  std::string fortran = writeNpy("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", {1, 2, 3, 4});
  EXPECT_EQ(npyFails(fortran, CNNRT_FORMAT), fortran + ": Fortran-ordered data; save it in C order");
  std::string truncated = writeNpy("truncated.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", {1, 2});
  EXPECT_EQ(npyFails(truncated, CNNRT_FORMAT), truncated + ": truncated data: the shape needs 6 floats, the file holds 2");
  std::string longer = writeNpy("long.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", {1, 2});
  EXPECT_EQ(npyFails(longer, CNNRT_FORMAT), longer + ": data continues past the 1 floats the shape needs");
  std::string magic = temporaryPath("magic.npy");
  std::ofstream(magic, std::ios::binary) << "PK\x03\x04 this is a zip";
  EXPECT_EQ(npyFails(magic, CNNRT_FORMAT), magic + ": not a .npy file (no \\x93NUMPY magic)");
}

// Class 1 of the reliability work: files from elsewhere.

TEST(HostileNpy, HeaderEndingAfterDescrKey) {
  std::string path = writeNpy("descr-end.npy", "{'descr':", {});
  EXPECT_EQ(npyFails(path, CNNRT_FORMAT), path + ": 'descr' is repeated or not a short string");
}

TEST(HostileNpy, DescrInsideAnotherValueIsNotRead) {
  // The real descr is big-endian; a search for "'descr': '<f4'" would find the fake one.
  std::string path = writeNpy(
      "descr-hidden.npy", "{'fortran_order': False, 'shape': (1,), 'descr': '>f4', }", {0});
  EXPECT_EQ(npyFails(path, CNNRT_DTYPE),
            path + ": dtype '>f4'; read are little-endian float32, float64 and float16 ('<f4', "
                   "'<f8', '<f2')");
  std::string inKey = writeNpy("descr-key.npy",
                               "{\"x'descr': '<f4'\": 1, 'descr': '<f4', 'fortran_order': False, "
                               "'shape': (1,), }", {0});
  EXPECT_EQ(npyFails(inKey, CNNRT_FORMAT),
            inKey + ": the header has a key other than 'descr', 'fortran_order' and 'shape'");
}

TEST(HostileNpy, HugeShapeIsTruncationNotAllocation) {
  std::string path = writeNpy(
      "huge.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 8), }",
      {1, 2});
  EXPECT_EQ(npyFails(path, CNNRT_FORMAT),
            path + ": truncated data: the shape needs more than 2^64 floats, the file holds 2");
  std::string overflow = writeNpy(
      "overflow.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
      {1});
  EXPECT_EQ(npyFails(overflow, CNNRT_FORMAT),
            overflow + ": 'shape' is repeated or not a tuple of at most 8 non-negative integers");
}

TEST(HostileNpy, ZeroSizedAndScalar) {
  std::string empty = writeNpy(
      "empty.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999, 0), }", {});
  char error[512];
  int rank;
  int64_t shape[CNNRT_MAX_RANK];
  float *data = nullptr;
  ASSERT_EQ(cnnrt_npy_read_f32(empty.c_str(), &rank, shape, &data, error, sizeof error), CNNRT_OK)
      << error;
  EXPECT_EQ(rank, 2);
  free(data);
  std::string scalar =
      writeNpy("scalar.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", {7});
  ASSERT_EQ(cnnrt_npy_read_f32(scalar.c_str(), &rank, shape, &data, error, sizeof error), CNNRT_OK)
      << error;
  EXPECT_EQ(rank, 0);
  EXPECT_EQ(data[0], 7.0f);
  free(data);
}

TEST(HostileNpy, MalformedDicts) {
  const char *dicts[] = {
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'descr': '<f4', }",
      "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } trailing",
      "{'descr': '<f4', 'fortran_order': False}",
      "['descr', '<f4']",
  };
  for (const char *dict : dicts) {
    std::string path = writeNpy("malformed.npy", dict, {1});
    std::string message = npyFails(path, CNNRT_FORMAT);
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << dict << " -> " << message;
  }
}

TEST(HostileNpy, DirectoryIsRefused) {
  std::string path = testing::TempDir();
  EXPECT_EQ(npyFails(path, CNNRT_IO), path + ": not a regular file; expected a .npy file");
}

TEST(HostileSafetensors, NulInNameIsRefused) {
  std::string header = R"({"a\u0000b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  std::string path = writeSafetensors("nul-name", header, {1});
  EXPECT_EQ(openFails(path, CNNRT_FORMAT),
            path + ": malformed JSON header at byte 9: \\u0000 in a string (names cannot hold "
                   "NUL characters)");
}

TEST(HostileSafetensors, SurrogatePairsDecode) {
  std::string header = R"({"\ud83d\ude00":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  std::string path = writeSafetensors("surrogate", header, {1});
  char error[512];
  cnnrt_weights *weights = nullptr;
  ASSERT_EQ(cnnrt_weights_open(path.c_str(), &weights, error, sizeof error), CNNRT_OK) << error;
  EXPECT_NE(cnnrt_weights_find(weights, "\xF0\x9F\x98\x80"), nullptr);
  cnnrt_weights_close(weights);
  std::string lone = writeSafetensors(
      "lone", R"({"\ud83d":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", {1});
  EXPECT_EQ(openFails(lone, CNNRT_FORMAT),
            lone + ": malformed JSON header at byte 8: unpaired high surrogate in a \\u escape");
}

TEST(HostileSafetensors, ManyEntriesWithALateDuplicate) {
  // 80,000 entries: the checks are O(n log n), so this is quick.
  std::string header = "{";
  for (int i = 0; i < 80000; ++i)
    header += "\"t" + std::to_string(i) + "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},";
  header += R"("t5":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})";
  std::string path = writeSafetensors("many", header, {});
  EXPECT_EQ(openFails(path, CNNRT_FORMAT), path + ": tensor 't5' appears twice in the header");
}

TEST(HostileSafetensors, EmptyTensorsShareAnOffset) {
  std::string header = R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},)"
                       R"("b":{"dtype":"F32","shape":[2,0],"data_offsets":[4,4]},)"
                       R"("c":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  std::string path = writeSafetensors("empty-shared", header, {1, 2});
  char error[512];
  cnnrt_weights *weights = nullptr;
  ASSERT_EQ(cnnrt_weights_open(path.c_str(), &weights, error, sizeof error), CNNRT_OK) << error;
  cnnrt_weights_close(weights);
}

TEST(HostileSafetensors, DirectoryIsRefused) {
  std::string path = testing::TempDir();
  EXPECT_EQ(openFails(path, CNNRT_IO), path + ": not a regular file; expected a safetensors file");
}

} // namespace
