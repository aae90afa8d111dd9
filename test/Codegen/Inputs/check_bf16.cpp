// Runs every convolution and GEMM of a kernel spec (linked into this
// program, found by symbol) against a naive reference in double on the same
// data: precision=bf16 kernels against the products of their operands
// rounded to bf16 (nearest, ties to even), f32 kernels (unblocked, direct)
// against the exact products. Random inputs and weights use every bit of
// the f32 significand, so a kernel that truncated instead of rounding, or
// did not round its input, would be off by about 2^-9 of a term: far
// beyond the tolerance, 1e-5 of the sum of the terms' magnitudes.
//
//   check_bf16 spec.txt            prints "<symbol>: ok" per kernel, or what differs
//   check_bf16 spec.txt --bench N  checks, then times N calls of each kernel
//                                  (bench/bf16-kernels.sh): median ms and GFLOP/s
#include "HalideRuntime.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

/// The bf16 bits of `v`, rounded to nearest, ties to even (finite values).
uint16_t toBf16(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  bits += 0x7fff + ((bits >> 16) & 1);
  return uint16_t(bits >> 16);
}
float fromBf16(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

struct Buffer {
  std::vector<float> values; // As the reference reads them.
  std::vector<uint8_t> bytes;
  halide_buffer_t buffer = {};
  std::vector<halide_dimension_t> dims;
  Buffer(bool bf16, std::vector<int64_t> extents) {
    int64_t count = 1;
    for (int64_t e : extents) {
      dims.push_back({0, int32_t(e), int32_t(count), 0});
      count *= e;
    }
    values.assign(size_t(count), 0.0f);
    bytes.assign(size_t(count) * (bf16 ? 2 : 4), 0);
    buffer.host = bytes.data();
    buffer.type = {bf16 ? halide_type_bfloat : halide_type_float, uint8_t(bf16 ? 16 : 32), 1};
    buffer.dimensions = int(dims.size());
    buffer.dim = dims.data();
  }
  void fill(std::mt19937 &random, float scale) {
    bool bf16 = buffer.type.bits == 16;
    std::uniform_real_distribution<float> uniform(-scale, scale);
    for (size_t i = 0; i < values.size(); ++i) {
      float v = uniform(random);
      if (bf16) {
        uint16_t h = toBf16(v);
        std::memcpy(bytes.data() + 2 * i, &h, 2);
        values[i] = fromBf16(h);
      } else {
        std::memcpy(bytes.data() + 4 * i, &v, 4);
        values[i] = v;
      }
    }
  }
  float at(size_t i) const {
    float v;
    std::memcpy(&v, bytes.data() + 4 * i, 4);
    return v;
  }
};

double activate(double v, const Keys &keys) {
  std::string act = keys.count("act") ? keys.at("act") : "none";
  if (act == "relu")
    return v > 0 ? v : 0;
  return v;
}

int check(const std::string &symbol, const std::string &family, const Keys &keys,
          int benchRuns) {
  bool gemm = family == "gemm";
  bool bf16 = keys.count("precision") && keys.at("precision") == "bf16";
  std::vector<int64_t> in, out, k = {1, 1}, s = {1, 1}, d = {1, 1}, pad = {0, 0, 0, 0};
  if (gemm) {
    in = {one(keys, "m"), one(keys, "k")};
    out = {one(keys, "m"), one(keys, "n")};
  } else {
    in = ints(keys, "in"), out = ints(keys, "out");
    k = ints(keys, "kernel"), s = ints(keys, "stride"), d = ints(keys, "dilation");
    pad = ints(keys, "pad");
  }
  int64_t ci = in[1], co = out[1];
  std::vector<int64_t> inExtents = gemm ? std::vector<int64_t>{ci, in[0]}
                                        : std::vector<int64_t>{ci, in[3], in[2], in[0]};
  std::vector<int64_t> outExtents = gemm ? std::vector<int64_t>{co, out[0]}
                                         : std::vector<int64_t>{co, out[3], out[2], out[0]};
  // bf16: (2, o, c/2, kx, ky); f32: (o, c, kx, ky); a GEMM's without the taps.
  std::vector<int64_t> weightExtents = bf16 ? std::vector<int64_t>{2, co, ci / 2}
                                            : std::vector<int64_t>{co, ci};
  if (!gemm)
    weightExtents.insert(weightExtents.end(), {k[1], k[0]});
  Buffer input(false, inExtents), weights(bf16, weightExtents), bias(false, {co});
  Buffer residual(false, outExtents), output(false, outExtents);
  std::mt19937 random(7);
  input.fill(random, 1.0f);
  weights.fill(random, 1.0f);
  bias.fill(random, 1.0f);
  residual.fill(random, 1.0f);
  bool hasBias = one(keys, "bias"), hasResidual = one(keys, "residual");

  void *function = dlsym(RTLD_DEFAULT, symbol.c_str());
  if (!function) {
    std::printf("%s: not linked\n", symbol.c_str());
    return 1;
  }
  std::vector<halide_buffer_t *> arguments = {&input.buffer, &weights.buffer};
  if (hasBias)
    arguments.push_back(&bias.buffer);
  if (hasResidual)
    arguments.push_back(&residual.buffer);
  arguments.push_back(&output.buffer);
  using B = halide_buffer_t *;
  auto call = [&] {
    B *a = arguments.data();
    switch (arguments.size()) {
    case 3:
      return ((int (*)(B, B, B))function)(a[0], a[1], a[2]);
    case 4:
      return ((int (*)(B, B, B, B))function)(a[0], a[1], a[2], a[3]);
    default:
      return ((int (*)(B, B, B, B, B))function)(a[0], a[1], a[2], a[3], a[4]);
    }
  };
  std::vector<double> times;
  int status = 0;
  for (int run = 0; run <= benchRuns && !status; ++run) {
    auto start = std::chrono::steady_clock::now();
    status = call();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (status) {
    std::printf("%s: Halide error %d\n", symbol.c_str(), status);
    return 1;
  }
  if (benchRuns) {
    std::sort(times.begin() + 1, times.end());
    double median = times[1 + benchRuns / 2];
    double flops = 2.0 * double(out[0]) * double(co) * double(ci * k[0] * k[1]);
    if (!gemm)
      flops *= double(out[2] * out[3]);
    std::printf("%s: median %.4f ms, %.1f GFLOP/s\n", symbol.c_str(), median * 1e3,
                flops / median * 1e-9);
    return 0;
  }
  auto operand = [&](float v) { return bf16 ? double(fromBf16(toBf16(v))) : double(v); };
  int64_t batch = gemm ? 1 : out[0], height = gemm ? 1 : out[2];
  int64_t width = gemm ? out[0] : out[3];
  double mismatches = 0, worst = 0;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x)
        for (int64_t o = 0; o < co; ++o) {
          double sum = hasBias ? bias.values[size_t(o)] : 0, magnitude = std::fabs(sum);
          for (int64_t ky = 0; ky < k[0]; ++ky)
            for (int64_t kx = 0; kx < k[1]; ++kx)
              for (int64_t c = 0; c < ci; ++c) {
                int64_t iy = y * s[0] - pad[0] + ky * d[0], ix = x * s[1] - pad[1] + kx * d[1];
                double value = 0;
                if (gemm)
                  value = operand(input.values[size_t(x * ci + c)]);
                else if (iy >= 0 && iy < in[2] && ix >= 0 && ix < in[3])
                  value = operand(input.values[size_t(((n * in[2] + iy) * in[3] + ix) * ci + c)]);
                size_t wi = bf16 ? size_t((((ky * k[1] + kx) * (ci / 2) + c / 2) * co + o) * 2 + c % 2)
                                 : size_t(((ky * k[1] + kx) * ci + c) * co + o);
                double term = value * double(weights.values[wi]);
                sum += term;
                magnitude += std::fabs(term);
              }
          size_t at = size_t(((n * height + y) * width + x) * co + o);
          if (hasResidual)
            sum += residual.values[at];
          double expected = activate(sum, keys), found = output.at(at);
          double error = std::fabs(found - expected);
          worst = std::fmax(worst, error);
          if (error > 1e-5 * magnitude + 1e-6 && mismatches++ < 3)
            std::printf("%s: at channel %lld column %lld row %lld image %lld: %.9g, expected %.9g\n",
                        symbol.c_str(), (long long)o, (long long)x, (long long)y, (long long)n,
                        found, expected);
        }
  if (mismatches)
    return 1;
  std::printf("%s: ok, largest difference %g\n", symbol.c_str(), worst);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  int benchRuns = argc == 4 && std::string(argv[2]) == "--bench" ? std::atoi(argv[3]) : 0;
  if (argc != 2 && benchRuns <= 0) {
    std::fprintf(stderr, "usage: check_bf16 spec.txt [--bench N]\n");
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
    failures += check(symbol, family, keys, 0);
    if (benchRuns)
      failures += check(symbol, family, keys, benchRuns);
  }
  std::printf("%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
