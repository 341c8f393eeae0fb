#include "runtime/arena_planner.h"

#include <gtest/gtest.h>

namespace labelite {
namespace {

bool Disjoint(const ArenaRequest& a, size_t oa, const ArenaRequest& b, size_t ob) {
  const bool time_overlap = a.first_op <= b.last_op && b.first_op <= a.last_op;
  const bool space_overlap = oa < ob + b.bytes && ob < oa + a.bytes;
  return !(time_overlap && space_overlap);
}

TEST(ArenaPlanner, ChainReusesMemoryOfDeadTensors) {
  // A chain t0 -> op0 -> t1 -> op1 -> t2 -> op2 -> t3: only two tensors are ever live at once.
  std::vector<ArenaRequest> r = {{1000, -1, 0}, {1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}};
  ArenaPlan plan = PlanArena(r, 64);
  EXPECT_EQ(plan.arena_bytes, 2 * 1024u);  // two live tensors of 1000 bytes rounded to 1024
  for (size_t i = 0; i < r.size(); ++i)
    for (size_t j = i + 1; j < r.size(); ++j)
      EXPECT_TRUE(Disjoint(r[i], plan.offsets[i], r[j], plan.offsets[j])) << i << "," << j;
}

TEST(ArenaPlanner, OffsetsAreAlignedAndLiveTensorsNeverOverlap) {
  std::vector<ArenaRequest> r;
  for (int i = 0; i < 60; ++i) r.push_back({static_cast<size_t>(1 + (i * 7919) % 5000), i % 13, i % 13 + (i % 5)});
  ArenaPlan plan = PlanArena(r, 64);
  size_t sum = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(plan.offsets[i] % 64, 0u);
    EXPECT_LE(plan.offsets[i] + r[i].bytes, plan.arena_bytes);
    sum += r[i].bytes;
    for (size_t j = i + 1; j < r.size(); ++j)
      EXPECT_TRUE(Disjoint(r[i], plan.offsets[i], r[j], plan.offsets[j])) << i << "," << j;
  }
  EXPECT_LT(plan.arena_bytes, sum);
}

TEST(ArenaPlanner, SmallTensorFillsGapBetweenLargerOnes) {
  // a and c are live at op 1 with b dead; d (small) is live only at op 3 and fits at offset 0.
  std::vector<ArenaRequest> r = {{4096, 0, 1}, {256, 2, 3}, {4096, 0, 3}};
  ArenaPlan plan = PlanArena(r, 64);
  EXPECT_EQ(plan.arena_bytes, 8192u);
  EXPECT_EQ(plan.offsets[1], plan.offsets[0]);  // reuses a's slot
}

}  // namespace
}  // namespace labelite
