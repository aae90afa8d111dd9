//===- CalibrateCommand.cpp - cnnc calibrate -------------------------------===//
//
// Calibration runs the compiled model, not the reference interpreter: a few
// hundred samples of a ResNet-50 take seconds that way. cnnc compiles the
// fp32 model as usual (its kernels come from the cache), then the binary's
// --calibrate mode runs every sample and writes the ranges
// (runtime/src/calibrate.c).
//
//===----------------------------------------------------------------------===//

#include "CalibrateCommand.h"

#include "quantize/QParams.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

namespace cnnc {

namespace {
/// Samples beyond this are refused: calibration wants hundreds, and each
/// becomes an argument of the binary.
constexpr size_t kMaxSamples = 100000;
} // namespace

bool calibrationSamples(const std::string &inputs, std::vector<std::string> &samples) {
  samples.clear();
  if (llvm::sys::fs::is_directory(inputs)) {
    std::error_code error;
    for (llvm::sys::fs::directory_iterator it(inputs, error), end; it != end && !error;
         it.increment(error)) {
      if (llvm::StringRef(it->path()).ends_with(".npy"))
        samples.push_back(it->path());
      if (samples.size() > kMaxSamples)
        break;
    }
    if (error) {
      llvm::errs() << "cnnc calibrate: " << inputs << ": " << error.message() << "\n";
      return false;
    }
    std::sort(samples.begin(), samples.end());
  } else {
    llvm::SmallVector<llvm::StringRef> parts;
    llvm::StringRef(inputs).split(parts, ',', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef part : parts)
      samples.push_back(part.str());
  }
  if (samples.empty()) {
    llvm::errs() << "cnnc calibrate: --inputs " << inputs
                 << " names no samples (a directory of .npy files, or a,b,c.npy)\n";
    return false;
  }
  if (samples.size() > kMaxSamples) {
    llvm::errs() << "cnnc calibrate: --inputs " << inputs << " names over " << kMaxSamples
                 << " samples\n";
    return false;
  }
  for (const std::string &sample : samples)
    if (!llvm::sys::fs::is_regular_file(sample)) {
      llvm::errs() << "cnnc calibrate: sample '" << sample << "' is not a file\n";
      return false;
    }
  return true;
}

int calibrate(const std::string &binary, const CalibrateOptions &options) {
  std::vector<std::string> samples;
  if (!calibrationSamples(options.inputs, samples))
    return 1;
  std::vector<std::string> words = {binary, "--calibrate", options.outputPath, "--method",
                                    options.method};
  if (options.percentile > 0)
    words.insert(words.end(), {"--percentile", std::to_string(options.percentile)});
  if (!options.weightsPath.empty())
    words.insert(words.end(), {"--weights", options.weightsPath});
  for (const std::string &sample : samples)
    words.insert(words.end(), {"--input", sample});
  std::vector<llvm::StringRef> arguments(words.begin(), words.end());
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(binary, arguments, std::nullopt, {}, 0, 0, &message);
  if (rc != 0) {
    if (!message.empty())
      llvm::errs() << "cnnc calibrate: " << message << "\n";
    return 1;
  }
  quantize::QParams qparams;
  std::string error;
  if (!quantize::readQParams(options.outputPath, qparams, error)) {
    llvm::errs() << "cnnc calibrate: the calibration written is not valid: " << error << "\n";
    return 1;
  }
  llvm::errs() << "cnnc calibrate: " << qparams.tensors.size() << " tensor ranges ("
               << qparams.method << ") in " << options.outputPath << "\n";
  return 0;
}

} // namespace cnnc
