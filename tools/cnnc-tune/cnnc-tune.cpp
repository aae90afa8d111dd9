//===- cnnc-tune.cpp - autotunes a model's kernels on this machine -------===//
//
//   cnnc-tune model.cnn [--param name=value]... [--target T] [--threads N]
//             [--budget 10m] [-o tuning.db] [--retune] [--shard i/N]
//   cnnc-tune merge a.db b.db... -o all.db [--any-machine]
//
// See docs/tuning.md.
//
//===----------------------------------------------------------------------===//

#include "Tuner.h"
#include "codegen/Build.h"

#include "cnn/Transforms/TuningDatabase.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <thread>

namespace {

const char *usage =
    "usage: cnnc-tune model.cnn [--param name=value]... [--target T] [--threads N]\n"
    "                 [--budget 90s|10m] [-o tuning.db] [--report FILE] [--retune]\n"
    "                 [--shard i/N] [--no-verify] [-j N] [--cache-dir DIR]\n"
    "       cnnc-tune merge a.db b.db... -o all.db [--any-machine]\n";

int fail(const std::string &message) {
  llvm::errs() << "cnnc-tune: " << message << "\n";
  return 1;
}

bool parseWhole(llvm::StringRef text, int low, int high, int &value) {
  return !text.getAsInteger(10, value) && value >= low && value <= high;
}

/// `90`, `90s`, `10m` or `1h`: seconds.
bool parseBudget(llvm::StringRef text, double &seconds) {
  double scale = 1;
  if (text.consume_back("s"))
    scale = 1;
  else if (text.consume_back("m"))
    scale = 60;
  else if (text.consume_back("h"))
    scale = 3600;
  int value;
  if (!parseWhole(text, 1, 1 << 20, value) || value * scale > 7 * 24 * 3600.0)
    return false;
  seconds = value * scale;
  return true;
}

/// Keeps the best entry per kernel, target and thread count: the lower
/// tuned time, where both were measured.
int merge(const std::vector<std::string> &arguments) {
  std::vector<std::string> inputs;
  std::string output;
  bool anyMachine = false;
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i] == "-o" && i + 1 < arguments.size())
      output = arguments[++i];
    else if (arguments[i] == "--any-machine")
      anyMachine = true;
    else if (!arguments[i].empty() && arguments[i][0] == '-')
      return fail("merge: unknown option '" + arguments[i] + "'\n" + usage);
    else
      inputs.push_back(arguments[i]);
  }
  if (inputs.empty() || output.empty())
    return fail(std::string("merge: give the databases and -o\n") + usage);
  cnn::TuningDatabase merged;
  for (const std::string &path : inputs) {
    cnn::TuningDatabase database;
    std::string error;
    if (!cnn::readTuningDatabase(path, database, error))
      return fail(error);
    if (merged.cpu.empty()) {
      merged.cpu = database.cpu;
    } else if (database.cpu != merged.cpu && !anyMachine) {
      return fail("merge: '" + path + "' was measured on '" + database.cpu + "', " +
                  inputs.front() + " on '" + merged.cpu +
                  "'; schedules from different machines are not comparable (--any-machine "
                  "merges them anyway)");
    }
    for (const cnn::TuningEntry &entry : database.entries) {
      const cnn::TuningEntry *existing = nullptr;
      for (const cnn::TuningEntry &other : merged.entries)
        if (other.signature == entry.signature && other.target == entry.target &&
            other.threads == entry.threads)
          existing = &other;
      bool better = !existing || (entry.tunedMs > 0 && existing->tunedMs > 0 &&
                                  entry.tunedMs / entry.defaultMs <
                                      existing->tunedMs / existing->defaultMs);
      if (better)
        merged.put(entry);
    }
  }
  std::string error;
  if (!cnn::writeTuningDatabase(output, merged, error))
    return fail(error);
  llvm::errs() << "cnnc-tune: merged " << inputs.size() << " database(s), "
               << merged.entries.size() << " entries, into " << output << "\n";
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  std::vector<std::string> arguments(argv + 1, argv + argc);
  if (!arguments.empty() && arguments[0] == "merge")
    return merge({arguments.begin() + 1, arguments.end()});

  cnnc::tune::TuneOptions options;
  options.threads = int(std::max(1u, std::thread::hardware_concurrency()));
  options.databasePath = "tuning.db";
  std::string modelPath, target = "host";
  std::vector<std::string> params;
  bool retune = false;
  for (size_t i = 0; i < arguments.size(); ++i) {
    const std::string &word = arguments[i];
    bool hasValue = i + 1 < arguments.size();
    std::string value = hasValue ? arguments[i + 1] : "";
    if (word == "--help" || word == "-h") {
      llvm::outs() << usage;
      return 0;
    }
    if (word == "--retune" || word == "--no-verify") {
      (word == "--retune" ? retune : options.verifyModel) = word == "--retune";
      continue;
    }
    if (word.empty() || word[0] != '-') {
      if (!modelPath.empty())
        return fail("one model at a time; '" + word + "' is a second\n" + usage);
      modelPath = word;
      continue;
    }
    if (!hasValue)
      return fail("'" + word + "' needs a value\n" + usage);
    ++i;
    if (word == "--param") {
      params.push_back(value);
    } else if (word == "--target") {
      target = value;
    } else if (word == "-o") {
      options.databasePath = value;
    } else if (word == "--report") {
      options.reportPath = value;
    } else if (word == "--cache-dir") {
      options.cacheDirectory = value;
    } else if (word == "--threads") {
      if (!parseWhole(value, 1, 64, options.threads))
        return fail("--threads " + value + ": expected a whole number from 1 to 64");
    } else if (word == "-j") {
      if (!parseWhole(value, 1, 256, options.jobs))
        return fail("-j " + value + ": expected a whole number from 1 to 256");
    } else if (word == "--budget") {
      if (!parseBudget(value, options.budgetSeconds))
        return fail("--budget " + value + ": expected seconds or minutes, e.g. 90s or 10m "
                    "(at most a week)");
    } else if (word == "--shard") {
      auto [index, total] = llvm::StringRef(value).split('/');
      if (!parseWhole(total, 1, 10000, options.shards) ||
          !parseWhole(index, 0, options.shards - 1, options.shard))
        return fail("--shard " + value + ": expected i/N with 0 <= i < N");
    } else {
      return fail("unknown option '" + word + "'\n" + usage);
    }
  }
  if (modelPath.empty())
    return fail(std::string("give the model to tune\n") + usage);
  if (options.reportPath.empty())
    options.reportPath = options.databasePath + ".report";

  cnn::TuningDatabase database;
  std::string cpu = cnn::hostCpuModel();
  if (!retune && llvm::sys::fs::exists(options.databasePath)) {
    std::string error;
    if (!cnn::readTuningDatabase(options.databasePath, database, error))
      return fail(error + " (--retune starts a new database)");
    if (!database.cpu.empty() && database.cpu != cpu)
      return fail("'" + options.databasePath + "' was measured on '" + database.cpu +
                  "', this machine is '" + cpu + "': tune into another file, or --retune");
  }
  database.cpu = cpu;

  std::string isa = cnnc::codegen::vectorIsa(target);
  if (isa == "cuda" || isa == "opencl")
    return fail("--target=" + target + ": cnnc-tune measures CPU kernels only (a GPU "
                "kernel's schedule can be given by hand: docs/tuning.md)");
  cnnc::tune::TuningModel model;
  if (!model.load(modelPath, params, target))
    return 1;
  llvm::SmallString<128> work;
  if (llvm::sys::fs::createUniqueDirectory("cnnc-tune", work))
    return fail("cannot create a temporary directory");
  options.workDirectory = work.str().str();
  bool ok = cnnc::tune::Tuner(model, database, options).run();
  llvm::sys::fs::remove_directories(options.workDirectory);
  return ok ? 0 : 1;
}
