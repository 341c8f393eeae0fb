// Float sigmoid and swish rows on AVX2 + FMA: XNNPACK's rr1_p5 sigmoid, see
// kernels/x86/sigmoid_f32_x86.h.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include <cstdint>

#include "kernels/x86/sigmoid_f32_x86.h"

#define LABELITE_AVX2_FMA __attribute__((target("avx2,fma")))

namespace labelite::xnn {
namespace {

struct Constants {
  __m256 sign, bias, log2e, minus_ln2, c5, c4, c3, c2, c1, one, cutoff;
};

LABELITE_AVX2_FMA inline Constants MakeConstants() {
  return {_mm256_set1_ps(-0.0f),          _mm256_set1_ps(0x1.8000FEp23f),
          _mm256_set1_ps(0x1.715476p+0f), _mm256_set1_ps(-0x1.62E430p-1f),
          _mm256_set1_ps(0x1.0F9F9Cp-7f), _mm256_set1_ps(0x1.573A1Ap-5f),
          _mm256_set1_ps(0x1.555A80p-3f), _mm256_set1_ps(0x1.FFFDC6p-2f),
          _mm256_set1_ps(0x1.FFFFF6p-1f), _mm256_set1_ps(1.0f),
          _mm256_set1_ps(-0x1.5D589Ep+6f)};
}

// The steps of sigmoid_f32_x86.h, in XNNPACK's order.
LABELITE_AVX2_FMA inline __m256 Sigmoid(const Constants& c, __m256 x) {
  const __m256 z = _mm256_or_ps(x, c.sign);  // -|x|
  __m256 n = _mm256_fmadd_ps(z, c.log2e, c.bias);
  const __m256 s = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(n), 23));
  n = _mm256_sub_ps(n, c.bias);
  __m256 t = _mm256_fmadd_ps(n, c.minus_ln2, z);
  __m256 p = _mm256_fmadd_ps(c.c5, t, c.c4);
  p = _mm256_fmadd_ps(p, t, c.c3);
  p = _mm256_fmadd_ps(p, t, c.c2);
  p = _mm256_fmadd_ps(p, t, c.c1);
  t = _mm256_mul_ps(t, s);
  const __m256 e = _mm256_fmadd_ps(t, p, s);
  __m256 f = _mm256_div_ps(e, _mm256_add_ps(e, c.one));
  f = _mm256_andnot_ps(_mm256_cmp_ps(z, c.cutoff, _CMP_LT_OS), f);
  return _mm256_blendv_ps(_mm256_sub_ps(c.one, f), f, x);  // f where x's sign bit is set
}

// Sigmoid, or the clamped swish x * sigmoid(x).
template <bool kSwish>
LABELITE_AVX2_FMA inline __m256 Step(const Constants& c, __m256 x, __m256 lo, __m256 hi) {
  const __m256 f = Sigmoid(c, x);
  if constexpr (!kSwish) return f;
  return _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(x, f), lo), hi);
}

template <bool kSwish>
LABELITE_AVX2_FMA inline void Row(const float* x, float* out, size_t n, float lo, float hi) {
  const Constants c = MakeConstants();
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {  // four independent vectors hide the divisions' latency
    const __m256 f0 = Step<kSwish>(c, _mm256_loadu_ps(x + i), vlo, vhi);
    const __m256 f1 = Step<kSwish>(c, _mm256_loadu_ps(x + i + 8), vlo, vhi);
    const __m256 f2 = Step<kSwish>(c, _mm256_loadu_ps(x + i + 16), vlo, vhi);
    const __m256 f3 = Step<kSwish>(c, _mm256_loadu_ps(x + i + 24), vlo, vhi);
    _mm256_storeu_ps(out + i, f0);
    _mm256_storeu_ps(out + i + 8, f1);
    _mm256_storeu_ps(out + i + 16, f2);
    _mm256_storeu_ps(out + i + 24, f3);
  }
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, Step<kSwish>(c, _mm256_loadu_ps(x + i), vlo, vhi));
  if (i < n) {  // through a buffer: VMASKMOVPS stores are slow on AMD
    alignas(32) float tail[8] = {};
    for (size_t j = i; j < n; ++j) tail[j - i] = x[j];
    _mm256_store_ps(tail, Step<kSwish>(c, _mm256_load_ps(tail), vlo, vhi));
    for (size_t j = i; j < n; ++j) out[j] = tail[j - i];
  }
}

}  // namespace

LABELITE_AVX2_FMA void SigmoidRowF32Avx2(const float* in, float* out, size_t n) {
  Row<false>(in, out, n, 0.0f, 0.0f);
}

LABELITE_AVX2_FMA void SwishRowF32Avx2(const float* x, float* out, size_t n, float lo, float hi) {
  Row<true>(x, out, n, lo, hi);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
