// 3x3 stride 2 of DwConvAvx512 (dwconv_avx512.h): stacking in registers, see MultiplyRowS2.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels/x86/avx512/dwconv_avx512_rows.h"

// GCC 12 reports its own AVX-512 intrinsics (_mm512_undefined_* operands of the casts and
// masked loads) as uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning group
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kernels/x86/avx512/dwconv_avx512_simd.h"

namespace labelite::xnn::dwconv {
namespace {

// 3x3 stride 2, N output pixels from x0, NB blocks: per position, T for the blocks from
// three row loads (the fourth row slot has zero weights), each T into the (pixel, tap) pairs
// that read it. kEdge selects padding columns per position; otherwise all lie in the image.
template <int N, int NB, bool kMasked, bool kEdge, bool kExtras>
LABELITE_AVX512 __attribute__((always_inline)) inline void TileS2(const RowS2Args& a,
                                                                   size_t x0) {
  __m512i acc[NB][N];
  #pragma GCC unroll 4
  for (int b = 0; b < NB; ++b) {
    const __m512i bias = _mm512_loadu_si512(a.bias + 16 * b);
    #pragma GCC unroll 8
    for (int n = 0; n < N; ++n) acc[b][n] = bias;
  }
  const __m512i lo = _mm512_loadu_si512(kPairLo.data());
  const __m512i hi = _mm512_loadu_si512(kPairHi.data());
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(a.flip));
  const ptrdiff_t col0 = static_cast<ptrdiff_t>(2 * x0) - static_cast<ptrdiff_t>(a.pad_left);
  #pragma GCC unroll 16
  for (int p = 0; p < 2 * N + 1; ++p) {
    const ptrdiff_t col = col0 + p;
    const bool inside = !kEdge || (col >= 0 && col < static_cast<ptrdiff_t>(a.in_w));
    __m512i v[3];
    #pragma GCC unroll 3
    for (int r = 0; r < 3; ++r) {
      const uint8_t* src = inside ? a.rows[r] + static_cast<size_t>(col) * a.steps[r] : a.pad;
      v[r] = LoadRow<kMasked>(src, a.mask, flip);
    }
    __m512i t[4];
    const __m512i ab = _mm512_permutex2var_epi8(v[0], lo, v[1]);
    const __m512i c = _mm512_permutex2var_epi8(v[2], lo, v[2]);
    t[0] = _mm512_unpacklo_epi16(ab, c);
    if (NB > 1) t[1] = _mm512_unpackhi_epi16(ab, c);
    if (NB > 2) {
      const __m512i ab1 = _mm512_permutex2var_epi8(v[0], hi, v[1]);
      const __m512i c1 = _mm512_permutex2var_epi8(v[2], hi, v[2]);
      t[2] = _mm512_unpacklo_epi16(ab1, c1);
      if (NB > 3) t[3] = _mm512_unpackhi_epi16(ab1, c1);
    }
    #pragma GCC unroll 4
    for (int b = 0; b < NB; ++b)
      #pragma GCC unroll 3
      for (int kx = 0; kx < 3; ++kx) {
        if (p < kx || (p - kx) % 2 != 0 || (p - kx) / 2 >= N) continue;
        __m512i& sum = acc[b][(p - kx) / 2];
        Dpbusd(sum, t[b], _mm512_loadu_si512(a.w + (3 * b + kx) * 64));
        if (kExtras)
          for (size_t e = 0; e < a.extras[b]; ++e)
            if (a.extra_taps[b][e] == static_cast<uint32_t>(kx))
              Dpbusd(sum, t[b], _mm512_loadu_si512(a.extra_w[b] + 64 * e));
      }
  }
  const __m512 hf = _mm512_set1_ps(a.hi);
  const __m512i lov = _mm512_set1_epi32(a.lo), zp = _mm512_set1_epi32(a.zero_point);
  #pragma GCC unroll 4
  for (int b = 0; b < NB; ++b) {
    const __m512 scale = _mm512_loadu_ps(a.scale + 16 * b);
    const __mmask16 mask = static_cast<__mmask16>(a.mask >> (16 * b));
    #pragma GCC unroll 8
    for (int n = 0; n < N; ++n)
      RequantizeOne(acc[b][n], scale, hf, lov, zp, mask,
                    a.out + (x0 + n) * a.channel_stride + 16 * b);
  }
}

// Tiles of N pixels from x0 to x1, each in its own function: inlined together, GCC keeps the
// constants of every tile variant live and spills the accumulators of the main loop.
template <int N, int NB, bool kMasked, bool kEdge, bool kExtras>
LABELITE_AVX512 __attribute__((noinline)) void TilesS2(const RowS2Args& a, size_t x0,
                                                        size_t x1) {
  for (size_t x = x0; x + N <= x1; x += N) TileS2<N, NB, kMasked, kEdge, kExtras>(a, x);
}

// Pixels whose 3 input columns all lie in the image in tiles of 4 (then 3, 2, 1), the others
// (at most one per side for SAME padding) alone with padding columns selected per position.
template <int NB, bool kMasked, bool kExtras>
LABELITE_AVX512 void RowS2(const RowS2Args& args) {
  const RowS2Args a = args;  // a local copy: the output stores cannot alias it
  size_t x = 0;
  while (x < a.out_w && 2 * x < a.pad_left) ++x;
  TilesS2<1, NB, kMasked, true, kExtras>(a, 0, x);
  // Inside: 2x + 2 - pad_left < in_w.
  const size_t limit = a.in_w + a.pad_left >= 3 ? (a.in_w + a.pad_left - 3) / 2 + 1 : 0;
  const size_t inside_end = std::max(x, std::min(a.out_w, limit));
  const size_t tiles_end = x + (inside_end - x) / 4 * 4;
  TilesS2<4, NB, kMasked, false, kExtras>(a, x, tiles_end);
  switch (inside_end - tiles_end) {
    case 3: TilesS2<3, NB, kMasked, false, kExtras>(a, tiles_end, inside_end); break;
    case 2: TilesS2<2, NB, kMasked, false, kExtras>(a, tiles_end, inside_end); break;
    case 1: TilesS2<1, NB, kMasked, false, kExtras>(a, tiles_end, inside_end); break;
    default: break;
  }
  TilesS2<1, NB, kMasked, true, kExtras>(a, inside_end, a.out_w);
}

template <bool kExtras>
LABELITE_AVX512 void RowS2Blocks(const RowS2Args& a) {
  if (a.mask == ~uint64_t{0}) return RowS2<4, false, kExtras>(a);
  switch (a.blocks) {
    case 4: RowS2<4, true, kExtras>(a); break;
    case 3: RowS2<3, true, kExtras>(a); break;
    case 2: RowS2<2, true, kExtras>(a); break;
    default: RowS2<1, true, kExtras>(a); break;
  }
}

}  // namespace

LABELITE_AVX512 void MultiplyRowS2(const RowS2Args& a) {
  // uint8 remainders (extra vectors) are rare: most groups run without looking for them.
  if (a.extras[0] + a.extras[1] + a.extras[2] + a.extras[3] == 0)
    RowS2Blocks<false>(a);
  else
    RowS2Blocks<true>(a);
}

}  // namespace labelite::xnn::dwconv
