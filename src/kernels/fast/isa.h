// The one place that decides which of labelite's own SIMD kernels may run.
//
// Levels are ordered: a kernel written for level L runs when ActiveIsa() >= L. The level is
// what the CPU has (cpuinfo), lowered by the environment variable LABELITE_ISA
// (avx512 | avx2 | xnnpack | reference; `labelite bench --isa` sets it), so a machine with
// AVX-512 also tests and measures every lower level. It never rises above what the CPU has.
//   kXnnpack:   no own SIMD kernel; XNNPACK's (its own run-time dispatch) and portable code
//   kAvx2:      x86-64 with AVX2 + FMA (Haswell, Zen 1-3); AVX-VNNI is a separate feature bit
//   kAvx512:    x86-64 with AVX-512 F/BW/VL/VNNI/VBMI (Ice Lake, Zen 4)
// kReference is not a kernel level: it means "run the reference kernels" (--kernels reference);
// ActiveIsa() reports it only when LABELITE_ISA=reference, and callers treat it like kXnnpack.
#ifndef LABELITE_KERNELS_FAST_ISA_H_
#define LABELITE_KERNELS_FAST_ISA_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace labelite::xnn {

enum class IsaLevel { kReference = 0, kXnnpack = 1, kAvx2 = 2, kAvx512 = 3 };

// "reference", "xnnpack", "avx2", "avx512".
const char* IsaLevelName(IsaLevel level);
std::optional<IsaLevel> ParseIsaLevel(std::string_view name);

// What the CPU supports (computed once).
IsaLevel DetectedIsa();
// DetectedIsa(), lowered by LABELITE_ISA when set (read once, at the first call).
IsaLevel ActiveIsa();
// For tests and `bench --isa`: the active level becomes min(limit, DetectedIsa()) from now on
// (kernels already prepared keep the implementation they chose).
void SetIsaLimit(IsaLevel limit);

// Separate feature bits that kernels of a level may use when present.
bool HasAvxVnni();  // VEX-encoded VPDPBUSD (Alder Lake, Zen 5), without AVX-512

// Bytes of the largest cache level (L3, else L2) as cpuinfo reports it for the first core, or
// 0 when unknown.
size_t LastLevelCacheBytes();

// What a benchmark reports as the level used: IsaLevelName(level), with "+avxvnni" for kAvx2
// when the AVX2 quantized kernels use AVX-VNNI ("avx2+avxvnni").
const char* IsaLevelLabel(IsaLevel level);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_ISA_H_
