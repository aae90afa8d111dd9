//===- Tuner.h - tuning a model's kernels within a time budget ------------===//
//
// First every pending kernel's default is timed, which gives each kernel's
// share of the model's time; the budget is split by those shares (a kernel
// that finishes early leaves its time to the rest). A kernel whose space
// fits its share is measured exhaustively; otherwise the search walks it
// from the default and the heuristic's other forms, a batch of neighbours
// at a time, moving to the best (docs/tuning.md). The winner is measured
// again against the default before it is accepted. The database is written
// after each kernel, so a run that stops resumes where it stopped.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TUNE_TUNER_H
#define CNNC_TUNE_TUNER_H

#include "Measure.h"
#include "TuningModel.h"

#include "cnn/Transforms/TuningDatabase.h"

#include <string>
#include <vector>

namespace cnnc::tune {

struct TuneOptions {
  std::string databasePath, reportPath, cacheDirectory, workDirectory;
  int threads = 1, jobs = 0;
  double budgetSeconds = 600;
  int shard = 0, shards = 1;
  bool verifyModel = true; // Compile and time the whole model, A/B.
  bool retune = false;      // A new database: the first write replaces the file.
};

struct KernelResult {
  const Task *task = nullptr;
  int tried = 0, rejected = 0;
  double defaultMs = 0, tunedMs = 0;
  std::string schedule; // "default" when nothing beat it.
  bool resumed = false;
  bool exhausted = false; // Every variant the search would try was tried.

  /// Whether the result may be recorded as done: a kernel the budget never
  /// reached stays out of the database, so a resumed run tunes it.
  bool settled() const { return tried > 0 || exhausted; }
};

class Tuner {
public:
  Tuner(TuningModel &model, cnn::TuningDatabase &database, TuneOptions options);
  /// Tunes this shard's kernels; false on an error that stops the run.
  bool run();

private:
  std::vector<const Task *> shardTasks() const;
  bool tuneKernel(KernelResult &result, double budgetSeconds, int index, int count);
  bool verifyModel();
  bool save();
  void progress(const KernelResult &result, int index, int count, bool done);
  /// Seconds until the whole run's budget is spent.
  double secondsLeft() const;
  void report();

  TuningModel &model;
  cnn::TuningDatabase &database;
  std::set<cnn::EntryKey> changed; // The entries this run measured.
  TuneOptions options;
  Measurer measurer;
  std::vector<KernelResult> results;
  std::string modelSummary; // The end-to-end comparison, for the report.
  double started = 0;
  bool terminal = false;
};

/// Seconds since an arbitrary start (steady clock).
double now();

} // namespace cnnc::tune

#endif // CNNC_TUNE_TUNER_H
