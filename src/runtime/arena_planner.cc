#include "runtime/arena_planner.h"

#include <algorithm>
#include <numeric>

namespace labelite {

namespace {
size_t RoundUp(size_t n, size_t alignment) { return (n + alignment - 1) / alignment * alignment; }

bool Overlaps(const ArenaRequest& a, const ArenaRequest& b) {
  return a.first_op <= b.last_op && b.first_op <= a.last_op;
}
}  // namespace

ArenaPlan PlanArena(const std::vector<ArenaRequest>& requests, size_t alignment) {
  ArenaPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return requests[a].bytes > requests[b].bytes;
  });

  std::vector<size_t> placed;  // indices of placed requests
  std::vector<std::pair<size_t, size_t>> live;  // (offset, end) of overlapping placements
  for (size_t i : order) {
    const size_t size = RoundUp(std::max<size_t>(requests[i].bytes, 1), alignment);
    live.clear();
    for (size_t j : placed) {
      if (Overlaps(requests[i], requests[j])) {
        live.emplace_back(plan.offsets[j],
                          plan.offsets[j] + RoundUp(std::max<size_t>(requests[j].bytes, 1), alignment));
      }
    }
    std::sort(live.begin(), live.end());
    size_t candidate = 0;
    for (const auto& [start, end] : live) {
      if (start >= candidate + size) break;  // the gap before this placement fits
      candidate = std::max(candidate, end);
    }
    plan.offsets[i] = candidate;
    plan.arena_bytes = std::max(plan.arena_bytes, candidate + size);
    placed.push_back(i);
  }
  return plan;
}

}  // namespace labelite
