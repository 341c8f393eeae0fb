// The baseline build of kernels/fast/avg_pool_q8.h's row (arm64, x86-64 below AVX2, and
// LABELITE_ISA=xnnpack) and the choice of level.
#include "kernels/fast/avg_pool_q8.h"

#include "kernels/fast/isa.h"

namespace labelite::xnn {

void AvgPoolRowQ8Baseline(const common::PoolParams& p, bool is_signed, const void* in, void* out,
                          int32_t b, int32_t oy) {
  avg_pool_internal::AnyRow(p, is_signed, in, out, b, oy);
}

AvgPoolRowQ8Fn SelectAvgPoolRowQ8() {
#if defined(__x86_64__)
  if (ActiveIsa() >= IsaLevel::kAvx512) return &AvgPoolRowQ8Avx512;
  if (ActiveIsa() >= IsaLevel::kAvx2) return &AvgPoolRowQ8Avx2;
#endif
  return &AvgPoolRowQ8Baseline;
}

}  // namespace labelite::xnn
