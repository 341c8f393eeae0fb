// Float SOFTMAX rows on AVX2 + FMA: see kernels/x86/softmax_f32_x86.h.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include <cstdint>

#include "kernels/x86/softmax_f32_x86.h"

#define LABELITE_AVX2_FMA __attribute__((target("avx2,fma")))

namespace labelite::xnn {
namespace {

// exp(x) for x <= 0 (x = input - max), XNNPACK's rr2_p5 steps; 0 below the cutoff.
LABELITE_AVX2_FMA inline __m256 ExpMinusMax(__m256 x) {
  const __m256 magic = _mm256_set1_ps(0x1.8000FEp23f);
  __m256 n = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), magic);
  const __m256 s = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(n), 23));
  n = _mm256_sub_ps(n, magic);
  __m256 t = _mm256_fmadd_ps(n, _mm256_set1_ps(-0x1.62E400p-1f), x);
  t = _mm256_fmadd_ps(n, _mm256_set1_ps(-0x1.7F7D1Cp-20f), t);
  __m256 p = _mm256_fmadd_ps(_mm256_set1_ps(0x1.0F9F9Cp-7f), t, _mm256_set1_ps(0x1.573A1Ap-5f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0x1.555A80p-3f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0x1.FFFDC6p-2f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0x1.FFFFF6p-1f));
  t = _mm256_mul_ps(t, s);
  const __m256 e = _mm256_fmadd_ps(t, p, s);
  return _mm256_andnot_ps(_mm256_cmp_ps(x, _mm256_set1_ps(-0x1.5D589Ep6f), _CMP_LT_OS), e);
}

LABELITE_AVX2_FMA inline __m256i TailMask(size_t k) {  // the first k of 8 lanes
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(k)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

}  // namespace

LABELITE_AVX2_FMA void SoftmaxRowF32Avx2(const float* in, float* out, size_t n) {
  float max = in[0];
  for (size_t i = 1; i < n; ++i) max = in[i] > max ? in[i] : max;
  const __m256 vi_max = _mm256_set1_ps(max);

  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256 e0 = ExpMinusMax(_mm256_sub_ps(_mm256_loadu_ps(in + i), vi_max));
    const __m256 e1 = ExpMinusMax(_mm256_sub_ps(_mm256_loadu_ps(in + i + 8), vi_max));
    const __m256 e2 = ExpMinusMax(_mm256_sub_ps(_mm256_loadu_ps(in + i + 16), vi_max));
    const __m256 e3 = ExpMinusMax(_mm256_sub_ps(_mm256_loadu_ps(in + i + 24), vi_max));
    _mm256_storeu_ps(out + i, e0);
    _mm256_storeu_ps(out + i + 8, e1);
    _mm256_storeu_ps(out + i + 16, e2);
    _mm256_storeu_ps(out + i + 24, e3);
    acc0 = _mm256_add_ps(acc0, e0);
    acc1 = _mm256_add_ps(acc1, e1);
    acc0 = _mm256_add_ps(acc0, e2);
    acc1 = _mm256_add_ps(acc1, e3);
  }
  __m256 acc = _mm256_add_ps(acc0, acc1);
  for (; i + 8 <= n; i += 8) {
    const __m256 e = ExpMinusMax(_mm256_sub_ps(_mm256_loadu_ps(in + i), vi_max));
    _mm256_storeu_ps(out + i, e);
    acc = _mm256_add_ps(acc, e);
  }
  if (i < n) {
    const __m256i m = TailMask(n - i);
    const __m256 e = ExpMinusMax(_mm256_sub_ps(_mm256_maskload_ps(in + i, m), vi_max));
    // The tail's values through a buffer: VMASKMOVPS stores are slow on AMD (ViT's 17-wide
    // attention rows: 1.9 us against LiteRT's 1.2 with them).
    alignas(32) float tail[8];
    _mm256_store_ps(tail, e);
    for (size_t j = i; j < n; ++j) out[j] = tail[j - i];
    acc = _mm256_add_ps(acc, _mm256_and_ps(e, _mm256_castsi256_ps(m)));
  }
  // 8 lanes: 4 + 4, then [0]+[2] and [1]+[3], then the two.
  const __m128 h4 = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  const __m128 h2 = _mm_add_ps(h4, _mm_movehl_ps(h4, h4));
  const float sum = _mm_cvtss_f32(_mm_add_ss(h2, _mm_movehdup_ps(h2)));

  const float inv = 1.0f / sum;
  const __m256 scale = _mm256_set1_ps(inv);
  i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(out + i), scale));
  for (; i < n; ++i) out[i] *= inv;  // the same product as a lane of `scale`
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
