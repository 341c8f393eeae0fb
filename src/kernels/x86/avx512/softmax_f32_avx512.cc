// Float SOFTMAX rows on AVX-512: see kernels/x86/softmax_f32_x86.h.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include <cstdint>

#include "kernels/x86/softmax_f32_x86.h"

// GCC 12 reports operands inside its own AVX-512 intrinsics as uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning group
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#define LABELITE_AVX512 __attribute__((target("avx512f,fma")))

namespace labelite::xnn {
namespace {

// exp(x) for x <= 0 (x = input - max), XNNPACK's rr2_p5 steps; 0 below the cutoff.
LABELITE_AVX512 inline __m512 ExpMinusMax(__m512 x) {
  const __m512 magic = _mm512_set1_ps(0x1.8000FEp23f);
  __m512 n = _mm512_fmadd_ps(x, _mm512_set1_ps(0x1.715476p+0f), magic);
  const __m512 s = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(n), 23));
  n = _mm512_sub_ps(n, magic);
  __m512 t = _mm512_fmadd_ps(n, _mm512_set1_ps(-0x1.62E400p-1f), x);
  t = _mm512_fmadd_ps(n, _mm512_set1_ps(-0x1.7F7D1Cp-20f), t);
  __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(0x1.0F9F9Cp-7f), t, _mm512_set1_ps(0x1.573A1Ap-5f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0x1.555A80p-3f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0x1.FFFDC6p-2f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0x1.FFFFF6p-1f));
  t = _mm512_mul_ps(t, s);
  const __m512 e = _mm512_fmadd_ps(t, p, s);
  const __mmask16 under = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-0x1.5D589Ep6f), _CMP_LT_OS);
  return _mm512_mask_blend_ps(under, e, _mm512_setzero_ps());
}

}  // namespace

LABELITE_AVX512 void SoftmaxRowF32Avx512(const float* in, float* out, size_t n) {
  // The maximum (any order gives the same value).
  __m512 vmax = _mm512_set1_ps(in[0]);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) vmax = _mm512_max_ps(vmax, _mm512_loadu_ps(in + i));
  float max = _mm512_reduce_max_ps(vmax);
  for (; i < n; ++i) max = in[i] > max ? in[i] : max;
  const __m512 vi_max = _mm512_set1_ps(max);

  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512 e0 = ExpMinusMax(_mm512_sub_ps(_mm512_loadu_ps(in + i), vi_max));
    const __m512 e1 = ExpMinusMax(_mm512_sub_ps(_mm512_loadu_ps(in + i + 16), vi_max));
    const __m512 e2 = ExpMinusMax(_mm512_sub_ps(_mm512_loadu_ps(in + i + 32), vi_max));
    const __m512 e3 = ExpMinusMax(_mm512_sub_ps(_mm512_loadu_ps(in + i + 48), vi_max));
    _mm512_storeu_ps(out + i, e0);
    _mm512_storeu_ps(out + i + 16, e1);
    _mm512_storeu_ps(out + i + 32, e2);
    _mm512_storeu_ps(out + i + 48, e3);
    acc0 = _mm512_add_ps(acc0, e0);
    acc1 = _mm512_add_ps(acc1, e1);
    acc0 = _mm512_add_ps(acc0, e2);
    acc1 = _mm512_add_ps(acc1, e3);
  }
  __m512 acc = _mm512_add_ps(acc0, acc1);
  for (; i + 16 <= n; i += 16) {
    const __m512 e = ExpMinusMax(_mm512_sub_ps(_mm512_loadu_ps(in + i), vi_max));
    _mm512_storeu_ps(out + i, e);
    acc = _mm512_add_ps(acc, e);
  }
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 e = ExpMinusMax(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, in + i), vi_max));
    _mm512_mask_storeu_ps(out + i, m, e);
    acc = _mm512_mask_add_ps(acc, m, acc, e);
  }
  // 16 lanes: 8 + 8, 4 + 4, then [0]+[2] and [1]+[3], then the two.
  const __m256 h8 = _mm256_add_ps(_mm512_castps512_ps256(acc),
                                  _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc), 1)));
  const __m128 h4 = _mm_add_ps(_mm256_castps256_ps128(h8), _mm256_extractf128_ps(h8, 1));
  const __m128 h2 = _mm_add_ps(h4, _mm_movehl_ps(h4, h4));
  const float sum = _mm_cvtss_f32(h2) + _mm_cvtss_f32(_mm_movehdup_ps(h2));

  const __m512 scale = _mm512_set1_ps(1.0f / sum);
  i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, _mm512_mul_ps(_mm512_loadu_ps(out + i), scale));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, out + i), scale));
  }
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
