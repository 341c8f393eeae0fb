// The AVX-512 parts of DwConvAvx512 (dwconv_avx512.h): stacking input rows into a buffer and
// the register tiles that multiply, accumulate and requantize them (3x3 stride 2:
// dwconv_avx512_s2.cc).
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

constexpr int kMaxTile = 8;  // output pixels per register tile

// `count` positions of one group of 4 rows, all inside the image: T of kBlocks blocks.
template <int kBlocks, bool kMasked>
LABELITE_AVX512 void StackInside(const uint8_t* const* rows, const size_t* steps, size_t x,
                                 size_t count, uint64_t mask, __m512i flip, uint8_t* t,
                                 size_t t_block) {
  const __m512i lo = _mm512_loadu_si512(kPairLo.data());
  const __m512i hi = _mm512_loadu_si512(kPairHi.data());
  const size_t s0 = steps[0], s1 = steps[1], s2 = steps[2], s3 = steps[3];
  const uint8_t* r0 = rows[0] + x * s0;
  const uint8_t* r1 = rows[1] + x * s1;
  const uint8_t* r2 = rows[2] + x * s2;
  const uint8_t* r3 = rows[3] + x * s3;
  for (size_t i = 0; i < count; ++i, r0 += s0, r1 += s1, r2 += s2, r3 += s3, t += 64) {
    const __m512i a = LoadRow<kMasked>(r0, mask, flip), b = LoadRow<kMasked>(r1, mask, flip);
    const __m512i c = LoadRow<kMasked>(r2, mask, flip), d = LoadRow<kMasked>(r3, mask, flip);
    const __m512i ab = _mm512_permutex2var_epi8(a, lo, b);
    const __m512i cd = _mm512_permutex2var_epi8(c, lo, d);
    _mm512_store_si512(t, _mm512_unpacklo_epi16(ab, cd));
    if (kBlocks > 1) _mm512_store_si512(t + t_block, _mm512_unpackhi_epi16(ab, cd));
    if (kBlocks > 2) {
      const __m512i ab1 = _mm512_permutex2var_epi8(a, hi, b);
      const __m512i cd1 = _mm512_permutex2var_epi8(c, hi, d);
      _mm512_store_si512(t + 2 * t_block, _mm512_unpacklo_epi16(ab1, cd1));
      if (kBlocks > 3) _mm512_store_si512(t + 3 * t_block, _mm512_unpackhi_epi16(ab1, cd1));
    }
  }
}

using StackFn = void (*)(const uint8_t* const*, const size_t*, size_t, size_t, uint64_t,
                         __m512i, uint8_t*, size_t);

// The taps of one row group for N output pixels. With the kernel width KW and stride S known
// at compile time, each T vector is loaded once and feeds every (pixel, tap) that reads it;
// KW = 0 takes both from `a` and loads T per (tap, pixel).
template <int N, int KW, int S>
LABELITE_AVX512 __attribute__((always_inline)) inline void Taps(const RowArgs& a,
                                                                 const uint8_t* t,
                                                                 const int8_t* w,
                                                                 __m512i* acc) {
  if constexpr (KW > 0) {
    __m512i wv[KW];
    #pragma GCC unroll 16
    for (int kx = 0; kx < KW; ++kx) wv[kx] = _mm512_loadu_si512(w + 64 * kx);
    #pragma GCC unroll 64
    for (int p = 0; p < (N - 1) * S + KW; ++p) {
      const __m512i tv = _mm512_load_si512(t + 64 * p);
      #pragma GCC unroll 16
      for (int kx = 0; kx < KW; ++kx)
        if (p >= kx && (p - kx) % S == 0 && (p - kx) / S < N)
          Dpbusd(acc[(p - kx) / S], tv, wv[kx]);
    }
  } else {
    for (size_t kx = 0; kx < a.kw; ++kx, w += 64, t += 64) {
      const __m512i wv = _mm512_loadu_si512(w);
      #pragma GCC unroll 16
      for (int n = 0; n < N; ++n) Dpbusd(acc[n], _mm512_load_si512(t + n * a.t_pixel), wv);
    }
  }
}

// The extra (uint8 remainder) vectors of one output row.
template <int N>
LABELITE_AVX512 __attribute__((always_inline)) inline void Extras(const RowArgs& a,
                                                                   const uint8_t* t0,
                                                                   const int8_t* extra_w,
                                                                   const uint32_t* taps,
                                                                   size_t extras, __m512i* acc) {
  for (size_t e = 0; e < extras; ++e) {
    const uint8_t* t = t0 + taps[e] / a.kw * a.t_group + taps[e] % a.kw * 64;
    const __m512i wv = _mm512_loadu_si512(extra_w + 64 * e);
    #pragma GCC unroll 16
    for (int n = 0; n < N; ++n) Dpbusd(acc[n], _mm512_load_si512(t + n * a.t_pixel), wv);
  }
}

template <int N>
LABELITE_AVX512 __attribute__((always_inline)) inline void Requantize(const RowArgs& a,
                                                                       const __m512i* acc,
                                                                       uint8_t* out) {
  const __m512 scale = _mm512_loadu_ps(a.scale);
  const __m512 hi = _mm512_set1_ps(a.hi);
  const __m512i lo = _mm512_set1_epi32(a.lo), zp = _mm512_set1_epi32(a.zero_point);
  const size_t out_pixel = a.out_pixel;  // a local: the stores may alias `a`
  const __mmask16 mask = a.mask;
  #pragma GCC unroll 16
  for (int n = 0; n < N; ++n) RequantizeOne(acc[n], scale, hi, lo, zp, mask, out + n * out_pixel);
}

// N output pixels of one row from `t` to `out`.
template <int N, int KW, int S>
LABELITE_AVX512 __attribute__((always_inline)) inline void Tile(const RowArgs& a,
                                                                 const uint8_t* t0,
                                                                 uint8_t* out) {
  __m512i acc[N];
  const __m512i bias = _mm512_loadu_si512(a.bias);
  #pragma GCC unroll 16
  for (int n = 0; n < N; ++n) acc[n] = bias;
  for (size_t g = a.group_begin; g < a.group_end; ++g)
    Taps<N, KW, S>(a, t0 + g * a.t_group, a.w + g * a.kw * 64, acc);
  Extras<N>(a, t0, a.extra_w, a.extra_taps, a.extras, acc);
  Requantize<N>(a, acc, out);
}

// 3x3 stride 1: N output pixels of both rows of a row set (taps (w0, w1, w2, 0) and
// (0, w0, w1, w2) of the same stacked rows), each T vector loaded once for six taps.
template <int N>
LABELITE_AVX512 __attribute__((always_inline)) inline void TilePair(const RowArgs& a,
                                                                     const uint8_t* t,
                                                                     size_t pixel) {
  __m512i acc0[N], acc1[N];
  const __m512i bias = _mm512_loadu_si512(a.bias);
  #pragma GCC unroll 16
  for (int n = 0; n < N; ++n) acc0[n] = acc1[n] = bias;
  __m512i w0[3], w1[3];
  #pragma GCC unroll 3
  for (int kx = 0; kx < 3; ++kx) {
    w0[kx] = _mm512_loadu_si512(a.w + 64 * kx);
    w1[kx] = _mm512_loadu_si512(a.w1 + 64 * kx);
  }
  #pragma GCC unroll 64
  for (int p = 0; p < N + 2; ++p) {
    const __m512i tv = _mm512_load_si512(t + 64 * p);
    #pragma GCC unroll 3
    for (int kx = 0; kx < 3; ++kx)
      if (p >= kx && p - kx < N) {
        Dpbusd(acc0[p - kx], tv, w0[kx]);
        Dpbusd(acc1[p - kx], tv, w1[kx]);
      }
  }
  Extras<N>(a, t, a.extra_w, a.extra_taps, a.extras, acc0);
  Extras<N>(a, t, a.extra_w1, a.extra_taps1, a.extras1, acc1);
  Requantize<N>(a, acc0, a.out + pixel * a.out_pixel);
  Requantize<N>(a, acc1, a.out1 + pixel * a.out_pixel);
}

template <int KW, int S>
LABELITE_AVX512 void MultiplyRow(const RowArgs& args) {
  const RowArgs a = args;  // a local copy: the output stores cannot alias it
  const uint8_t* t = a.t;
  uint8_t* out = a.out;
  size_t n = 0;
  for (; n + kMaxTile <= a.pixels; n += kMaxTile) {
    Tile<kMaxTile, KW, S>(a, t, out);
    t += kMaxTile * a.t_pixel;
    out += kMaxTile * a.out_pixel;
  }
  switch (a.pixels - n) {
    case 7: Tile<7, KW, S>(a, t, out); break;
    case 6: Tile<6, KW, S>(a, t, out); break;
    case 5: Tile<5, KW, S>(a, t, out); break;
    case 4: Tile<4, KW, S>(a, t, out); break;
    case 3: Tile<3, KW, S>(a, t, out); break;
    case 2: Tile<2, KW, S>(a, t, out); break;
    case 1: Tile<1, KW, S>(a, t, out); break;
    default: break;
  }
}

}  // namespace

LABELITE_AVX512 void StackRows(const StackArgs& s) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(s.flip));
  const __m512i pad = _mm512_set1_epi8(static_cast<char>(s.pad));
  const bool full = s.mask == ~uint64_t{0};
  const StackFn inside = full              ? &StackInside<4, false>
                         : s.blocks == 4   ? &StackInside<4, true>
                         : s.blocks == 3   ? &StackInside<3, true>
                         : s.blocks == 2   ? &StackInside<2, true>
                                           : &StackInside<1, true>;
  for (size_t g = 0; g < s.groups; ++g) {
    uint8_t* t = s.t + g * s.t_group;
    for (size_t b = 0; b < s.blocks; ++b) {
      uint8_t* tb = t + b * s.t_block;
      for (size_t p = s.p0; p < s.x_begin; ++p) _mm512_store_si512(tb + (p - s.p0) * 64, pad);
      for (size_t p = s.x_end; p < s.p1; ++p) _mm512_store_si512(tb + (p - s.p0) * 64, pad);
    }
    if (s.x_end > s.x_begin)
      inside(&s.rows[4 * g], &s.steps[4 * g], s.x_begin - s.pad_left, s.x_end - s.x_begin,
             s.mask, flip, t + (s.x_begin - s.p0) * 64, s.t_block);
  }
}

LABELITE_AVX512 void MultiplyRowPair(const RowArgs& args) {
  const RowArgs a = args;  // a local copy: the output stores cannot alias it
  size_t n = 0;
  for (; n + kMaxTile <= a.pixels; n += kMaxTile) TilePair<kMaxTile>(a, a.t + 64 * n, n);
  const uint8_t* t = a.t + 64 * n;
  switch (a.pixels - n) {
    case 7: TilePair<7>(a, t, n); break;
    case 6: TilePair<6>(a, t, n); break;
    case 5: TilePair<5>(a, t, n); break;
    case 4: TilePair<4>(a, t, n); break;
    case 3: TilePair<3>(a, t, n); break;
    case 2: TilePair<2>(a, t, n); break;
    case 1: TilePair<1>(a, t, n); break;
    default: break;
  }
}

RowFn SelectRow(size_t kw, size_t stride) {
  if (kw == 3 && stride == 1) return &MultiplyRow<3, 1>;
  if (kw == 3 && stride == 2) return &MultiplyRow<3, 2>;
  if (kw == 5 && stride == 1) return &MultiplyRow<5, 1>;
  if (kw == 5 && stride == 2) return &MultiplyRow<5, 2>;
  return &MultiplyRow<0, 0>;
}

}  // namespace labelite::xnn::dwconv
