// Greedy-by-size memory planner for activation tensors (the algorithm of TFLite's
// "greedy by size" offline planner).
//
// Input: for each tensor to place, its size in bytes and its lifetime [first, last] as
// operator indices (first = the op that writes it, or -1 for graph inputs; last = the last op
// that reads it, or the op count for graph outputs). Two tensors may share bytes only if their
// lifetimes are disjoint.
// Steps:
//   1. Sort the tensors by size, largest first (ties: lower tensor index first, for stable plans).
//   2. For each tensor in that order, collect the already-placed tensors whose lifetimes
//      overlap its own, sorted by offset.
//   3. Walk the gaps between those placements from offset 0 upwards and take the first gap
//      large enough (the smallest-offset fit); otherwise place it after the last one.
//   4. Offsets and sizes are rounded up to `alignment` (64 bytes: a cache line, and enough for
//      any SIMD load).
// Output: an offset per tensor and the arena size (the largest end). Planning is O(n^2) in the
// number of tensors, which is a few hundred for a classifier.
#ifndef LABELITE_RUNTIME_ARENA_PLANNER_H_
#define LABELITE_RUNTIME_ARENA_PLANNER_H_

#include <cstddef>
#include <vector>

namespace labelite {

struct ArenaRequest {
  size_t bytes = 0;
  int first_op = 0;  // inclusive
  int last_op = 0;   // inclusive
};

struct ArenaPlan {
  std::vector<size_t> offsets;  // one per request
  size_t arena_bytes = 0;
};

ArenaPlan PlanArena(const std::vector<ArenaRequest>& requests, size_t alignment = 64);

}  // namespace labelite

#endif  // LABELITE_RUNTIME_ARENA_PLANNER_H_
