//===- TuningDatabase.h - schedules measured on a machine -----------------===//
//
// A tuning database is plain text (docs/tuning.md): a `cpu` line naming the
// machine it was measured on, then one entry per kernel, target and thread
// count,
//
//   target=avx512 threads=2 | conv in=... act=relu => vec=16 tile_c=64 ...
//       | default=0.412ms tuned=0.380ms
//
// (one line). The part before `=>` is the kernel's spec description
// (KernelDescription::signature); after it, the schedule keys, or `default`
// for "the heuristic's", which the tuner writes when nothing beat it. The
// context and the measurements are optional: a hand-written
// `signature => keys` line applies to every CPU target and thread count (a
// GPU kernel's schedule keys mean other things: its entries name cuda or
// opencl).
// The schedule pass reads it; cnnc-tune writes and merges it.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_TRANSFORMS_TUNINGDATABASE_H
#define CNN_TRANSFORMS_TUNINGDATABASE_H

#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace cnn {

struct TuningEntry {
  std::string target; // avx512, avx2, cuda or opencl; empty: any CPU.
  int threads = 0;    // 0: any.
  std::string signature, schedule; // schedule "default": the heuristic's.
  double defaultMs = 0, tunedMs = 0; // 0: not measured.
  int line = 0;                      // Where it was read, for messages.

  bool keepsDefault() const { return schedule == "default"; }
};

struct TuningDatabase {
  std::string cpu; // The machine's CPU model; empty: not recorded.
  std::vector<TuningEntry> entries;

  /// The entry for exactly this kernel, target and thread count, else one
  /// that applies to any (a hand-written line); null if none.
  const TuningEntry *find(const std::string &signature, const std::string &target,
                          int threads) const;
  /// Adds `entry`, replacing one with the same kernel, target and threads.
  void put(const TuningEntry &entry);
};

/// What identifies an entry: kernel, target and thread count.
using EntryKey = std::tuple<std::string, std::string, int>;
EntryKey keyOf(const TuningEntry &entry);

/// An exclusive lock on a database (flock on `path.lock`), held while the
/// object lives: concurrent writers (two cnnc-tune runs on one file, a tune
/// and a merge) take turns.
class TuningDatabaseLock {
public:
  explicit TuningDatabaseLock(const std::string &path);
  ~TuningDatabaseLock();
  TuningDatabaseLock(const TuningDatabaseLock &) = delete;
  TuningDatabaseLock &operator=(const TuningDatabaseLock &) = delete;
  bool held() const { return locked; }

private:
  int descriptor = -1;
  bool locked = false;
};

/// Under the lock, re-reads `path` and writes `mine` merged with what is
/// there: entries of keys in `changed` (measured by this writer) are
/// `mine`'s, every other entry on disk is kept. Nothing another writer
/// wrote in between is lost. `replace` writes `mine` alone, unread what
/// was there (cnnc-tune --retune's first write: a new database).
bool updateTuningDatabase(const std::string &path, const TuningDatabase &mine,
                          const std::set<EntryKey> &changed, bool replace, std::string &error);

/// Reads and checks a database: every line well formed, every schedule
/// key one its family reads and in range, one entry per kernel, target
/// and thread count. Errors name the file and line.
bool readTuningDatabase(const std::string &path, TuningDatabase &database,
                        std::string &error);
/// Parses a database's text (`path` only names it in messages).
bool parseTuningDatabase(const std::string &text, const std::string &path,
                         TuningDatabase &database, std::string &error);
/// The text of `database`, entries in the order given.
std::string formatTuningDatabase(const TuningDatabase &database);
/// Writes the database through a file of a unique name beside it and a
/// rename, so an interrupted write leaves the previous version. Times are
/// written so that they read back exactly.
bool writeTuningDatabase(const std::string &path, const TuningDatabase &database,
                         std::string &error);

/// Whether `keys` are schedule keys of `family` with values in range: ""
/// if so, else what is wrong.
std::string checkScheduleKeys(const std::string &family, const std::string &keys);

/// This machine's CPU model, as /proc/cpuinfo names it ("unknown" if not).
std::string hostCpuModel();

} // namespace cnn

#endif // CNN_TRANSFORMS_TUNINGDATABASE_H
