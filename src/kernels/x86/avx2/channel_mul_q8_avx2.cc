// uint8 / int8 MUL by a per-channel gate (kernels/fast/channel_mul_q8.h) on AVX2, 32 elements
// a step (16 a step took 8.6 us on EfficientNet-B0's 48x48x32 gate, this 6.6; XNNPACK 13.3).
// The clamp and the rounding as XNNPACK's own x86 kernels do them, which equals the header's
// formula: VCVTPS2DQ rounds half to even (the default MXCSR mode, which labelite never
// changes), then saturating packs to int16, the output zero point added with saturation, packs
// to bytes and the byte clamp: each step is monotone and the bounds lie inside the byte range,
// so clamp(round(v), lo - zp, hi - zp) + zp comes out. The tail (n % 32) runs the header's
// portable loop.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include <cmath>

#include "kernels/fast/channel_mul_q8.h"

namespace labelite::xnn {
namespace {

template <bool kSigned>
__attribute__((target("avx2"))) void Rows(const ChannelMulQ8Params& p, const uint8_t* x,
                                          const float* fy, uint8_t* out, size_t n) {
  const __m256 x_zp = _mm256_set1_ps(static_cast<float>(p.x_zero_point));
  const __m256i out_zp = _mm256_set1_epi16(static_cast<int16_t>(p.out_zero_point));
  const __m256 scale = _mm256_set1_ps(p.scale);
  const int32_t lo = static_cast<int32_t>(p.lo) + p.out_zero_point;
  const int32_t hi = static_cast<int32_t>(p.hi) + p.out_zero_point;
  const __m256i out_lo = _mm256_set1_epi8(static_cast<char>(lo));
  const __m256i out_hi = _mm256_set1_epi8(static_cast<char>(hi));
  // After the in-lane packs the 4-byte groups hold elements 0-3, 8-11, 16-19, 24-27 | 4-7,
  // 12-15, 20-23, 28-31.
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i q[4];
    for (int k = 0; k < 4; ++k) {
      const __m128i b8 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(x + i + 8 * k));
      const __m256i v = kSigned ? _mm256_cvtepi8_epi32(b8) : _mm256_cvtepu8_epi32(b8);
      // x - x_zp is exact in float (|x - x_zp| <= 255), and so is its product with f_y.
      __m256 f = _mm256_sub_ps(_mm256_cvtepi32_ps(v), x_zp);
      f = _mm256_mul_ps(_mm256_mul_ps(f, _mm256_loadu_ps(fy + i + 8 * k)), scale);
      q[k] = _mm256_cvtps_epi32(f);
    }
    const __m256i a = _mm256_adds_epi16(_mm256_packs_epi32(q[0], q[1]), out_zp);
    const __m256i b = _mm256_adds_epi16(_mm256_packs_epi32(q[2], q[3]), out_zp);
    __m256i r;
    if constexpr (kSigned) {
      r = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(a, b), order);
      r = _mm256_min_epi8(_mm256_max_epi8(r, out_lo), out_hi);
    } else {
      r = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(a, b), order);
      r = _mm256_min_epu8(_mm256_max_epu8(r, out_lo), out_hi);
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), r);
  }
  if (i < n) {
    if constexpr (kSigned)
      channel_mul_internal::Row(p, reinterpret_cast<const int8_t*>(x + i), fy + i,
                                reinterpret_cast<int8_t*>(out + i), n - i);
    else
      channel_mul_internal::Row(p, x + i, fy + i, out + i, n - i);
  }
}

}  // namespace

void ChannelMulRowAvx2(const ChannelMulQ8Params& p, bool is_signed, const uint8_t* x,
                       const float* fy, uint8_t* out, size_t n) {
  if (is_signed)
    Rows<true>(p, x, fy, out, n);
  else
    Rows<false>(p, x, fy, out, n);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
