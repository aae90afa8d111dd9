//===- FuzzTuningDatabase.cpp - libFuzzer target for tuning databases -----===//
//
// Any byte string is either a database the schedule pass may use or a
// reported error naming the file and line: never a crash, a hang or a
// sanitizer report. A database that parses holds only what the reader
// promises, and writing it out reads back to the same entries.
//
//===----------------------------------------------------------------------===//

#include "cnn/Transforms/TuningDatabase.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>

namespace {

bool sameEntries(const cnn::TuningDatabase &a, const cnn::TuningDatabase &b) {
  if (a.cpu != b.cpu || a.entries.size() != b.entries.size())
    return false;
  for (size_t i = 0; i < a.entries.size(); ++i) {
    const cnn::TuningEntry &x = a.entries[i], &y = b.entries[i];
    if (x.target != y.target || x.threads != y.threads || x.signature != y.signature ||
        x.schedule != y.schedule || x.defaultMs != y.defaultMs || x.tunedMs != y.tunedMs)
      return false;
  }
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size), error;
  cnn::TuningDatabase database;
  if (!cnn::parseTuningDatabase(text, "fuzz.db", database, error)) {
    if (error.rfind("fuzz.db:", 0) != 0)
      std::abort(); // every error names the file (and line)
    return 0;
  }
  std::set<cnn::EntryKey> keys;
  for (const cnn::TuningEntry &entry : database.entries) {
    if (entry.signature.empty() || entry.schedule.empty() || entry.threads < 0 ||
        !std::isfinite(entry.defaultMs) || !std::isfinite(entry.tunedMs) ||
        entry.defaultMs < 0 || entry.tunedMs < 0 || !keys.insert(cnn::keyOf(entry)).second)
      std::abort();
  }
  // What the writer writes, the reader reads back exactly.
  cnn::TuningDatabase again;
  if (!cnn::parseTuningDatabase(cnn::formatTuningDatabase(database), "fuzz.db", again, error) ||
      !sameEntries(database, again))
    std::abort();
  return 0;
}
