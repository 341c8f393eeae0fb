// cpuid_mask: make an x86 CPU with AVX-512 look like an AVX2-only one to every program that asks
// CPUID, so that labelite and native LiteRT (its XNNPACK, numpy, ...) can be measured side by side
// at the AVX2 level on the same machine, each choosing its own kernels as it would on a Zen 3 or
// an Intel client chip.
//
// How: an LD_PRELOAD library whose constructor turns on Linux's CPUID faulting for the process
// (arch_prctl(ARCH_SET_CPUID, 0); needs the `cpuid_fault` CPU flag, present on Intel and on AMD
// Zen 4 hosts, also under KVM). Every CPUID instruction then raises SIGSEGV; the handler runs the
// real CPUID (faulting briefly off), clears the feature bits of the levels above the chosen one,
// writes the result into the registers and steps over the 2-byte instruction. The setting is
// inherited by threads and forked children and reset by execve, where the library, still in
// LD_PRELOAD, turns it on again. glibc's own string functions choose their variants before any
// constructor runs: mask them too with GLIBC_TUNABLES (bench/vs_litert does both).
//
// Usage:
//   LABELITE_CPUID_MASK=avx2 LD_PRELOAD=build/release/bench/libcpuid_mask.so labelite bench M
// LABELITE_CPUID_MASK: avx2 (default: no AVX-512 of any kind, no AVX-VNNI, no AMX: a Zen 3 or a
// Haswell-to-Comet Lake Intel chip) or avxvnni (the same but AVX-VNNI stays: an Intel client chip
// from Alder Lake on; needs a CPU that has AVX-VNNI, such as Zen 5).
// When CPUID faulting is unavailable the library prints one line and exits with status 3, so a
// benchmark never silently measures the unmasked CPU.
//
// What it does not change: the microarchitecture (caches, clock, the width of the execution
// units); XGETBV still reports the AVX-512 register state as enabled (software that asks CPUID
// first, as cpuinfo, XNNPACK, glibc and numpy do, never looks at it). A program that installs
// its own SIGSEGV handler after this one and then executes CPUID would crash; none of the
// programs benchmarked here does.
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static struct sigaction previous_segv;
static int keep_avx_vnni;  // LABELITE_CPUID_MASK=avxvnni

static int SetCpuidFaulting(int on) {
  // ARCH_SET_CPUID's argument is "CPUID enabled": 0 makes CPUID fault.
  return (int)syscall(SYS_arch_prctl, ARCH_SET_CPUID, on ? 0 : 1);
}

static void MaskToAvx2(uint32_t leaf, uint32_t subleaf, uint32_t r[4]) {
  enum { EAX, EBX, ECX, EDX };
  if (leaf == 7 && subleaf == 0) {
    // EBX: AVX512F 16, DQ 17, IFMA 21, PF 26, ER 27, CD 28, BW 30, VL 31.
    r[EBX] &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) |
                (1u << 30) | (1u << 31));
    // ECX: VBMI 1, VBMI2 6, VNNI 11, BITALG 12, VPOPCNTDQ 14.
    r[ECX] &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
    // EDX: 4VNNIW 2, 4FMAPS 3, VP2INTERSECT 8, AMX-BF16 22, AVX512_FP16 23, AMX-TILE 24,
    // AMX-INT8 25.
    r[EDX] &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) |
                (1u << 25));
  } else if (leaf == 7 && subleaf == 1) {
    // EAX: AVX-VNNI 4, AVX512_BF16 5, AMX-FP16 21, AVX-IFMA 23; EDX: AVX-VNNI-INT8 4,
    // AVX10 19.
    r[EAX] &= ~((keep_avx_vnni ? 0u : (1u << 4)) | (1u << 5) | (1u << 21) | (1u << 23));
    r[EDX] &= ~((1u << 4) | (1u << 19));
  } else if (leaf == 0xD && subleaf == 0) {
    // XCR0 bits the CPU supports: opmask 5, ZMM_Hi256 6, Hi16_ZMM 7, AMX 17-18.
    r[EAX] &= ~((1u << 5) | (1u << 6) | (1u << 7) | (1u << 17) | (1u << 18));
  } else if (leaf == 0x24) {
    r[EAX] = r[EBX] = r[ECX] = r[EDX] = 0;  // AVX10 converged vector ISA leaf
  }
}

static void OnSegv(int sig, siginfo_t* info, void* context) {
  ucontext_t* uc = (ucontext_t*)context;
  greg_t* g = uc->uc_mcontext.gregs;
  const unsigned char* ip = (const unsigned char*)g[REG_RIP];
  if (info->si_code == SI_KERNEL && ip != NULL && ip[0] == 0x0F && ip[1] == 0xA2) {
    uint32_t leaf = (uint32_t)g[REG_RAX], subleaf = (uint32_t)g[REG_RCX];
    uint32_t r[4];
    SetCpuidFaulting(0);
    __cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
    SetCpuidFaulting(1);
    MaskToAvx2(leaf, subleaf, r);
    g[REG_RAX] = r[0];
    g[REG_RBX] = r[1];
    g[REG_RCX] = r[2];
    g[REG_RDX] = r[3];
    g[REG_RIP] += 2;
    return;
  }
  // Not a CPUID: a real fault. Hand it to whoever had SIGSEGV before (default: die).
  sigaction(SIGSEGV, &previous_segv, NULL);
  if (previous_segv.sa_flags & SA_SIGINFO) {
    if (previous_segv.sa_sigaction != NULL) previous_segv.sa_sigaction(sig, info, context);
  } else if (previous_segv.sa_handler != SIG_DFL && previous_segv.sa_handler != SIG_IGN) {
    previous_segv.sa_handler(sig);
  }
  // Returning re-executes the faulting instruction under the restored disposition.
}

__attribute__((constructor(101))) static void Install(void) {
  const char* level = getenv("LABELITE_CPUID_MASK");
  keep_avx_vnni = level != NULL && strcmp(level, "avxvnni") == 0;
  if (level != NULL && *level != '\0' && strcmp(level, "avx2") != 0 && !keep_avx_vnni) {
    fprintf(stderr, "cpuid_mask: LABELITE_CPUID_MASK=\"%s\" is not a level (avx2, avxvnni)\n",
            strspn(level, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(level) ? level : "?");
    _exit(3);
  }
  if (keep_avx_vnni) {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) || (eax & (1u << 4)) == 0) {
      fprintf(stderr, "cpuid_mask: this CPU has no AVX-VNNI; LABELITE_CPUID_MASK=avxvnni cannot "
                      "show one\n");
      _exit(3);
    }
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = OnSegv;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, &previous_segv) != 0 || SetCpuidFaulting(1) != 0) {
    fprintf(stderr,
            "cpuid_mask: this CPU or kernel has no CPUID faulting (cpuid_fault in /proc/cpuinfo); "
            "cannot mask AVX-512\n");
    _exit(3);
  }
}
