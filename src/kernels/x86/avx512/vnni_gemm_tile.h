// The micro-kernel of VnniGemm (vnni_gemm.h): one tile of MR rows x NB vectors of 16 output
// channels, accumulated with VPDPBUSD and requantized as XNNPACK's "fp32" kernels (steps 2 to 4
// of vnni_gemm.h), and the table of tiles by (NB, rows). Internal to vnni_gemm.cc.
#ifndef LABELITE_KERNELS_X86_AVX512_VNNI_GEMM_TILE_H_
#define LABELITE_KERNELS_X86_AVX512_VNNI_GEMM_TILE_H_

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

// GCC 12 reports its own AVX-512 intrinsics (_mm512_undefined_* operands inside the narrowing
// converts and masked forms) as uninitialized: a false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning group
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// Only the functions marked LABELITE_VNNI use AVX-512; the rest of the build stays generic.
#define LABELITE_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

namespace labelite::xnn::vnni_tile {

constexpr size_t kMaxRows = 16;  // the tallest tile (NB = 1)

// A block's first tile prefetches its weights this far ahead: inside a model they come from
// memory (Inception v3 int8 streams 23 MB per invoke), and the hardware prefetcher alone left the
// tiles waiting. Measured on Zen 5, inception_v3 int8 at 1 thread: 2 KB 0.97-0.98x, 4 KB 0.94x,
// 8 KB 0.89-0.91x, 16 KB 0.86-0.89x, 32 KB 0.91x (2 threads at 16 KB: 0.97x).
constexpr size_t kPrefetchBytes = 16384;

// Rows per tile for NB vectors: 16 to 24 accumulators (of 32 registers). Not 12 x 2: its 12 row
// addresses spill general registers in the k loop (measured 4-8% slower than 8 x 2).
constexpr size_t TileRows(size_t nb) { return nb == 1 ? 16 : nb == 2 ? 8 : nb == 3 ? 8 : 6; }

struct TileArgs {
  const uint8_t* a;  // first row of the tile
  size_t a_stride;
  const int8_t* w;      // the block's packed weights
  const int32_t* bias;  // the block's
  const float* scale;
  const int32_t* fix;  // uint8: per-row corrections of the tile, else nullptr
  uint8_t* c;          // first output of the tile and block
  size_t c_stride;
  __mmask64 mask;         // valid output bytes of the block
  size_t k_full, k_tail;  // whole groups of 4, then 0..3 bytes (unprepared rows)
  // Segmented tiles: K in `segments` pieces of k_full groups each, piece s of row r at
  // a + r * a_stride + s * segment_stride (a convolution's kernel rows in a padded copy of
  // the image, see conv_vnni.h).
  size_t segments;
  size_t segment_stride;
  bool prefetch;  // the block's first tile: fetch its weights ahead (they come from memory)
  uint32_t flip;          // 0x80808080 for int8 input not yet flipped
  float lo, hi;           // out_min/max - zero point
  int32_t zero_point, out_min, out_max;
  bool is_signed;
  bool clamp_in_float;  // some scale >= 1: clamp the top before converting (see Scale)
};

// 4 bytes in every lane, flipped (int8 to uint8) with `flip` (0x80 bytes) when kFlip.
template <bool kFlip>
LABELITE_VNNI inline __m512i Broadcast4(const uint8_t* p, __m512i flip) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return kFlip ? _mm512_xor_si512(_mm512_set1_epi32(v), flip) : _mm512_set1_epi32(v);
}
// The requantization constants of a tile (steps 3 and 4).
struct Requant {
  __m512 hi, lo;         // out_max/min - zero point, as floats
  __m512i zp16;          // zero point, int16 lanes
  __m512i max8, min8;    // out_max, out_min bytes
  __m512i max16, min16;  // out_max, out_min int16 lanes
  __m512i zp32;          // zero point, int32 lanes
  bool clamp_in_float, is_signed;

  LABELITE_VNNI explicit Requant(const TileArgs& t)
      : hi(_mm512_set1_ps(t.hi)),
        lo(_mm512_set1_ps(t.lo)),
        zp16(_mm512_set1_epi16(static_cast<int16_t>(t.zero_point))),
        max8(_mm512_set1_epi8(static_cast<char>(t.out_max))),
        min8(_mm512_set1_epi8(static_cast<char>(t.out_min))),
        max16(_mm512_set1_epi16(static_cast<int16_t>(t.out_max))),
        min16(_mm512_set1_epi16(static_cast<int16_t>(t.out_min))),
        zp32(_mm512_set1_epi32(t.zero_point)),
        clamp_in_float(t.clamp_in_float),
        is_signed(t.is_signed) {}

  // f = min(float(acc) * scale, hi), rounded to int32 (step 3); without the min when every
  // scale is below 1 (then |f| < 2^31 converts exactly and the top is clamped after packing).
  LABELITE_VNNI __m512i Scale(__m512i acc, const float* scale) const {
    __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_loadu_ps(scale));
    if (clamp_in_float) f = _mm512_min_ps(f, hi);
    return _mm512_cvtps_epi32(f);
  }
  // Two vectors (scaled by sa, sb) to 32 int16 with saturation, + zero point with saturation.
  LABELITE_VNNI __m512i Pack16(__m512i a, __m512i b, const float* sa, const float* sb) const {
    return _mm512_adds_epi16(_mm512_packs_epi32(Scale(a, sa), Scale(b, sb)), zp16);
  }
  // Two int16 vectors to 64 bytes with saturation, clamped to [out_min, out_max].
  LABELITE_VNNI __m512i Pack8(__m512i a, __m512i b) const {
    return is_signed ? _mm512_min_epi8(_mm512_max_epi8(_mm512_packs_epi16(a, b), min8), max8)
                     : _mm512_min_epu8(_mm512_max_epu8(_mm512_packus_epi16(a, b), min8), max8);
  }
  // One vector alone: clamped in float on both sides, + zero point, 16 bytes.
  LABELITE_VNNI __m128i Vector(__m512i acc, const float* scale) const {
    __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_loadu_ps(scale));
    f = _mm512_min_ps(_mm512_max_ps(f, lo), hi);
    return _mm512_cvtepi32_epi8(_mm512_add_epi32(_mm512_cvtps_epi32(f), zp32));
  }
};

// Step 4 per block width, storing the valid bytes. The accumulators are taken by value:
// through a pointer, GCC keeps the whole tile in memory.
// NB = 4: one row, 64 channels in order thanks to the packing's interleave.
LABELITE_VNNI inline void Store4(__m512i a0, __m512i a1, __m512i a2, __m512i a3, const Requant& q,
                                 const TileArgs& t, uint8_t* c) {
  const __m512i out = q.Pack8(q.Pack16(a0, a1, t.scale, t.scale + 16),
                              q.Pack16(a2, a3, t.scale + 32, t.scale + 48));
  _mm512_mask_storeu_epi8(c, t.mask, out);
}
// NB = 2, two rows: their 8-byte groups alternate after the byte pack; VPERMQ sorts them.
LABELITE_VNNI inline void Store2x2(__m512i r0a, __m512i r0b, __m512i r1a, __m512i r1b,
                                   const Requant& q, const TileArgs& t, uint8_t* c0, uint8_t* c1) {
  const __m512i mixed =
      q.Pack8(q.Pack16(r0a, r0b, t.scale, t.scale + 16), q.Pack16(r1a, r1b, t.scale, t.scale + 16));
  const __m512i out = _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7), mixed);
  _mm256_mask_storeu_epi8(c0, static_cast<__mmask32>(t.mask), _mm512_castsi512_si256(out));
  _mm256_mask_storeu_epi8(c1, static_cast<__mmask32>(t.mask), _mm512_extracti64x4_epi64(out, 1));
}
// NB = 2, one row.
LABELITE_VNNI inline void Store2(__m512i a, __m512i b, const Requant& q, const TileArgs& t,
                                 uint8_t* c) {
  __m512i p = q.Pack16(a, b, t.scale, t.scale + 16);
  p = _mm512_min_epi16(_mm512_max_epi16(p, q.min16), q.max16);
  _mm256_mask_storeu_epi8(c, static_cast<__mmask32>(t.mask), _mm512_cvtepi16_epi8(p));
}
// NB = 1, four rows: their 4-byte groups interleave after the packs; VPERMD transposes them.
LABELITE_VNNI inline void Store1x4(__m512i r0, __m512i r1, __m512i r2, __m512i r3, const Requant& q,
                                   const TileArgs& t, uint8_t* c, size_t stride) {
  const __m512i mixed =
      q.Pack8(q.Pack16(r0, r1, t.scale, t.scale), q.Pack16(r2, r3, t.scale, t.scale));
  const __m512i out = _mm512_permutexvar_epi32(
      _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), mixed);
  const auto m = static_cast<__mmask16>(t.mask);
  _mm_mask_storeu_epi8(c, m, _mm512_castsi512_si128(out));
  _mm_mask_storeu_epi8(c + stride, m, _mm512_extracti32x4_epi32(out, 1));
  _mm_mask_storeu_epi8(c + 2 * stride, m, _mm512_extracti32x4_epi32(out, 2));
  _mm_mask_storeu_epi8(c + 3 * stride, m, _mm512_extracti32x4_epi32(out, 3));
}

// One tile: MR rows x NB vectors of 16 output channels. kFlip: int8 rows not yet flipped to
// uint8 (t.flip is 0x80 bytes); prepared or uint8 rows skip the XOR (one vector operation per
// row and k step, as many as the VPDPBUSDs when NB is 1).
template <int MR, int NB, bool kFlip, bool kSegments = false>
LABELITE_VNNI void Tile(const TileArgs& t) {
  __m512i acc[MR][NB];
  #pragma GCC unroll 4
  for (int v = 0; v < NB; ++v) {
    const __m512i b = _mm512_loadu_si512(t.bias + 16 * v);
    #pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
      acc[r][v] = t.fix != nullptr ? _mm512_add_epi32(b, _mm512_set1_epi32(t.fix[r])) : b;
  }
  const __m512i flip = _mm512_set1_epi32(static_cast<int32_t>(t.flip));
  const uint8_t* a = t.a;
  const int8_t* w = t.w;
  const size_t segments = kSegments ? t.segments : 1;  // one pass when not kSegments
  for (size_t s = 0; s < segments; ++s) {
    if constexpr (kSegments) a = t.a + s * t.segment_stride;
    for (size_t kb = 0; kb < t.k_full; ++kb, a += 4, w += 64 * NB) {
      __m512i wv[NB];
      #pragma GCC unroll 4
      for (int v = 0; v < NB; ++v) wv[v] = _mm512_loadu_si512(w + 64 * v);
      if (t.prefetch) {
        #pragma GCC unroll 4
        for (int v = 0; v < NB; ++v)
          _mm_prefetch(reinterpret_cast<const char*>(w) + 64 * v + kPrefetchBytes, _MM_HINT_T0);
      }
      #pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        const __m512i av = Broadcast4<kFlip>(a + r * t.a_stride, flip);
        #pragma GCC unroll 4
        for (int v = 0; v < NB; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], av, wv[v]);
      }
    }
  }
  if (t.k_tail != 0) {  // padded weights are zero
    __m512i wv[NB];
    #pragma GCC unroll 4
    for (int v = 0; v < NB; ++v) wv[v] = _mm512_loadu_si512(w + 64 * v);
    const __mmask16 tail = static_cast<__mmask16>((1u << t.k_tail) - 1);
    #pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      // Flipped zeros meet zero weights. (A masked load, not memcpy: a call spills the tile.)
      const __m512i av = _mm512_xor_si512(
          _mm512_broadcastd_epi32(_mm_maskz_loadu_epi8(tail, a + r * t.a_stride)), flip);
      #pragma GCC unroll 4
      for (int v = 0; v < NB; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], av, wv[v]);
    }
  }
  // An empty asm per accumulator ends the accumulation: without it GCC 12 lets the
  // requantization's register pressure spill accumulators inside the k loop above.
  #pragma GCC unroll 16
  for (int r = 0; r < MR; ++r)
    #pragma GCC unroll 4
    for (int v = 0; v < NB; ++v) __asm__("" : "+v"(acc[r][v]));
  const Requant q(t);
  if constexpr (NB == 4) {
    #pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
      Store4(acc[r][0], acc[r][NB - 3], acc[r][NB - 2], acc[r][NB - 1], q, t, t.c + r * t.c_stride);
  } else if constexpr (NB == 2) {
    #pragma GCC unroll 16
    for (int r = 0; r + 1 < MR; r += 2)
      Store2x2(acc[r][0], acc[r][NB - 1], acc[r + 1][0], acc[r + 1][NB - 1], q, t,
               t.c + r * t.c_stride, t.c + (r + 1) * t.c_stride);
    if constexpr (MR % 2 != 0)
      Store2(acc[MR - 1][0], acc[MR - 1][NB - 1], q, t, t.c + (MR - 1) * t.c_stride);
  } else {
    int r = 0;
    if constexpr (NB == 1) {
      #pragma GCC unroll 16
      for (; r + 3 < MR; r += 4)
        Store1x4(acc[r][0], acc[r + 1][0], acc[r + 2][0], acc[r + 3][0], q, t, t.c + r * t.c_stride,
                 t.c_stride);
    }
    #pragma GCC unroll 16
    for (; r < MR; ++r)
      #pragma GCC unroll 4
      for (int v = 0; v < NB; ++v)
        _mm_mask_storeu_epi8(t.c + r * t.c_stride + 16 * v,
                             static_cast<__mmask16>(t.mask >> (16 * v)),
                             q.Vector(acc[r][v], t.scale + 16 * v));
  }
}

using TileFn = void (*)(const TileArgs&);

template <int NB, bool kFlip, bool kSegments, size_t... I>
constexpr std::array<TileFn, kMaxRows> RowsTable(std::index_sequence<I...>) {
  return {(I < TileRows(NB)
               ? &Tile<static_cast<int>(I < TileRows(NB) ? I + 1 : 1), NB, kFlip, kSegments>
               : nullptr)...};
}
template <bool kFlip, bool kSegments>
inline constexpr std::array<std::array<TileFn, kMaxRows>, 4> kTileTable = {
    RowsTable<1, kFlip, kSegments>(std::make_index_sequence<kMaxRows>()),
    RowsTable<2, kFlip, kSegments>(std::make_index_sequence<kMaxRows>()),
    RowsTable<3, kFlip, kSegments>(std::make_index_sequence<kMaxRows>()),
    RowsTable<4, kFlip, kSegments>(std::make_index_sequence<kMaxRows>())};
// kTiles[flip][NB - 1][rows - 1]; kSegmentTiles[NB - 1][rows - 1] (prepared rows in segments)
inline constexpr std::array<std::array<std::array<TileFn, kMaxRows>, 4>, 2> kTiles = {
    kTileTable<false, false>, kTileTable<true, false>};
inline constexpr std::array<std::array<TileFn, kMaxRows>, 4> kSegmentTiles =
    kTileTable<false, true>;
}  // namespace labelite::xnn::vnni_tile

#pragma GCC diagnostic pop

#endif  // defined(__x86_64__)

#endif  // LABELITE_KERNELS_X86_AVX512_VNNI_GEMM_TILE_H_
