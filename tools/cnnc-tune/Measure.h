//===- Measure.h - timing schedule variants of a kernel -------------------===//
//
// A batch of variants of one task becomes one measuring program
// (codegen::buildMeasurement: the kernels from cnnc-kernelgen through the
// kernel cache, runtime/src/measure.c as main), run at the thread count
// being tuned for. The first variant of a batch is always the default: it
// is the reference every other output is checked against, and the time
// each variant is compared with, in the same run.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TUNE_MEASURE_H
#define CNNC_TUNE_MEASURE_H

#include "TuningModel.h"

#include <string>
#include <vector>

namespace cnnc::tune {

struct Measurement {
  bool ok = false;
  std::string problem; // Why not: the output is wrong, or it failed.
  double ms = 0, error = 0;
};

/// Runs `command` (its output into `output`), at most `timeoutSeconds`;
/// false, with `error` set, when it cannot start, fails or times out.
bool runProgram(const std::vector<std::string> &command, std::string &output,
                int timeoutSeconds, std::string &error);

class Measurer {
public:
  Measurer(TuningModel &model, std::string cacheDirectory, std::string workDirectory,
           int threads, int jobs)
      : model(model), cache(std::move(cacheDirectory)), work(std::move(workDirectory)),
        threads(threads), jobs(jobs) {}

  /// Measures `schedules` of `task` in one program, `schedules[0]` the
  /// reference; `rounds` interleaved rounds. False (with `error`) when the
  /// program cannot be built or run; a variant that fails or is wrong is
  /// a Measurement that is not ok.
  bool measure(const Task &task, const std::vector<std::string> &schedules, int rounds,
               std::vector<Measurement> &results, std::string &error);

  /// Seconds spent generating kernels and building programs, and running them.
  double buildSeconds = 0, runSeconds = 0;

private:
  TuningModel &model;
  std::string cache, work;
  int threads, jobs;
  int programs = 0;
};

/// The error a variant's output may have, relative to the largest output,
/// against the reference: float rounding in another order, or Winograd's
/// transforms when either side uses them.
double tolerance(const std::string &reference, const std::string &variant);

} // namespace cnnc::tune

#endif // CNNC_TUNE_MEASURE_H
