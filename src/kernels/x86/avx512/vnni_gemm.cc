#include "kernels/x86/avx512/vnni_gemm.h"

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "kernels/fast/isa.h"
#include "kernels/x86/avx512/vnni_gemm_tile.h"

// GCC 12 reports its own AVX-512 intrinsics (_mm512_undefined_* operands inside
// _mm512_reduce_add_epi64) as uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning group
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace labelite::xnn {
namespace {

using vnni_tile::kSegmentTiles;
using vnni_tile::kTiles;
using vnni_tile::TileArgs;
using vnni_tile::TileRows;

constexpr size_t kChunkRows = 48;  // rows whose input sums are computed together: whole tiles

// Per 64-bit lane, sums of 8 of the n bytes at p (VPSADBW against zero).
LABELITE_VNNI inline __m512i SadRow(const uint8_t* p, size_t n) {
  __m512i sum = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 64 <= n; i += 64)
    sum = _mm512_add_epi64(sum, _mm512_sad_epu8(_mm512_loadu_si512(p + i), _mm512_setzero_si512()));
  if (i < n) {
    const __m512i tail = _mm512_maskz_loadu_epi8((~0ULL) >> (64 - (n - i)), p + i);
    sum = _mm512_add_epi64(sum, _mm512_sad_epu8(tail, _mm512_setzero_si512()));
  }
  return sum;
}

// The byte sums of 4 rows of n bytes (the uint8 weight-shift correction), reduced together:
// pairs of rows share 64-bit lanes, two rows' pairs share 32-bit halves, then 128-bit lanes add.
LABELITE_VNNI inline __m128i ByteSums4(const uint8_t* p, size_t stride, size_t n) {
  const __m512i s0 = SadRow(p, n), s1 = SadRow(p + stride, n);
  const __m512i s2 = SadRow(p + 2 * stride, n), s3 = SadRow(p + 3 * stride, n);
  const __m512i p01 =
      _mm512_add_epi64(_mm512_unpacklo_epi64(s0, s1), _mm512_unpackhi_epi64(s0, s1));
  const __m512i p23 =
      _mm512_add_epi64(_mm512_unpacklo_epi64(s2, s3), _mm512_unpackhi_epi64(s2, s3));
  __m512i r = _mm512_or_si512(p01, _mm512_slli_epi64(p23, 32));  // per lane: rows 0, 2, 1, 3
  r = _mm512_add_epi32(r, _mm512_shuffle_i32x4(r, r, 0x4E));
  r = _mm512_add_epi32(r, _mm512_shuffle_i32x4(r, r, 0xB1));
  return _mm_shuffle_epi32(_mm512_castsi512_si128(r), 0xD8);
}

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
  if (ActiveIsa() < IsaLevel::kAvx512) return false;
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

// Steps: the column blocks; per output channel, XNNPACK's float scale and the corrected bias;
// then the weights into each block's [k_groups][NB][16][4] bytes (uint8 shifted to int8).
bool VnniGemm::Pack(const ConvQuant& q, size_t k, size_t n, const void* weights,
                    const int32_t* bias) {
  if (k == 0 || n == 0 || !q.ScalesFit(n))
    return false;
  is_signed_ = q.is_signed;
  k_ = k;
  n_ = n;
  k_groups_ = (k + 3) / 4;
  const size_t vectors = (n + 15) / 16;
  blocks_.clear();
  for (size_t nb : BlockSizes(vectors))
    blocks_.push_back(
        {blocks_.empty() ? 0 : blocks_.back().first_vector + blocks_.back().vectors, nb});
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
  const auto* w8 = static_cast<const uint8_t*>(weights);
  const uint8_t flip = q.is_signed ? 0 : 0x80;  // uint8 u - 128 == int8 bits of u ^ 0x80
  std::vector<const uint8_t*> rows;
  for (const Block& b : blocks_) {
    // Per channel: XNNPACK's float scale and the bias corrected by the weight sum.
    rows.assign(16 * b.vectors, nullptr);
    for (size_t i = 0; i < 16 * b.vectors && 16 * b.first_vector + i < n; ++i) {
      const size_t ch = 16 * b.first_vector + i;
      const size_t e = PackedIndex(i, b.vectors);
      const size_t slot = 16 * b.first_vector + e;
      const float scale = q.RequantizationScale(ch);
      if (!SupportedRequantizationScale(scale)) return false;
      clamp_in_float_ = clamp_in_float_ || scale >= 1.0f;
      scales_[slot] = scale;
      const uint8_t* row = w8 + ch * k;
      rows[e] = row;
      uint32_t sum = 0;  // int32 arithmetic wraps as XNNPACK's does
      if (q.is_signed) {
        for (size_t j = 0; j < k; ++j) sum += static_cast<uint32_t>(static_cast<int8_t>(row[j]));
      } else {
        for (size_t j = 0; j < k; ++j) sum += row[j];
        sum -= static_cast<uint32_t>(k) * static_cast<uint32_t>(q.kernel_zero_point);
      }
      const uint32_t bv = bias != nullptr ? static_cast<uint32_t>(bias[ch]) : 0u;
      bias_[slot] = static_cast<int32_t>(bv - static_cast<uint32_t>(a_shift) * sum);
    }
    // The weights in destination order: group g holds 4 bytes of every packed channel e.
    int8_t* out = weights_.data() + b.first_vector * k_groups_ * 64;
    for (size_t g = 0; g < k_groups_; ++g) {
      const size_t j0 = 4 * g, taps = std::min<size_t>(4, k - j0);
      for (size_t e = 0; e < 16 * b.vectors; ++e, out += 4) {
        if (rows[e] == nullptr) continue;  // channel past n: stays zero
        for (size_t t = 0; t < taps; ++t) out[t] = static_cast<int8_t>(rows[e][j0 + t] ^ flip);
      }
    }
  }
  return true;
}

// Step 2 for at most kChunkRows rows.
LABELITE_VNNI void VnniGemm::RunChunk(const Rows& rows, size_t block_begin,
                                      size_t block_end) const {
  alignas(16) int32_t fix[kChunkRows];
  if (!is_signed_) {
    const size_t bytes = rows.prepared ? 4 * k_groups_ : k_;
    const __m128i factor = _mm_set1_epi32(input_factor_);
    size_t r = 0;
    for (; r + 4 <= rows.rows; r += 4)
      _mm_store_si128(
          reinterpret_cast<__m128i*>(fix + r),
          _mm_mullo_epi32(ByteSums4(rows.a + r * rows.a_stride, rows.a_stride, bytes), factor));
    for (; r < rows.rows; ++r) {
      const __m512i sum = SadRow(rows.a + r * rows.a_stride, bytes);
      fix[r] = input_factor_ * static_cast<int32_t>(_mm512_reduce_add_epi64(sum));
    }
  }
  TileArgs t{};
  t.a_stride = rows.a_stride;
  t.c_stride = rows.c_stride;
  t.k_full = (rows.prepared ? k_groups_ : k_ / 4) / rows.segments;
  t.k_tail = rows.prepared ? 0 : k_ % 4;
  t.segments = rows.segments;
  t.segment_stride = rows.segment_stride;
  t.flip = is_signed_ && !rows.prepared ? 0x80808080u : 0u;
  t.lo = out_lo_;
  t.hi = out_hi_;
  t.zero_point = output_zero_point_;
  t.out_min = output_min_;
  t.out_max = output_max_;
  t.clamp_in_float = clamp_in_float_;
  t.is_signed = is_signed_;
  const auto& tiles = rows.segments > 1 ? kSegmentTiles : kTiles[t.flip != 0 ? 1 : 0];
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
      t.prefetch = r == 0;
      tiles[b.vectors - 1][n - 1](t);
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

#endif  // defined(__x86_64__)
