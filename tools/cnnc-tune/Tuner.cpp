//===- Tuner.cpp - budget, search, acceptance, end-to-end check ----------===//

#include "Tuner.h"

#include "ScheduleSpace.h"

#include "codegen/Build.h"
#include "support/WriteFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace cnnc::tune {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

namespace {
// A variant must beat the default by this much when measured again on its
// own, or the default stays: measured noise is not a gain.
constexpr double kAcceptRatio = 0.97;
// Rounds of a search batch and of the final comparison.
constexpr int kSearchRounds = 5, kConfirmRounds = 15;
// The most bytes of weights the variants of one batch may hold together.
constexpr int64_t kBatchBytes = int64_t(1) << 30;

/// What one variant costs (generation, build, measurement) before any was
/// measured.
double firstGuessPerVariant(int jobs) { return 1.5 / jobs; }

int jobsOf(const TuneOptions &options) {
  return options.jobs > 0 ? options.jobs : int(std::max(1u, std::thread::hardware_concurrency()));
}

std::string clock(double seconds) {
  int whole = int(std::max(0.0, seconds));
  char text[32];
  std::snprintf(text, sizeof text, "%d:%02d", whole / 60, whole % 60);
  return text;
}

std::string layersOf(const Task &task) {
  std::string text = task.layers.empty() ? "?" : task.layers.front();
  if (task.layers.size() > 1)
    text += " +" + std::to_string(task.layers.size() - 1);
  return text;
}

std::string percent(double defaultMs, double tunedMs) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f%%", (defaultMs / tunedMs - 1) * 100);
  return text;
}
} // namespace

Tuner::Tuner(TuningModel &model, cnn::TuningDatabase &database, TuneOptions options)
    : model(model), database(database), options(options),
      measurer(model, options.cacheDirectory, options.workDirectory, options.threads,
               options.jobs) {
  terminal = isatty(2);
}

std::vector<const Task *> Tuner::shardTasks() const {
  // Longest first onto the least loaded shard: every shard computes the
  // same assignment from the model alone.
  std::vector<const Task *> order;
  for (const Task &task : model.tasks())
    order.push_back(&task);
  auto cost = [](const Task *task) { return double(task->multiplyAdds) * task->calls; };
  std::stable_sort(order.begin(), order.end(), [&](const Task *a, const Task *b) {
    return cost(a) != cost(b) ? cost(a) > cost(b) : a->signature < b->signature;
  });
  std::vector<double> load(options.shards, 0);
  std::vector<const Task *> mine;
  for (const Task *task : order) {
    int shard = int(std::min_element(load.begin(), load.end()) - load.begin());
    load[shard] += cost(task) + 1;
    if (shard == options.shard)
      mine.push_back(task);
  }
  return mine;
}

bool Tuner::save() {
  std::string error;
  // --retune's first write starts the new database; later ones merge.
  if (!cnn::updateTuningDatabase(options.databasePath, database, changed, options.retune,
                                 error)) {
    llvm::errs() << "cnnc-tune: " << error << "\n";
    return false;
  }
  options.retune = false;
  return true;
}

double Tuner::secondsLeft() const { return options.budgetSeconds - (now() - started); }

void Tuner::progress(const KernelResult &result, int index, int count, bool done) {
  if (!terminal && !done)
    return;
  std::ostringstream line;
  line << "[" << index + 1 << "/" << count << "] " << layersOf(*result.task) << " ("
       << result.task->family << "): ";
  if (result.resumed) {
    line << "in the database";
  } else if (done && !result.settled()) {
    line << "not reached within the budget (a rerun tunes it)";
  } else {
    char times[96];
    std::snprintf(times, sizeof times, "%d tried, best %.4f ms, default %.4f ms", result.tried,
                  result.tunedMs, result.defaultMs);
    line << times;
    if (result.tunedMs > 0)
      line << " (" << percent(result.defaultMs, result.tunedMs) << ")";
    if (result.rejected)
      line << ", " << result.rejected << " rejected";
  }
  line << ", run ends in " << clock(secondsLeft());
  std::string text = line.str();
  if (terminal)
    llvm::errs() << "\r\033[K" << text << (done ? "\n" : "");
  else
    llvm::errs() << text << "\n";
  llvm::errs().flush();
}

bool Tuner::tuneKernel(KernelResult &result, double budgetSeconds, int index, int count) {
  const Task &task = *result.task;
  double deadline = now() + budgetSeconds;
  ScheduleSpace space(task.signature, model.vectorIsa(), task.defaultSchedule, task.alternatives);
  Schedule initial = parseSchedule(task.defaultSchedule);
  std::map<Schedule, double> tried = {{initial, 1.0}}; // Schedule -> time / default's.
  Schedule best = initial;
  double bestRatio = 1.0;
  // Batches as large as the generator keeps busy, bounded by the weights
  // every variant of the batch holds.
  int jobs = jobsOf(options);
  int batchSize = std::max(2, 2 * jobs);
  if (task.parameterBytes > 0)
    batchSize = int(
        std::max<int64_t>(1, std::min<int64_t>(batchSize, kBatchBytes / task.parameterBytes - 1)));
  // What one variant costs (generation, build, measurement): a first
  // guess, then measured.
  double perVariant = firstGuessPerVariant(jobs);
  int affordable = int(budgetSeconds / perVariant);
  std::vector<Schedule> frontier = space.enumerate(size_t(std::max(affordable, 1)));
  bool exhaustive = !frontier.empty();
  if (exhaustive) {
    frontier.erase(std::remove(frontier.begin(), frontier.end(), initial), frontier.end());
  } else {
    frontier = space.seeds();
    for (Schedule &neighbour : space.neighbours(initial))
      frontier.push_back(std::move(neighbour));
  }
  // Best first: when the frontier runs dry, the best variant not yet
  // expanded gives its neighbours (a walk out of a local optimum).
  std::set<Schedule> expanded = {initial};
  auto refill = [&] {
    std::vector<std::pair<double, Schedule>> ranked;
    for (const auto &[schedule, ratio] : tried)
      if (std::isfinite(ratio) && !expanded.count(schedule))
        ranked.push_back({ratio, schedule});
    std::sort(ranked.begin(), ranked.end());
    for (const auto &[ratio, schedule] : ranked) {
      expanded.insert(schedule);
      for (Schedule &neighbour : space.neighbours(schedule))
        if (!tried.count(neighbour))
          frontier.push_back(std::move(neighbour));
      if (!frontier.empty())
        return;
    }
  };
  while (true) {
    // A batch ends before the deadline: as many variants as still fit.
    int fits = int((deadline - now()) / perVariant) - 1;
    if (fits < 1)
      break;
    if (frontier.empty() && !exhaustive)
      refill();
    if (frontier.empty()) {
      result.exhausted = true;
      break;
    }
    std::vector<Schedule> batch;
    std::vector<std::string> schedules = {task.defaultSchedule};
    for (auto it = frontier.begin();
         it != frontier.end() && int(batch.size()) < std::min(batchSize, fits);) {
      if (!tried.count(*it)) {
        batch.push_back(*it);
        schedules.push_back(formatSchedule(*it));
      }
      it = frontier.erase(it);
    }
    if (batch.empty()) {
      result.exhausted = true;
      break;
    }
    double batchStart = now();
    std::vector<Measurement> measured;
    std::string error;
    if (!measurer.measure(task, schedules, kSearchRounds, measured, error)) {
      llvm::errs() << "\ncnnc-tune: " << layersOf(task) << ": " << error << "\n";
      return false;
    }
    perVariant = (now() - batchStart) / double(batch.size());
    if (!measured[0].ok) {
      llvm::errs() << "\ncnnc-tune: " << layersOf(task) << ": the default kernel "
                   << measured[0].problem << "\n";
      return false;
    }
    bool moved = false;
    for (size_t i = 0; i < batch.size(); ++i) {
      const Measurement &m = measured[i + 1];
      ++result.tried;
      if (!m.ok) {
        ++result.rejected;
        tried[batch[i]] = INFINITY;
        continue;
      }
      double ratio = m.ms / measured[0].ms;
      tried[batch[i]] = ratio;
      if (ratio < bestRatio) {
        bestRatio = ratio;
        best = batch[i];
        result.tunedMs = m.ms;
        result.defaultMs = measured[0].ms;
        moved = true;
      }
    }
    if (!exhaustive && moved) {
      // Walk on from the new best; the rest of the old frontier follows.
      expanded.insert(best);
      std::vector<Schedule> next = space.neighbours(best);
      next.insert(next.end(), frontier.begin(), frontier.end());
      frontier = std::move(next);
    }
    if (result.tunedMs == 0)
      result.tunedMs = result.defaultMs = measured[0].ms;
    progress(result, index, count, false);
  }
  // The winner against the default, again, in a run of its own.
  result.schedule = "default";
  if (best != initial) {
    std::vector<Measurement> measured;
    std::string error;
    if (!measurer.measure(task, {task.defaultSchedule, formatSchedule(best)}, kConfirmRounds,
                          measured, error)) {
      llvm::errs() << "\ncnnc-tune: " << layersOf(task) << ": " << error << "\n";
      return false;
    }
    if (measured[0].ok && measured[1].ok) {
      result.defaultMs = measured[0].ms;
      result.tunedMs = measured[1].ms;
      if (measured[1].ms < kAcceptRatio * measured[0].ms)
        result.schedule = formatSchedule(best);
    }
  }
  if (result.schedule == "default")
    result.tunedMs = result.defaultMs;
  progress(result, index, count, true);
  return true;
}

bool Tuner::run() {
  started = now();
  std::vector<const Task *> tasks = shardTasks();
  int count = int(tasks.size());
  llvm::errs() << "cnnc-tune: " << model.modelName() << ": " << count << " kernel(s) to tune";
  if (options.shards > 1)
    llvm::errs() << " (shard " << options.shard << " of " << options.shards << ", "
                 << model.tasks().size() << " in the model)";
  llvm::errs() << ", " << options.threads << " thread(s), " << model.vectorIsa() << ", budget "
               << clock(options.budgetSeconds) << "\n";

  // Resumed kernels keep their entry; the others get their default timed
  // first, for their share of the model's time.
  std::vector<size_t> pending;
  for (const Task *task : tasks) {
    KernelResult result;
    result.task = task;
    if (const cnn::TuningEntry *entry =
            database.find(task->signature, model.vectorIsa(), options.threads);
        entry && !entry->target.empty()) {
      result.resumed = true;
      result.schedule = entry->schedule;
      result.defaultMs = entry->defaultMs;
      result.tunedMs = entry->tunedMs;
    } else {
      pending.push_back(results.size());
    }
    results.push_back(result);
  }
  for (size_t i : pending) {
    std::vector<Measurement> measured;
    std::string error;
    if (!measurer.measure(*results[i].task, {results[i].task->defaultSchedule}, 3, measured,
                          error) ||
        !measured[0].ok) {
      llvm::errs() << "cnnc-tune: " << layersOf(*results[i].task) << ": "
                   << (error.empty() ? measured[0].problem : error) << "\n";
      return false;
    }
    results[i].defaultMs = measured[0].ms;
  }
  double reserve =
      options.verifyModel && options.shards == 1 ? std::min(90.0, 0.1 * options.budgetSeconds) : 0;
  // Most of the model's time first, so a short budget goes where it pays.
  std::stable_sort(pending.begin(), pending.end(), [&](size_t a, size_t b) {
    return results[a].defaultMs * results[a].task->calls >
           results[b].defaultMs * results[b].task->calls;
  });
  double remainingShare = 0;
  for (size_t i : pending)
    remainingShare += results[i].defaultMs * results[i].task->calls;
  for (size_t n = 0, shown = 0; n < results.size(); ++n)
    if (results[n].resumed)
      progress(results[n], int(shown++), count, true);
  int sequence = int(results.size() - pending.size());
  // Every kernel gets at least a batch of two variants while the run has
  // time: a kernel with a small share is tried, not recorded untouched.
  double floor = 2.2 * firstGuessPerVariant(jobsOf(options));
  for (size_t n = 0; n < pending.size(); ++n) {
    KernelResult &result = results[pending[n]];
    double share = result.defaultMs * result.task->calls;
    double left = options.budgetSeconds - reserve - (now() - started);
    double forShares = left - floor * double(pending.size() - n - 1);
    double budget = remainingShare > 0 ? forShares * share / remainingShare : 0;
    budget = std::min(left, std::max(budget, floor));
    remainingShare -= share;
    if (!tuneKernel(result, std::max(0.0, budget), sequence++, count))
      return false;
    if (!result.settled())
      continue;
    cnn::TuningEntry entry;
    entry.target = model.vectorIsa();
    entry.threads = options.threads;
    entry.signature = result.task->signature;
    entry.schedule = result.schedule;
    entry.defaultMs = result.defaultMs;
    entry.tunedMs = result.tunedMs;
    database.put(entry);
    changed.insert(cnn::keyOf(entry));
    if (!save())
      return false;
  }
  // The database exists after a run, even one that settled no kernel.
  if (!save())
    return false;
  if (options.verifyModel && options.shards == 1 && !verifyModel())
    return false;
  report();
  return true;
}

namespace {
/// The median latency a model binary prints with --bench, or 0.
double latencyOf(const std::string &output) {
  size_t at = output.find("latency: median ");
  return at == std::string::npos ? 0 : std::atof(output.c_str() + at + 16);
}

/// Each layer's milliseconds from --profile output.
std::map<std::string, double> profileOf(const std::string &output) {
  std::map<std::string, double> layers;
  std::istringstream lines(output);
  std::string line;
  bool table = false;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string layer, op;
    double ms;
    if (table && (words >> layer >> op >> ms))
      layers[layer] += ms;
    table = table || line.rfind("layer ", 0) == 0;
  }
  return layers;
}
} // namespace

bool Tuner::verifyModel() {
  auto schedulesNow = [&] {
    Schedules schedules;
    for (const KernelResult &result : results)
      if (result.schedule != "default")
        schedules[result.task->signature] = result.schedule;
    return schedules;
  };
  auto build = [&](const Schedules &schedules, const std::string &path) {
    mlir::FailureOr<codegen::Plan> plan = model.plan(schedules);
    codegen::BuildOptions build;
    build.outputPath = path;
    build.cacheDirectory = options.cacheDirectory;
    build.jobs = options.jobs;
    build.quiet = true;
    return mlir::succeeded(plan) && codegen::build(*plan, build);
  };
  std::string defaultBinary = options.workDirectory + "/model-default";
  std::string tunedBinary = options.workDirectory + "/model-tuned";
  if (schedulesNow().empty()) {
    modelSummary = "no kernel changed: the model is the default one";
    return true;
  }
  if (!build({}, defaultBinary) || !build(schedulesNow(), tunedBinary))
    return false;
  // One run to size the benchmark: about half a second per run of each.
  std::string output, error;
  if (!runProgram({defaultBinary, "--bench", "3", "--threads", std::to_string(options.threads)},
                  output, 600, error)) {
    llvm::errs() << "cnnc-tune: " << error << "\n";
    return false;
  }
  double once = std::max(latencyOf(output), 0.01);
  int runs = std::clamp(int(500 / once), 5, 200);
  std::string bench = std::to_string(runs), threads = std::to_string(options.threads);
  // Per layer first: an entry whose layers are slower in the whole model
  // (another kernel's cache state, a shared thread pool) by more than the
  // noise is dropped. The noise is measured: how far two rounds of the same
  // binary differ on those layers. A winner within noise stays, so a rerun
  // does not drop what the last run kept.
  constexpr int kRounds = 2;
  std::map<std::string, double> layers[2][kRounds]; // [tuned][round]
  for (int round = 0; round < kRounds; ++round)
    for (bool tuned : {false, true}) {
      if (!runProgram({tuned ? tunedBinary : defaultBinary, "--profile", "--bench", bench,
                       "--threads", threads},
                      output, 600, error)) {
        llvm::errs() << "cnnc-tune: " << error << "\n";
        return false;
      }
      layers[tuned][round] = profileOf(output);
    }
  int dropped = 0;
  for (KernelResult &result : results) {
    if (result.schedule == "default")
      continue;
    double rounds[2][kRounds] = {};
    for (const std::string &layer : result.task->layers)
      for (int tuned = 0; tuned < 2; ++tuned)
        for (int round = 0; round < kRounds; ++round)
          rounds[tuned][round] += layers[tuned][round][layer];
    double before = (rounds[0][0] + rounds[0][1]) / 2, after = (rounds[1][0] + rounds[1][1]) / 2;
    double noise = std::abs(rounds[0][0] - rounds[0][1]) + std::abs(rounds[1][0] - rounds[1][1]);
    if (before > 0 && after > before + noise) {
      llvm::errs() << "cnnc-tune: " << layersOf(*result.task) << ": dropped, "
                   << llvm::format("%.4f", after) << " ms in the model against "
                   << llvm::format("%.4f", before) << " ms by default (noise "
                   << llvm::format("%.4f", noise) << " ms)\n";
      result.schedule = "default";
      result.tunedMs = result.defaultMs;
      cnn::TuningEntry entry =
          *database.find(result.task->signature, model.vectorIsa(), options.threads);
      entry.schedule = "default";
      entry.tunedMs = entry.defaultMs;
      database.put(entry);
      changed.insert(cnn::keyOf(entry));
      ++dropped;
    }
  }
  if (dropped && !save())
    return false;
  if (schedulesNow().empty()) {
    modelSummary = "every tuned kernel was dropped: the model is the default one";
    return true;
  }
  if (dropped && !build(schedulesNow(), tunedBinary))
    return false;
  // The whole model, A/B/A/B.
  std::vector<double> defaults, tuneds;
  for (int round = 0; round < 4; ++round)
    for (bool tuned : {false, true}) {
      if (!runProgram({tuned ? tunedBinary : defaultBinary, "--bench", bench, "--threads", threads},
                      output, 600, error)) {
        llvm::errs() << "cnnc-tune: " << error << "\n";
        return false;
      }
      (tuned ? tuneds : defaults).push_back(latencyOf(output));
    }
  std::sort(defaults.begin(), defaults.end());
  std::sort(tuneds.begin(), tuneds.end());
  double a = (defaults[1] + defaults[2]) / 2, b = (tuneds[1] + tuneds[2]) / 2;
  // The default's own spread over its rounds: a difference below it is noise.
  double noise = (defaults[3] - defaults[0]) / a;
  std::string summary;
  llvm::raw_string_ostream text(summary);
  text << llvm::format("the whole model, A/B/A/B over 4 rounds of %d runs: default %.3f ms, "
                       "tuned %.3f ms, %s (the default's rounds spread %.1f%%%s)",
                       runs, a, b, percent(a, b).c_str(), noise * 100,
                       std::abs(a / b - 1) < noise ? ": within noise" : "");
  if (dropped)
    text << " (" << dropped << " entr" << (dropped == 1 ? "y" : "ies")
         << " dropped for not paying in the model)";
  modelSummary = text.str();
  llvm::errs() << "cnnc-tune: " << modelSummary << "\n";
  return true;
}

void Tuner::report() {
  std::string tableText;
  llvm::raw_string_ostream table(tableText);
  table << "# cnnc-tune: " << model.modelName() << ", " << options.threads << " thread(s), "
        << model.vectorIsa() << ", " << database.cpu << "\n\n";
  table << llvm::format("%-4s %-36s %5s %11s %11s %8s %6s  %s\n", "#", "kernel (first layer)",
                        "calls", "default ms", "tuned ms", "gain", "tried", "schedule");
  double totalDefault = 0, totalTuned = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    const KernelResult &r = results[i];
    std::string name = layersOf(*r.task);
    table << llvm::format("%-4d %-36s %5d %11.4f %11.4f %8s %6s  %s\n", int(i + 1), name.c_str(),
                          r.task->calls, r.defaultMs, r.tunedMs,
                          r.tunedMs > 0 ? percent(r.defaultMs, r.tunedMs).c_str() : "-",
                          r.resumed     ? "resumed"
                          : r.settled() ? std::to_string(r.tried).c_str()
                                        : "-",
                          r.settled() ? r.schedule.c_str() : "(not reached: a rerun tunes it)");
    totalDefault += r.defaultMs * r.task->calls;
    totalTuned += r.tunedMs * r.task->calls;
  }
  table << llvm::format("\nkernels alone, summed over their calls: default %.3f ms, tuned "
                        "%.3f ms (%s)\n",
                        totalDefault, totalTuned,
                        totalTuned > 0 ? percent(totalDefault, totalTuned).c_str() : "-");
  if (!modelSummary.empty())
    table << modelSummary << "\n";
  table << llvm::format("time: %.1f s (kernel generation and builds %.1f s, measuring %.1f s)\n",
                        now() - started, measurer.buildSeconds, measurer.runSeconds);
  llvm::outs() << table.str();
  if (!options.reportPath.empty()) {
    std::string why;
    if (!cnnc::writeFileSafely(options.reportPath, table.str(), why))
      llvm::errs() << "cnnc-tune: cannot write the report " << options.reportPath << ": " << why
                   << "\n";
  }
}

} // namespace cnnc::tune
