// Float sigmoid and swish rows on AVX-512F: XNNPACK's rr2_lut32_p2 sigmoid, see
// kernels/x86/sigmoid_f32_x86.h.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include <cstdint>

#include "kernels/x86/sigmoid_f32_x86.h"

// GCC 12 reports operands inside its own AVX-512 intrinsics as uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning group
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#define LABELITE_AVX512 __attribute__((target("avx512f,fma")))

namespace labelite::xnn {
namespace {

// 2^(k/32) for k = 0..31, each rounded to the nearest float.
alignas(64) constexpr float kExp2Table[32] = {
    0x1.000000p+0f, 0x1.059B0Ep+0f, 0x1.0B5586p+0f, 0x1.11301Ep+0f, 0x1.172B84p+0f,
    0x1.1D4874p+0f, 0x1.2387A6p+0f, 0x1.29E9E0p+0f, 0x1.306FE0p+0f, 0x1.371A74p+0f,
    0x1.3DEA64p+0f, 0x1.44E086p+0f, 0x1.4BFDAEp+0f, 0x1.5342B6p+0f, 0x1.5AB07Ep+0f,
    0x1.6247ECp+0f, 0x1.6A09E6p+0f, 0x1.71F75Ep+0f, 0x1.7A1148p+0f, 0x1.82589Ap+0f,
    0x1.8ACE54p+0f, 0x1.93737Cp+0f, 0x1.9C4918p+0f, 0x1.A5503Cp+0f, 0x1.AE89FAp+0f,
    0x1.B7F770p+0f, 0x1.C199BEp+0f, 0x1.CB720Ep+0f, 0x1.D5818Ep+0f, 0x1.DFC974p+0f,
    0x1.EA4AFAp+0f, 0x1.F50766p+0f,
};

struct Constants {
  __m512i sign;
  __m512 bias, log2e, table_lo, table_hi, minus_ln2_hi, minus_ln2_lo, c2, c1, one;
};

LABELITE_AVX512 inline Constants MakeConstants() {
  return {_mm512_set1_epi32(INT32_MIN),
          _mm512_set1_ps(0x1.8p18f),
          _mm512_set1_ps(0x1.715476p+0f),
          _mm512_load_ps(kExp2Table),
          _mm512_load_ps(kExp2Table + 16),
          _mm512_set1_ps(-0x1.62E43p-1f),
          _mm512_set1_ps(0x1.05C61p-29f),
          _mm512_set1_ps(0x1.0p-1f),
          _mm512_set1_ps(0x1.0000F6p+0f),
          _mm512_set1_ps(1.0f)};
}

// The steps of sigmoid_f32_x86.h, in XNNPACK's order.
LABELITE_AVX512 inline __m512 Sigmoid(const Constants& c, __m512 x) {
  const __m512i bits = _mm512_castps_si512(x);
  const __m512 z = _mm512_castsi512_ps(_mm512_or_si512(bits, c.sign));  // -|x|
  __m512 n = _mm512_fmadd_ps(z, c.log2e, c.bias);
  const __m512 l = _mm512_permutex2var_ps(c.table_lo, _mm512_castps_si512(n), c.table_hi);
  n = _mm512_sub_ps(n, c.bias);
  __m512 t = _mm512_fmadd_ps(n, c.minus_ln2_hi, z);
  t = _mm512_fmadd_ps(n, c.minus_ln2_lo, t);
  __m512 p = _mm512_fmadd_ps(t, c.c2, c.c1);
  t = _mm512_mul_ps(t, l);
  p = _mm512_fmadd_ps(t, p, l);
  const __m512 e = _mm512_scalef_ps(p, n);
  const __m512 f = _mm512_div_ps(e, _mm512_add_ps(e, c.one));
  const __mmask16 non_negative = _mm512_testn_epi32_mask(bits, c.sign);
  return _mm512_mask_sub_ps(f, non_negative, c.one, f);
}

// Sigmoid, or the clamped swish x * sigmoid(x).
template <bool kSwish>
LABELITE_AVX512 inline __m512 Step(const Constants& c, __m512 x, __m512 lo, __m512 hi) {
  const __m512 f = Sigmoid(c, x);
  if constexpr (!kSwish) return f;
  return _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(x, f), lo), hi);
}

template <bool kSwish>
LABELITE_AVX512 inline void Row(const float* x, float* out, size_t n, float lo, float hi) {
  const Constants c = MakeConstants();
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {  // four independent vectors hide the divisions' latency
    const __m512 f0 = Step<kSwish>(c, _mm512_loadu_ps(x + i), vlo, vhi);
    const __m512 f1 = Step<kSwish>(c, _mm512_loadu_ps(x + i + 16), vlo, vhi);
    const __m512 f2 = Step<kSwish>(c, _mm512_loadu_ps(x + i + 32), vlo, vhi);
    const __m512 f3 = Step<kSwish>(c, _mm512_loadu_ps(x + i + 48), vlo, vhi);
    _mm512_storeu_ps(out + i, f0);
    _mm512_storeu_ps(out + i + 16, f1);
    _mm512_storeu_ps(out + i + 32, f2);
    _mm512_storeu_ps(out + i + 48, f3);
  }
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(out + i, Step<kSwish>(c, _mm512_loadu_ps(x + i), vlo, vhi));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(out + i, m, Step<kSwish>(c, _mm512_maskz_loadu_ps(m, x + i), vlo, vhi));
  }
}

}  // namespace

LABELITE_AVX512 void SigmoidRowF32Avx512(const float* in, float* out, size_t n) {
  Row<false>(in, out, n, 0.0f, 0.0f);
}

LABELITE_AVX512 void SwishRowF32Avx512(const float* x, float* out, size_t n, float lo, float hi) {
  Row<true>(x, out, n, lo, hi);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
