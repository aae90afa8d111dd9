//===- Validate.cpp - a kernel spec line checked against its family -------===//

#include "Validate.h"

#include <cmath>
#include <functional>
#include <set>

namespace cnnc::kernelgen {

namespace {

/// Halide indexes buffers with 32-bit integers.
constexpr int64_t kMaxElements = (int64_t(1) << 31) - 1;

[[noreturn]] void fail(const KernelSpec &spec, const std::string &message) {
  throw SpecError("spec line " + std::to_string(spec.line) + " (" + spec.symbol + "): " +
                  message);
}

/// What one key holds. Lists have a fixed length (0: a shape, rank 1 to 6).
struct Rule {
  enum Kind { Integer, List, Real, Word } kind;
  int64_t low = 0, high = kMaxElements;
  size_t length = 0;
  std::set<std::string> words;
  bool optional = false;
};

Rule integer(int64_t low, int64_t high = kMaxElements) { return {Rule::Integer, low, high}; }
Rule flag() { return integer(0, 1); }
Rule shape() { return {Rule::List, 1, kMaxElements, 0}; }
Rule list(size_t length, int64_t low) { return {Rule::List, low, kMaxElements, length}; }
Rule real() { return {Rule::Real}; }
Rule word(std::set<std::string> words) { return {Rule::Word, 0, 0, 0, std::move(words)}; }
Rule optional(Rule rule) {
  rule.optional = true;
  return rule;
}

const std::set<std::string> kActivations = {"none", "relu", "clip", "leaky_relu", "sigmoid",
                                            "tanh", "silu", "hardswish",
                                            "hardsigmoid", "gelu", "elu", "selu",
                                            "softplus", "mish", "abs", "exp", "log", "sqrt"};

using Schema = std::map<std::string, Rule>;

Schema activationKeys() {
  return {{"act", word(kActivations)}, {"alpha", optional(real())},
          {"min", optional(real())}, {"max", optional(real())}};
}

Schema merge(Schema a, const Schema &b) {
  a.insert(b.begin(), b.end());
  return a;
}

const std::map<std::string, Schema> &schemas() {
  static const std::map<std::string, Schema> table = [] {
    // Register tiles and blocks: at least 1; vectors of at most 64 lanes.
    Schema tiles = {{"vec", integer(1, 64)}, {"wblock", optional(integer(0, 4096))}};
    Schema convolution = {{"in", shape()},          {"out", shape()},
                          {"kernel", list(2, 1)},   {"stride", list(2, 1)},
                          {"dilation", list(2, 1)}, {"pad", list(4, 0)},
                          {"groups", integer(1)}};
    Schema fusion = {{"bias", flag()}, {"residual", flag()}, {"affine", flag()},
                     {"pact", optional(word(kActivations))}};
    // precision=int8: u8 activations with zero points, s8 weights (Quantized.cpp).
    Schema quantized = {{"precision", optional(word({"f32", "int8", "bf16"}))},
                        {"in_zero", optional(integer(0, 255))},
                        {"out_type", optional(word({"u8", "f32"}))},
                        {"out_scale", optional(real())},
                        {"out_zero", optional(integer(0, 255))},
                        {"res_scale", optional(real())},
                        {"add_scale", optional(real())},
                        {"add_zero", optional(integer(0, 255))},
                        {"grid_scale", optional(real())},
                        {"grid_zero", optional(integer(0, 255))},
                        {"res_zero", optional(integer(0, 255))}};
    fusion = merge(fusion, quantized);
    std::map<std::string, Schema> t;
    t["conv"] = merge(merge(merge(convolution, fusion), activationKeys()),
                      merge(tiles, {{"tile_c", integer(1, 1024)},
                                    {"tile_x", integer(1, 1024)},
                                    {"ci_block", optional(integer(1))},
                                    {"rows", optional(integer(1))},
                                    {"block_x", optional(integer(1, 1024))},
                                    {"ksplit", optional(integer(1, 1024))},
                                    {"winograd", optional(integer(0, 4))},
                                    {"rotated", optional(integer(0, 1))},
                                    {"parallel", optional(word({"n", "m"}))},
                                    {"images", optional(integer(1))},
                                    {"cgroup", optional(integer(1))}}));
    t["gemm"] = merge(merge(merge({{"m", integer(1)}, {"k", integer(1)}, {"n", integer(1)}},
                                  fusion),
                            activationKeys()),
                      merge(tiles, {{"tile_n", integer(1, 1024)},
                                    {"tile_m", integer(1, 1024)},
                                    {"k_block", integer(1)},
                                    {"m_block", integer(1)},
                                    {"parallel", optional(word({"n", "m"}))},
                                    {"ksplit", optional(integer(1, 1024))}}));
    t["conv_transpose"] = merge(convolution, {{"bias", flag()}});
    t["pool"] = {{"in", shape()},        {"out", shape()},
                 {"kernel", list(2, 1)}, {"stride", list(2, 1)},
                 {"pad", list(4, 0)},    {"kind", word({"max", "avg"})},
                 {"include_pad", optional(flag())}};
    t["adaptive_pool"] = {{"in", shape()},
                          {"out", shape()},
                          {"kind", word({"max", "avg"})},
                          {"affine", optional(flag())},
                          {"pact", optional(word(kActivations))}};
    t["roi_pool"] = {{"in", shape()}, {"out", shape()}, {"scale", real()}};
    t["unary"] = merge({{"shape", shape()}, {"scale", optional(real())},
                        {"shift", optional(real())}},
                       activationKeys());
    t["binary"] = {{"op", word({"add", "mul", "sub", "div", "max", "min"})}, {"a", shape()}, {"b", shape()},
                   {"out", shape()}};
    t["matmul"] = {{"a", shape()}, {"b", shape()}};
    t["reduce"] = {{"in", shape()}, {"axes", {Rule::List, 0, 5, 0}},
                   {"kind", word({"sum", "mean", "max", "min", "l2"})}};
    t["affine"] = {{"shape", shape()}, {"epsilon", real()}};
    t["copy"] = {{"in", shape()}, {"out", shape()}};
    t["quantize"] = {{"shape", shape()}, {"scale", real()}, {"zero", integer(0, 255)},
                     {"real", optional(integer(0, 1))}};
    t["channel_shuffle"] = {{"shape", shape()}, {"groups", integer(1)}};
    t["transpose"] = {{"in", shape()}, {"permutation", {Rule::List, 0, 5, 0}}};
    t["layer_norm"] = {{"shape", shape()}, {"epsilon", real()}};
    t["softmax"] = {{"shape", shape()}, {"axis", integer(0, 5)}, {"log", optional(integer(0, 1))}};
    t["lrn"] = {{"shape", shape()}, {"size", integer(1, 1 << 16)}, {"alpha", real()},
                {"beta", real()},   {"k", real()}};
    t["upsample"] = {{"in", shape()}, {"out", shape()},
                     {"mode", word({"nearest", "bilinear"})}, {"align_corners", flag()}};
    return t;
  }();
  return table;
}

void checkValue(const KernelSpec &spec, const std::string &key, const Rule &rule) {
  const std::string &text = spec.values.at(key);
  auto range = [&] {
    return std::to_string(rule.low) + " to " + std::to_string(rule.high);
  };
  switch (rule.kind) {
  case Rule::Integer: {
    int64_t value = spec.integer(key);
    if (value < rule.low || value > rule.high)
      fail(spec, key + "=" + text + ": must be a whole number from " + range());
    return;
  }
  case Rule::List: {
    std::vector<int64_t> values = spec.integers(key);
    bool isShape = rule.length == 0;
    if (isShape ? values.empty() || values.size() > 6 : values.size() != rule.length)
      fail(spec, key + "=" + text + ": must be " +
                     (isShape ? std::string("a shape of 1 to 6 extents")
                              : std::to_string(rule.length) + " whole numbers"));
    int64_t elements = 1;
    for (int64_t value : values) {
      if (value < rule.low || value > rule.high)
        fail(spec, key + "=" + text + ": each entry must be from " + range());
      if (isShape && (elements *= value) > kMaxElements)
        fail(spec, key + "=" + text + ": more than 2^31 - 1 elements, the most a kernel "
                                      "indexes");
    }
    return;
  }
  case Rule::Real:
    if (!std::isfinite(spec.real(key)))
      fail(spec, key + "=" + text + ": must be a finite number");
    return;
  case Rule::Word:
    if (!rule.words.count(text)) {
      std::string choices;
      for (const std::string &choice : rule.words)
        choices += (choices.empty() ? "" : ", ") + choice;
      fail(spec, key + "=" + text + ": must be one of " + choices);
    }
    return;
  }
}

/// An output extent of a sliding window, as the dialect defines it.
int64_t windowExtent(int64_t in, int64_t before, int64_t after, int64_t window,
                     int64_t dilation, int64_t stride) {
  int64_t span = in + before + after - dilation * (window - 1) - 1;
  return span < 0 ? 0 : span / stride + 1;
}

/// The relations between keys that each family's kernel relies on.
/// A GPU kernel's thread block: whole vectors of at most 4 lanes (the
/// widest load both back ends have), at most 1024 threads, and none of the
/// CPU-only forms.
void checkGpuTiles(const KernelSpec &spec, const std::string &channelKey, int64_t channels,
                   int64_t columnThreads) {
  int64_t vec = spec.integer("vec");
  auto require = [&](bool ok, const std::string &what) {
    if (!ok)
      fail(spec, "on a GPU target, " + what);
  };
  require(vec == 1 || vec == 2 || vec == 4, "vec must be 1, 2 or 4");
  require(channels % vec == 0, channelKey + " must be a multiple of vec");
  require(channels / vec * columnThreads <= 1024, "a block has at most 1024 threads");
  require(spec.integer("wblock", 0) == 0, "wblock (the CPU's cache-blocked form) must be 0");
  require(spec.integer("winograd", 0) == 0, "there is no Winograd kernel (winograd must be 0)");
  require(spec.integer("rotated", 0) == 0, "there is no rotated grouped kernel (rotated must be 0)");
}

/// `ksplit` parts of a reduction of `depth` (GPU only): whole parts.
void checkSplit(const KernelSpec &spec, int64_t depth, const std::string &what) {
  int64_t splits = spec.integer("ksplit", 1);
  if (splits == 1)
    return;
  if (!spec.gpu)
    fail(spec, "ksplit=" + std::to_string(splits) + ": splitting a reduction is a GPU schedule");
  if (depth % splits)
    fail(spec, "ksplit=" + std::to_string(splits) + " must divide " + what + " (" +
                   std::to_string(depth) + ")");
}

/// What an int8 kernel (Quantized.cpp) supports, and the numbers its
/// requantization needs.
void checkQuantized(const KernelSpec &spec) {
  auto require = [&](bool holds, const std::string &rule) {
    if (!holds)
      fail(spec, "precision=int8: " + rule);
  };
  auto positive = [&](const char *key) {
    double value = spec.real(key, 0);
    return spec.has(key) && std::isfinite(value) && value > 0;
  };
  require(!spec.gpu, "int8 kernels run on the CPU only");
  require(!spec.integer("affine") && spec.integer("bias"),
          "needs bias=1 (the zero point's correction) and affine=0 (no input prologue)");
  require(spec.integer("wblock", 0) == 0 && spec.integer("ksplit", 1) == 1 &&
              spec.integer("winograd", 0) == 0 && spec.integer("rotated", 0) == 0,
          "takes none of wblock, ksplit, winograd and rotated");
  require(spec.has("out_type"), "needs out_type=u8 or out_type=f32");
  require(spec.word("out_type") == "f32" || (positive("out_scale") && spec.has("out_zero")),
          "out_type=u8 needs a positive finite out_scale and an out_zero");
  require(!spec.integer("residual") || (positive("res_scale") && spec.has("res_zero")),
          "residual=1 needs a positive finite res_scale and a res_zero (the residual is u8)");
  require(!spec.has("add_scale") ||
              ((spec.integer("residual") || spec.word("act") != "none") &&
               positive("add_scale") && spec.has("add_zero")),
          "add_scale (the grid of the result before its sum or activation) needs residual=1 or "
          "an activation, a positive finite add_scale and an add_zero");
  require(!spec.has("grid_scale") || (spec.word("out_type") == "f32" && positive("grid_scale") &&
                                      spec.has("grid_zero")),
          "grid_scale (the grid of an f32 output) needs out_type=f32, a positive finite "
          "grid_scale and a grid_zero");
  // The register tile's other rules are every CPU kernel's (checkCpuTile).
  int64_t vec = spec.integer("vec");
  require(vec == 4 || vec == 8 || vec == 16, "vec is 4, 8 or 16 s32 lanes");
  if (spec.family == "gemm")
    require(spec.integer("k") % 4 == 0,
            "k must be a multiple of 4 (the producer pads the channels with the zero point)");
  if (spec.family == "conv") {
    std::vector<int64_t> in = spec.integers("in"), out = spec.integers("out");
    int64_t groups = spec.integer("groups");
    require(in.size() == 4, "a convolution's input has rank 4");
    require(groups > 1 || in[1] % 4 == 0 || spec.integers("dilation")[1] == 1,
            "input channels that are not a multiple of 4 (the row-tap form) need a horizontal "
            "dilation of 1");
    require(spec.has("in_zero"), "a convolution needs in_zero (its padding)");
    require(groups == 1 || (in.size() == 4 && out.size() == 4 && groups == in[1] &&
                            groups == out[1]),
            "a convolution is ungrouped or depthwise (groups = in and out channels)");
  }
}

/// What a bf16 kernel (Bf16.cpp) supports.
void checkBf16(const KernelSpec &spec) {
  auto require = [&](bool holds, const std::string &rule) {
    if (!holds)
      fail(spec, "precision=bf16: " + rule);
  };
  require(!spec.gpu, "bf16 kernels run on the CPU only");
  require(!spec.integer("affine"), "takes no input prologue (affine=0)");
  require(spec.integer("wblock", 0) == 0 && spec.integer("ksplit", 1) == 1 &&
              spec.integer("winograd", 0) == 0 && spec.integer("rotated", 0) == 0,
          "takes none of wblock, ksplit, winograd and rotated");
  for (const char *key : {"in_zero", "out_type", "out_scale", "out_zero", "res_scale",
                          "res_zero", "add_scale", "add_zero", "grid_scale", "grid_zero"})
    require(!spec.has(key), std::string("takes no int8 key (") + key + ")");
  int64_t vec = spec.integer("vec");
  require(vec == 4 || vec == 8 || vec == 16, "vec is 4, 8 or 16 f32 lanes");
  if (spec.family == "gemm")
    require(spec.integer("k") % 2 == 0, "k must be even (the sums take channels in pairs)");
  if (spec.family == "conv") {
    std::vector<int64_t> in = spec.integers("in");
    require(in.size() == 4 && in[1] % 2 == 0,
            "a convolution's input channels must be even (the sums take them in pairs)");
    require(spec.integer("groups") == 1, "a convolution is ungrouped");
  }
}

/// A CPU register tile: whole vectors, within the output. The tile's split
/// of the channels shifts its last tile inwards and vectorizes inside it, so
/// a vector that does not divide the tile (or the packed weights' block)
/// reads past the weights, and a tile wider than the output starts before
/// channel 0. Halide's bounds checks would stop such a kernel, but only
/// when it runs.
void checkCpuTile(const KernelSpec &spec, const std::string &tileKey, int64_t channels) {
  int64_t vec = spec.integer("vec"), tile = spec.integer(tileKey);
  int64_t block = spec.integer("wblock", 0);
  auto require = [&](bool holds, const std::string &rule) {
    if (!holds)
      fail(spec, rule);
  };
  if (block) {
    require(block % vec == 0, "vec=" + std::to_string(vec) + " must divide wblock=" +
                                  std::to_string(block) + " (whole vectors a packed block)");
    return;
  }
  require(tile % vec == 0, "vec=" + std::to_string(vec) + " must divide " + tileKey + "=" +
                               std::to_string(tile) + " (whole vectors a register tile)");
  require(tile <= channels, tileKey + "=" + std::to_string(tile) +
                                " must not exceed the output channels (" +
                                std::to_string(channels) + ")");
}

void checkConsistency(const KernelSpec &spec) {
  const std::string &family = spec.family;
  auto require = [&](bool holds, const std::string &rule) {
    if (!holds)
      fail(spec, rule);
  };
  auto rank = [&](const char *key, size_t expected) {
    require(spec.integers(key).size() == expected,
            std::string(key) + " must have rank " + std::to_string(expected));
  };
  if (spec.word("precision", "f32") == "int8")
    checkQuantized(spec);
  if (spec.word("precision", "f32") == "bf16")
    checkBf16(spec);
  if (family == "conv" || family == "conv_transpose" || family == "pool") {
    rank("in", 4);
    rank("out", 4);
    std::vector<int64_t> in = spec.integers("in"), out = spec.integers("out");
    std::vector<int64_t> k = spec.integers("kernel"), s = spec.integers("stride"),
                         p = spec.integers("pad");
    std::vector<int64_t> d = family == "pool" ? std::vector<int64_t>{1, 1}
                                              : spec.integers("dilation");
    require(in[0] == out[0], "in and out must have the same batch");
    if (family == "pool") {
      require(in[1] == out[1], "pooling keeps the channels: in and out differ");
      require(p[0] < k[0] && p[1] < k[1] && p[2] < k[0] && p[3] < k[1],
              "padding must be smaller than the window");
      // ceil_mode may add one window; anything else is inconsistent.
      for (int axis = 0; axis < 2; ++axis) {
        int64_t floor = windowExtent(in[2 + axis], p[axis], p[axis + 2], k[axis], 1, s[axis]);
        require(out[2 + axis] == floor || out[2 + axis] == floor + 1,
                "out does not follow from in, kernel, stride and pad");
      }
      return;
    }
    int64_t groups = spec.integer("groups");
    require(in[1] % groups == 0 && out[1] % groups == 0,
            "groups must divide the input and output channels");
    if (family == "conv") {
      for (int axis = 0; axis < 2; ++axis)
        require(out[2 + axis] ==
                    windowExtent(in[2 + axis], p[axis], p[axis + 2], k[axis], d[axis], s[axis]),
                "out does not follow from in, kernel, stride, dilation and pad");
      int64_t wblock = spec.integer("wblock", 0), m = spec.integer("winograd", 0);
      bool depthwise = groups > 1 && groups == in[1] && out[1] == in[1];
      require(wblock == 0 || ((out[1] / groups) % wblock == 0 && !depthwise),
              "wblock must divide the output channels of a group (and a depthwise "
              "convolution has none)");
      if (!spec.gpu)
        checkCpuTile(spec, "tile_c", out[1]);
      if (spec.gpu) {
        checkGpuTiles(spec, "tile_c", spec.integer("tile_c"), spec.integer("block_x", 1));
        require(spec.integer("tile_c") <= out[1] &&
                    spec.integer("tile_x") * spec.integer("block_x", 1) <= out[3],
                "on a GPU, a block (tile_c channels, tile_x * block_x columns) must fit in "
                "the output");
      }
      checkSplit(spec, in[1] / groups, "the input channels per group");
      require(spec.integer("ksplit", 1) * out[0] * out[1] * out[2] * out[3] <= kMaxElements,
              "ksplit parts of the output have more than 2^31 - 1 elements");
      require(m == 0 || m == 2 || m == 4, "winograd must be 0, 2 or 4");
      int64_t perGroup = in[1] / groups, vec = spec.integer("vec");
      require(!spec.integer("rotated", 0) ||
                  (groups > 1 && out[1] == in[1] && in[1] % vec == 0 && vec % perGroup == 0),
              "rotated needs a grouped convolution with as many output channels as input "
              "channels, a multiple of vec, and groups that divide vec");
      require(m == 0 || (k == std::vector<int64_t>{3, 3} && s == std::vector<int64_t>{1, 1} &&
                         d == std::vector<int64_t>{1, 1} && groups == 1 && wblock > 0),
              "winograd needs an ungrouped, undilated stride-1 3x3 convolution and a wblock");
      // Checked after the rule above, which makes wblock positive.
      int64_t cgroup = spec.integer("cgroup", out[1]);
      require(m == 0 || (cgroup % wblock == 0 && out[1] % cgroup == 0),
              "cgroup=" + std::to_string(cgroup) +
                  ": Winograd's channel group must be a multiple of wblock and divide the "
                  "output channels (" + std::to_string(out[1]) + ")");
    }
    return;
  }
  if (family == "gemm") {
    int64_t wblock = spec.integer("wblock", 0);
    require(wblock == 0 || spec.integer("n") % wblock == 0, "wblock must divide n");
    if (!spec.gpu)
      checkCpuTile(spec, "tile_n", spec.integer("n"));
    if (spec.gpu) {
      require(spec.integer("m_block") % spec.integer("tile_m") == 0,
              "on a GPU, m_block (pixels per block) must be a multiple of tile_m");
      require(spec.integer("tile_n") <= spec.integer("n") &&
                  spec.integer("m_block") <= spec.integer("m"),
              "on a GPU, a block (tile_n channels, m_block pixels) must fit in the output");
      checkGpuTiles(spec, "tile_n", spec.integer("tile_n"),
                    spec.integer("m_block") / spec.integer("tile_m"));
    }
    checkSplit(spec, spec.integer("k"), "k");
    require(spec.integer("ksplit", 1) * spec.integer("m") * spec.integer("n") <= kMaxElements,
            "ksplit parts of the output have more than 2^31 - 1 elements");
    require(spec.integer("m") * spec.integer("k") <= kMaxElements &&
                spec.integer("m") * spec.integer("n") <= kMaxElements &&
                spec.integer("k") * spec.integer("n") <= kMaxElements,
            "an operand has more than 2^31 - 1 elements, the most a kernel indexes");
    return;
  }
  if (family == "adaptive_pool" || family == "upsample" || family == "roi_pool") {
    rank("in", 4);
    rank("out", 4);
    std::vector<int64_t> in = spec.integers("in"), out = spec.integers("out");
    require(in[1] == out[1], "in and out must have the same channels");
    if (family != "roi_pool")
      require(in[0] == out[0], "in and out must have the same batch");
    else
      require(spec.real("scale") > 0, "scale must be positive");
    return;
  }
  if (family == "binary") {
    std::vector<int64_t> a = spec.integers("a"), b = spec.integers("b"),
                         out = spec.integers("out");
    require(a.size() == out.size() && b.size() == out.size(), "a, b and out must share a rank");
    for (size_t i = 0; i < out.size(); ++i)
      require((a[i] == out[i] || a[i] == 1) && (b[i] == out[i] || b[i] == 1),
              "a and b must broadcast to out");
    return;
  }
  if (family == "reduce") {
    std::vector<int64_t> in = spec.integers("in"), axes = spec.integers("axes");
    for (size_t i = 0; i < axes.size(); ++i)
      require(axes[i] < int64_t(in.size()) && (i == 0 || axes[i] > axes[i - 1]),
              "axes must be sorted, distinct dimensions of in");
    return;
  }
  if (family == "matmul") {
    std::vector<int64_t> a = spec.integers("a"), b = spec.integers("b");
    require(a.size() == b.size() && a.size() >= 2, "a and b must share a rank of 2 or more");
    size_t r = a.size();
    require(a[r - 1] == b[r - 2], "a's rows and b's columns must have one length");
    for (size_t i = 0; i + 2 < r; ++i)
      require(a[i] == b[i] || a[i] == 1 || b[i] == 1, "a's and b's batch dimensions must broadcast");
    return;
  }
  if (family == "transpose") {
    std::vector<int64_t> in = spec.integers("in"), permutation = spec.integers("permutation");
    require(permutation.size() == in.size(), "permutation must have in's rank");
    std::vector<int64_t> sorted = permutation;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i)
      require(sorted[i] == int64_t(i), "permutation must hold each dimension once");
    return;
  }
  if (family == "layer_norm") {
    require(spec.integers("shape").size() >= 2, "shape needs a channel dimension");
    require(spec.real("epsilon") > 0, "epsilon must be positive");
    return;
  }
  if (family == "channel_shuffle") {
    std::vector<int64_t> shape = spec.integers("shape");
    require(shape.size() >= 2, "shape needs a channel dimension");
    require(shape[1] % spec.integer("groups") == 0, "groups must divide the channels");
    return;
  }
  if (family == "unary") {
    require(spec.has("scale") == spec.has("shift"), "scale and shift come together");
    return;
  }
  if (family == "copy") {
    auto count = [](const std::vector<int64_t> &shape) {
      int64_t n = 1;
      for (int64_t d : shape)
        n *= d;
      return n;
    };
    require(count(spec.integers("in")) == count(spec.integers("out")),
            "in and out must have as many elements");
    return;
  }
  if (family == "quantize")
    require(!spec.gpu && std::isfinite(spec.real("scale")) && spec.real("scale") > 0,
            "quantize runs on the CPU, with a positive finite scale");
  if (family == "softmax")
    require(spec.integer("axis") < int64_t(spec.integers("shape").size()),
            "axis must name a dimension of shape");
  if (family == "affine" || family == "lrn")
    require(spec.integers("shape").size() >= 2, "shape needs a channel dimension");
  if (family == "affine")
    require(spec.real("epsilon") >= 0, "epsilon must be >= 0");
}

bool isIdentifier(const std::string &symbol) {
  if (symbol.empty() || symbol.size() > 200 || std::isdigit(static_cast<unsigned char>(symbol[0])))
    return false;
  for (char c : symbol)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
}

} // namespace

void validateKernel(const KernelSpec &spec) {
  // The symbol names the object file and the C function: an identifier
  // only, so no symbol reaches outside the output directory.
  if (!isIdentifier(spec.symbol))
    throw SpecError("spec line " + std::to_string(spec.line) + ": kernel symbol '" +
                    spec.symbol + "' must be a C identifier (letters, digits, '_')");
  auto schema = schemas().find(spec.family);
  if (schema == schemas().end())
    throw SpecError("spec line " + std::to_string(spec.line) + ": unknown kernel family '" +
                    spec.family + "'");
  for (const auto &[key, value] : spec.values)
    if (!schema->second.count(key))
      fail(spec, "key '" + key + "' is not one the " + spec.family + " family reads");
  for (const auto &[key, rule] : schema->second) {
    if (!spec.has(key)) {
      if (!rule.optional)
        fail(spec, "missing key '" + key + "'");
      continue;
    }
    checkValue(spec, key, rule);
  }
  checkConsistency(spec);
}

} // namespace cnnc::kernelgen
