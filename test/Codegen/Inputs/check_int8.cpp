// Runs every int8 kernel of a kernel spec (linked into this program, found
// by symbol) against a naive reference on the same data, twice: random
// values, then the extremes (inputs 255, weights -128 and 127), where a
// 16-bit pair sum (vpmaddubsw) would saturate. With out_type=f32 and unit
// scales the s32 sums must be exact; a u8 output may differ from the
// reference's rounding by one step.
//
//   check_int8 spec.txt            prints "<symbol>: ok" per kernel, or what differs
//   check_int8 spec.txt --bench N  checks, then times N calls of each kernel
//                                  (bench/int8-kernels.sh): median ms and GOP/s
#include "HalideRuntime.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Keys = std::map<std::string, std::string>;

std::vector<int64_t> ints(const Keys &keys, const std::string &key) {
  std::vector<int64_t> values;
  std::stringstream text(keys.at(key));
  for (std::string part; std::getline(text, part, ',');)
    values.push_back(std::stoll(part));
  return values;
}
int64_t one(const Keys &keys, const std::string &key, int64_t fallback = 0) {
  return keys.count(key) ? std::stoll(keys.at(key)) : fallback;
}
double real(const Keys &keys, const std::string &key) {
  return keys.count(key) ? std::stod(keys.at(key)) : 0;
}

struct Buffer {
  std::vector<uint8_t> bytes;
  halide_buffer_t buffer = {};
  std::vector<halide_dimension_t> dims;
  Buffer(halide_type_code_t code, int bits, std::vector<int64_t> extents) {
    int64_t count = 1;
    for (int64_t e : extents) {
      dims.push_back({0, int32_t(e), int32_t(count), 0});
      count *= e;
    }
    bytes.assign(size_t(count * bits / 8), 0);
    buffer.host = bytes.data();
    buffer.type = {code, uint8_t(bits), 1};
    buffer.dimensions = int(dims.size());
    buffer.dim = dims.data();
  }
  template <typename T> T *data() { return reinterpret_cast<T *>(bytes.data()); }
  size_t count(int bits) const { return bytes.size() * 8 / size_t(bits); }
};

float activate(float v, const Keys &keys) {
  std::string act = keys.count("act") ? keys.at("act") : "none";
  if (act == "relu")
    return v > 0 ? v : 0;
  if (act == "silu")
    return v / (1 + std::exp(-v));
  if (act == "clip")
    return std::fmin(std::fmax(v, float(real(keys, "min"))), float(real(keys, "max")));
  return v;
}

int check(const std::string &symbol, const std::string &family, const Keys &keys, bool extreme,
          int benchRuns = 0) {
  bool gemm = family == "gemm";
  std::vector<int64_t> in, out, k = {1, 1}, s = {1, 1}, d = {1, 1}, pad = {0, 0, 0, 0};
  if (gemm) {
    in = {one(keys, "m"), one(keys, "k")};
    out = {one(keys, "m"), one(keys, "n")};
  } else {
    in = ints(keys, "in"), out = ints(keys, "out");
    k = ints(keys, "kernel"), s = ints(keys, "stride"), d = ints(keys, "dilation");
    pad = ints(keys, "pad");
  }
  bool depthwise = !gemm && one(keys, "groups") > 1;
  int64_t ci = in[1], co = out[1], quads = ci / 4;
  // Channels not in fours: rows of taps kx * ci + c, in fours up to `taps`
  // (the runtime's row_taps), read from the input as [ci * W, H, N].
  bool rowTaps = !gemm && !depthwise && ci % 4 != 0;
  int64_t taps = (k[1] * ci + 3) / 4 * 4;
  std::vector<int64_t> inExtents = gemm      ? std::vector<int64_t>{ci, in[0]}
                                   : rowTaps ? std::vector<int64_t>{ci * in[3], in[2], in[0]}
                                             : std::vector<int64_t>{ci, in[3], in[2], in[0]};
  std::vector<int64_t> outExtents = gemm ? std::vector<int64_t>{co, out[0]}
                                         : std::vector<int64_t>{co, out[3], out[2], out[0]};
  Buffer input(halide_type_uint, 8, inExtents);
  Buffer weights(halide_type_int, 8,
                 gemm        ? std::vector<int64_t>{4, co, quads}
                 : depthwise ? std::vector<int64_t>{co, k[1], k[0]}
                 : rowTaps   ? std::vector<int64_t>{4, co, taps / 4, k[0]}
                             : std::vector<int64_t>{4, co, quads, k[1], k[0]});
  Buffer bias(halide_type_int, 32, {co}), scale(halide_type_float, 32, {co});
  Buffer residual(halide_type_uint, 8, outExtents);
  bool u8 = keys.at("out_type") == "u8", hasResidual = one(keys, "residual");
  Buffer output(u8 ? halide_type_uint : halide_type_float, u8 ? 8 : 32, outExtents);

  std::mt19937 random(7);
  auto uniform = [&](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random);
  };
  for (size_t i = 0; i < input.bytes.size(); ++i)
    input.bytes[i] = uint8_t(extreme ? 255 : uniform(0, 255));
  int8_t *w = weights.data<int8_t>();
  for (size_t i = 0; i < weights.bytes.size(); ++i) {
    w[i] = int8_t(extreme ? (i % 3 ? -128 : 127) : uniform(-127, 127));
    // A row's taps past kw * ci are zeros, as the runtime packs them.
    if (rowTaps && int64_t(i / 4 / size_t(co) % size_t(taps / 4) * 4 + i % 4) >= k[1] * ci)
      w[i] = 0;
  }
  for (int64_t o = 0; o < co; ++o) {
    bias.data<int32_t>()[o] = extreme ? 0 : uniform(-5000, 5000);
    // Unit scales with an f32 output: the sums themselves, exactly.
    scale.data<float>()[o] = u8 ? float(uniform(1, 100)) * 1e-5f : 1.0f;
  }
  for (size_t i = 0; i < residual.bytes.size(); ++i)
    residual.bytes[i] = uint8_t(uniform(0, 255));

  int64_t inZero = one(keys, "in_zero"), resZero = one(keys, "res_zero");
  double mismatches = 0, worst = 0;
  int64_t batch = gemm ? 1 : out[0], height = gemm ? 1 : out[2];
  int64_t width = gemm ? out[0] : out[3];
  // Call the kernel, then compare with the reference.
  void *function = dlsym(RTLD_DEFAULT, symbol.c_str());
  if (!function) {
    std::printf("%s: not linked\n", symbol.c_str());
    return 1;
  }
  std::vector<halide_buffer_t *> arguments = {&input.buffer, &weights.buffer, &bias.buffer,
                                              &scale.buffer};
  if (hasResidual)
    arguments.push_back(&residual.buffer);
  arguments.push_back(&output.buffer);
  int status = 0;
  using F5 = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                     halide_buffer_t *);
  using F6 = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                     halide_buffer_t *, halide_buffer_t *);
  auto call = [&] {
    if (arguments.size() == 5)
      return F5(function)(arguments[0], arguments[1], arguments[2], arguments[3], arguments[4]);
    return F6(function)(arguments[0], arguments[1], arguments[2], arguments[3], arguments[4],
                        arguments[5]);
  };
  std::vector<double> times;
  for (int run = 0; run <= benchRuns && !status; ++run) {
    auto start = std::chrono::steady_clock::now();
    status = call();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (benchRuns && !status) {
    std::sort(times.begin() + 1, times.end());
    double median = times[1 + benchRuns / 2], operations = 2.0 * double(out[0]) * double(co);
    for (int64_t extent : {gemm ? int64_t(1) : out[2], gemm ? int64_t(1) : out[3]})
      operations *= double(extent);
    operations *= double(k[0] * k[1] * (depthwise ? 1 : ci));
    std::printf("%s: median %.4f ms, %.1f GOP/s\n", symbol.c_str(), median * 1e3,
                operations / median * 1e-9);
    return 0;
  }
  if (status) {
    std::printf("%s: Halide error %d\n", symbol.c_str(), status);
    return 1;
  }
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x)
        for (int64_t o = 0; o < co; ++o) {
          int64_t acc = bias.data<int32_t>()[o];
          for (int64_t ky = 0; ky < k[0]; ++ky)
            for (int64_t kx = 0; kx < k[1]; ++kx)
              for (int64_t c = depthwise ? o : 0; c < (depthwise ? o + 1 : ci); ++c) {
                int64_t iy = y * s[0] - pad[0] + ky * d[0], ix = x * s[1] - pad[1] + kx * d[1];
                int64_t value = inZero;
                if (gemm)
                  value = input.bytes[size_t(x * ci + c)];
                else if (iy >= 0 && iy < in[2] && ix >= 0 && ix < in[3])
                  value = input.bytes[size_t(((n * in[2] + iy) * in[3] + ix) * ci + c)];
                int64_t j = kx * ci + c;
                int64_t wi = depthwise ? (ky * k[1] + kx) * co + o
                             : rowTaps ? ((ky * (taps / 4) + j / 4) * co + o) * 4 + j % 4
                                       : (((ky * k[1] + kx) * quads + c / 4) * co + o) * 4 + c % 4;
                acc += value * w[wi];
              }
          size_t at = size_t(((n * height + y) * width + x) * co + o);
          float v = float(acc) * scale.data<float>()[o];
          if (hasResidual)
            v += float(real(keys, "res_scale")) * (float(residual.bytes[at]) - float(resZero));
          v = activate(v, keys);
          double expected, found, tolerance;
          if (u8) {
            expected = std::fmin(std::fmax(std::nearbyint(v * float(1.0 / real(keys, "out_scale"))) +
                                               float(one(keys, "out_zero")),
                                           0.0f),
                                 255.0f);
            found = output.bytes[at];
            tolerance = 1;
          } else {
            bool exact = !hasResidual && (!keys.count("act") || keys.at("act") == "none");
            expected = exact ? double(acc) : double(v);
            found = output.data<float>()[at];
            tolerance = exact ? 0 : 1e-5 * std::fabs(expected) + 1e-6;
          }
          double error = std::fabs(found - expected);
          worst = std::fmax(worst, error);
          if (error > tolerance && mismatches++ < 3)
            std::printf("%s: at channel %lld column %lld row %lld image %lld: %.9g, expected %.9g\n",
                        symbol.c_str(), (long long)o, (long long)x, (long long)y, (long long)n,
                        found, expected);
        }
  if (mismatches)
    return 1;
  std::printf("%s (%s): ok, largest difference %g\n", symbol.c_str(),
              extreme ? "extremes" : "random", worst);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  int benchRuns = argc == 4 && std::string(argv[2]) == "--bench" ? std::atoi(argv[3]) : 0;
  if (argc != 2 && benchRuns <= 0) {
    std::fprintf(stderr, "usage: check_int8 spec.txt [--bench N]\n");
    return 2;
  }
  std::ifstream spec(argv[1]);
  int failures = 0;
  for (std::string line; std::getline(spec, line);) {
    std::istringstream words(line);
    std::string kernel, symbol, family;
    words >> kernel >> symbol >> family;
    if (kernel != "kernel")
      continue;
    Keys keys;
    for (std::string pair; words >> pair;)
      keys[pair.substr(0, pair.find('='))] = pair.substr(pair.find('=') + 1);
    failures += check(symbol, family, keys, false);
    if (benchRuns)
      failures += check(symbol, family, keys, false, benchRuns);
    else
      failures += check(symbol, family, keys, true);
  }
  std::printf("%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
