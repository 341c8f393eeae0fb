// int8 SQUARED_DIFFERENCE on AVX-512, 16 elements per step, bit-identical to the reference:
//   1. s1 = scaled1[a], s2 = scaled2[b] (gathers from the prepared 256-entry tables; s2 is one
//      broadcast value when b is broadcast along the row);
//   2. sq = (s1 - s2)^2 (|s1 - s2| < 2^15: fits int32, non-negative);
//   3. gemmlowp's MultiplyByQuantizedMultiplier(sq, M, S) for sq >= 0, M > 0, S <= 0:
//      high = (sq * M + 2^30) >> 31 (64-bit products, even and odd lanes separately), then the
//      rounding right shift by -S: (high >> e) + ((high & mask) > mask / 2);
//   4. + offset, saturated to int8.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include "kernels/x86/squared_difference_x86.h"

// GCC 12 reports operands inside its own AVX-512 intrinsics as uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning group
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#define LABELITE_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

namespace labelite::xnn {
namespace {

// (x * m + 2^30) >> 31 per 32-bit lane, for x >= 0 and 0 < m < 2^31.
LABELITE_AVX512 inline __m512i HighMul(__m512i x, __m512i m) {
  const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i even = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epu32(x, m), nudge), 31);
  const __m512i odd = _mm512_srli_epi64(
      _mm512_add_epi64(_mm512_mul_epu32(_mm512_srli_epi64(x, 32), m), nudge), 31);
  return _mm512_mask_blend_epi32(static_cast<__mmask16>(0xAAAA), even,
                                 _mm512_slli_epi64(odd, 32));
}

}  // namespace

LABELITE_AVX512 int64_t SquaredDifferenceInt8RowAvx512(const SquaredDifferenceInt8Params& p,
                                                       const int8_t* a, const int8_t* b,
                                                       int64_t b_step, int8_t* out, int64_t n) {
  const __m512i m = _mm512_set1_epi32(p.multiplier);
  const int e = -p.shift;
  const __m512i mask = _mm512_set1_epi32(static_cast<int32_t>((int64_t{1} << e) - 1));
  const __m512i threshold = _mm512_srli_epi32(mask, 1);
  const __m512i offset = _mm512_set1_epi32(p.offset);
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i e_count = _mm512_set1_epi32(e);
  const __m512i s2_broadcast = _mm512_set1_epi32(p.scaled2[static_cast<uint8_t>(b[0])]);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i ia = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    const __m512i s1 = _mm512_i32gather_epi32(ia, p.scaled1, 4);
    __m512i s2 = s2_broadcast;
    if (b_step != 0) {
      const __m512i ib =
          _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
      s2 = _mm512_i32gather_epi32(ib, p.scaled2, 4);
    }
    const __m512i d = _mm512_sub_epi32(s1, s2);
    const __m512i high = HighMul(_mm512_mullo_epi32(d, d), m);
    const __m512i rem = _mm512_and_si512(high, mask);
    __m512i v = _mm512_srlv_epi32(high, e_count);
    v = _mm512_mask_add_epi32(v, _mm512_cmpgt_epi32_mask(rem, threshold), v, one);
    v = _mm512_add_epi32(v, offset);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm512_cvtsepi32_epi8(v));
  }
  return i;
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
