#include "kernels/xnnpack/vnni_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

// GCC 12 reports its own AVX-512 intrinsics (_mm512_undefined_* operands inside
// _mm512_reduce_add_epi64 and the narrowing converts) as uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// Only the functions marked LABELITE_VNNI use AVX-512; the rest of the build stays generic.
#define LABELITE_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

namespace labelite::xnn {
namespace {

constexpr size_t kChunkRows = 48;  // rows whose input sums are computed together: whole tiles
constexpr size_t kMaxRows = 16;    // the tallest tile (NB = 1)

// Rows per tile for NB vectors: 16 to 24 accumulators (of 32 registers).
constexpr size_t TileRows(size_t nb) { return nb == 1 ? 16 : nb == 2 ? 12 : nb == 3 ? 8 : 6; }

struct TileArgs {
  const uint8_t* a;      // first row of the tile
  size_t a_stride;
  const int8_t* w;       // the block's packed weights
  const int32_t* bias;   // the block's
  const float* scale;
  const int32_t* fix;    // uint8: per-row corrections of the tile, else nullptr
  uint8_t* c;            // first output of the tile and block
  size_t c_stride;
  __mmask64 mask;        // valid output bytes of the block
  size_t k_full, k_tail; // whole groups of 4, then 0..3 bytes (unprepared rows)
  uint32_t flip;         // 0x80808080 for int8 input not yet flipped
  float lo, hi;          // out_min/max - zero point
  int32_t zero_point, out_min, out_max;
  bool is_signed;
  bool clamp_in_float;   // some scale >= 1: clamp the top before converting (see Scale)
};

// 4 bytes in every lane, flipped (int8 to uint8) when `flip` is 0x80 bytes.
LABELITE_VNNI inline __m512i Broadcast4(const uint8_t* p, __m512i flip) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_xor_si512(_mm512_set1_epi32(v), flip);
}

// Sum of n unsigned bytes (the uint8 weight-shift correction).
LABELITE_VNNI int32_t ByteSum(const uint8_t* p, size_t n) {
  __m512i sum = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 64 <= n; i += 64)
    sum = _mm512_add_epi64(sum, _mm512_sad_epu8(_mm512_loadu_si512(p + i), _mm512_setzero_si512()));
  if (i < n) {
    const __m512i tail = _mm512_maskz_loadu_epi8((~0ULL) >> (64 - (n - i)), p + i);
    sum = _mm512_add_epi64(sum, _mm512_sad_epu8(tail, _mm512_setzero_si512()));
  }
  return static_cast<int32_t>(_mm512_reduce_add_epi64(sum));
}

// f = min(float(acc) * scale, hi), rounded to int32 (step 3); without the min when every
// scale is below 1 (then |f| < 2^31 converts exactly and the top is clamped after packing).
LABELITE_VNNI inline __m512i Scale(__m512i acc, const float* scale, __m512 hi, bool clamp) {
  __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_loadu_ps(scale));
  if (clamp) f = _mm512_min_ps(f, hi);
  return _mm512_cvtps_epi32(f);
}

// Requantizes one row of NB vectors and stores its valid bytes (step 4). The accumulators are
// taken by value: through a pointer, GCC keeps the whole tile in memory.
template <int NB>
LABELITE_VNNI inline void StoreRow(__m512i a0, __m512i a1, __m512i a2, __m512i a3,
                                   const TileArgs& t, uint8_t* c) {
  const __m512 hi = _mm512_set1_ps(t.hi);
  if constexpr (NB == 4) {
    const __m512i zp = _mm512_set1_epi16(static_cast<int16_t>(t.zero_point));
    const bool fc = t.clamp_in_float;
    const __m512i p01 = _mm512_adds_epi16(
        _mm512_packs_epi32(Scale(a0, t.scale, hi, fc), Scale(a1, t.scale + 16, hi, fc)), zp);
    const __m512i p23 = _mm512_adds_epi16(
        _mm512_packs_epi32(Scale(a2, t.scale + 32, hi, fc), Scale(a3, t.scale + 48, hi, fc)),
        zp);
    const __m512i lo = _mm512_set1_epi8(static_cast<char>(t.out_min));
    const __m512i top = _mm512_set1_epi8(static_cast<char>(t.out_max));
    const __m512i out =
        t.is_signed ? _mm512_min_epi8(_mm512_max_epi8(_mm512_packs_epi16(p01, p23), lo), top)
                    : _mm512_min_epu8(_mm512_max_epu8(_mm512_packus_epi16(p01, p23), lo), top);
    _mm512_mask_storeu_epi8(c, t.mask, out);
  } else if constexpr (NB == 2) {
    const __m512i zp = _mm512_set1_epi16(static_cast<int16_t>(t.zero_point));
    const bool fc = t.clamp_in_float;
    __m512i p01 = _mm512_adds_epi16(
        _mm512_packs_epi32(Scale(a0, t.scale, hi, fc), Scale(a1, t.scale + 16, hi, fc)), zp);
    p01 = _mm512_max_epi16(p01, _mm512_set1_epi16(static_cast<int16_t>(t.out_min)));
    p01 = _mm512_min_epi16(p01, _mm512_set1_epi16(static_cast<int16_t>(t.out_max)));
    _mm256_mask_storeu_epi8(c, static_cast<__mmask32>(t.mask), _mm512_cvtepi16_epi8(p01));
  } else {
    const __m512 lo = _mm512_set1_ps(t.lo);
    const __m512i zp = _mm512_set1_epi32(t.zero_point);
    const __m512i acc[3] = {a0, a1, a2};
    #pragma GCC unroll 4
    for (int v = 0; v < NB; ++v) {
      __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc[v]), _mm512_loadu_ps(t.scale + 16 * v));
      f = _mm512_min_ps(_mm512_max_ps(f, lo), hi);
      const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(f), zp);
      _mm_mask_storeu_epi8(c + 16 * v, static_cast<__mmask16>(t.mask >> (16 * v)),
                           _mm512_cvtepi32_epi8(q));
    }
  }
}

// One tile: MR rows x NB vectors of 16 output channels.
template <int MR, int NB>
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
  for (size_t kb = 0; kb < t.k_full; ++kb, a += 4, w += 64 * NB) {
    __m512i wv[NB];
    #pragma GCC unroll 4
    for (int v = 0; v < NB; ++v) wv[v] = _mm512_loadu_si512(w + 64 * v);
    #pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m512i av = Broadcast4(a + r * t.a_stride, flip);
      #pragma GCC unroll 4
      for (int v = 0; v < NB; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], av, wv[v]);
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
  const __m512i none = _mm512_setzero_si512();
  #pragma GCC unroll 16
  for (int r = 0; r < MR; ++r)
    StoreRow<NB>(acc[r][0], NB > 1 ? acc[r][NB > 1 ? 1 : 0] : none,
                 NB > 2 ? acc[r][NB > 2 ? 2 : 0] : none, NB > 3 ? acc[r][NB > 3 ? 3 : 0] : none, t,
                 t.c + r * t.c_stride);
}

using TileFn = void (*)(const TileArgs&);

template <int NB, size_t... I>
constexpr std::array<TileFn, kMaxRows> RowsTable(std::index_sequence<I...>) {
  return {(I < TileRows(NB) ? &Tile<static_cast<int>(I < TileRows(NB) ? I + 1 : 1), NB>
                            : nullptr)...};
}
constexpr std::array<std::array<TileFn, kMaxRows>, 4> kTiles = {
    RowsTable<1>(std::make_index_sequence<kMaxRows>()),
    RowsTable<2>(std::make_index_sequence<kMaxRows>()),
    RowsTable<3>(std::make_index_sequence<kMaxRows>()),
    RowsTable<4>(std::make_index_sequence<kMaxRows>())};

// Where channel `i` of a block of `nb` vectors sits: vector g, element e (step 1's interleave).
size_t PackedIndex(size_t i, size_t nb) {
  if (nb != 2 && nb != 4) return i;
  const size_t j = i / (4 * nb), g = (i % (4 * nb)) / 4, r = i % 4;
  return 16 * g + 4 * j + r;
}

// Column blocks for `vectors` vectors of 16 channels: blocks of 4, then the remainder.
std::vector<size_t> BlockSizes(size_t vectors) {
  std::vector<size_t> sizes(vectors / 4, 4);
  if (vectors % 4 != 0) sizes.push_back(vectors % 4);
  return sizes;
}

}  // namespace

bool VnniGemm::Supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

// Steps: the column blocks; per output channel, XNNPACK's float scale and the corrected bias;
// then the weights into each block's [k_groups][NB][16][4] bytes (uint8 shifted to int8).
bool VnniGemm::Pack(const ConvQuant& q, size_t k, size_t n, const void* weights,
                    const int32_t* bias) {
  if (k == 0 || n == 0 || q.kernel_scales.empty() ||
      (q.kernel_scales.size() != 1 && q.kernel_scales.size() != n))
    return false;
  is_signed_ = q.is_signed;
  k_ = k;
  n_ = n;
  k_groups_ = (k + 3) / 4;
  const size_t vectors = (n + 15) / 16;
  blocks_.clear();
  for (size_t nb : BlockSizes(vectors))
    blocks_.push_back({blocks_.empty() ? 0 : blocks_.back().first_vector + blocks_.back().vectors, nb});
  input_factor_ = q.is_signed ? 0 : 128 - q.kernel_zero_point;
  output_zero_point_ = q.output_zero_point;
  output_min_ = q.output_min;
  output_max_ = q.output_max;
  clamp_in_float_ = false;
  out_lo_ = static_cast<float>(q.output_min - q.output_zero_point);
  out_hi_ = static_cast<float>(q.output_max - q.output_zero_point);
  weights_.assign(vectors * k_groups_ * 64, 0);
  bias_.assign(vectors * 16, 0);
  scales_.assign(vectors * 16, 0.0f);
  // uint8: w - kzp = (w - 128) + (128 - kzp); the second term is added at run time.
  const int32_t a_shift = q.is_signed ? q.input_zero_point + 128 : q.input_zero_point;
  for (const Block& b : blocks_) {
    int8_t* block_w = weights_.data() + b.first_vector * k_groups_ * 64;
    for (size_t i = 0; i < 16 * b.vectors && 16 * b.first_vector + i < n; ++i) {
      const size_t ch = 16 * b.first_vector + i;
      const size_t slot = 16 * b.first_vector + PackedIndex(i, b.vectors);
      const float ks = q.kernel_scales[q.kernel_scales.size() == 1 ? 0 : ch];
      const float scale = q.input_scale * ks / q.output_scale;
      if (!(scale >= 0x1.0p-32f && scale < 256.0f)) return false;
      clamp_in_float_ = clamp_in_float_ || scale >= 1.0f;
      scales_[slot] = scale;
      uint32_t sum = 0;  // int32 arithmetic wraps as XNNPACK's does
      const size_t e = PackedIndex(i, b.vectors);
      for (size_t j = 0; j < k; ++j) {
        int32_t w, packed;
        if (q.is_signed) {
          w = packed = static_cast<const int8_t*>(weights)[ch * k + j];
        } else {
          const int32_t u = static_cast<const uint8_t*>(weights)[ch * k + j];
          w = u - q.kernel_zero_point;
          packed = u - 128;
        }
        sum += static_cast<uint32_t>(w);
        block_w[(j / 4) * 64 * b.vectors + (e / 16) * 64 + (e % 16) * 4 + j % 4] =
            static_cast<int8_t>(packed);
      }
      const uint32_t bv = bias != nullptr ? static_cast<uint32_t>(bias[ch]) : 0u;
      bias_[slot] = static_cast<int32_t>(bv - static_cast<uint32_t>(a_shift) * sum);
    }
  }
  return true;
}

// Step 2 for at most kChunkRows rows.
LABELITE_VNNI void VnniGemm::RunChunk(const Rows& rows, size_t block_begin,
                                      size_t block_end) const {
  int32_t fix[kChunkRows];
  if (!is_signed_) {
    const size_t bytes = rows.prepared ? 4 * k_groups_ : k_;
    for (size_t r = 0; r < rows.rows; ++r)
      fix[r] = input_factor_ * ByteSum(rows.a + r * rows.a_stride, bytes);
  }
  TileArgs t{};
  t.a_stride = rows.a_stride;
  t.c_stride = rows.c_stride;
  t.k_full = rows.prepared ? k_groups_ : k_ / 4;
  t.k_tail = rows.prepared ? 0 : k_ % 4;
  t.flip = is_signed_ && !rows.prepared ? 0x80808080u : 0u;
  t.lo = out_lo_;
  t.hi = out_hi_;
  t.zero_point = output_zero_point_;
  t.out_min = output_min_;
  t.out_max = output_max_;
  t.clamp_in_float = clamp_in_float_;
  t.is_signed = is_signed_;
  for (size_t bi = block_begin; bi < block_end; ++bi) {
    const Block& b = blocks_[bi];
    const size_t column = 16 * b.first_vector;
    const size_t columns = std::min(n_ - column, 16 * b.vectors);
    const size_t mr = TileRows(b.vectors);
    t.w = weights_.data() + b.first_vector * k_groups_ * 64;
    t.bias = bias_.data() + column;
    t.scale = scales_.data() + column;
    t.mask = columns >= 64 ? ~0ULL : (1ULL << columns) - 1;
    for (size_t r = 0; r < rows.rows; r += mr) {
      const size_t n = std::min(mr, rows.rows - r);
      t.a = rows.a + r * rows.a_stride;
      t.c = rows.c + r * rows.c_stride + column;
      t.fix = is_signed_ ? nullptr : fix + r;
      kTiles[b.vectors - 1][n - 1](t);
    }
  }
}

void VnniGemm::Run(const Rows& rows, size_t block_begin, size_t block_end) const {
  for (size_t r = 0; r < rows.rows; r += kChunkRows) {
    Rows chunk = rows;
    chunk.a = rows.a + r * rows.a_stride;
    chunk.c = rows.c + r * rows.c_stride;
    chunk.rows = std::min(kChunkRows, rows.rows - r);
    RunChunk(chunk, block_begin, block_end);
  }
}

}  // namespace labelite::xnn
