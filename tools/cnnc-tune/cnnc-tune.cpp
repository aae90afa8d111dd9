//===- cnnc-tune.cpp - autotunes a model's kernels on this machine -------===//
//
//   cnnc-tune model.cnn|model.onnx [--param name=value]... [--input-shape ...]
//             [--target T] [--threads N] [--budget 10m] [-o tuning.db]
//             [--retune] [--shard i/N]
//   cnnc-tune merge a.db b.db... -o all.db [--any-machine] [--remeasure model.cnn]
//
// Options follow cnnc's convention (LLVM's parser): --flag value or
// --flag=value, --help, --version, a did-you-mean for a misspelling.
// See docs/tuning.md.
//
//===----------------------------------------------------------------------===//

#include "Merge.h"
#include "Tuner.h"
#include "codegen/Build.h"
#include "driver/OutputPath.h"

#include "cnn/Transforms/TuningDatabase.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <map>
#include <thread>

namespace {
namespace cl = llvm::cl;

cl::OptionCategory category("cnnc-tune options");
cl::SubCommand mergeCommand("merge", "Keeps the best entry per kernel of several databases");
cl::SubCommand &tuneCommand = cl::SubCommand::getTopLevel();

cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.cnn | model.onnx | model.mlir>"),
                               cl::sub(tuneCommand), cl::cat(category));
cl::list<std::string> params("param", cl::desc("Override a model param, e.g. --param width=1.1"),
                             cl::value_desc("name=value"), cl::sub(tuneCommand),
                             cl::sub(mergeCommand), cl::cat(category));
cl::list<std::string> inputShapes("input-shape",
                                  cl::desc("An .onnx input's sizes where the file leaves "
                                           "them open"),
                                  cl::value_desc("name=NxCxHxW"), cl::sub(tuneCommand),
                                  cl::sub(mergeCommand), cl::cat(category));
cl::opt<std::string> target("target",
                            cl::desc("The CPU to tune for: host (default), "
                                     "x86-avx512, x86-avx2"),
                            cl::init("host"), cl::sub(tuneCommand), cl::sub(mergeCommand),
                            cl::cat(category));
cl::opt<std::string> quantize("quantize",
                              cl::desc("Tune the kernels of cnnc --quantize=int8 (with "
                                       "--qparams) or --quantize=bf16"),
                              cl::value_desc("int8|bf16"), cl::sub(tuneCommand),
                              cl::cat(category));
cl::opt<std::string> qparamsPath("qparams",
                                 cl::desc("--quantize=int8: the calibration, as cnnc takes it"),
                                 cl::value_desc("model.qparams"), cl::sub(tuneCommand),
                                 cl::cat(category));
cl::opt<std::string> budget("budget", cl::desc("The whole run's time: 90s, 10m (default) or 1h"),
                            cl::value_desc("time"), cl::init("10m"), cl::sub(tuneCommand),
                            cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("The database (default: tuning.db)"),
                                cl::value_desc("file"), cl::sub(tuneCommand), cl::sub(mergeCommand),
                                cl::cat(category));
cl::opt<std::string> reportPath("report",
                                cl::desc("The report (default: the database + "
                                         ".report)"),
                                cl::value_desc("file"), cl::sub(tuneCommand), cl::cat(category));
cl::opt<bool> retune("retune", cl::desc("Start a new database instead of resuming"),
                     cl::sub(tuneCommand), cl::cat(category));
cl::opt<std::string> shard("shard", cl::desc("Tune share i of N (cnnc-tune merge joins them)"),
                           cl::value_desc("i/N"), cl::sub(tuneCommand), cl::cat(category));
cl::opt<bool> noVerify("no-verify",
                       cl::desc("Skip timing the whole model, tuned against "
                                "default"),
                       cl::sub(tuneCommand), cl::cat(category));
cl::opt<int> jobs("j", cl::desc("Kernels generated at once (default: one per core)"), cl::init(0),
                  cl::sub(tuneCommand), cl::sub(mergeCommand), cl::cat(category));
cl::opt<std::string> cacheDirectory("cache-dir", cl::desc("The kernel cache"),
                                    cl::value_desc("dir"), cl::sub(tuneCommand),
                                    cl::sub(mergeCommand), cl::cat(category));
cl::list<std::string> mergeInputs(cl::Positional, cl::desc("<a.db b.db ...>"), cl::OneOrMore,
                                  cl::sub(mergeCommand), cl::cat(category));
cl::opt<bool> anyMachine("any-machine", cl::desc("Merge databases measured on different CPUs"),
                         cl::sub(mergeCommand), cl::cat(category));
cl::opt<std::string> remeasure("remeasure",
                               cl::desc("Time the conflicting schedules of this model's kernels "
                                        "again, here, and keep the fastest"),
                               cl::value_desc("model"), cl::sub(mergeCommand), cl::cat(category));

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

/// Why cnnc-tune cannot measure kernels for `target`, or "".
std::string targetProblem(const std::string &target) {
  std::string option = "--target=" + target;
  if (std::string unchecked = cnnc::codegen::uncheckedTargetFeature(target); !unchecked.empty())
    return option + ": the feature " + unchecked +
           " removes the kernels' checks of buffer sizes and bounds; it is not supported";
  if (cnnc::codegen::halideTarget(target).empty())
    return option + ": expected host, x86-avx512, x86-avx2 or a Halide target string "
                    "arch-bits-os[-feature...]";
  std::string isa = cnnc::codegen::vectorIsa(target);
  if (isa == "cuda" || isa == "opencl")
    return option + ": cnnc-tune measures CPU kernels only (a GPU kernel's schedule can be "
                    "given by hand: docs/tuning.md)";
  return "";
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // libLLVM registers an option of its own named "threads" (for LTO);
  // cnnc-tune's takes its place, so it is made once that one is gone.
  if (cl::Option *llvmThreads = cl::getRegisteredOptions().lookup("threads"))
    llvmThreads->removeArgument();
  static cl::opt<int> threads("threads",
                              cl::desc("Threads the kernels run on (default: every "
                                       "core)"),
                              cl::init(0), cl::sub(tuneCommand), cl::cat(category));
  cl::HideUnrelatedOptions(category, tuneCommand);
  cl::HideUnrelatedOptions(category, mergeCommand);
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "cnnc-tune " << CNNC_VERSION << " (MLIR " << LLVM_VERSION_STRING << ")\n";
  });
  cl::ParseCommandLineOptions(argc, argv,
                              "cnnc-tune: autotunes a model's kernels on this machine\n\n"
                              "  cnnc-tune model.cnn|model.onnx [--budget 10m] [-o tuning.db]\n"
                              "  cnnc-tune merge a.db b.db... -o all.db [--any-machine] "
                              "[--remeasure model.cnn]\n");
  if (mergeCommand) {
    cnnc::tune::MergeOptions merge;
    merge.inputs.assign(mergeInputs.begin(), mergeInputs.end());
    merge.output = outputPath;
    merge.anyMachine = anyMachine;
    if (!remeasure.empty())
      merge.remeasure = {"cnnc-tune", remeasure, params, inputShapes};
    merge.target = target;
    if (!remeasure.empty())
      if (std::string problem = targetProblem(target); !problem.empty())
        return fail(problem);
    merge.cacheDirectory = cacheDirectory;
    merge.jobs = jobs;
    return cnnc::tune::mergeDatabases(merge);
  }
  if (modelPath.empty())
    return fail("give the model to tune (cnnc-tune --help)");

  cnnc::tune::TuneOptions options;
  options.threads = threads.getNumOccurrences()
                        ? int(threads)
                        : int(std::max(1u, std::thread::hardware_concurrency()));
  if (options.threads < 1 || options.threads > 64)
    return fail("--threads " + std::to_string(threads) + ": expected a whole number from 1 to 64");
  options.jobs = jobs;
  if (options.jobs < 0 || options.jobs > 256)
    return fail("-j " + std::to_string(jobs) + ": expected a whole number from 1 to 256");
  if (!parseBudget(budget, options.budgetSeconds))
    return fail("--budget " + budget +
                ": expected seconds or minutes, e.g. 90s or 10m "
                "(at most a week)");
  if (!shard.empty()) {
    auto [index, total] = llvm::StringRef(shard).split('/');
    if (!parseWhole(total, 1, 10000, options.shards) ||
        !parseWhole(index, 0, options.shards - 1, options.shard))
      return fail("--shard " + shard + ": expected i/N with 0 <= i < N");
  }
  options.verifyModel = !noVerify;
  options.retune = retune;
  options.cacheDirectory = cacheDirectory;
  options.databasePath = outputPath.empty() ? std::string("tuning.db") : outputPath.getValue();
  options.reportPath =
      reportPath.empty() ? options.databasePath + ".report" : reportPath.getValue();

  if (!cnnc::checkOutputPath("cnnc-tune", options.databasePath) ||
      !cnnc::checkOutputPath("cnnc-tune", options.reportPath))
    return 1;
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

  if (std::string problem = targetProblem(target); !problem.empty())
    return fail(problem);
  if (!((quantize.empty() && qparamsPath.empty()) || (quantize == "bf16" && qparamsPath.empty()) ||
        (quantize == "int8" && !qparamsPath.empty())))
    return fail("--quantize takes int8, with --qparams model.qparams, or bf16 (as cnnc does)");
  cnnc::tune::TuningModel model;
  cnnc::ModelRequest request{"cnnc-tune", modelPath, params, inputShapes};
  if (!model.load(request, target, quantize, qparamsPath))
    return 1;
  llvm::SmallString<128> work;
  if (llvm::sys::fs::createUniqueDirectory("cnnc-tune", work))
    return fail("cannot create a temporary directory");
  options.workDirectory = work.str().str();
  bool ok = cnnc::tune::Tuner(model, database, options).run();
  llvm::sys::fs::remove_directories(options.workDirectory);
  return ok ? 0 : 1;
}
