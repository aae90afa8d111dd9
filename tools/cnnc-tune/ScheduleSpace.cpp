//===- ScheduleSpace.cpp - valid schedules and their neighbours -----------===//

#include "ScheduleSpace.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <set>

namespace cnnc::tune {

Schedule parseSchedule(const std::string &text) {
  Schedule schedule;
  llvm::SmallVector<llvm::StringRef> pairs;
  llvm::StringRef(text).split(pairs, ' ', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef pair : pairs) {
    auto [key, value] = pair.split('=');
    schedule[key.str()] = value.str();
  }
  return schedule;
}

std::string formatSchedule(const Schedule &schedule) {
  std::string text;
  for (const auto &[key, value] : schedule)
    text += (text.empty() ? "" : " ") + key + "=" + value;
  return text;
}

namespace {
std::vector<int64_t> integers(const std::string &text) {
  std::vector<int64_t> values;
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(text).split(parts, ',');
  for (llvm::StringRef part : parts) {
    int64_t number = 0;
    if (!part.getAsInteger(10, number))
      values.push_back(number);
  }
  return values;
}

std::vector<int64_t> divisors(int64_t n, int64_t limit) {
  std::vector<int64_t> result;
  for (int64_t d = 1; d <= std::min(n, limit); ++d)
    if (n % d == 0)
      result.push_back(d);
  return result;
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
} // namespace

ScheduleSpace::ScheduleSpace(const std::string &signature, const std::string &vectorIsa,
                             const std::string &defaultSchedule,
                             const std::vector<std::string> &alternatives)
    : initial(parseSchedule(defaultSchedule)) {
  llvm::SmallVector<llvm::StringRef> words;
  llvm::StringRef(signature).split(words, ' ', -1, /*KeepEmpty=*/false);
  family = words.empty() ? "" : words.front().str();
  for (size_t i = 1; i < words.size(); ++i) {
    auto [key, value] = words[i].split('=');
    description[key.str()] = value.str();
  }
  // The register file: 32 vector registers with AVX-512, 16 with AVX2; a
  // few stay free for weights and broadcasts.
  vector = vectorIsa == "avx2" ? 8 : 16;
  accumulators = vectorIsa == "avx2" ? 13 : 28;
  // The default's vector width can be narrower (fewer channels than lanes).
  if (initial.count("vec"))
    vector = value(initial, "vec", vector);
  for (const std::string &text : alternatives) {
    Schedule seed = parseSchedule(text);
    if (seed != initial && valid(seed))
      alternativeSeeds.push_back(seed);
  }
}

int64_t ScheduleSpace::value(const Schedule &schedule, const std::string &name,
                             int64_t otherwise) const {
  auto it = schedule.find(name);
  if (it == schedule.end())
    return otherwise;
  int64_t number;
  return llvm::StringRef(it->second).getAsInteger(10, number) ? -1 : number;
}

int64_t ScheduleSpace::key(const std::string &name) const {
  auto it = description.find(name);
  if (it == description.end())
    return 0;
  std::vector<int64_t> values = integers(it->second);
  return values.empty() ? 0 : values.front();
}

std::vector<int64_t> ScheduleSpace::keyList(const std::string &name) const {
  auto it = description.find(name);
  return it == description.end() ? std::vector<int64_t>{} : integers(it->second);
}

bool ScheduleSpace::winogradAllowed() const {
  return family == "conv" && keyList("kernel") == std::vector<int64_t>{3, 3} &&
         keyList("stride") == std::vector<int64_t>{1, 1} &&
         keyList("dilation") == std::vector<int64_t>{1, 1} && key("groups") == 1 &&
         keyList("out").size() == 4 && keyList("out")[1] % vector == 0;
}

bool ScheduleSpace::lowPrecision() const {
  auto precision = description.find("precision");
  return precision != description.end() && precision->second != "f32";
}

bool ScheduleSpace::valid(const Schedule &schedule) const {
  if (value(schedule, "vec", 0) != vector)
    return false;
  if (lowPrecision())
    return validLowPrecision(schedule);
  return family == "conv" ? validConv(schedule) : family == "gemm" && validGemm(schedule);
}

/// An int8 or bf16 kernel (Quantized.cpp, Bf16.cpp): a register tile of
/// whole vectors within the output channels and the accumulators, the
/// parallel loop; no weight blocking, Winograd or reduction slices. A
/// GEMM's k_block and m_block, which these kernels do not read, stay as the
/// default has them.
bool ScheduleSpace::validLowPrecision(const Schedule &s) const {
  bool gemm = family == "gemm";
  std::vector<int64_t> out = keyList("out");
  if (!gemm && (family != "conv" || out.size() != 4))
    return false;
  int64_t channels = gemm ? key("n") : out[1];
  int64_t tile = value(s, gemm ? "tile_n" : "tile_c", 0);
  int64_t across = value(s, gemm ? "tile_m" : "tile_x", 0);
  auto parallel = s.find("parallel");
  if (tile < vector || tile % vector || tile > 4 * vector || tile > std::max(vector, channels) ||
      across < 1 || across > 16 ||
      tile / vector * across > accumulators || value(s, "wblock", 0) != 0 ||
      (parallel != s.end() && parallel->second != "n" && parallel->second != "m") ||
      (gemm && parallel == s.end()))
    return false;
  std::set<std::string> allowed = {"vec", "wblock", "parallel"};
  if (gemm)
    allowed.insert({"tile_n", "tile_m", "k_block", "m_block"});
  else
    allowed.insert({"tile_c", "tile_x"});
  for (const auto &entry : s)
    if (!allowed.count(entry.first) ||
        ((entry.first == "k_block" || entry.first == "m_block") &&
         (!initial.count(entry.first) || initial.at(entry.first) != entry.second)))
      return false;
  return true;
}

std::vector<Schedule> ScheduleSpace::lowPrecisionNeighbours(const Schedule &s) const {
  std::vector<Schedule> result;
  bool gemm = family == "gemm";
  for (const char *name : {gemm ? "tile_n" : "tile_c", gemm ? "tile_m" : "tile_x"}) {
    int64_t step = std::string(name) == "tile_n" || std::string(name) == "tile_c" ? vector : 1;
    for (int64_t delta : {-step, step}) {
      Schedule candidate = s;
      candidate[name] = std::to_string(value(s, name, 0) + delta);
      if (valid(candidate))
        result.push_back(std::move(candidate));
    }
  }
  // The parallel loop: a convolution's is rows (m) when the key is absent.
  Schedule toggled = s;
  bool channelsOuter = s.count("parallel") && s.at("parallel") == "n";
  if (channelsOuter && !gemm)
    toggled.erase("parallel");
  else
    toggled["parallel"] = channelsOuter ? "m" : "n";
  if (valid(toggled))
    result.push_back(std::move(toggled));
  return result;
}

bool ScheduleSpace::validConv(const Schedule &s) const {
  std::vector<int64_t> in = keyList("in"), out = keyList("out");
  if (in.size() != 4 || out.size() != 4)
    return false;
  int64_t groups = key("groups"), perGroupIn = in[1] / std::max<int64_t>(groups, 1);
  bool depthwise = groups > 1 && groups == in[1] && out[1] == in[1];
  int64_t tileC = value(s, "tile_c", 0), tileX = value(s, "tile_x", 0);
  int64_t block = value(s, "wblock", 0), m = value(s, "winograd", 0);
  if (tileC < vector || tileC % vector || tileC > 4 * vector || tileX < 1 || tileX > 16 ||
      (tileC / vector * tileX > accumulators && !value(s, "rotated", 0)) || block < 0)
    return false;
  std::set<std::string> allowed = {"vec", "tile_c", "tile_x", "wblock"};
  if (value(s, "rotated", 0)) {
    // The rotated kernel's register tile is a group's channels by tile_x.
    bool narrowGroups = groups > 1 && !depthwise && perGroupIn < vector &&
                        vector % perGroupIn == 0 && out[1] == in[1] && in[1] % vector == 0;
    if (!narrowGroups || m || block || tileC != vector || perGroupIn * tileX > accumulators)
      return false;
    allowed.insert("rotated");
  } else if (m) {
    int64_t tilesHigh = ceilDiv(out[2], m);
    int64_t rows = value(s, "rows", 0), images = value(s, "images", 0);
    int64_t cgroup = value(s, "cgroup", 0), ciBlock = value(s, "ci_block", 0);
    if ((m != 2 && m != 4) || !winogradAllowed() || block != tileC || out[1] % tileC ||
        cgroup < tileC || cgroup % tileC || out[1] % cgroup || rows < 1 || rows > tilesHigh ||
        images < 1 || out[0] % images || ciBlock < 1 || in[1] % ciBlock)
      return false;
    allowed.insert({"winograd", "rows", "images", "cgroup", "ci_block"});
  } else {
    if (tileC > std::max(vector, out[1]) || (depthwise && tileC > 2 * vector))
      return false;
    if (block && (block != tileC || (out[1] / std::max<int64_t>(groups, 1)) % block || depthwise))
      return false;
    if (!depthwise) {
      int64_t ciBlock = value(s, "ci_block", perGroupIn), rows = value(s, "rows", 1);
      if (ciBlock < 1 || perGroupIn % ciBlock)
        return false;
      // rows=1 is written by leaving the key out, as the heuristic does.
      if (s.count("rows") && (rows < 2 || rows > out[2]))
        return false;
      allowed.insert({"ci_block", "rows"});
    }
  }
  for (const auto &entry : s)
    if (!allowed.count(entry.first))
      return false;
  return true;
}

bool ScheduleSpace::validGemm(const Schedule &s) const {
  int64_t rows = key("m"), depth = key("k"), columns = key("n");
  int64_t tileN = value(s, "tile_n", 0), tileM = value(s, "tile_m", 0);
  int64_t block = value(s, "wblock", 0), kBlock = value(s, "k_block", 0);
  int64_t mBlock = value(s, "m_block", 0);
  auto parallel = s.find("parallel");
  if (tileN < vector || tileN % vector || tileN > 4 * vector ||
      tileN > std::max(vector, columns) || tileM < 1 || tileM > 16 ||
      tileN / vector * tileM > accumulators || kBlock < 1 || depth % kBlock || mBlock < 1 ||
      mBlock > rows || parallel == s.end() || (parallel->second != "n" && parallel->second != "m"))
    return false;
  if (block && (block != tileN || columns % block))
    return false;
  for (const auto &entry : s)
    if (!std::set<std::string>{"vec", "tile_n", "tile_m", "wblock", "k_block", "m_block",
                               "parallel"}
             .count(entry.first))
      return false;
  return true;
}

Schedule ScheduleSpace::otherWinogradTile(const Schedule &s) const {
  Schedule other = s;
  int64_t m = value(s, "winograd", 0) == 4 ? 2 : 4;
  other["winograd"] = std::to_string(m);
  std::vector<int64_t> out = keyList("out");
  int64_t tilesHigh = out.size() == 4 ? ceilDiv(out[2], m) : 1;
  if (value(s, "rows", 1) > tilesHigh)
    other["rows"] = std::to_string(tilesHigh);
  return other;
}

std::vector<Schedule> ScheduleSpace::seeds() const {
  std::vector<Schedule> result = alternativeSeeds;
  // A Winograd default's other tile size.
  if (value(initial, "winograd", 0)) {
    Schedule other = otherWinogradTile(initial);
    if (valid(other))
      result.push_back(other);
  }
  for (const Schedule &seed : alternativeSeeds)
    if (value(seed, "winograd", 0)) {
      Schedule other = otherWinogradTile(seed);
      if (valid(other) && other != initial)
        result.push_back(other);
    }
  return result;
}

std::vector<Schedule> ScheduleSpace::neighbours(const Schedule &s) const {
  if (lowPrecision())
    return lowPrecisionNeighbours(s);
  std::vector<Schedule> result;
  auto consider = [&](Schedule candidate) {
    if (candidate != s && valid(candidate) &&
        std::find(result.begin(), result.end(), candidate) == result.end())
      result.push_back(std::move(candidate));
  };
  // One step along an ordered list of values.
  auto step = [&](const std::string &name, const std::vector<int64_t> &values,
                  int64_t otherwise, const std::function<void(Schedule &)> &couple) {
    int64_t current = value(s, name, otherwise);
    auto at = std::find(values.begin(), values.end(), current);
    if (at == values.end())
      return;
    for (int delta : {-1, 1}) {
      ptrdiff_t index = (at - values.begin()) + delta;
      if (index < 0 || index >= ptrdiff_t(values.size()))
        continue;
      Schedule candidate = s;
      candidate[name] = std::to_string(values[index]);
      if (couple)
        couple(candidate);
      consider(candidate);
    }
  };
  std::vector<int64_t> tiles, columns;
  for (int64_t v = 1; v <= 4; ++v)
    tiles.push_back(v * vector);
  for (int64_t x = 1; x <= 16; ++x)
    columns.push_back(x);
  auto reductionSlices = [](int64_t depth) {
    std::vector<int64_t> slices;
    for (int64_t d : divisors(depth, depth))
      if (d >= 8 || d == depth)
        slices.push_back(d);
    return slices;
  };
  if (family == "gemm") {
    int64_t rows = key("m");
    auto keepBlock = [&](Schedule &c) {
      if (value(c, "wblock", 0))
        c["wblock"] = c["tile_n"];
    };
    step("tile_n", tiles, 0, keepBlock);
    step("tile_m", columns, 0, nullptr);
    step("k_block", reductionSlices(key("k")), 0, nullptr);
    std::vector<int64_t> pixelBlocks;
    for (int64_t b = value(s, "tile_m", 1); b < rows; b *= 2)
      pixelBlocks.push_back(b);
    pixelBlocks.push_back(rows);
    if (value(s, "wblock", 0))
      step("m_block", pixelBlocks, 0, nullptr);
    Schedule toggled = s;
    toggled["wblock"] = value(s, "wblock", 0) ? "0" : s.count("tile_n") ? s.at("tile_n") : "0";
    consider(toggled);
    toggled = s;
    toggled["parallel"] = s.count("parallel") && s.at("parallel") == "n" ? "m" : "n";
    consider(toggled);
    return result;
  }
  std::vector<int64_t> in = keyList("in"), out = keyList("out");
  if (in.size() != 4 || out.size() != 4)
    return result;
  int64_t m = value(s, "winograd", 0);
  auto keepBlock = [&](Schedule &c) {
    if (value(c, "wblock", 0))
      c["wblock"] = c["tile_c"];
  };
  step("tile_c", tiles, 0, keepBlock);
  step("tile_x", columns, 0, nullptr);
  if (m) {
    step("rows", divisors(ceilDiv(out[2], m), 1 << 20), 1, nullptr);
    step("images", divisors(out[0], 1 << 20), 1, nullptr);
    step("ci_block", reductionSlices(in[1]), in[1], nullptr);
    std::vector<int64_t> groups;
    for (int64_t d : divisors(out[1], out[1]))
      if (d % value(s, "tile_c", 1) == 0)
        groups.push_back(d);
    step("cgroup", groups, out[1], nullptr);
    consider(otherWinogradTile(s));
  } else {
    int64_t perGroupIn = in[1] / std::max<int64_t>(key("groups"), 1);
    step("ci_block", reductionSlices(perGroupIn), perGroupIn, nullptr);
    if (value(s, "wblock", 0)) {
      // Rows per task: 1 is the key left out.
      std::vector<int64_t> rows = divisors(out[2], out[2]);
      int64_t current = value(s, "rows", 1);
      auto at = std::find(rows.begin(), rows.end(), current);
      for (int delta : {-1, 1}) {
        if (at == rows.end())
          break;
        ptrdiff_t index = (at - rows.begin()) + delta;
        if (index < 0 || index >= ptrdiff_t(rows.size()))
          continue;
        Schedule candidate = s;
        if (rows[index] == 1)
          candidate.erase("rows");
        else
          candidate["rows"] = std::to_string(rows[index]);
        consider(candidate);
      }
    }
    Schedule toggled = s;
    toggled["wblock"] = value(s, "wblock", 0) ? "0" : s.count("tile_c") ? s.at("tile_c") : "0";
    consider(toggled);
  }
  for (const Schedule &seed : seeds())
    if (value(seed, "winograd", 0) != m)
      consider(seed);
  return result;
}

std::vector<Schedule> ScheduleSpace::enumerate(size_t limit) const {
  std::set<Schedule> seen = {initial};
  std::deque<Schedule> queue = {initial};
  for (const Schedule &seed : seeds())
    if (seen.insert(seed).second)
      queue.push_back(seed);
  std::vector<Schedule> all;
  while (!queue.empty()) {
    Schedule next = queue.front();
    queue.pop_front();
    all.push_back(next);
    if (all.size() > limit)
      return {};
    for (Schedule &neighbour : neighbours(next))
      if (seen.insert(neighbour).second)
        queue.push_back(std::move(neighbour));
  }
  return all;
}

} // namespace cnnc::tune
