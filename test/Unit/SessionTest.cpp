//===- SessionTest.cpp - libcnnrt's session API under hostile callers ------===//
//
// A model written by hand (what cnnc emits as tables): one input x[1, 4], a
// batch norm whose multiplier and offset init computes, and one kernel
// y = x * multiplier + offset. The kernel is plain C++, so these tests run
// without Halide and, like the readers' tests, under ASan and UBSan.
//
//===----------------------------------------------------------------------===//

#include "cnnrt.h"
#include "cnnrt_model.h"

#include "HalideRuntime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

// The runtime's thread pool installs itself in Halide's runtime, which this
// test does not link; the kernel below has no parallel loop.
extern "C" halide_do_par_for_t halide_set_custom_do_par_for(halide_do_par_for_t) {
  return nullptr;
}

// Likewise its error handler and device calls: these models run on the CPU,
// and no device call may happen (each one fails).
extern "C" {
halide_error_handler_t halide_set_error_handler(halide_error_handler_t) { return nullptr; }
int halide_device_malloc(void *, halide_buffer_t *, const halide_device_interface_t *) {
  return -1;
}
int halide_device_free(void *, halide_buffer_t *) { return -1; }
int halide_device_crop(void *, const halide_buffer_t *, halide_buffer_t *) { return -1; }
int halide_device_release_crop(void *, halide_buffer_t *) { return -1; }
int halide_copy_to_device(void *, halide_buffer_t *, const halide_device_interface_t *) {
  return -1;
}
int halide_copy_to_host(void *, halide_buffer_t *) { return -1; }
int halide_device_sync(void *, halide_buffer_t *) { return -1; }
int halide_reuse_device_allocations(void *, bool) { return -1; }
int halide_buffer_copy(void *, halide_buffer_t *, const halide_device_interface_t *,
                       halide_buffer_t *) {
  return -1;
}
}

namespace {

constexpr int kChannels = 4;

extern "C" int scaleKernel(halide_buffer_t *x, halide_buffer_t *multiplier,
                           halide_buffer_t *offset, halide_buffer_t *y) {
  auto *in = reinterpret_cast<const float *>(x->host);
  auto *m = reinterpret_cast<const float *>(multiplier->host);
  auto *o = reinterpret_cast<const float *>(offset->host);
  auto *out = reinterpret_cast<float *>(y->host);
  for (int c = 0; c < kChannels; ++c) {
    // Slow enough that two unserialised runs would interleave.
    volatile float value = in[c];
    for (int spin = 0; spin < 2000; ++spin)
      value = value + 0.0f;
    out[c] = value * m[c] + o[c];
  }
  return 0;
}

cnnrt_buffer_ref vector(int kind, int index, int64_t offset = 0) {
  cnnrt_buffer_ref ref{};
  ref.kind = kind;
  ref.index = index;
  ref.byte_offset = offset;
  ref.rank = 1;
  ref.extent[0] = kChannels;
  ref.stride[0] = 1;
  return ref;
}

cnnrt_buffer_ref batchOfOne(int kind) {
  cnnrt_buffer_ref ref{};
  ref.kind = kind;
  ref.rank = 2;
  ref.extent[0] = kChannels;
  ref.extent[1] = 1;
  ref.stride[0] = 1;
  ref.stride[1] = kChannels;
  return ref;
}

const cnnrt_parameter parameters[] = {
    {"bn.weight", 1, {kChannels}, 0},       {"bn.bias", 1, {kChannels}, 0},
    {"bn.running_mean", 1, {kChannels}, 0}, {"bn.running_var", 1, {kChannels}, 0},
    {"bn.multiplier", 1, {kChannels}, 1},   {"bn.offset", 1, {kChannels}, 1},
};
const cnnrt_prepared prepared[] = {{4, 0, {0}, {0}, 0}, {5, 0, {0}, {0}, 0}};
const cnnrt_init_call init[] = {{CNNRT_BATCH_NORM_AFFINE, {0, 1, 2, 3, 4, 5}, {kChannels, 0}, 0.0}};
const cnnrt_io inputs[] = {{"x", 2, {1, kChannels}, batchOfOne(CNNRT_INPUT)}};
const cnnrt_io outputs[] = {{"y", 2, {1, kChannels}, batchOfOne(CNNRT_ARENA)}};
// Steps store kernels as a generic function pointer, as generated C does;
// the cast through void (*)() says so without a warning.
const cnnrt_kernel kernel =
    reinterpret_cast<cnnrt_kernel>(reinterpret_cast<void (*)()>(scaleKernel));
const cnnrt_step steps[] = {{"bn", "scale", "scaleKernel", kernel, 4,
                             {vector(CNNRT_INPUT, 0), vector(CNNRT_PREPARED, 0),
                              vector(CNNRT_PREPARED, 1), vector(CNNRT_ARENA, 0)},
                             kChannels}};
const cnnrt_model model = {"scale", 6, parameters, 2, prepared, 1, init, 1, inputs,
                           1, outputs, 1, steps, 64};

/// Writes weights with the given running variance; the rest is the identity
/// but for the scale, 2.
std::string writeWeights(const std::string &name, float variance) {
  std::string path = testing::TempDir() + "cnnrt-session-" + std::to_string(getpid()) + "-" +
                     name + ".safetensors";
  static const float scale[kChannels] = {2, 2, 2, 2}, zero[kChannels] = {};
  float var[kChannels] = {1, 1, variance, 1};
  const char *names[] = {"bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"};
  int ranks[] = {1, 1, 1, 1};
  int64_t shape[] = {kChannels};
  const int64_t *shapes[] = {shape, shape, shape, shape};
  const float *data[] = {scale, zero, zero, var};
  char error[256];
  EXPECT_EQ(cnnrt_weights_write(path.c_str(), 4, names, ranks, shapes, data, error, sizeof error),
            CNNRT_OK);
  return path;
}

cnnrt_session *open(const std::string &weights) {
  char error[256] = "";
  cnnrt_session *session = nullptr;
  EXPECT_EQ(cnnrt_session_open(&model, weights.c_str(), 1, &session, error, sizeof error),
            CNNRT_OK)
      << error;
  return session;
}

// Class 10 of the reliability work: the C library's preconditions.

TEST(SessionApi, RunsAndChecksSizes) {
  cnnrt_session *session = open(writeWeights("sizes", 1));
  float x[kChannels] = {1, 2, 3, 4}, y[kChannels] = {};
  cnnrt_input in[] = {{x, kChannels}};
  cnnrt_output out[] = {{y, kChannels}};
  char error[256];
  ASSERT_EQ(cnnrt_session_run(session, in, 1, out, 1, error, sizeof error), CNNRT_OK) << error;
  EXPECT_EQ(y[3], 8.0f);

  cnnrt_output small[] = {{y, kChannels - 1}};
  EXPECT_EQ(cnnrt_session_run(session, in, 1, small, 1, error, sizeof error), CNNRT_USAGE);
  EXPECT_STREQ(error, "cnnrt_session_run: output 'y' holds 3 floats; its shape needs 4");
  EXPECT_EQ(cnnrt_session_run(session, in, 2, out, 1, error, sizeof error), CNNRT_USAGE);
  EXPECT_STREQ(error,
               "cnnrt_session_run: the model has 1 input(s) and 1 output(s); 2 and 1 given");
  cnnrt_input nullData[] = {{nullptr, kChannels}};
  EXPECT_EQ(cnnrt_session_run(session, nullData, 1, out, 1, error, sizeof error), CNNRT_USAGE);
  EXPECT_STREQ(error, "cnnrt_session_run: input 'x' is NULL");
  EXPECT_EQ(cnnrt_session_run(session, nullptr, 1, out, 1, nullptr, 0), CNNRT_USAGE);
  cnnrt_session_close(session);
}

TEST(SessionApi, NullAndClosedSessions) {
  char error[256];
  EXPECT_EQ(cnnrt_session_open(nullptr, nullptr, 1, nullptr, error, sizeof error), CNNRT_USAGE);
  float x[kChannels] = {}, y[kChannels] = {};
  cnnrt_input in[] = {{x, kChannels}};
  cnnrt_output out[] = {{y, kChannels}};
  EXPECT_EQ(cnnrt_session_run(nullptr, in, 1, out, 1, error, sizeof error), CNNRT_USAGE);
  EXPECT_STREQ(error,
               "cnnrt_session_run: the session is not open (NULL, closed, or never opened)");
  cnnrt_session *session = open(writeWeights("closed", 1));
  cnnrt_session_close(session);
  // The handle now dangles: it is refused, never followed.
  EXPECT_EQ(cnnrt_session_run(session, in, 1, out, 1, error, sizeof error), CNNRT_USAGE);
  cnnrt_session_close(session);
  cnnrt_session_close(nullptr);
  int notASession = 0;
  EXPECT_EQ(cnnrt_session_run(reinterpret_cast<cnnrt_session *>(&notASession), in, 1, out, 1,
                              error, sizeof error),
            CNNRT_USAGE);
}

TEST(SessionApi, OneSessionSharedByThreads) {
  cnnrt_session *session = open(writeWeights("threads", 1));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int run = 0; run < 200; ++run) {
        float x[kChannels], y[kChannels];
        for (int c = 0; c < kChannels; ++c)
          x[c] = float(t * 1000 + run * 10 + c);
        cnnrt_input in[] = {{x, kChannels}};
        cnnrt_output out[] = {{y, kChannels}};
        if (cnnrt_session_run(session, in, 1, out, 1, nullptr, 0) != CNNRT_OK)
          ++wrong;
        for (int c = 0; c < kChannels; ++c)
          if (y[c] != 2 * x[c])
            ++wrong;
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(wrong.load(), 0);
  cnnrt_session_close(session);
}

// Class 8: a corrupt batch norm is refused at load, naming the tensor.
TEST(SessionApi, NegativeVarianceIsRefused) {
  for (float bad : {-0.5f, std::numeric_limits<float>::quiet_NaN(),
                    std::numeric_limits<float>::infinity()}) {
    std::string path = writeWeights("variance", bad);
    char error[256] = "";
    cnnrt_session *session = nullptr;
    EXPECT_EQ(cnnrt_session_open(&model, path.c_str(), 1, &session, error, sizeof error),
              CNNRT_VALUE);
    EXPECT_EQ(session, nullptr);
    EXPECT_EQ(std::string(error).rfind("scale: tensor 'bn.running_var': running variance ", 0),
              0u)
        << error;
  }
}

} // namespace
