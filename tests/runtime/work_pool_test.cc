// WorkPool: every task runs exactly once (1D and 2D, counts around the participants' ranges,
// many jobs in a row so that late workers meet later epochs), and Parallelize1D/2D use the
// scope's pool only for the scope's pthreadpool. (That the caller never waits for a worker
// that has not woken is measured, not asserted: bench/vs_litert --busy.)
#include "runtime/work_pool.h"

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include <atomic>
#include <vector>

namespace labelite {
namespace {

struct Counts {
  std::vector<std::atomic<int>> hits;
  explicit Counts(size_t n) : hits(n) {}
};

void Hit(void* context, size_t i) { static_cast<Counts*>(context)->hits[i].fetch_add(1); }

struct Grid {
  Counts counts;
  size_t n1;
};
void Hit2(void* context, size_t i, size_t j) {
  auto* g = static_cast<Grid*>(context);
  g->counts.hits[i * g->n1 + j].fetch_add(1);
}

TEST(WorkPool, EveryTaskRunsOnce) {
  for (size_t threads : {1, 2, 3, 4}) {
    WorkPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (size_t n : {0, 1, 2, 3, 5, 7, 64, 1000}) {
      for (int rep = 0; rep < 50; ++rep) {  // many epochs: workers wake late into later jobs
        Counts c(n);
        pool.Run(&Hit, &c, n);
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(c.hits[i].load(), 1) << threads << " " << n;
      }
    }
    for (auto [n0, n1] : {std::pair<size_t, size_t>{3, 5}, {1, 9}, {17, 1}, {6, 64}}) {
      Grid g{Counts(n0 * n1), n1};
      pool.Run(&Hit2, &g, n0, n1);
      for (size_t i = 0; i < n0 * n1; ++i) ASSERT_EQ(g.counts.hits[i].load(), 1);
    }
  }
}

void Note(void* context, size_t) { static_cast<std::atomic<int>*>(context)->fetch_add(1); }
void Note2(void* context, size_t, size_t) { static_cast<std::atomic<int>*>(context)->fetch_add(1); }

TEST(WorkPool, ScopeRoutesOnlyItsPthreadpool) {
  pthreadpool_t a = pthreadpool_create(2), b = pthreadpool_create(2);
  WorkPool pool(2);
  std::atomic<int> count{0};
  {
    WorkPoolScope scope(a, &pool);
    Parallelize1D(a, &Note, &count, 10, 0);
    Parallelize2D(a, &Note2, &count, 3, 4, 0);
    Parallelize1D(b, &Note, &count, 5, 0);  // another pool: pthreadpool
    Parallelize1D(nullptr, &Note, &count, 2, 0);
  }
  Parallelize1D(a, &Note, &count, 1, 0);  // after the scope: pthreadpool
  EXPECT_EQ(count.load(), 10 + 12 + 5 + 2 + 1);
  pthreadpool_destroy(a);
  pthreadpool_destroy(b);
}

}  // namespace
}  // namespace labelite
