//===- QuantizeReport.cpp - cnnc quantize-report ---------------------------===//
//
// The accuracy of an int8 model, layer by layer, before it is deployed. Both
// binaries run every sample with --dump-layers (runtime/src/dump.c), which
// writes each step's output as float32, a u8 tensor dequantized; the layers
// are matched by name. A layer's SQNR is over all samples: 10 log10 of the
// fp32 output's energy over the energy of the difference. The error is the
// int8 model's as a whole up to that layer (it accumulates from the input
// on), which is what the user deploys; a layer where it drops sharply is one
// to keep in float (--keep-float).
//
// The dumps are files the binaries wrote a moment ago, yet they are read
// like any input: the manifest's lines are checked and every data file must
// hold exactly the elements the manifest says.
//
//===----------------------------------------------------------------------===//

#include "QuantizeReport.h"

#include "CalibrateCommand.h"
#include "quantize/QParams.h"
#include "support/ReadFile.h"

#include "cnnrt.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <vector>

namespace cnnc {
namespace {

/// Steps and elements beyond these are refused: a manifest larger than any
/// model's is not one the runtime wrote.
constexpr size_t kMaxManifestBytes = size_t(16) << 20;
constexpr int64_t kMaxStepElements = int64_t(1) << 31;
/// The int8 layers the --max-error search measures at most (one build and
/// run of every sample each).
constexpr size_t kMaxSearchLayers = 1024;

struct DumpedStep {
  int index = 0;
  int64_t elements = 0;
  std::string op, layer;
  bool int8 = false;
};

struct LayerReport {
  std::string op;
  bool inFloatModel = false, int8 = false, comparable = true;
  double signal = 0, noise = 0;
  double fp32Ms = 0, int8Ms = 0;
};

bool fail(const std::string &message) {
  llvm::errs() << "cnnc quantize-report: " << message << "\n";
  return false;
}

/// Runs `binary` with `words`; its standard output goes to `stdoutPath`
/// when given.
bool runBinary(const std::string &binary, const std::vector<std::string> &words,
               const std::string &stdoutPath = "") {
  std::vector<llvm::StringRef> arguments = {binary};
  arguments.insert(arguments.end(), words.begin(), words.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, std::nullopt, std::nullopt};
  if (!stdoutPath.empty())
    redirects[1] = llvm::StringRef(stdoutPath);
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(binary, arguments, std::nullopt, redirects, 0, 0, &message);
  if (rc != 0)
    return fail(llvm::sys::path::filename(binary).str() + " failed" +
                (message.empty() ? "" : ": " + message));
  return true;
}

bool readManifest(const std::string &directory, std::vector<DumpedStep> &steps) {
  std::string path = directory + "/layers.txt", text, why;
  if (!readRegularFile(path, text, why, kMaxManifestBytes))
    return fail(path + ": " + why);
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(text).split(lines, '\n', -1, /*KeepEmpty=*/false);
  steps.clear();
  for (size_t n = 0; n < lines.size(); ++n) {
    std::vector<std::string> words;
    DumpedStep step;
    long long elements = 0;
    auto bad = [&](const std::string &what) {
      return fail(path + ":" + std::to_string(n + 1) + ": " + what);
    };
    if (!quantize::splitQuotedWords(lines[n].str(), words, why))
      return bad(why);
    if (words.size() != 5 || !llvm::to_integer(words[0], step.index) || step.index != int(n) ||
        !llvm::to_integer(words[1], elements) || elements < 0 || elements > kMaxStepElements ||
        (words[3] != "int8" && words[3] != "float"))
      return bad("expected `<step> <elements> <op> int8|float \"<layer>\"`, step " +
                 std::to_string(n));
    step.elements = elements;
    step.op = words[2];
    step.int8 = words[3] == "int8";
    step.layer = words[4];
    steps.push_back(step);
  }
  return true;
}

/// The outputs of a layer's steps, in step order.
bool readLayer(const std::string &directory, const std::vector<const DumpedStep *> &steps,
               std::vector<float> &values) {
  values.clear();
  for (const DumpedStep *step : steps) {
    std::string path = directory + "/" + std::to_string(step->index) + ".f32", text, why;
    if (!readRegularFile(path, text, why, size_t(step->elements) * 4))
      return fail(path + ": " + why);
    if (text.size() != size_t(step->elements) * 4)
      return fail(path + ": holds " + std::to_string(text.size()) + " bytes; the manifest says " +
                  std::to_string(step->elements) + " float32 elements");
    size_t at = values.size();
    values.resize(at + size_t(step->elements));
    std::memcpy(values.data() + at, text.data(), text.size());
  }
  return true;
}

std::map<std::string, std::vector<const DumpedStep *>>
byLayer(const std::vector<DumpedStep> &steps) {
  std::map<std::string, std::vector<const DumpedStep *>> layers;
  for (const DumpedStep &step : steps)
    layers[step.layer].push_back(&step);
  return layers;
}

void accumulate(const std::vector<float> &reference, const std::vector<float> &found,
                double &signal, double &noise) {
  for (size_t i = 0; i < reference.size(); ++i) {
    double r = reference[i], d = double(found[i]) - r;
    signal += r * r;
    noise += d * d;
  }
}

/// Milliseconds per layer from the binary's `--profile` on one thread.
bool profile(const std::string &binary, const QuantizeReportOptions &options,
             const std::string &work, std::map<std::string, double> &ms) {
  std::string out = work + "/profile.txt";
  std::vector<std::string> words = {"--threads", "1", "--profile", "--bench",
                                    std::to_string(options.profileRuns)};
  if (!options.weightsPath.empty())
    words.insert(words.end(), {"--weights", options.weightsPath});
  std::string text, why;
  if (!runBinary(binary, words, out) || !readRegularFile(out, text, why, kMaxManifestBytes))
    return why.empty() ? false : fail(out + ": " + why);
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(text).split(lines, '\n', -1, false);
  // latency: ...; profile: ...; the header; then `layer op ms share [GFLOP/s]`.
  for (size_t n = 3; n < lines.size(); ++n) {
    llvm::SmallVector<llvm::StringRef> fields;
    lines[n].split(fields, ' ', -1, false);
    double value;
    if (fields.size() >= 3 && !fields[2].getAsDouble(value))
      ms[fields[0].str()] += value;
  }
  return true;
}

double sqnr(double signal, double noise) {
  return noise > 0 ? 10 * std::log10(signal / noise) : INFINITY;
}

std::string decibels(double db) {
  return std::isinf(db) ? "exact" : llvm::formatv("{0:f1}", db).str();
}

/// Both models' layers and outputs compared over the samples.
struct Comparison {
  std::vector<std::string> order; // layers in the order the int8 model runs them
  std::map<std::string, LayerReport> layers;
  std::vector<double> outputSignal, outputNoise;

  /// The outputs' largest relative L2 error, |int8 - fp32| / |fp32|.
  double outputError() const {
    double worst = 0;
    for (size_t o = 0; o < outputSignal.size(); ++o)
      worst = std::max(worst, outputSignal[o] > 0 ? std::sqrt(outputNoise[o] / outputSignal[o])
                                                  : (outputNoise[o] > 0 ? INFINITY : 0));
    return worst;
  }
};

/// Runs both binaries on every sample and compares their outputs and, with
/// `layers`, every layer's (--dump-layers).
bool compare(const std::string binaries[2], const std::vector<std::string> &samples,
             const QuantizeReportOptions &options, const std::string &work, bool layers,
             Comparison &out) {
  static const char *names[2] = {"fp32", "int8"};
  out = Comparison();
  out.outputSignal.assign(options.outputCount, 0);
  out.outputNoise.assign(options.outputCount, 0);
  for (const std::string &sample : samples) {
    std::vector<DumpedStep> steps[2];
    for (int m = 0; m < 2; ++m) {
      std::string directory = work + "/" + names[m];
      llvm::sys::fs::remove_directories(directory);
      if (llvm::sys::fs::create_directory(directory))
        return fail("cannot create " + directory);
      std::vector<std::string> words = {"--input", sample};
      if (layers)
        words.insert(words.end(), {"--dump-layers", directory});
      for (int o = 0; o < options.outputCount; ++o)
        words.insert(words.end(), {"--output", directory + "/output" + std::to_string(o) + ".npy"});
      if (!options.weightsPath.empty())
        words.insert(words.end(), {"--weights", options.weightsPath});
      if (!runBinary(binaries[m], words) || (layers && !readManifest(directory, steps[m])))
        return false;
    }
    auto floatLayers = byLayer(steps[0]), int8Layers = byLayer(steps[1]);
    for (const DumpedStep &step : steps[1]) {
      LayerReport &layer = out.layers[step.layer];
      if (layer.op.empty()) {
        out.order.push_back(step.layer);
        layer.op = step.op;
      }
      layer.int8 |= step.int8;
    }
    std::vector<float> reference, found;
    for (auto &[name, int8Steps] : int8Layers) {
      LayerReport &layer = out.layers[name];
      auto floatSteps = floatLayers.find(name);
      layer.inFloatModel = floatSteps != floatLayers.end();
      if (!layer.inFloatModel || !layer.comparable)
        continue;
      if (!readLayer(work + "/fp32", floatSteps->second, reference) ||
          !readLayer(work + "/int8", int8Steps, found))
        return false;
      // The same layer in another layout (split into other parts) is not
      // compared element by element.
      layer.comparable = reference.size() == found.size();
      if (layer.comparable)
        accumulate(reference, found, layer.signal, layer.noise);
    }
    for (int o = 0; o < options.outputCount; ++o) {
      std::vector<float> values[2];
      for (int m = 0; m < 2; ++m) {
        std::string path = work + "/" + names[m] + "/output" + std::to_string(o) + ".npy";
        int rank;
        int64_t shape[CNNRT_MAX_RANK];
        float *data = nullptr;
        char error[512];
        if (cnnrt_npy_read_f32(path.c_str(), &rank, shape, &data, error, sizeof error))
          return fail(error);
        int64_t count = 1;
        for (int d = 0; d < rank; ++d)
          count *= shape[d];
        values[m].assign(data, data + count);
        std::free(data);
      }
      if (values[0].size() != values[1].size())
        return fail("output " + std::to_string(o) + " differs in size between the binaries");
      accumulate(values[0], values[1], out.outputSignal[o], out.outputNoise[o]);
    }
  }
  return true;
}

std::string joined(const std::vector<std::string> &names) {
  std::string text;
  for (const std::string &name : names)
    text += (text.empty() ? "" : ",") + name;
  return text.empty() ? "(none)" : text;
}

/// The --max-error search. Each int8 layer's sensitivity is measured, not
/// guessed: the output error with that layer alone (beside those already
/// kept) in float. Layers then go to float from the most sensitive on, the
/// output measured after each, until the error is met. A proxy from the
/// per-layer SQNRs misleads: in decibels the first layers of any chain lose
/// most, and a branch's noise counts for less than the residual stream's.
bool searchKeptLayers(const std::string binaries[2], const std::vector<std::string> &samples,
                      const Int8Builder &rebuild, const QuantizeReportOptions &options,
                      const std::string &work, Comparison &comparison,
                      std::vector<std::string> &kept) {
  auto report = [&](const std::vector<std::string> &layers, double error) {
    llvm::outs() << "--keep-float " << joined(layers) << ": output relative error "
                 << llvm::format("%.4g", error) << "\n";
  };
  double error = comparison.outputError();
  report(kept, error);
  if (error <= options.maxError)
    return true;
  std::vector<std::pair<double, std::string>> sensitivity;
  for (const std::string &name : comparison.order) {
    const LayerReport &layer = comparison.layers.at(name);
    if (!layer.int8 || layer.op == "quantize" || !layer.inFloatModel ||
        std::find(kept.begin(), kept.end(), name) != kept.end())
      continue;
    if (sensitivity.size() == kMaxSearchLayers)
      return fail("the --max-error search tries at most " + std::to_string(kMaxSearchLayers) +
                  " int8 layers; keep some in float with --keep-float first");
    std::vector<std::string> trial = kept;
    trial.push_back(name);
    Comparison alone;
    if (!rebuild(trial, binaries[1]) || !compare(binaries, samples, options, work, false, alone))
      return false;
    sensitivity.push_back({alone.outputError(), name});
  }
  std::stable_sort(sensitivity.begin(), sensitivity.end());
  for (const auto &[alone, name] : sensitivity) {
    kept.push_back(name);
    if (!rebuild(kept, binaries[1]) ||
        !compare(binaries, samples, options, work, false, comparison))
      return false;
    report(kept, comparison.outputError());
    if (comparison.outputError() <= options.maxError)
      break;
  }
  // The table below shows the model that was chosen.
  return compare(binaries, samples, options, work, true, comparison);
}

} // namespace

int quantizeReport(const std::string &fp32Binary, const std::string &int8Binary,
                   const Int8Builder &rebuild, const QuantizeReportOptions &options) {
  std::vector<std::string> samples;
  if (!calibrationSamples(options.inputs, samples))
    return 1;
  llvm::SmallString<128> directory;
  if (llvm::sys::fs::createUniqueDirectory("cnnc-quantize-report", directory))
    return fail("cannot create a temporary directory"), 1;
  std::string work = directory.str().str();
  auto removeWork = llvm::make_scope_exit([&] { llvm::sys::fs::remove_directories(work); });
  std::string binaries[2] = {fp32Binary, int8Binary};

  Comparison comparison;
  std::vector<std::string> kept = options.keepFloat;
  if (!compare(binaries, samples, options, work, true, comparison))
    return 1;
  if (options.maxError > 0 &&
      !searchKeptLayers(binaries, samples, rebuild, options, work, comparison, kept))
    return 1;
  std::map<std::string, double> ms[2];
  for (int m = 0; m < 2; ++m)
    if (!profile(binaries[m], options, work, ms[m]))
      return 1;
  llvm::outs() << "SQNR of the int8 model's output of each layer against the fp32 model's, over "
               << samples.size() << " sample(s) (the error accumulates from the input on); "
               << "time per layer on one thread (--profile, mean of " << options.profileRuns
               << " runs)\n";
  llvm::outs() << llvm::format("%-36s %-18s %-6s %9s %9s %9s %9s\n", "layer", "op", "runs",
                               "SQNR dB", "fp32 ms", "int8 ms", "saved ms");
  double total[2] = {0, 0};
  for (const std::string &name : comparison.order) {
    const LayerReport &layer = comparison.layers[name];
    double fp32 = ms[0].count(name) ? ms[0][name] : 0, int8 = ms[1].count(name) ? ms[1][name] : 0;
    total[0] += fp32;
    total[1] += int8;
    std::string quality = !layer.inFloatModel ? "-"
                          : !layer.comparable ? "layout"
                                              : decibels(sqnr(layer.signal, layer.noise));
    llvm::outs() << llvm::format("%-36s %-18s %-6s %9s %9.3f %9.3f %9.3f\n", name.c_str(),
                                 layer.op.c_str(), layer.int8 ? "int8" : "float", quality.c_str(),
                                 fp32, int8, fp32 - int8);
  }
  llvm::outs() << llvm::format("%-36s %-18s %-6s %9s %9.3f %9.3f %9.3f\n", "total", "", "", "",
                               total[0], total[1], total[0] - total[1]);
  for (int o = 0; o < options.outputCount; ++o)
    llvm::outs() << "output " << o << ": SQNR "
                 << decibels(sqnr(comparison.outputSignal[o], comparison.outputNoise[o]))
                 << " dB\n";
  if (options.maxError > 0)
    llvm::outs() << (comparison.outputError() <= options.maxError ? "meets" : "misses")
                 << " --max-error " << llvm::format("%g", options.maxError) << " with --keep-float "
                 << joined(kept) << "\n";
  return 0;
}

} // namespace cnnc
