//===- ScheduleSpaceTest.cpp - cnnc-tune's search space on known kernels --===//
//
// Which schedules the space admits for a kernel, worked out by hand from
// the generators' rules (docs/kernel-spec.md): register tiles of whole
// vectors within the accumulators (28 with AVX-512, 13 with AVX2), slices
// and blocks that divide, Winograd only where the kernel allows it, no keys
// the family does not read. And that a walk stays inside the space.
//
//===----------------------------------------------------------------------===//

#include "ScheduleSpace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace cnnc::tune;

namespace {

// ResNet-50's layer3.0.conv2 and its heuristic schedule (direct, blocked).
const char *strideTwoConv =
    "conv in=1,256,28,28 out=1,256,14,14 kernel=3,3 stride=2,2 dilation=1,1 pad=1,1,1,1 "
    "groups=1 bias=1 residual=0 affine=0 act=relu";
const char *strideTwoDefault = "ci_block=256 rows=2 tile_c=64 tile_x=5 vec=16 wblock=64";

// ResNet-50's layer1.0.conv2: Winograd F(4x4) by default, direct as the other form.
const char *winogradConv =
    "conv in=1,64,56,56 out=1,64,56,56 kernel=3,3 stride=1,1 dilation=1,1 pad=1,1,1,1 "
    "groups=1 bias=1 residual=0 affine=0 act=relu";
const char *winogradDefault =
    "cgroup=64 ci_block=64 images=1 rows=2 tile_c=64 tile_x=6 vec=16 wblock=64 winograd=4";
const char *winogradDirect = "ci_block=64 tile_c=64 tile_x=6 vec=16 wblock=64";

const char *gemm = "gemm m=196 k=1024 n=256 bias=1 residual=0 affine=0 act=relu";
const char *gemmDefault = "k_block=64 m_block=24 parallel=n tile_m=6 tile_n=64 vec=16 wblock=0";

const char *depthwise =
    "conv in=1,32,56,56 out=1,32,56,56 kernel=3,3 stride=1,1 dilation=1,1 pad=1,1,1,1 "
    "groups=32 bias=1 residual=0 affine=0 act=relu";
const char *depthwiseDefault = "tile_c=16 tile_x=8 vec=16 wblock=0";

// ResNeXt-50's layer1.0.conv2: 4 channels a group, the rotated kernel.
const char *narrowGroupConv =
    "conv in=1,128,56,56 out=1,128,56,56 kernel=3,3 stride=1,1 dilation=1,1 pad=1,1,1,1 "
    "groups=32 bias=1 residual=0 affine=0 act=relu";
const char *narrowGroupDefault = "rotated=1 tile_c=16 tile_x=3 vec=16 wblock=0";

bool admits(const ScheduleSpace &space, const std::string &schedule) {
  return space.valid(parseSchedule(schedule));
}

bool contains(const std::vector<Schedule> &schedules, const std::string &schedule) {
  return std::find(schedules.begin(), schedules.end(), parseSchedule(schedule)) !=
         schedules.end();
}

// Every neighbour is valid, differs from its origin, and appears once.
void expectSoundNeighbours(const ScheduleSpace &space, const Schedule &origin) {
  std::set<Schedule> seen;
  for (const Schedule &next : space.neighbours(origin)) {
    EXPECT_TRUE(space.valid(next)) << formatSchedule(next);
    EXPECT_NE(next, origin);
    EXPECT_TRUE(seen.insert(next).second) << "twice: " << formatSchedule(next);
  }
}

TEST(ScheduleSpace, TextFormRoundTripsSortedByKey) {
  Schedule schedule = parseSchedule("tile_x=5 vec=16 ci_block=256");
  EXPECT_EQ(schedule.at("tile_x"), "5");
  EXPECT_EQ(formatSchedule(schedule), "ci_block=256 tile_x=5 vec=16");
}

TEST(ScheduleSpace, RotatedGroupConvolutionTiles) {
  ScheduleSpace space(narrowGroupConv, "avx512", narrowGroupDefault, {});
  EXPECT_TRUE(admits(space, narrowGroupDefault));
  // Its register tile is 4 accumulators a column: 7 columns fit in 28, 8 do not.
  EXPECT_TRUE(admits(space, "rotated=1 tile_c=16 tile_x=7 vec=16 wblock=0"));
  EXPECT_FALSE(admits(space, "rotated=1 tile_c=16 tile_x=8 vec=16 wblock=0"));
  // One vector of channels, no weight blocks, no reduction slices.
  EXPECT_FALSE(admits(space, "rotated=1 tile_c=32 tile_x=3 vec=16 wblock=0"));
  EXPECT_FALSE(admits(space, "rotated=1 tile_c=16 tile_x=3 vec=16 wblock=16"));
  EXPECT_FALSE(admits(space, "ci_block=4 rotated=1 tile_c=16 tile_x=3 vec=16 wblock=0"));
  // Steps along tile_x stay rotated.
  std::vector<Schedule> next = space.neighbours(parseSchedule(narrowGroupDefault));
  EXPECT_TRUE(contains(next, "rotated=1 tile_c=16 tile_x=2 vec=16 wblock=0"));
  EXPECT_TRUE(contains(next, "rotated=1 tile_c=16 tile_x=4 vec=16 wblock=0"));
  expectSoundNeighbours(space, parseSchedule(narrowGroupDefault));
  // An ungrouped convolution has no rotated form.
  ScheduleSpace dense(strideTwoConv, "avx512", strideTwoDefault, {});
  EXPECT_FALSE(admits(dense, "rotated=1 tile_c=16 tile_x=3 vec=16 wblock=0"));
}

TEST(ScheduleSpace, DirectConvolutionTiles) {
  ScheduleSpace space(strideTwoConv, "avx512", strideTwoDefault, {});
  EXPECT_TRUE(admits(space, strideTwoDefault));
  // 4 vectors x 7 columns = 28 accumulators fit; x 8 = 32 do not.
  EXPECT_TRUE(admits(space, "ci_block=256 tile_c=64 tile_x=7 vec=16 wblock=64"));
  EXPECT_FALSE(admits(space, "ci_block=256 tile_c=64 tile_x=8 vec=16 wblock=64"));
  // Tiles are whole vectors, at most 4 of them.
  EXPECT_FALSE(admits(space, "ci_block=256 tile_c=24 tile_x=4 vec=16 wblock=0"));
  EXPECT_FALSE(admits(space, "ci_block=256 tile_c=80 tile_x=2 vec=16 wblock=0"));
  // The vector is the target's.
  EXPECT_FALSE(admits(space, "ci_block=256 tile_c=64 tile_x=4 vec=8 wblock=0"));
}

TEST(ScheduleSpace, DirectConvolutionSlicesBlocksAndRows) {
  ScheduleSpace space(strideTwoConv, "avx512", strideTwoDefault, {});
  EXPECT_TRUE(admits(space, "ci_block=32 tile_c=64 tile_x=5 vec=16 wblock=64"));
  EXPECT_FALSE(admits(space, "ci_block=96 tile_c=64 tile_x=5 vec=16 wblock=64"));
  // wblock is off or the channel tile.
  EXPECT_TRUE(admits(space, "ci_block=256 tile_c=64 tile_x=5 vec=16 wblock=0"));
  EXPECT_FALSE(admits(space, "ci_block=256 tile_c=64 tile_x=5 vec=16 wblock=32"));
  // rows=1 is written by leaving the key out; more rows than the map has are not rows.
  EXPECT_TRUE(admits(space, "ci_block=256 tile_c=64 tile_x=5 vec=16 wblock=64"));
  EXPECT_FALSE(admits(space, "ci_block=256 rows=1 tile_c=64 tile_x=5 vec=16 wblock=64"));
  EXPECT_FALSE(admits(space, "ci_block=256 rows=15 tile_c=64 tile_x=5 vec=16 wblock=64"));
  // A stride-2 convolution has no Winograd form, and no key another family reads.
  EXPECT_FALSE(admits(space, "cgroup=256 ci_block=256 images=1 rows=2 tile_c=64 tile_x=6 "
                             "vec=16 wblock=64 winograd=4"));
  EXPECT_FALSE(admits(space, "ci_block=256 k_block=64 tile_c=64 tile_x=5 vec=16 wblock=64"));
}

TEST(ScheduleSpace, DirectNeighboursStepOneKey) {
  ScheduleSpace space(strideTwoConv, "avx512", strideTwoDefault, {});
  Schedule origin = parseSchedule(strideTwoDefault);
  expectSoundNeighbours(space, origin);
  std::vector<Schedule> next = space.neighbours(origin);
  auto has = [&](const std::string &text) { return contains(next, text); };
  EXPECT_TRUE(has("ci_block=256 rows=2 tile_c=64 tile_x=4 vec=16 wblock=64"));
  EXPECT_TRUE(has("ci_block=256 rows=2 tile_c=64 tile_x=6 vec=16 wblock=64"));
  EXPECT_TRUE(has("ci_block=128 rows=2 tile_c=64 tile_x=5 vec=16 wblock=64"));
  EXPECT_TRUE(has("ci_block=256 rows=2 tile_c=64 tile_x=5 vec=16 wblock=0"));
  EXPECT_TRUE(has("ci_block=256 tile_c=64 tile_x=5 vec=16 wblock=64"));  // rows 2 -> 1
  // The blocked kernel's tile must divide the 256 channels: not 48.
  EXPECT_FALSE(has("ci_block=256 rows=2 tile_c=48 tile_x=5 vec=16 wblock=48"));
}

TEST(ScheduleSpace, WinogradAndItsDirectForm) {
  ScheduleSpace space(winogradConv, "avx512", winogradDefault, {winogradDirect});
  EXPECT_TRUE(admits(space, winogradDefault));
  EXPECT_TRUE(admits(space, winogradDirect));
  // The Winograd kernel's tile is its weight block; cgroup holds whole tiles.
  EXPECT_FALSE(admits(space, "cgroup=64 ci_block=64 images=1 rows=2 tile_c=64 tile_x=6 "
                             "vec=16 wblock=0 winograd=4"));
  EXPECT_FALSE(admits(space, "cgroup=40 ci_block=64 images=1 rows=2 tile_c=64 tile_x=6 "
                             "vec=16 wblock=64 winograd=4"));
  EXPECT_FALSE(admits(space, "cgroup=64 ci_block=64 images=1 rows=2 tile_c=64 tile_x=6 "
                             "vec=16 wblock=64 winograd=3"));
  // 56 rows make 14 tile rows of F(4x4): rows=15 is too many.
  EXPECT_FALSE(admits(space, "cgroup=64 ci_block=64 images=1 rows=15 tile_c=64 tile_x=6 "
                             "vec=16 wblock=64 winograd=4"));
  std::vector<Schedule> seeds = space.seeds();
  auto seeded = [&](const std::string &text) { return contains(seeds, text); };
  EXPECT_TRUE(seeded(winogradDirect));
  EXPECT_TRUE(seeded("cgroup=64 ci_block=64 images=1 rows=2 tile_c=64 tile_x=6 vec=16 "
                     "wblock=64 winograd=2"));
  expectSoundNeighbours(space, parseSchedule(winogradDefault));
  expectSoundNeighbours(space, parseSchedule(winogradDirect));
}

TEST(ScheduleSpace, EnumerationIsTheReachableSpaceOrNothing) {
  ScheduleSpace space(depthwise, "avx512", depthwiseDefault, {});
  std::vector<Schedule> all = space.enumerate(100000);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front(), parseSchedule(depthwiseDefault));
  std::set<Schedule> unique(all.begin(), all.end());
  EXPECT_EQ(unique.size(), all.size());
  for (const Schedule &schedule : all)
    EXPECT_TRUE(space.valid(schedule)) << formatSchedule(schedule);
  // Depthwise: 1 vector of channels by 1-16 columns, or 2 (all 32
  // channels) by 1-14 (28 accumulators); unblocked, no reduction keys.
  EXPECT_EQ(all.size(), 16u + 14u);
  EXPECT_TRUE(space.enumerate(29).empty());
  EXPECT_FALSE(admits(space, "tile_c=16 tile_x=8 vec=16 wblock=16"));
  EXPECT_FALSE(admits(space, "ci_block=1 tile_c=16 tile_x=8 vec=16 wblock=0"));
}

TEST(ScheduleSpace, Gemm) {
  ScheduleSpace space(gemm, "avx512", gemmDefault, {});
  EXPECT_TRUE(admits(space, gemmDefault));
  EXPECT_FALSE(admits(space, "k_block=100 m_block=24 parallel=n tile_m=6 tile_n=64 vec=16 wblock=0"));
  EXPECT_FALSE(admits(space, "k_block=64 m_block=24 parallel=x tile_m=6 tile_n=64 vec=16 wblock=0"));
  EXPECT_FALSE(admits(space, "k_block=64 m_block=197 parallel=n tile_m=6 tile_n=64 vec=16 wblock=0"));
  EXPECT_FALSE(admits(space, "k_block=64 m_block=24 parallel=n tile_m=6 tile_n=64 vec=16 wblock=32"));
  Schedule origin = parseSchedule(gemmDefault);
  expectSoundNeighbours(space, origin);
  std::vector<Schedule> next = space.neighbours(origin);
  auto has = [&](const std::string &text) { return contains(next, text); };
  EXPECT_TRUE(has("k_block=64 m_block=24 parallel=m tile_m=6 tile_n=64 vec=16 wblock=0"));
  EXPECT_TRUE(has("k_block=64 m_block=24 parallel=n tile_m=6 tile_n=64 vec=16 wblock=64"));
}

TEST(ScheduleSpace, Avx2HasFewerAccumulators) {
  const char *avx2Default = "ci_block=256 rows=2 tile_c=16 tile_x=6 vec=8 wblock=16";
  ScheduleSpace space(strideTwoConv, "avx2", avx2Default, {});
  EXPECT_TRUE(admits(space, avx2Default));
  // 2 vectors x 6 columns = 12 accumulators fit in 13; x 7 = 14 do not.
  EXPECT_FALSE(admits(space, "ci_block=256 rows=2 tile_c=16 tile_x=7 vec=8 wblock=16"));
  EXPECT_FALSE(admits(space, strideTwoDefault));
}

} // namespace

// An int8 or bf16 kernel reads only its register tile and parallel loop:
// no weight blocking, Winograd or reduction slices; its GEMM keeps the
// default's k_block and m_block, which it does not read.
TEST(ScheduleSpace, LowPrecisionKernels) {
  std::string conv = std::string(winogradConv) + " precision=bf16";
  ScheduleSpace space(conv, "avx512", "tile_c=64 tile_x=7 vec=16 wblock=0",
                      {winogradDefault, winogradDirect});
  EXPECT_TRUE(admits(space, "tile_c=64 tile_x=7 vec=16 wblock=0"));
  EXPECT_TRUE(admits(space, "parallel=n tile_c=32 tile_x=14 vec=16 wblock=0"));
  EXPECT_FALSE(admits(space, "tile_c=64 tile_x=8 vec=16 wblock=0")); // 32 accumulators
  EXPECT_FALSE(admits(space, "tile_c=64 tile_x=7 vec=16 wblock=64"));
  EXPECT_FALSE(admits(space, winogradDefault));
  EXPECT_FALSE(admits(space, "ci_block=32 tile_c=64 tile_x=7 vec=16 wblock=0"));
  EXPECT_TRUE(space.seeds().empty());
  Schedule origin = parseSchedule("tile_c=64 tile_x=7 vec=16 wblock=0");
  expectSoundNeighbours(space, origin);
  std::vector<Schedule> near = space.neighbours(origin);
  EXPECT_TRUE(contains(near, "tile_c=48 tile_x=7 vec=16 wblock=0"));
  EXPECT_TRUE(contains(near, "tile_c=64 tile_x=6 vec=16 wblock=0"));
  EXPECT_TRUE(contains(near, "parallel=n tile_c=64 tile_x=7 vec=16 wblock=0"));

  std::string int8Gemm = std::string(gemm) + " precision=int8 in_zero=0 out_type=u8";
  const char *int8Default = "k_block=1024 m_block=6 parallel=n tile_m=6 tile_n=64 vec=16 wblock=0";
  ScheduleSpace gemmSpace(int8Gemm, "avx512", int8Default, {gemmDefault});
  EXPECT_TRUE(admits(gemmSpace, int8Default));
  EXPECT_FALSE(admits(gemmSpace, gemmDefault));
  EXPECT_FALSE(admits(gemmSpace,
                      "k_block=64 m_block=6 parallel=n tile_m=6 tile_n=64 vec=16 wblock=0"));
  std::vector<Schedule> all = gemmSpace.enumerate(1000);
  EXPECT_FALSE(all.empty());
  for (const Schedule &schedule : all)
    EXPECT_TRUE(gemmSpace.valid(schedule)) << formatSchedule(schedule);
  EXPECT_TRUE(contains(all, "k_block=1024 m_block=6 parallel=m tile_m=4 tile_n=32 vec=16 wblock=0"));
}
