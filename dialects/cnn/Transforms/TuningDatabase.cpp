//===- TuningDatabase.cpp - reading, checking and writing the database ----===//

#include "cnn/Transforms/TuningDatabase.h"

#include "support/ReadFile.h"
#include "support/WriteFile.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <sstream>

namespace cnn {

const TuningEntry *TuningDatabase::find(const std::string &signature, const std::string &target,
                                        int threads) const {
  const TuningEntry *any = nullptr;
  for (const TuningEntry &entry : entries) {
    if (entry.signature != signature)
      continue;
    if (entry.target == target && entry.threads == threads)
      return &entry;
    if (entry.target.empty() && entry.threads == 0)
      any = &entry;
  }
  return any;
}

EntryKey keyOf(const TuningEntry &entry) {
  return {entry.signature, entry.target, entry.threads};
}

void TuningDatabase::put(const TuningEntry &entry) {
  for (TuningEntry &existing : entries)
    if (existing.signature == entry.signature && existing.target == entry.target &&
        existing.threads == entry.threads) {
      existing = entry;
      return;
    }
  entries.push_back(entry);
}

std::string checkScheduleKeys(const std::string &family, const std::string &keys) {
  struct Range {
    int64_t low, high;
  };
  static const std::map<std::string, std::map<std::string, Range>> families = {
      {"conv",
       {{"vec", {1, 64}}, {"tile_c", {1, 1024}}, {"tile_x", {1, 1024}}, {"ci_block", {1, 1 << 30}},
        {"rows", {1, 1 << 30}}, {"wblock", {0, 4096}}, {"winograd", {0, 4}},
        {"rotated", {0, 1}}, {"block_x", {1, 1024}}, {"ksplit", {1, 1024}},
        {"images", {1, 1 << 30}}, {"cgroup", {1, 1 << 30}}}},
      {"gemm",
       {{"vec", {1, 64}}, {"tile_n", {1, 1024}}, {"tile_m", {1, 1024}}, {"k_block", {1, 1 << 30}},
        {"m_block", {1, 1 << 30}}, {"wblock", {0, 4096}}, {"ksplit", {1, 1024}}}},
  };
  auto rules = families.find(family);
  if (rules == families.end())
    return "kernel family '" + family + "' has no schedule to tune";
  if (keys == "default")
    return "";
  llvm::SmallVector<llvm::StringRef> pairs;
  llvm::StringRef(keys).split(pairs, ' ', -1, /*KeepEmpty=*/false);
  std::set<std::string> seen;
  for (llvm::StringRef pair : pairs) {
    auto [key, value] = pair.split('=');
    if (!seen.insert(key.str()).second)
      return "'" + key.str() + "' is given twice";
    // Which loop runs in parallel: a GEMM's, and an int8 or bf16 convolution's.
    if (key == "parallel") {
      if (value != "n" && value != "m")
        return "parallel=" + value.str() + ": must be n or m";
      continue;
    }
    auto range = rules->second.find(key.str());
    if (range == rules->second.end())
      return "'" + key.str() + "' is not a schedule key of the " + family + " family";
    int64_t number;
    if (value.getAsInteger(10, number) || number < range->second.low ||
        number > range->second.high)
      return pair.str() + ": must be a whole number from " + std::to_string(range->second.low) +
             " to " + std::to_string(range->second.high);
    if (key == "winograd" && number != 0 && number != 2 && number != 4)
      return pair.str() + ": must be 0, 2 or 4";
  }
  return "";
}

namespace {

/// `target=avx512 threads=2`.
std::string parseContext(llvm::StringRef text, TuningEntry &entry) {
  llvm::SmallVector<llvm::StringRef> pairs;
  text.split(pairs, ' ', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef pair : pairs) {
    auto [key, value] = pair.split('=');
    if (key == "target" && entry.target.empty()) {
      if (value != "avx512" && value != "avx2" && value != "cuda" && value != "opencl")
        return "target=" + value.str() + ": expected avx512, avx2, cuda or opencl";
      entry.target = value.str();
    } else if (key == "threads" && entry.threads == 0) {
      if (value.getAsInteger(10, entry.threads) || entry.threads < 1 || entry.threads > 64)
        return "threads=" + value.str() + ": expected a whole number from 1 to 64";
    } else {
      return "'" + pair.str() + "': expected 'target=avx512|avx2|cuda|opencl threads=N', each once";
    }
  }
  if (entry.target.empty() || entry.threads == 0)
    return "the context needs both target= and threads=";
  return "";
}

/// `default=0.412ms tuned=0.380ms`.
std::string parseMeasurements(llvm::StringRef text, TuningEntry &entry) {
  llvm::SmallVector<llvm::StringRef> pairs;
  text.split(pairs, ' ', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef pair : pairs) {
    auto [key, value] = pair.split('=');
    double *slot = key == "default" ? &entry.defaultMs : key == "tuned" ? &entry.tunedMs : nullptr;
    double number;
    if (!slot || *slot != 0 || !value.consume_back("ms") || value.getAsDouble(number) ||
        !std::isfinite(number) || number <= 0 || number > 1e7)
      return "'" + pair.str() + "': expected 'default=<ms>ms tuned=<ms>ms', positive times";
    *slot = number;
  }
  if ((entry.defaultMs > 0) != (entry.tunedMs > 0))
    return "'" + text.str() + "': give both default= and tuned=, or neither";
  return "";
}

std::string parseEntry(llvm::StringRef text, TuningEntry &entry) {
  if (text.count("=>") > 1)
    return "two '=>' on one line";
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, " | ");
  int body = -1;
  for (size_t i = 0; i < parts.size(); ++i)
    if (parts[i].contains("=>"))
      body = int(i);
  if (body < 0 || body > 1 || parts.size() - body > 2)
    return "expected '[target=T threads=N | ]<kernel description> => <schedule keys>"
           "[ | default=<ms>ms tuned=<ms>ms]'";
  if (body == 1) {
    std::string problem = parseContext(parts[0].trim(), entry);
    if (!problem.empty())
      return problem;
  }
  if (size_t(body) + 1 < parts.size()) {
    std::string problem = parseMeasurements(parts[body + 1].trim(), entry);
    if (!problem.empty())
      return problem;
  }
  auto [signature, schedule] = parts[body].split("=>");
  entry.signature = signature.trim().str();
  entry.schedule = schedule.trim().str();
  if (entry.signature.empty() || entry.schedule.empty())
    return "expected '<kernel description> => <schedule keys>'";
  // '|' separates the context and the measurements: a description or a
  // schedule holding one would not read back as it was written.
  if (llvm::StringRef(entry.signature).contains('|') || llvm::StringRef(entry.schedule).contains('|'))
    return "'|' in a kernel description or schedule (it separates the context and the "
           "measurements)";
  std::string family = llvm::StringRef(entry.signature).split(' ').first.str();
  return checkScheduleKeys(family, entry.schedule);
}

} // namespace

bool parseTuningDatabase(const std::string &text, const std::string &path,
                         TuningDatabase &database, std::string &error) {
  std::stringstream lines(text);
  std::string line;
  std::set<std::tuple<std::string, std::string, int>> seen;
  for (int number = 1; std::getline(lines, line); ++number) {
    llvm::StringRef trimmed = llvm::StringRef(line).trim();
    std::string where = path + ":" + std::to_string(number) + ": ";
    if (trimmed.empty() || trimmed.starts_with("#"))
      continue;
    // Kernel descriptions and schedules are printable ASCII; anything else
    // would reach messages and file names as it is.
    for (size_t column = 0; column < trimmed.size(); ++column) {
      unsigned char c = static_cast<unsigned char>(trimmed[column]);
      if (c < 0x20 || c > 0x7e) {
        error = where + "byte " + std::to_string(c) + " at column " +
                std::to_string(column + 1) + ": a database is printable ASCII text";
        return false;
      }
    }
    if (trimmed.consume_front("cpu ")) {
      if (!database.cpu.empty() || !database.entries.empty()) {
        error = where + "the 'cpu' line comes once, before the entries";
        return false;
      }
      database.cpu = trimmed.trim().str();
      continue;
    }
    TuningEntry entry;
    entry.line = number;
    std::string problem = parseEntry(trimmed, entry);
    if (!problem.empty()) {
      error = where + problem;
      return false;
    }
    if (!seen.insert({entry.signature, entry.target, entry.threads}).second) {
      error = where + "this kernel already has a schedule for " +
              (entry.target.empty() ? std::string("every target")
                                    : entry.target + " with " + std::to_string(entry.threads) +
                                          " threads") +
              " on an earlier line";
      return false;
    }
    database.entries.push_back(std::move(entry));
  }
  return true;
}

bool readTuningDatabase(const std::string &path, TuningDatabase &database, std::string &error) {
  // Only a regular file of bounded size: /dev/zero would read forever.
  std::string contents, why;
  if (!cnnc::readRegularFile(path, contents, why)) {
    error = "cannot read tuning database '" + path + "': " + why;
    return false;
  }
  return parseTuningDatabase(contents, path, database, error);
}

namespace {
/// The shortest decimal that reads back as exactly `ms`.
std::string formatTime(double ms) {
  char text[64];
  for (int digits = 4; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, ms);
    if (std::strtod(text, nullptr) == ms)
      break;
  }
  return text;
}
} // namespace

std::string formatTuningDatabase(const TuningDatabase &database) {
  std::ostringstream os;
  os << "# cnnc tuning database (docs/tuning.md): [target threads |] kernel => schedule "
        "[| measured]\n";
  if (!database.cpu.empty())
    os << "cpu " << database.cpu << "\n";
  for (const TuningEntry &entry : database.entries) {
    if (!entry.target.empty())
      os << "target=" << entry.target << " threads=" << entry.threads << " | ";
    os << entry.signature << " => " << entry.schedule;
    if (entry.defaultMs > 0 && entry.tunedMs > 0)
      os << " | default=" << formatTime(entry.defaultMs) << "ms tuned="
         << formatTime(entry.tunedMs) << "ms";
    os << "\n";
  }
  return os.str();
}

bool writeTuningDatabase(const std::string &path, const TuningDatabase &database,
                         std::string &error) {
  // A name of its own beside the database, so two writers never share one,
  // then a rename; /dev/null and other devices are written in place.
  std::string why;
  if (!cnnc::writeFileSafely(path, formatTuningDatabase(database), why)) {
    error = "cannot write '" + path + "': " + why;
    return false;
  }
  return true;
}

TuningDatabaseLock::TuningDatabaseLock(const std::string &path) {
  // The database itself is replaced by a rename, so the lock is a file of
  // its own beside it, never replaced.
  descriptor = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  locked = descriptor >= 0 && ::flock(descriptor, LOCK_EX) == 0;
}

TuningDatabaseLock::~TuningDatabaseLock() {
  if (descriptor >= 0)
    ::close(descriptor); // Releases the lock.
}

bool updateTuningDatabase(const std::string &path, const TuningDatabase &mine,
                          const std::set<EntryKey> &changed, bool replace, std::string &error) {
  TuningDatabaseLock lock(path);
  if (!lock.held()) {
    error = "cannot lock '" + path + ".lock': " + std::strerror(errno);
    return false;
  }
  TuningDatabase onDisk;
  if (!replace && llvm::sys::fs::exists(path) && !readTuningDatabase(path, onDisk, error))
    return false;
  // What another writer added since this one read the file stays; the
  // entries this one measured replace theirs.
  TuningDatabase merged = mine;
  std::map<EntryKey, size_t> index;
  for (size_t i = 0; i < merged.entries.size(); ++i)
    index[keyOf(merged.entries[i])] = i;
  for (const TuningEntry &entry : onDisk.entries) {
    auto found = index.find(keyOf(entry));
    if (found == index.end()) {
      index[keyOf(entry)] = merged.entries.size();
      merged.entries.push_back(entry);
    } else if (!changed.count(keyOf(entry))) {
      merged.entries[found->second] = entry;
    }
  }
  return writeTuningDatabase(path, merged, error);
}

std::string hostCpuModel() {
  // /proc files report a size of 0, so not through readRegularFile; the
  // model name is among the first lines.
  std::ifstream file("/proc/cpuinfo");
  std::string line;
  for (int count = 0; count < 64 && std::getline(file, line); ++count) {
    llvm::StringRef view(line);
    if (view.starts_with("model name")) {
      std::string model = view.split(':').second.trim().str();
      for (char &c : model)  // the database is printable ASCII
        c = c >= 0x20 && c <= 0x7e ? c : '?';
      return model;
    }
  }
  return "unknown";
}

} // namespace cnn
