#include "kernels/fast/isa.h"

#include <cpuinfo.h>

#include <atomic>
#include <cstdlib>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif

namespace labelite::xnn {
namespace {

IsaLevel Detect() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
                      __builtin_cpu_supports("avx512vbmi");
  if (avx512) return IsaLevel::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return IsaLevel::kAvx2;
#endif
  return IsaLevel::kXnnpack;
}

IsaLevel FromEnvironment(IsaLevel detected) {
  const char* env = std::getenv("LABELITE_ISA");
  if (env == nullptr || *env == '\0') return detected;
  const std::optional<IsaLevel> wanted = ParseIsaLevel(env);
  if (!wanted) return detected;  // unknown names are reported by the CLI, ignored here
  return *wanted < detected ? *wanted : detected;
}

std::atomic<int>& Active() {
  static std::atomic<int> active{static_cast<int>(FromEnvironment(DetectedIsa()))};
  return active;
}

}  // namespace

const char* IsaLevelName(IsaLevel level) {
  switch (level) {
    case IsaLevel::kReference: return "reference";
    case IsaLevel::kXnnpack: return "xnnpack";
    case IsaLevel::kAvx2: return "avx2";
    case IsaLevel::kAvx512: return "avx512";
  }
  return "unknown";
}

const char* IsaLevelLabel(IsaLevel level) {
  return level == IsaLevel::kAvx2 && HasAvxVnni() ? "avx2+avxvnni" : IsaLevelName(level);
}

std::optional<IsaLevel> ParseIsaLevel(std::string_view name) {
  for (IsaLevel l : {IsaLevel::kReference, IsaLevel::kXnnpack, IsaLevel::kAvx2, IsaLevel::kAvx512})
    if (name == IsaLevelName(l)) return l;
  return std::nullopt;
}

IsaLevel DetectedIsa() {
  static const IsaLevel detected = Detect();
  return detected;
}

IsaLevel ActiveIsa() { return static_cast<IsaLevel>(Active().load(std::memory_order_relaxed)); }

void SetIsaLimit(IsaLevel limit) {
  const IsaLevel detected = DetectedIsa();
  Active().store(static_cast<int>(limit < detected ? limit : detected));
}

size_t LastLevelCacheBytes() {
  static const size_t bytes = [] {
    if (!cpuinfo_initialize()) return size_t{0};
    if (cpuinfo_get_l3_caches_count() > 0) return size_t{cpuinfo_get_l3_cache(0)->size};
    if (cpuinfo_get_l2_caches_count() > 0) return size_t{cpuinfo_get_l2_cache(0)->size};
    return size_t{0};
  }();
  return bytes;
}

bool HasAvxVnni() {
#if defined(__x86_64__) || defined(_M_X64)
  static const bool has = [] {
    // CPUID.(EAX=7,ECX=1):EAX bit 4; clang 14's __builtin_cpu_supports has no "avxvnni".
    __builtin_cpu_init();
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__builtin_cpu_supports("avx2") || !__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) {
      return false;
    }
    return (eax & (1u << 4)) != 0;
  }();
  return has;
#else
  return false;
#endif
}

}  // namespace labelite::xnn
