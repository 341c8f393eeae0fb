// core_latency: the round trip of a cache line between two CPUs (default 0 and 1), in ns.
// Two threads, each pinned to one CPU, pass a counter back and forth through one atomic; the
// figure is the mean round trip over 100,000 passes (or what 2 s allowed). bench/vs_litert
// prints it once per round: on a VM the hypervisor places the vCPUs, and moves them. Two vCPUs
// on cores that share an L3 pass a line in about 50 ns, on cores that do not in 300 ns or more,
// and 2-thread inference, which hands data and tasks between the cores at every operator,
// follows (Zen 4 host: MobileNet v1 at 2 threads 0.18 ms at a 53 ns round trip, 0.3 ms and more
// at 320 ns).
// Usage: core_latency [CPU_A CPU_B]; prints one integer (ns). Exit 77 when a CPU is missing.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { kPasses = 100000 };
static const double kDeadlineS = 2.0;

static _Alignas(64) atomic_int flag;
static _Alignas(64) atomic_int stop;

static double Now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int Pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void* Responder(void* arg) {
  if (Pin(*(const int*)arg) != 0) {
    atomic_store(&stop, 2);
    return NULL;
  }
  for (int i = 0; i < kPasses; ++i) {
    while (atomic_load_explicit(&flag, memory_order_acquire) != 2 * i + 1)
      if (atomic_load_explicit(&stop, memory_order_relaxed)) return NULL;
    atomic_store_explicit(&flag, 2 * i + 2, memory_order_release);
  }
  return NULL;
}

int main(int argc, char** argv) {
  int a = 0, b = 1;
  if (argc == 3) {
    a = atoi(argv[1]);
    b = atoi(argv[2]);
  } else if (argc != 1) {
    fprintf(stderr, "usage: core_latency [CPU_A CPU_B]\n");
    return 2;
  }
  if (Pin(a) != 0) {
    fprintf(stderr, "core_latency: cannot run on CPU %d\n", a);
    return 77;
  }
  pthread_t other;
  if (pthread_create(&other, NULL, Responder, &b) != 0) {
    fprintf(stderr, "core_latency: cannot start a thread\n");
    return 1;
  }
  const double start = Now();
  int done = 0;
  for (; done < kPasses && !atomic_load(&stop); ++done) {
    atomic_store_explicit(&flag, 2 * done + 1, memory_order_release);
    for (unsigned spins = 1; atomic_load_explicit(&flag, memory_order_acquire) != 2 * done + 2;
         ++spins) {
      if (atomic_load_explicit(&stop, memory_order_relaxed)) break;
      if (spins % 4096 == 0 && Now() - start > kDeadlineS) atomic_store(&stop, 1);
    }
  }
  const double elapsed = Now() - start;
  const int why = atomic_load(&stop);
  atomic_store(&stop, 1);
  pthread_join(other, NULL);
  if (why == 2) {
    fprintf(stderr, "core_latency: cannot run on CPU %d\n", b);
    return 77;
  }
  if (done == 0) {
    fprintf(stderr, "core_latency: no round trip within %.0f s\n", kDeadlineS);
    return 1;
  }
  printf("%.0f\n", elapsed / done * 1e9);
  return 0;
}
