#include "runtime/work_pool.h"

#include <pthreadpool.h>
#include <sched.h>

#include <algorithm>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LABELITE_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define LABELITE_PAUSE() __asm__ __volatile__("yield")
#else
#define LABELITE_PAUSE() ((void)0)
#endif

namespace labelite {
namespace {

// Between jobs a worker spins about 50-100 us before it sleeps, yielding the CPU every 64
// pauses: pthreadpool's worker (XNNPACK's operators run between ours) or another process may
// need it, and on 2 vCPUs a worker that only spins starves the thread the caller waits for.
constexpr int kWorkerSpins = 4096;
constexpr int kWorkerYieldEvery = 64;
constexpr int kCallerSpins = 256;    // pauses between sched_yield while tasks finish

// Contention: a wait for claimed tasks longer than kContentionTasks of the caller's own tasks
// and than kContentionFloorNs means a worker lost its core mid-task (see work_pool.h).
constexpr int64_t kContentionTasks = 4;
constexpr int64_t kContentionFloorNs = 100'000;
constexpr int64_t kSoloFirstNs = 10'000'000;
constexpr int64_t kSoloMaxNs = 640'000'000;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr uint64_t kField = (uint64_t{1} << 24) - 1;
uint64_t Pack(uint32_t epoch, uint64_t begin, uint64_t end) {
  return (uint64_t{epoch & 0xFFFF} << 48) | (begin << 24) | end;
}
uint32_t Tag(uint64_t w) { return static_cast<uint32_t>(w >> 48); }
uint64_t Begin(uint64_t w) { return (w >> 24) & kField; }
uint64_t End(uint64_t w) { return w & kField; }

thread_local pthreadpool_t scope_pool = nullptr;
thread_local WorkPool* scope_work_pool = nullptr;

}  // namespace

void WorkPool::WakeAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  wake_.notify_all();
}

WorkPool::WorkPool(size_t threads) : ranges_(threads < 1 ? 1 : threads) {
  try {
    for (size_t t = 1; t < ranges_.size(); ++t) workers_.emplace_back(&WorkPool::WorkerLoop, this, t);
  } catch (...) {
    stop_.store(true);
    epoch_.fetch_add(1);
    WakeAll();
    for (std::thread& w : workers_) w.join();
    throw;
  }
}

WorkPool::~WorkPool() {
  stop_.store(true, std::memory_order_seq_cst);
  epoch_.fetch_add(1, std::memory_order_seq_cst);
  WakeAll();
  for (std::thread& w : workers_) w.join();
}

void WorkPool::RunOne(size_t index) const {
  if (task2_ != nullptr)
    task2_(context_, index / n1_, index % n1_);
  else
    task1_(context_, index);
}

// Step 2: the front of our own range, then the backs of the others'. A range tagged with
// another epoch (a job that is over, or a later one) yields nothing.
size_t WorkPool::Participate(size_t self) {
  size_t ran = 0;
  const uint32_t epoch = epoch_.load(std::memory_order_acquire) & 0xFFFF;
  const size_t n = ranges_.size();
  for (size_t k = 0; k < n; ++k) {
    const size_t victim = (self + k) % n;
    std::atomic<uint64_t>& word = ranges_[victim].word;
    const bool own = k == 0;
    uint64_t w = word.load(std::memory_order_acquire);
    for (;;) {
      if (Tag(w) != epoch || Begin(w) >= End(w)) break;
      const uint64_t index = own ? Begin(w) : End(w) - 1;
      const uint64_t next = own ? Pack(epoch, Begin(w) + 1, End(w)) : Pack(epoch, Begin(w), End(w) - 1);
      if (!word.compare_exchange_weak(w, next, std::memory_order_acq_rel,
                                      std::memory_order_acquire))
        continue;
      RunOne(index);  // the job cannot end before this task is done: its fields stay valid
      done_.fetch_add(1, std::memory_order_acq_rel);
      ++ran;
      w = word.load(std::memory_order_acquire);
    }
  }
  return ran;
}

void WorkPool::WorkerLoop(size_t self) {
  uint32_t seen = 0;  // the epoch at construction: a late start still sees every later job
  for (;;) {
    uint32_t now = epoch_.load(std::memory_order_acquire);
    for (int i = 0; i < kWorkerSpins && now == seen; ++i) {
      if (i % kWorkerYieldEvery == kWorkerYieldEvery - 1)
        sched_yield();
      else
        LABELITE_PAUSE();
      now = epoch_.load(std::memory_order_acquire);
    }
    if (now == seen) {  // sleep: sleepers_ counted before the epoch is checked again
      std::unique_lock<std::mutex> lock(mutex_);
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      wake_.wait(lock, [&] {
        return epoch_.load(std::memory_order_seq_cst) != seen || stop_.load(std::memory_order_seq_cst);
      });
      sleepers_.fetch_sub(1, std::memory_order_seq_cst);
      now = epoch_.load(std::memory_order_acquire);
    }
    seen = now;
    if (stop_.load(std::memory_order_acquire)) return;
    Participate(self);
  }
}

// Step 1, then the caller's share of step 2, then step 3.
void WorkPool::Start(size_t count) {
  done_.store(0, std::memory_order_relaxed);
  const uint32_t epoch = epoch_.load(std::memory_order_relaxed) + 1;
  const size_t n = ranges_.size();
  for (size_t t = 0; t < n; ++t)
    ranges_[t].word.store(Pack(epoch, t * count / n, (t + 1) * count / n),
                          std::memory_order_release);
  // Publish the job (seq_cst, with the sleepers_ load below: see WorkerLoop's sleep).
  epoch_.store(epoch, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) != 0) WakeAll();
  const int64_t start = NowNs();
  const size_t own = Participate(0);
  if (done_.load(std::memory_order_acquire) >= count) return;  // nothing left to wait for
  // Step 3: the tasks other threads claimed. Timed, to notice a worker that lost its core.
  const int64_t waiting = NowNs();
  const int64_t patience =
      own == 0 ? kContentionFloorNs
               : std::max(kContentionFloorNs, kContentionTasks * (waiting - start) / static_cast<int64_t>(own));
  bool contended = false;
  for (int spins = 0; done_.load(std::memory_order_acquire) < count; ++spins) {
    if (spins % kCallerSpins == kCallerSpins - 1) {
      sched_yield();
      if (!contended && NowNs() - waiting > patience) contended = true;
    } else {
      LABELITE_PAUSE();
    }
  }
  const int64_t now = NowNs();
  if (contended) {
    ++contended_jobs_;
    solo_window_ns_ = solo_window_ns_ == 0 ? kSoloFirstNs : std::min(kSoloMaxNs, 2 * solo_window_ns_);
    solo_until_ns_ = now + solo_window_ns_;
    clean_since_ns_ = 0;
  } else if (solo_window_ns_ != 0) {
    // The window halves after as long a time of clean parallel jobs.
    if (clean_since_ns_ == 0) {
      clean_since_ns_ = now;
    } else if (now - clean_since_ns_ > solo_window_ns_) {
      solo_window_ns_ = solo_window_ns_ / 2 < kSoloFirstNs ? 0 : solo_window_ns_ / 2;
      clean_since_ns_ = now;
    }
  }
}

bool WorkPool::solo() const { return solo_until_ns_ != 0 && NowNs() < solo_until_ns_; }

void WorkPool::Run(Task1D task, void* context, size_t count) {
  if (count == 0) return;
  if (ranges_.size() == 1 || count == 1 || count > kMaxTasks || serial_ || solo()) {
    for (size_t i = 0; i < count; ++i) task(context, i);
    return;
  }
  task1_ = task, task2_ = nullptr, context_ = context, n1_ = 1;
  Start(count);
}

void WorkPool::Run(Task2D task, void* context, size_t n0, size_t n1) {
  const size_t count = n0 * n1;
  if (count == 0) return;
  if (ranges_.size() == 1 || count == 1 || n1 > kMaxTasks || count / n1 != n0 ||
      count > kMaxTasks || serial_ || solo()) {
    for (size_t i = 0; i < n0; ++i)
      for (size_t j = 0; j < n1; ++j) task(context, i, j);
    return;
  }
  task1_ = nullptr, task2_ = task, context_ = context, n1_ = n1;
  Start(count);
}

WorkPoolScope::WorkPoolScope(pthreadpool_t pool, WorkPool* work_pool)
    : saved_pool_(scope_pool), saved_work_pool_(scope_work_pool) {
  scope_pool = pool;
  scope_work_pool = work_pool;
}

WorkPoolScope::~WorkPoolScope() {
  scope_pool = saved_pool_;
  scope_work_pool = saved_work_pool_;
}

WorkPool* ScopeWorkPoolFor(pthreadpool_t pool) {
  return pool != nullptr && pool == scope_pool ? scope_work_pool : nullptr;
}

size_t ParallelThreads(pthreadpool_t pool) {
  if (pool == nullptr) return 1;
  if (pool == scope_pool && scope_work_pool != nullptr &&
      (scope_work_pool->serial() || scope_work_pool->solo()))
    return 1;
  return pthreadpool_get_threads_count(pool);
}

void Parallelize1D(pthreadpool_t pool, WorkPool::Task1D task, void* context, size_t range,
                   uint32_t flags) {
  if (pool != nullptr && pool == scope_pool && scope_work_pool != nullptr)
    return scope_work_pool->Run(task, context, range);
  pthreadpool_parallelize_1d(pool, task, context, range, flags);
}

void Parallelize2D(pthreadpool_t pool, WorkPool::Task2D task, void* context, size_t range_i,
                   size_t range_j, uint32_t flags) {
  if (pool != nullptr && pool == scope_pool && scope_work_pool != nullptr)
    return scope_work_pool->Run(task, context, range_i, range_j);
  pthreadpool_parallelize_2d(pool, task, context, range_i, range_j, flags);
}

}  // namespace labelite
