// uint8 / int8 AVERAGE_POOL_2D rows (kernels/fast/avg_pool_q8.h) compiled for AVX2: the same
// integers as every level.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include "kernels/fast/avg_pool_q8.h"

namespace labelite::xnn {

__attribute__((target("avx2"))) void AvgPoolRowQ8Avx2(const common::PoolParams& p,
                                                      bool is_signed, const void* in, void* out,
                                                      int32_t b, int32_t oy) {
  avg_pool_internal::AnyRow(p, is_signed, in, out, b, oy);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
