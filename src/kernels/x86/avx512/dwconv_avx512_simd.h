// Internal to DwConvAvx512: AVX-512 helpers shared by dwconv_avx512_rows.cc and
// dwconv_avx512_s2.cc, the only files that include this header (and are compiled for it).
#ifndef LABELITE_KERNELS_X86_AVX512_DWCONV_AVX512_SIMD_H_
#define LABELITE_KERNELS_X86_AVX512_DWCONV_AVX512_SIMD_H_

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>

// Only the functions marked LABELITE_AVX512 use AVX-512; the rest of the build stays generic.
#define LABELITE_AVX512 \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")))

namespace labelite::xnn::dwconv {

// VPERMT2B index pairing rows a and b channel by channel (16-bit [a, b]) so that VPUNPCKLWD /
// VPUNPCKHWD of two such pairs (rows 0,1 and rows 2,3) give blocks 2 * half and 2 * half + 1 in
// channel order: 128-bit lane k holds channels 4k..4k+3 in words 0-3, 16+4k..16+4k+3 in 4-7.
constexpr std::array<uint8_t, 64> PairIndex(int half) {
  std::array<uint8_t, 64> idx{};
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 8; ++j) {
      const int ch = 32 * half + (j < 4 ? 4 * k + j : 16 + 4 * k + j - 4);
      idx[2 * (8 * k + j)] = static_cast<uint8_t>(ch);
      idx[2 * (8 * k + j) + 1] = static_cast<uint8_t>(64 + ch);
    }
  return idx;
}
inline constexpr std::array<uint8_t, 64> kPairLo = PairIndex(0), kPairHi = PairIndex(1);

// A row's 64 channels (masked: the valid ones, zeros beyond), int8 flipped to unsigned.
template <bool kMasked>
LABELITE_AVX512 __attribute__((always_inline)) inline __m512i LoadRow(const uint8_t* p,
                                                                        uint64_t mask,
                                                                        __m512i flip) {
  const __m512i v = kMasked ? _mm512_maskz_loadu_epi8(mask, p) : _mm512_loadu_si512(p);
  return _mm512_xor_si512(v, flip);
}

// acc += 4-byte dot products of unsigned `a` and signed `b`. Written as asm because GCC 12
// copies every accumulator of the intrinsic's loop twice per iteration.
LABELITE_AVX512 inline void Dpbusd(__m512i& acc, __m512i a, __m512i b) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "vm"(b));
}

// Requantization clamps the top in float (so the conversion cannot overflow) and the bottom
// after rounding, as XNNPACK does.
LABELITE_AVX512 __attribute__((always_inline)) inline void RequantizeOne(
    __m512i acc, __m512 scale, __m512 hi, __m512i lo, __m512i zp, __mmask16 mask,
    uint8_t* out) {
  const __m512 f = _mm512_min_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale), hi);
  const __m512i q = _mm512_add_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(f), lo), zp);
  // VPMOVDB to a register, then a store: faster than VPMOVDB to memory on Zen 4.
  _mm_mask_storeu_epi8(out, mask, _mm512_cvtepi32_epi8(q));
}

}  // namespace labelite::xnn::dwconv

#endif  // defined(__x86_64__)

#endif  // LABELITE_KERNELS_X86_AVX512_DWCONV_AVX512_SIMD_H_
