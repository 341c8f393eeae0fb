// WorkPool: the parallel-for of labelite's own kernels, built for shared machines where a worker
// thread may not get a CPU for milliseconds.
//
// pthreadpool (the pool XNNPACK's API takes) is fork-join: every call returns only after each
// worker has woken and checked in, so when another process holds the second core, every
// operator waits for the descheduled worker and 2 threads run several times slower than 1
// (bench/RESULTS.md). Inside an Invoke, XNNPACK's operators run here too
// (runtime/pthreadpool_bridge.cc). Here the tasks are claimed by whichever thread runs:
//   1. Run publishes the job: each participant (the caller is participant 0) gets a contiguous
//      range of the task indices, in one atomic word tagged with the job's epoch.
//   2. Each participant claims tasks from the front of its own range, then steals from the back
//      of the others' (one task per compare-and-swap on the range's word).
//   3. The caller returns when every task is done. It waits only for tasks that a running
//      thread has claimed, never for a worker that has not woken: such a worker finds the
//      ranges empty (or tagged with a later epoch) and goes back to waiting.
// Workers spin briefly between jobs (an Invoke's operators follow each other within
// microseconds), then sleep on a condition variable.
// What step 3 cannot avoid: a worker that claimed a task and was then descheduled (another
// process wants its core) holds the job until it runs again, often milliseconds later. So the
// caller times its wait: when the last claimed tasks take longer than 4 of the caller's own
// tasks (and at least kContentionFloor), the second core is taken, and the next jobs run on the
// caller alone for a while (10 ms, doubling on each repeat up to 640 ms; as long a time of
// jobs that run cleanly in parallel halves it again). On a shared machine 2 threads then cost
// about what 1 does instead of several times more; on a quiet one nothing changes.
//
// Ownership: owns its worker threads (joined by the destructor). Thread safety: Run must not be
// called concurrently (one caller at a time, like an Interpreter's Invoke).
// Usage:
//   WorkPool pool(2);
//   pool.Run([](void* ctx, size_t i) { ... }, &ctx, 100);
// Kernels reach it through Parallelize1D/2D with the pthreadpool they were given: inside an
// Interpreter's Invoke (a WorkPoolScope) the interpreter's WorkPool runs the tasks; elsewhere
// (tests, benchmarks that pass a bare pthreadpool) pthreadpool does.
#ifndef LABELITE_RUNTIME_WORK_POOL_H_
#define LABELITE_RUNTIME_WORK_POOL_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

struct pthreadpool;
typedef struct pthreadpool* pthreadpool_t;

namespace labelite {

class WorkPool {
 public:
  using Task1D = void (*)(void* context, size_t i);
  using Task2D = void (*)(void* context, size_t i, size_t j);
  static constexpr size_t kMaxTasks = (size_t{1} << 24) - 1;

  // threads - 1 workers; throws std::system_error when a thread cannot be started.
  explicit WorkPool(size_t threads);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  size_t threads() const { return ranges_.size(); }
  // True while jobs run on the caller alone after a contended one (see above).
  bool solo() const;
  // While set, every job runs on the caller alone (the interpreter's per-operator choice).
  void set_serial(bool serial) { serial_ = serial; }
  bool serial() const { return serial_; }
  // Jobs that found the second core taken, since construction.
  uint64_t contended_jobs() const { return contended_jobs_; }
  // task(context, i) for i in [0, count) (count <= kMaxTasks), on the caller and the workers.
  void Run(Task1D task, void* context, size_t count);
  // task(context, i, j) for i < n0, j < n1, i major (contiguous i per participant).
  void Run(Task2D task, void* context, size_t n0, size_t n1);

 private:
  struct alignas(64) Range {
    std::atomic<uint64_t> word{0};  // epoch tag (16 bits), begin (24), end (24)
  };
  void Start(size_t count);
  size_t Participate(size_t self);  // step 2; returns how many tasks it ran
  void RunOne(size_t index) const;
  void WorkerLoop(size_t self);
  void WakeAll();

  std::vector<Range> ranges_;
  // The job; written by Run before the ranges are published, read after a successful claim.
  Task1D task1_ = nullptr;
  Task2D task2_ = nullptr;
  void* context_ = nullptr;
  size_t n1_ = 1;
  alignas(64) std::atomic<size_t> done_{0};
  alignas(64) std::atomic<uint32_t> epoch_{0};  // bumped per job; workers wait on it
  std::atomic<uint32_t> sleepers_{0};
  std::mutex mutex_;  // guards sleeping on wake_ (the epoch itself is atomic)
  std::condition_variable wake_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> workers_;
  // Contention (caller's thread only): steady_clock nanoseconds.
  int64_t solo_until_ns_ = 0;
  int64_t solo_window_ns_ = 0;  // 0: no contention seen lately
  int64_t clean_since_ns_ = 0;  // first clean parallel job since the window last changed
  uint64_t contended_jobs_ = 0;
  bool serial_ = false;
};

// While alive, Parallelize1D/2D on `pool` from this thread run on `work_pool` (may be null:
// pthreadpool). Scopes nest; each restores the previous one.
class WorkPoolScope {
 public:
  WorkPoolScope(pthreadpool_t pool, WorkPool* work_pool);
  ~WorkPoolScope();
  WorkPoolScope(const WorkPoolScope&) = delete;
  WorkPoolScope& operator=(const WorkPoolScope&) = delete;

 private:
  pthreadpool_t saved_pool_;
  WorkPool* saved_work_pool_;
};

// The WorkPool of the calling thread's WorkPoolScope when `pool` is that scope's (non-null)
// pthreadpool; else null. (runtime/pthreadpool_bridge.cc runs XNNPACK's operators through it.)
WorkPool* ScopeWorkPoolFor(pthreadpool_t pool);

// The threads a kernel should cut its work for: 1 without a pool, and while the scope's
// WorkPool runs jobs on the caller alone (an operator chosen to run serially, or a contention
// window): splitting for threads that will not run only costs (smaller tiles, repeated im2col
// rows, weights streamed per part). Else pthreadpool_get_threads_count(pool).
size_t ParallelThreads(pthreadpool_t pool);

// Drop-in replacements for pthreadpool_parallelize_1d/2d (same arguments) for labelite's own
// kernels: the scope's WorkPool when `pool` is the scope's pthreadpool, else pthreadpool.
void Parallelize1D(pthreadpool_t pool, WorkPool::Task1D task, void* context, size_t range,
                   uint32_t flags);
void Parallelize2D(pthreadpool_t pool, WorkPool::Task2D task, void* context, size_t range_i,
                   size_t range_j, uint32_t flags);

}  // namespace labelite

#endif  // LABELITE_RUNTIME_WORK_POOL_H_
