// XNNPACK's operators on labelite's WorkPool.
//
// XNNPACK (Debian's shared library) parallelizes every operator through pthreadpool's
// pthreadpool_parallelize_* functions, and pthreadpool is fork-join: each call returns only after
// every worker has woken and checked in. On a shared machine a descheduled worker holds each
// operator for its scheduling delay, so 2 threads ran a hundred times slower than 1 on
// MobileNet v1 0.25 float (bench/RESULTS.md, issue 14), where LiteRT's newer pthreadpool did not.
//
// This file defines the pthreadpool_parallelize_* functions XNNPACK imports. A program that
// links labelite's runtime (the CLI, the server, the tests) exports them, so the dynamic linker
// resolves XNNPACK's calls here. During an Interpreter's Invoke on the interpreter's pthreadpool
// (a WorkPoolScope), the tiles run on the interpreter's WorkPool, which never waits for a thread
// that has not started. Any other call (another pthreadpool, no scope, more tiles than the
// WorkPool packs) goes to pthreadpool's own function, found with dlsym(RTLD_NEXT).
// PTHREADPOOL_FLAG_DISABLE_DENORMALS, which XNNPACK passes, is honoured per tile on every thread
// (x86 MXCSR FTZ+DAZ, arm64 FPCR.FZ).
#include <dlfcn.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "runtime/work_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace labelite {
namespace {

constexpr int kMaxDims = 6;
constexpr size_t kTasksPerThread = 16;

// One pthreadpool call: `dims` dimensions, the last `tiled` of them cut into tiles.
struct Job {
  int dims = 0;
  size_t range[kMaxDims] = {};
  size_t tile[kMaxDims] = {};
  size_t tiles[kMaxDims] = {};  // tiles (or indices) per dimension
  void (*call)(const Job& job, const size_t* start, const size_t* size) = nullptr;
  void* task = nullptr;
  void* context = nullptr;
  bool flush_denormals = false;
  size_t count = 0;  // tiles in all
  size_t group = 1;  // consecutive tiles per WorkPool task
};

// Sets flush-to-zero (and denormals-are-zero) for the current thread while alive.
class DenormalsOff {
 public:
  explicit DenormalsOff(bool on) : on_(on) {
    if (!on_) return;
#if defined(__x86_64__) || defined(__i386__)
    saved_ = _mm_getcsr();
    _mm_setcsr(saved_ | 0x8040u);  // FTZ (bit 15) and DAZ (bit 6)
#elif defined(__aarch64__)
    uint64_t fpcr;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
    saved_ = fpcr;
    __asm__ __volatile__("msr fpcr, %0" : : "r"(fpcr | (uint64_t{1} << 24)));
#endif
  }
  ~DenormalsOff() {
    if (!on_) return;
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(static_cast<unsigned>(saved_));
#elif defined(__aarch64__)
    __asm__ __volatile__("msr fpcr, %0" : : "r"(saved_));
#endif
  }
  DenormalsOff(const DenormalsOff&) = delete;
  DenormalsOff& operator=(const DenormalsOff&) = delete;

 private:
  bool on_;
  uint64_t saved_ = 0;
};

constexpr bool kCanFlushDenormals =
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
    true;
#else
    false;
#endif

// One tile: its index -> each dimension's start and extent (1 for an untiled dimension).
void RunTile(const Job& job, size_t index) {
  size_t start[kMaxDims], size[kMaxDims];
  for (int d = job.dims - 1; d >= 0; --d) {
    const size_t c = index % job.tiles[d];
    index /= job.tiles[d];
    start[d] = c * job.tile[d];
    const size_t left = job.range[d] - start[d];
    size[d] = left < job.tile[d] ? left : job.tile[d];
  }
  job.call(job, start, size);
}

// One WorkPool task: tiles [index * group, (index + 1) * group).
void RunTiles(void* context, size_t index) {
  const Job& job = *static_cast<const Job*>(context);
  DenormalsOff denormals(job.flush_denormals);
  const size_t end = std::min(job.count, (index + 1) * job.group);
  for (size_t t = index * job.group; t < end; ++t) RunTile(job, t);
}

// The WorkPool of the calling thread's scope when `pool` is its pthreadpool; else null.
WorkPool* Bridge(pthreadpool_t pool, uint32_t flags) {
  if ((flags & PTHREADPOOL_FLAG_DISABLE_DENORMALS) != 0 && !kCanFlushDenormals) return nullptr;
  return ScopeWorkPoolFor(pool);
}

// Runs `job` on `wp` when it fits; false when pthreadpool must run it.
bool RunOnWorkPool(WorkPool* wp, Job& job, uint32_t flags) {
  size_t count = 1;
  for (int d = 0; d < job.dims; ++d) {
    if (job.range[d] == 0) return true;  // nothing to do, as pthreadpool
    if (job.tile[d] == 0) return false;
    job.tiles[d] = job.range[d] / job.tile[d] + (job.range[d] % job.tile[d] != 0 ? 1 : 0);
    if (job.tiles[d] > WorkPool::kMaxTasks || count > WorkPool::kMaxTasks / job.tiles[d])
      return false;
    count *= job.tiles[d];
  }
  job.flush_denormals = (flags & PTHREADPOOL_FLAG_DISABLE_DENORMALS) != 0;
  // XNNPACK 2022 cuts some operators into thousands of tiny tiles (a broadcast MUL: one tile
  // per row of channels); one claim per tile costs more than the tile. Consecutive tiles go
  // together, kTasksPerThread tasks per thread, still enough for a thread to take over the
  // tasks of one that lost its core.
  job.count = count;
  job.group = std::max<size_t>(1, count / (kTasksPerThread * wp->threads()));
  wp->Run(&RunTiles, &job, (count + job.group - 1) / job.group);
  return true;
}

template <typename Fn>
Fn Next(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

}  // namespace
}  // namespace labelite

using labelite::Job;

// Each function: the WorkPool path, else pthreadpool's own (looked up once). The tiled
// dimensions pass their start and extent, the others their index, as pthreadpool does.
#define LABELITE_BRIDGE(NAME, TASK_T, PARAMS, ARGS, SETUP, CALL)                                    \
  extern "C" void NAME(pthreadpool_t pool, TASK_T task, void* context, PARAMS, uint32_t flags) {   \
    if (labelite::WorkPool* wp = labelite::Bridge(pool, flags)) {                                   \
      Job job;                                                                                      \
      SETUP;                                                                                        \
      job.task = reinterpret_cast<void*>(task);                                                     \
      job.context = context;                                                                        \
      job.call = [](const Job& j, const size_t* s, const size_t* n) {                              \
        (void)n;                                                                                    \
        reinterpret_cast<TASK_T>(j.task) CALL;                                                      \
      };                                                                                            \
      if (labelite::RunOnWorkPool(wp, job, flags)) return;                                          \
    }                                                                                               \
    using Fn = void (*)(pthreadpool_t, TASK_T, void*, PARAMS, uint32_t);                            \
    static const Fn next = labelite::Next<Fn>(#NAME);                                               \
    next(pool, task, context, ARGS, flags);                                                         \
  }

#define P(...) __VA_ARGS__

LABELITE_BRIDGE(pthreadpool_parallelize_1d, pthreadpool_task_1d_t, P(size_t r0), P(r0),
                P(job.dims = 1; job.range[0] = r0; job.tile[0] = 1),
                P((j.context, s[0])))
LABELITE_BRIDGE(pthreadpool_parallelize_1d_tile_1d, pthreadpool_task_1d_tile_1d_t,
                P(size_t r0, size_t t0), P(r0, t0),
                P(job.dims = 1; job.range[0] = r0; job.tile[0] = t0),
                P((j.context, s[0], n[0])))
LABELITE_BRIDGE(pthreadpool_parallelize_2d, pthreadpool_task_2d_t, P(size_t r0, size_t r1),
                P(r0, r1),
                P(job.dims = 2; job.range[0] = r0; job.range[1] = r1; job.tile[0] = job.tile[1] = 1),
                P((j.context, s[0], s[1])))
LABELITE_BRIDGE(pthreadpool_parallelize_2d_tile_1d, pthreadpool_task_2d_tile_1d_t,
                P(size_t r0, size_t r1, size_t t1), P(r0, r1, t1),
                P(job.dims = 2; job.range[0] = r0; job.range[1] = r1; job.tile[0] = 1;
                  job.tile[1] = t1),
                P((j.context, s[0], s[1], n[1])))
LABELITE_BRIDGE(pthreadpool_parallelize_2d_tile_2d, pthreadpool_task_2d_tile_2d_t,
                P(size_t r0, size_t r1, size_t t0, size_t t1), P(r0, r1, t0, t1),
                P(job.dims = 2; job.range[0] = r0; job.range[1] = r1; job.tile[0] = t0;
                  job.tile[1] = t1),
                P((j.context, s[0], s[1], n[0], n[1])))
LABELITE_BRIDGE(pthreadpool_parallelize_3d, pthreadpool_task_3d_t,
                P(size_t r0, size_t r1, size_t r2), P(r0, r1, r2),
                P(job.dims = 3; job.range[0] = r0; job.range[1] = r1; job.range[2] = r2;
                  job.tile[0] = job.tile[1] = job.tile[2] = 1),
                P((j.context, s[0], s[1], s[2])))
LABELITE_BRIDGE(pthreadpool_parallelize_3d_tile_2d, pthreadpool_task_3d_tile_2d_t,
                P(size_t r0, size_t r1, size_t r2, size_t t1, size_t t2), P(r0, r1, r2, t1, t2),
                P(job.dims = 3; job.range[0] = r0; job.range[1] = r1; job.range[2] = r2;
                  job.tile[0] = 1; job.tile[1] = t1; job.tile[2] = t2),
                P((j.context, s[0], s[1], s[2], n[1], n[2])))
LABELITE_BRIDGE(pthreadpool_parallelize_4d, pthreadpool_task_4d_t,
                P(size_t r0, size_t r1, size_t r2, size_t r3), P(r0, r1, r2, r3),
                P(job.dims = 4; job.range[0] = r0; job.range[1] = r1; job.range[2] = r2;
                  job.range[3] = r3; job.tile[0] = job.tile[1] = job.tile[2] = job.tile[3] = 1),
                P((j.context, s[0], s[1], s[2], s[3])))
LABELITE_BRIDGE(pthreadpool_parallelize_4d_tile_2d, pthreadpool_task_4d_tile_2d_t,
                P(size_t r0, size_t r1, size_t r2, size_t r3, size_t t2, size_t t3),
                P(r0, r1, r2, r3, t2, t3),
                P(job.dims = 4; job.range[0] = r0; job.range[1] = r1; job.range[2] = r2;
                  job.range[3] = r3; job.tile[0] = job.tile[1] = 1; job.tile[2] = t2;
                  job.tile[3] = t3),
                P((j.context, s[0], s[1], s[2], s[3], n[2], n[3])))
LABELITE_BRIDGE(pthreadpool_parallelize_5d, pthreadpool_task_5d_t,
                P(size_t r0, size_t r1, size_t r2, size_t r3, size_t r4), P(r0, r1, r2, r3, r4),
                P(job.dims = 5; job.range[0] = r0; job.range[1] = r1; job.range[2] = r2;
                  job.range[3] = r3; job.range[4] = r4;
                  job.tile[0] = job.tile[1] = job.tile[2] = job.tile[3] = job.tile[4] = 1),
                P((j.context, s[0], s[1], s[2], s[3], s[4])))
LABELITE_BRIDGE(pthreadpool_parallelize_5d_tile_2d, pthreadpool_task_5d_tile_2d_t,
                P(size_t r0, size_t r1, size_t r2, size_t r3, size_t r4, size_t t3, size_t t4),
                P(r0, r1, r2, r3, r4, t3, t4),
                P(job.dims = 5; job.range[0] = r0; job.range[1] = r1; job.range[2] = r2;
                  job.range[3] = r3; job.range[4] = r4; job.tile[0] = job.tile[1] = job.tile[2] = 1;
                  job.tile[3] = t3; job.tile[4] = t4),
                P((j.context, s[0], s[1], s[2], s[3], s[4], n[3], n[4])))
LABELITE_BRIDGE(pthreadpool_parallelize_6d_tile_2d, pthreadpool_task_6d_tile_2d_t,
                P(size_t r0, size_t r1, size_t r2, size_t r3, size_t r4, size_t r5, size_t t4,
                  size_t t5),
                P(r0, r1, r2, r3, r4, r5, t4, t5),
                P(job.dims = 6; job.range[0] = r0; job.range[1] = r1; job.range[2] = r2;
                  job.range[3] = r3; job.range[4] = r4; job.range[5] = r5;
                  job.tile[0] = job.tile[1] = job.tile[2] = job.tile[3] = 1; job.tile[4] = t4;
                  job.tile[5] = t5),
                P((j.context, s[0], s[1], s[2], s[3], s[4], s[5], n[4], n[5])))
