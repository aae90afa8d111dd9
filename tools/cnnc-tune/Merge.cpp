//===- Merge.cpp - joining tuning databases, re-measuring conflicts -------===//

#include "Merge.h"
#include "Measure.h"
#include "TuningModel.h"
#include "driver/OutputPath.h"

#include "cnn/Transforms/TuningDatabase.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

namespace cnnc::tune {

namespace {

/// Rounds of the re-measuring program, as many as the tuner's final check.
constexpr int kRemeasureRounds = 15;

int fail(const std::string &message) {
  llvm::errs() << "cnnc-tune: merge: " << message << "\n";
  return 1;
}

/// A measured entry whose times no schedule change can explain (a tuned
/// kernel 20 times faster or slower than its default): a merge would
/// otherwise let one bad file win every conflict.
std::string implausible(const cnn::TuningEntry &entry) {
  if (entry.defaultMs <= 0 || entry.tunedMs <= 0)
    return "";
  double ratio = entry.tunedMs / entry.defaultMs;
  if (ratio >= 0.05 && ratio <= 20 && !(entry.keepsDefault() && ratio != 1))
    return "";
  char text[160];
  std::snprintf(text, sizeof text,
                "tuned %.6g ms against a default of %.6g ms is not what a schedule can do%s",
                entry.tunedMs, entry.defaultMs,
                entry.keepsDefault() ? " (the entry keeps the default)" : "");
  return text;
}

/// Whether `candidate` beats `existing` on their records: both measured,
/// the lower tuned/default ratio.
bool betterRecord(const cnn::TuningEntry &candidate, const cnn::TuningEntry &existing) {
  return candidate.tunedMs > 0 && existing.tunedMs > 0 &&
         candidate.tunedMs / candidate.defaultMs < existing.tunedMs / existing.defaultMs;
}

/// An entry with the file it came from, for messages.
struct Candidate {
  cnn::TuningEntry entry;
  std::string file;
};

std::string where(const Candidate &candidate) {
  return candidate.file + ":" + std::to_string(candidate.entry.line);
}

std::string milliseconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g ms", ms);
  return text;
}

/// Times each distinct schedule of `candidates` against the kernel's
/// default in one program; the fastest that computes the right output
/// becomes the entry, with the times just measured.
bool remeasure(const Task &task, const std::vector<Candidate> &candidates,
               Measurer &measurer, cnn::TuningEntry &winner) {
  std::vector<std::string> schedules = {task.defaultSchedule};
  std::vector<size_t> slotOf;
  for (const Candidate &candidate : candidates) {
    std::string schedule =
        candidate.entry.keepsDefault() ? task.defaultSchedule : candidate.entry.schedule;
    auto found = std::find(schedules.begin(), schedules.end(), schedule);
    slotOf.push_back(size_t(found - schedules.begin()));
    if (found == schedules.end())
      schedules.push_back(schedule);
  }
  const cnn::TuningEntry &first = candidates.front().entry;
  std::string heading = "'" + task.signature + "' (" + first.target + ", " +
                        std::to_string(first.threads) + " thread(s))";
  std::vector<Measurement> measured;
  std::string error;
  if (!measurer.measure(task, schedules, kRemeasureRounds, measured, error)) {
    llvm::errs() << "cnnc-tune: merge: re-measuring " << heading << ": " << error << "\n";
    return false;
  }
  if (!measured[0].ok) {
    llvm::errs() << "cnnc-tune: merge: re-measuring " << heading
                 << ": the default schedule failed: " << measured[0].problem << "\n";
    return false;
  }
  llvm::errs() << "cnnc-tune: merge: re-measured " << heading << ": default "
               << milliseconds(measured[0].ms);
  size_t best = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Measurement &result = measured[slotOf[i]];
    llvm::errs() << "; " << where(candidates[i]) << " "
                 << (result.ok ? milliseconds(result.ms) : result.problem);
    if (result.ok && (!measured[slotOf[best]].ok || result.ms < measured[slotOf[best]].ms))
      best = i;
  }
  if (!measured[slotOf[best]].ok) {
    llvm::errs() << "\ncnnc-tune: merge: re-measuring " << heading
                 << ": no schedule of the conflict computes the right output\n";
    return false;
  }
  llvm::errs() << "; kept " << where(candidates[best]) << "\n";
  winner = candidates[best].entry;
  winner.defaultMs = measured[0].ms;
  winner.tunedMs = winner.keepsDefault() ? measured[0].ms : measured[slotOf[best]].ms;
  return true;
}

} // namespace

int mergeDatabases(const MergeOptions &options) {
  if (options.output.empty())
    return fail("give the database to write with -o");
  if (!cnnc::checkOutputPath("cnnc-tune merge", options.output))
    return 1;
  cnn::TuningDatabase merged;
  // Every key's entries, in the order read; a key with more than one
  // distinct schedule is a conflict.
  std::map<cnn::EntryKey, std::vector<Candidate>> byKey;
  std::vector<cnn::EntryKey> order;
  for (const std::string &path : options.inputs) {
    cnn::TuningDatabase database;
    std::string error;
    if (!cnn::readTuningDatabase(path, database, error))
      return fail(error);
    if (merged.cpu.empty()) {
      merged.cpu = database.cpu;
    } else if (database.cpu != merged.cpu && !options.anyMachine) {
      return fail("'" + path + "' was measured on '" + database.cpu + "', " +
                  options.inputs.front() + " on '" + merged.cpu +
                  "'; schedules from different machines are not comparable (--any-machine "
                  "merges them anyway)");
    }
    for (const cnn::TuningEntry &entry : database.entries) {
      std::string problem = implausible(entry);
      if (!problem.empty())
        return fail(path + ":" + std::to_string(entry.line) + ": " + problem);
      std::vector<Candidate> &candidates = byKey[cnn::keyOf(entry)];
      if (candidates.empty())
        order.push_back(cnn::keyOf(entry));
      candidates.push_back({entry, path});
    }
  }

  // Re-measuring needs this machine to be the one the entries describe.
  std::unique_ptr<TuningModel> model;
  std::map<std::string, const Task *> tasks;
  std::string host = cnn::hostCpuModel();
  if (!options.remeasure.path.empty()) {
    if (!merged.cpu.empty() && merged.cpu != host)
      return fail("--remeasure: the databases were measured on '" + merged.cpu +
                  "', this machine is '" + host + "'; re-measure on that machine");
    model = std::make_unique<TuningModel>();
    if (!model->load(options.remeasure, options.target))
      return 1;
    for (const Task &task : model->tasks())
      tasks[task.signature] = &task;
  }
  llvm::SmallString<128> work;
  if (model && llvm::sys::fs::createUniqueDirectory("cnnc-tune-merge", work))
    return fail("cannot create a temporary directory");
  std::map<int, std::unique_ptr<Measurer>> measurers; // By thread count.
  int conflicts = 0, remeasured = 0;
  bool ok = true;
  for (const cnn::EntryKey &key : order) {
    std::vector<Candidate> &candidates = byKey[key];
    cnn::TuningEntry kept = candidates.front().entry;
    bool conflict = false;
    for (const Candidate &candidate : candidates) {
      conflict |= candidate.entry.schedule != kept.schedule;
      if (betterRecord(candidate.entry, kept))
        kept = candidate.entry;
    }
    conflicts += conflict;
    auto task = tasks.find(kept.signature);
    if (conflict && model && task != tasks.end() && kept.target == model->vectorIsa() &&
        kept.threads >= 1) {
      std::unique_ptr<Measurer> &measurer = measurers[kept.threads];
      if (!measurer)
        measurer = std::make_unique<Measurer>(*model, options.cacheDirectory, work.str().str(),
                                              kept.threads, options.jobs);
      if (!remeasure(*task->second, candidates, *measurer, kept)) {
        ok = false;
        break;
      }
      ++remeasured;
    }
    merged.entries.push_back(kept);
  }
  if (model)
    llvm::sys::fs::remove_directories(work);
  if (!ok)
    return 1;
  cnn::TuningDatabaseLock lock(options.output);
  std::string error;
  if (!lock.held())
    return fail("cannot lock '" + options.output + ".lock'");
  if (!cnn::writeTuningDatabase(options.output, merged, error))
    return fail(error);
  llvm::errs() << "cnnc-tune: merged " << options.inputs.size() << " database(s), "
               << merged.entries.size() << " entries, into " << options.output;
  if (conflicts)
    llvm::errs() << "; " << conflicts << " conflict(s), " << remeasured << " re-measured"
                 << (conflicts > remeasured ? ", the others by their recorded ratios" : "");
  llvm::errs() << "\n";
  return 0;
}

} // namespace cnnc::tune
