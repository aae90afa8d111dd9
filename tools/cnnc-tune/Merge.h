//===- Merge.h - joining tuning databases, re-measuring conflicts ---------===//
//
// `cnnc-tune merge` keeps one entry per kernel, target and thread count.
// Where databases disagree, the better recorded tuned/default ratio wins;
// with `--remeasure model`, the disagreeing schedules of that model's
// kernels are timed again here, against the default in one program, and
// the fastest wins with the times just measured. Entries no schedule can
// explain are refused at their file and line.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TUNE_MERGE_H
#define CNNC_TUNE_MERGE_H

#include "driver/ModelLoading.h"

#include <string>
#include <vector>

namespace cnnc::tune {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string output;
  bool anyMachine = false;
  /// The model whose kernels' conflicts are re-measured; empty: none.
  ModelRequest remeasure;
  std::string target = "host";
  std::string cacheDirectory;
  int jobs = 0;
};

/// Merges, prints what it did on stderr; the process's exit status.
int mergeDatabases(const MergeOptions &options);

} // namespace cnnc::tune

#endif // CNNC_TUNE_MERGE_H
