// Float HARD_SWISH on AVX-512F: XNNPACK's avx512f vhswish (kernels/x86/hard_swish_f32_x86.h).
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include "kernels/x86/hard_swish_f32_x86.h"

namespace labelite::xnn {

__attribute__((target("avx512f"))) void HardSwishF32Avx512(const float* in, float* out,
                                                            size_t n) {
  const __m512 sixth = _mm512_set1_ps(0x1.555556p-3f), half = _mm512_set1_ps(0.5f);
  const __m512 one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps();
  auto hswish = [&](__m512 x) __attribute__((always_inline, target("avx512f"))) {
    __m512 a = _mm512_fmadd_ps(x, sixth, half);
    // The maskz forms with every lane set are MAXPS / MINPS (GCC 12's plain forms read an
    // undefined vector and warn).
    a = _mm512_maskz_max_ps(0xFFFF, a, zero);
    a = _mm512_maskz_min_ps(0xFFFF, a, one);
    return _mm512_mul_ps(a, x);
  };
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 y0 = hswish(_mm512_loadu_ps(in + i));
    const __m512 y1 = hswish(_mm512_loadu_ps(in + i + 16));
    _mm512_storeu_ps(out + i, y0);
    _mm512_storeu_ps(out + i + 16, y1);
  }
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, hswish(_mm512_loadu_ps(in + i)));
  if (i < n) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (n - i)) - 1u);
    _mm512_mask_storeu_ps(out + i, mask, hswish(_mm512_maskz_loadu_ps(mask, in + i)));
  }
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
