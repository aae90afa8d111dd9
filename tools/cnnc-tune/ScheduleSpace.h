//===- ScheduleSpace.h - the schedules a kernel can have ------------------===//
//
// A task's search space: every schedule key its family's generator reads
// (docs/kernel-spec.md), each over the values that make sense for the
// kernel's shape: register tiles of whole vectors that fit the register
// file, reduction slices and row counts that divide, weight blocking on or
// off, the parallel loop, Winograd F(4x4) or F(2x2) or direct. An int8 or
// bf16 kernel (`precision=` in its description) reads fewer keys: its
// register tile and parallel loop only. A schedule
// is a point; its neighbours change one key by one step (or switch a
// choice), so the space is searched by walking it (docs/tuning.md).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TUNE_SCHEDULESPACE_H
#define CNNC_TUNE_SCHEDULESPACE_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cnnc::tune {

/// Schedule keys and values; the text form lists them sorted by key, as
/// the compiler prints a schedule.
using Schedule = std::map<std::string, std::string>;

Schedule parseSchedule(const std::string &text);
std::string formatSchedule(const Schedule &schedule);

class ScheduleSpace {
public:
  /// `signature`: the kernel's description; `vectorIsa`: avx512 or avx2;
  /// `defaultSchedule`: the heuristic's keys (always a member);
  /// `alternatives`: the heuristic's other forms of the kernel (direct, or
  /// Winograd), where they differ.
  ScheduleSpace(const std::string &signature, const std::string &vectorIsa,
                const std::string &defaultSchedule,
                const std::vector<std::string> &alternatives);

  /// Whether the generator accepts `schedule` for this kernel and it is
  /// worth trying (register tiles that fit, blocks that divide).
  bool valid(const Schedule &schedule) const;
  /// The valid schedules one step from `schedule`.
  std::vector<Schedule> neighbours(const Schedule &schedule) const;
  /// Other starting points: the direct form of a Winograd default and the
  /// Winograd forms of a direct one, where the kernel allows them.
  std::vector<Schedule> seeds() const;
  /// Every schedule reachable from the default, if there are at most
  /// `limit`; otherwise empty (the space is searched, not enumerated).
  std::vector<Schedule> enumerate(size_t limit) const;

private:
  int64_t key(const std::string &name) const;
  std::vector<int64_t> keyList(const std::string &name) const;
  bool winogradAllowed() const;
  bool lowPrecision() const;
  bool validLowPrecision(const Schedule &schedule) const;
  std::vector<Schedule> lowPrecisionNeighbours(const Schedule &schedule) const;
  Schedule otherWinogradTile(const Schedule &schedule) const;
  bool validConv(const Schedule &schedule) const;
  bool validGemm(const Schedule &schedule) const;
  int64_t value(const Schedule &schedule, const std::string &name, int64_t otherwise) const;

  std::string family;
  std::map<std::string, std::string> description;
  Schedule initial;
  std::vector<Schedule> alternativeSeeds;
  int64_t vector = 16, accumulators = 24;
};

} // namespace cnnc::tune

#endif // CNNC_TUNE_SCHEDULESPACE_H
