// WorkPool: every task runs exactly once (1D and 2D, counts around the participants' ranges,
// many jobs in a row so that late workers meet later epochs), and Parallelize1D/2D use the
// scope's pool only for the scope's pthreadpool. (That the caller never waits for a worker
// that has not woken is measured, not asserted: bench/vs_litert --busy.) A worker that holds a
// task while descheduled makes the next jobs run on the caller alone for a while, and kernels
// then cut their work for one thread (ParallelThreads).
#include "runtime/work_pool.h"

#include <gtest/gtest.h>
#include <pthreadpool.h>

#include <atomic>
#include <chrono>
#include <thread>
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

// A worker that loses its core while it holds a task: simulated by the first task a worker
// runs sleeping 30 ms. The job still completes (every task once); the caller notices the wait,
// runs the next jobs alone (solo, every task on its own thread), and after the 10 ms window
// shares them again.
struct Preempted {
  std::thread::id caller;
  std::atomic<bool> slept{false};
  std::atomic<int> off_caller{0};
  Counts counts{64};
};
void MaybeSleep(void* context, size_t i) {
  auto* p = static_cast<Preempted*>(context);
  p->counts.hits[i].fetch_add(1);
  // ~20 us of work per task, so that a worker has time to claim one.
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
  while (std::chrono::steady_clock::now() < until) {
  }
  if (std::this_thread::get_id() == p->caller) return;
  p->off_caller.fetch_add(1);
  if (!p->slept.exchange(true)) std::this_thread::sleep_for(std::chrono::milliseconds(30));
}

TEST(WorkPool, RunsAloneAfterAWorkerLostItsCore) {
  WorkPool pool(2);
  EXPECT_FALSE(pool.solo());
  // Jobs until a worker has taken a task (it may be slow to wake on a loaded machine).
  bool preempted = false;
  for (int attempt = 0; attempt < 2000 && !preempted; ++attempt) {
    Preempted p;
    p.caller = std::this_thread::get_id();
    pool.Run(&MaybeSleep, &p, 64);
    for (size_t i = 0; i < 64; ++i) ASSERT_EQ(p.counts.hits[i].load(), 1);
    preempted = p.slept.load();
  }
  ASSERT_TRUE(preempted) << "no worker took a task in 2000 jobs";
  EXPECT_EQ(pool.contended_jobs(), 1u);
  ASSERT_TRUE(pool.solo());
  Preempted alone;
  alone.caller = std::this_thread::get_id();
  alone.slept = true;
  pool.Run(&MaybeSleep, &alone, 64);
  EXPECT_EQ(alone.off_caller.load(), 0) << "a solo job ran tasks on a worker";
  for (size_t i = 0; i < 64; ++i) ASSERT_EQ(alone.counts.hits[i].load(), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(15));  // past the 10 ms window
  EXPECT_FALSE(pool.solo());
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

// Kernels cut their work for ParallelThreads(pool): the pool's threads, but 1 without a pool
// and while the scope's WorkPool runs jobs on the caller alone (a serial operator, a
// contention window), since nobody would run the other parts.
TEST(WorkPool, ParallelThreadsIsOneWhileJobsRunAlone) {
  pthreadpool_t a = pthreadpool_create(2), b = pthreadpool_create(3);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  WorkPool pool(2);
  EXPECT_EQ(ParallelThreads(nullptr), 1u);
  EXPECT_EQ(ParallelThreads(a), 2u);  // no scope: pthreadpool's count
  {
    WorkPoolScope scope(a, &pool);
    EXPECT_EQ(ParallelThreads(a), 2u);
    EXPECT_EQ(ParallelThreads(b), 3u);  // another pool
    pool.set_serial(true);
    EXPECT_EQ(ParallelThreads(a), 1u);
    EXPECT_EQ(ParallelThreads(b), 3u);
    pool.set_serial(false);
    EXPECT_EQ(ParallelThreads(a), 2u);
  }
  pool.set_serial(true);
  EXPECT_EQ(ParallelThreads(a), 2u);  // outside the scope the WorkPool is not consulted
  pthreadpool_destroy(a);
  pthreadpool_destroy(b);
}

}  // namespace
}  // namespace labelite
