// XNNPACK's "fp32" requantization on AVX2, shared by labelite's AVX2 quantized kernels
// (gemm_avx2.cc, dwconv_avx2.cc): f = float(acc) * scale, f = min(f, out_max - zp), VCVTPS2DQ
// (nearest even; out of range gives INT32_MIN, which the saturating packs and the clamp turn
// into out_min, as XNNPACK's), VPACKSSDW, + zp with int16 saturation, VPACKSSWB / VPACKUSWB,
// clamp to [out_min, out_max]. Internal to kernels/x86/avx2/.
#ifndef LABELITE_KERNELS_X86_AVX2_REQUANT_AVX2_H_
#define LABELITE_KERNELS_X86_AVX2_REQUANT_AVX2_H_

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

// Only the functions marked LABELITE_AVX2 use AVX2; the rest of the build stays generic.
#define LABELITE_AVX2 __attribute__((target("avx2,fma")))

namespace labelite::xnn::avx2 {

struct Requant {
  float hi = 0.0f;  // out_max - zero point
  int32_t zero_point = 0, out_min = 0, out_max = 0;
  bool is_signed = true;
};

// Two vectors of 8 int32 (scaled by scale0, scale1) to 16 int16 + zero point (saturating).
// VPACKSSDW works per 128-bit lane: the result holds acc0[0-3], acc1[0-3], acc0[4-7], acc1[4-7].
LABELITE_AVX2 inline __m256i ScaleToInt16(__m256i acc0, __m256i acc1, const float* scale0,
                                          const float* scale1, const Requant& q) {
  const __m256 hi = _mm256_set1_ps(q.hi);
  const __m256 f0 = _mm256_min_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc0), _mm256_loadu_ps(scale0)), hi);
  const __m256 f1 = _mm256_min_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc1), _mm256_loadu_ps(scale1)), hi);
  const __m256i p = _mm256_packs_epi32(_mm256_cvtps_epi32(f0), _mm256_cvtps_epi32(f1));
  return _mm256_adds_epi16(p, _mm256_set1_epi16(static_cast<int16_t>(q.zero_point)));
}

// Two rows of 16 int16 (in channel order) to clamped bytes: row 0 in the low 16 bytes, row 1
// in the high 16.
LABELITE_AVX2 inline __m256i PackRows(__m256i r0, __m256i r1, const Requant& q) {
  const __m256i lo = _mm256_set1_epi8(static_cast<char>(q.out_min));
  const __m256i hi = _mm256_set1_epi8(static_cast<char>(q.out_max));
  __m256i b;
  if (q.is_signed) {
    b = _mm256_packs_epi16(r0, r1);
    b = _mm256_min_epi8(_mm256_max_epi8(b, lo), hi);
  } else {
    b = _mm256_packus_epi16(r0, r1);
    b = _mm256_min_epu8(_mm256_max_epu8(b, lo), hi);
  }
  return _mm256_permute4x64_epi64(b, 0xD8);
}

// The first `columns` (1..16) bytes of v.
LABELITE_AVX2 inline void Store16(uint8_t* c, __m128i v, size_t columns) {
  if (columns == 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(c), v);
    return;
  }
  // 8, 4, 2 and 1 bytes as the count's bits say (a memcpy call per row cost a 3x3x3 -> 8
  // channels first layer 15% of its time).
  if (columns & 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(c), v);
    v = _mm_srli_si128(v, 8);
    c += 8;
  }
  if (columns & 4) {
    const uint32_t x = static_cast<uint32_t>(_mm_cvtsi128_si32(v));
    std::memcpy(c, &x, 4);
    v = _mm_srli_si128(v, 4);
    c += 4;
  }
  const uint32_t rest = static_cast<uint32_t>(_mm_cvtsi128_si32(v));
  if (columns & 2) {
    const uint16_t x = static_cast<uint16_t>(rest);
    std::memcpy(c, &x, 2);
    c += 2;
  }
  if (columns & 1) *c = static_cast<uint8_t>(columns & 2 ? rest >> 16 : rest);
}

// The output stage of P pixels of 16 channels (acc[p][0]: channels 0-7, acc[p][1]: 8-15, scales
// scale[0..15]): scaled to int16, put in channel order (ScaleToInt16 leaves channels 0-3, 8-11,
// 4-7, 12-15: VPERMQ), packed two pixels at a time, and handed to store(p, bytes) with pixel
// p's 16 bytes. `store` is a functor whose operator() is LABELITE_AVX2 (a lambda's is not).
template <int P, typename StoreRow>
LABELITE_AVX2 inline void RequantizeAndStore(const __m256i (&acc)[P][2], const float* scale,
                                             const Requant& q, const StoreRow& store) {
  __m256i r[P];
#pragma GCC unroll 4
  for (int p = 0; p < P; ++p)
    r[p] = _mm256_permute4x64_epi64(ScaleToInt16(acc[p][0], acc[p][1], scale, scale + 8, q), 0xD8);
  int p = 0;
#pragma GCC unroll 4
  for (; p + 1 < P; p += 2) {
    const __m256i b = PackRows(r[p], r[p + 1], q);
    store(p, _mm256_castsi256_si128(b));
    store(p + 1, _mm256_extracti128_si256(b, 1));
  }
  if constexpr (P % 2 != 0) store(P - 1, _mm256_castsi256_si128(PackRows(r[P - 1], r[P - 1], q)));
}

}  // namespace labelite::xnn::avx2

#endif  // defined(__x86_64__)

#endif  // LABELITE_KERNELS_X86_AVX2_REQUANT_AVX2_H_
