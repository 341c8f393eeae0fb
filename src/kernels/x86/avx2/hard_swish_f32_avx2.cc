// Float HARD_SWISH on AVX2 + FMA: XNNPACK's fma3 vhswish (kernels/x86/hard_swish_f32_x86.h).
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include "kernels/x86/hard_swish_f32_x86.h"

namespace labelite::xnn {

__attribute__((target("avx2,fma"))) void HardSwishF32Avx2(const float* in, float* out,
                                                           size_t n) {
  const __m256 sixth = _mm256_set1_ps(0x1.555556p-3f), half = _mm256_set1_ps(0.5f);
  const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
  auto hswish = [&](__m256 x) __attribute__((always_inline, target("avx2,fma"))) {
    __m256 a = _mm256_fmadd_ps(x, sixth, half);
    a = _mm256_max_ps(a, zero);
    a = _mm256_min_ps(a, one);
    return _mm256_mul_ps(a, x);
  };
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 y0 = hswish(_mm256_loadu_ps(in + i));
    const __m256 y1 = hswish(_mm256_loadu_ps(in + i + 8));
    _mm256_storeu_ps(out + i, y0);
    _mm256_storeu_ps(out + i + 8, y1);
  }
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, hswish(_mm256_loadu_ps(in + i)));
  if (i < n) {  // through a buffer: VMASKMOVPS stores are slow on AMD
    alignas(32) float tail[8] = {};
    for (size_t j = i; j < n; ++j) tail[j - i] = in[j];
    _mm256_store_ps(tail, hswish(_mm256_load_ps(tail)));
    for (size_t j = i; j < n; ++j) out[j] = tail[j - i];
  }
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
