#include "kernels/x86/avx2/gemm_avx2.h"

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>

#include "kernels/fast/isa.h"
#include "kernels/x86/avx2/requant_avx2.h"

namespace labelite::xnn {
namespace {

constexpr size_t kBufferValues = 32768;  // Run's int16 chunk buffer (64 KB, on the stack)
constexpr size_t kMaxChunkRows = 96;
constexpr size_t kMaxK = kBufferValues / Avx2Gemm::kTileRows;  // one tile fits the buffer

// The channel (within its block) that packed slot e holds: vector e / 8, lane e % 8; vector 0
// holds channels 0-3 and 8-11, vector 1 4-7 and 12-15 (step 1 of gemm_avx2.h).
size_t ChannelOfSlot(size_t e) {
  const size_t g = e / 8, j = e % 8;
  return 4 * g + j % 4 + 8 * (j / 4);
}

struct TileArgs {
  const int16_t* a;  // first row of the tile
  size_t a_stride;   // in int16
  const void* w;     // the block's packed weights: int8 or int16 (see Tile's kBytes)
  const int32_t* bias;
  const float* scale;
  uint8_t* c;  // the tile's first row at the block's first channel
  size_t c_stride;
  size_t columns;  // valid channels of the block, 1..16
  size_t k_pairs;
  avx2::Requant q;
  // VNNI tiles: byte rows (a8, a_stride in bytes), k in groups of 4, per-row terms or null.
  const uint8_t* a8;
  size_t k_quads;
  const int32_t* row_terms;
  // Row tiles (one row against several blocks): the distance between blocks' packed weights,
  // in bytes; `columns` then counts from the first block's first channel (may exceed 16).
  size_t block_bytes;
  // Segmented tiles: K in `segments` pieces of k_pairs (k_quads) each, piece s of row r at
  // a + r * a_stride + s * segment_stride (a8 likewise; see Avx2Gemm::Segments).
  size_t segments;
  size_t segment_stride;
  bool prefetch;  // VNNI: the block's first tile fetches the weights ahead
};

// The VNNI tiles' distance, as the AVX-512 tiles' (vnni_gemm_tile.h): inside a model the
// weights come from memory.
constexpr size_t kVnniPrefetchBytes = 16384;

// Row tiles cover this many blocks: 2 x 4 independent accumulator chains where the 1-row tile
// had 2 (a 1-pixel layer or a fully connected one is a matrix-vector product; at 2 chains it ran
// at 0.5-0.6x LiteRT's speed under AVX-VNNI on Zen 5).
constexpr int kRowBlocks = 4;

// One row's 16 int16: the interleaved slots (step 1) make ScaleToInt16's lane-wise pack come
// out in channel order.
LABELITE_AVX2 inline __m256i Row16(const TileArgs& t, __m256i acc0, __m256i acc1) {
  return avx2::ScaleToInt16(acc0, acc1, t.scale, t.scale + 8, t.q);
}

// Weights are prefetched this far ahead of the pair being read: a layer with few output pixels
// streams its weights from memory (inception_v3 int8's 3x3-pixel layers: 0.94x with 2 KB
// against 1 KB, 0.95x for 1 KB against none).
constexpr size_t kPrefetchBytes = 2048;

// The two weight vectors of one pair of k: 32 int16, stored as such or as int8 (VPMOVSXBW).
template <bool kBytes>
LABELITE_AVX2 inline void LoadWeights(const void* w, size_t kp, __m256i* w0, __m256i* w1) {
  if constexpr (kBytes) {
    const auto* p = static_cast<const int8_t*>(w) + 32 * kp;
    _mm_prefetch(reinterpret_cast<const char*>(p) + kPrefetchBytes, _MM_HINT_T0);
    *w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    *w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)));
  } else {
    const auto* p = static_cast<const int16_t*>(w) + 32 * kp;
    _mm_prefetch(reinterpret_cast<const char*>(p) + kPrefetchBytes, _MM_HINT_T0);
    *w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    *w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 16));
  }
}

template <int MR>
LABELITE_AVX2 inline void StoreTile(const TileArgs& t, const __m256i (&acc)[MR][2]);

// One tile: MR rows x 16 channels (step 3, then step 4); weights as int8 when kBytes.
template <int MR, bool kBytes, bool kSegments = false>
LABELITE_AVX2 void Tile(const TileArgs& t) {
  __m256i acc[MR][2];
  const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bias));
  const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bias + 8));
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) acc[r][0] = b0, acc[r][1] = b1;
  const size_t segments = kSegments ? t.segments : 1;  // one pass when not kSegments
  size_t kw = 0;  // pairs of weights read so far
  for (size_t s = 0; s < segments; ++s) {
    const int16_t* a = t.a + s * t.segment_stride;
    for (size_t kp = 0; kp < t.k_pairs; ++kp, ++kw, a += 2) {
      __m256i w0, w1;
      LoadWeights<kBytes>(t.w, kw, &w0, &w1);
#pragma GCC unroll 8
      for (int r = 0; r < MR; ++r) {
        int32_t pair;
        std::memcpy(&pair, a + r * t.a_stride, 4);
        const __m256i av = _mm256_set1_epi32(pair);
        acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(av, w0));
        acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(av, w1));
      }
    }
  }
  StoreTile<MR>(t, acc);
}

// Step 4 for a tile's accumulators.
template <int MR>
LABELITE_AVX2 inline void StoreTile(const TileArgs& t, const __m256i (&acc)[MR][2]) {
  int r = 0;
#pragma GCC unroll 8
  for (; r + 1 < MR; r += 2) {
    const __m256i b =
        avx2::PackRows(Row16(t, acc[r][0], acc[r][1]), Row16(t, acc[r + 1][0], acc[r + 1][1]), t.q);
    avx2::Store16(t.c + r * t.c_stride, _mm256_castsi256_si128(b), t.columns);
    avx2::Store16(t.c + (r + 1) * t.c_stride, _mm256_extracti128_si256(b, 1), t.columns);
  }
  if constexpr (MR % 2 != 0) {
    const __m256i p = Row16(t, acc[MR - 1][0], acc[MR - 1][1]);
    avx2::Store16(t.c + (MR - 1) * t.c_stride, _mm256_castsi256_si128(avx2::PackRows(p, p, t.q)),
                  t.columns);
  }
}

// Step 4 for a row tile: block j's 16 channels from acc[j].
template <int NB>
LABELITE_AVX2 inline void StoreRowTile(const TileArgs& t, const __m256i (&acc)[NB][2]) {
#pragma GCC unroll 4
  for (int j = 0; j < NB; ++j) {
    TileArgs u = t;
    u.scale = t.scale + 16 * j;
    u.c = t.c + 16 * j;
    u.columns = std::min<size_t>(16, t.columns - 16 * j);
    const __m256i one[1][2] = {{acc[j][0], acc[j][1]}};
    StoreTile<1>(u, one);
  }
}

// One row against NB blocks (VPMADDWD).
template <int NB, bool kBytes>
LABELITE_AVX2 void RowTile(const TileArgs& t) {
  __m256i acc[NB][2];
#pragma GCC unroll 4
  for (int j = 0; j < NB; ++j) {
    acc[j][0] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bias + 16 * j));
    acc[j][1] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bias + 16 * j + 8));
  }
  const int16_t* a = t.a;
  for (size_t kp = 0; kp < t.k_pairs; ++kp, a += 2) {
    int32_t pair;
    std::memcpy(&pair, a, 4);
    const __m256i av = _mm256_set1_epi32(pair);
#pragma GCC unroll 4
    for (int j = 0; j < NB; ++j) {
      __m256i w0, w1;
      LoadWeights<kBytes>(static_cast<const char*>(t.w) + j * t.block_bytes, kp, &w0, &w1);
      acc[j][0] = _mm256_add_epi32(acc[j][0], _mm256_madd_epi16(av, w0));
      acc[j][1] = _mm256_add_epi32(acc[j][1], _mm256_madd_epi16(av, w1));
    }
  }
  StoreRowTile<NB>(t, acc);
}

using TileFn = void (*)(const TileArgs&);
constexpr std::array<std::array<TileFn, kRowBlocks>, 2> kRowTiles = {
    {{&RowTile<1, false>, &RowTile<2, false>, &RowTile<3, false>, &RowTile<4, false>},
     {&RowTile<1, true>, &RowTile<2, true>, &RowTile<3, true>, &RowTile<4, true>}}};
constexpr std::array<std::array<TileFn, Avx2Gemm::kTileRows>, 2> kTiles = {
    {{&Tile<1, false>, &Tile<2, false>, &Tile<3, false>, &Tile<4, false>, &Tile<5, false>,
      &Tile<6, false>},
     {&Tile<1, true>, &Tile<2, true>, &Tile<3, true>, &Tile<4, true>, &Tile<5, true>,
      &Tile<6, true>}}};
constexpr std::array<std::array<TileFn, Avx2Gemm::kTileRows>, 2> kSegmentTiles = {
    {{&Tile<1, false, true>, &Tile<2, false, true>, &Tile<3, false, true>,
      &Tile<4, false, true>, &Tile<5, false, true>, &Tile<6, false, true>},
     {&Tile<1, true, true>, &Tile<2, true, true>, &Tile<3, true, true>, &Tile<4, true, true>,
      &Tile<5, true, true>, &Tile<6, true, true>}}};

// VNNI tiles (step 3'): per group of 4 k, one broadcast 4-byte group of the row against the
// two weight vectors, VPDPBUSD (uint8 x int8, 4 products summed into each int32 lane, exact).
// Defined twice: VEX-encoded for AVX-VNNI CPUs, and EVEX-encoded (AVX512-VL VNNI: the same
// arithmetic) so that AVX-512 machines test this code path.
#define LABELITE_VNNI_TILE(Name, kTarget, Dp)                                                \
  template <int MR, bool kSegments = false>                                                  \
  __attribute__((target(kTarget))) void Name(const TileArgs& t) {                           \
    __m256i acc[MR][2];                                                                      \
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bias));        \
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bias + 8));    \
    _Pragma("GCC unroll 8") for (int r = 0; r < MR; ++r) {                                   \
      const __m256i term = _mm256_set1_epi32(t.row_terms != nullptr ? t.row_terms[r] : 0);  \
      acc[r][0] = _mm256_add_epi32(b0, term), acc[r][1] = _mm256_add_epi32(b1, term);       \
    }                                                                                        \
    const auto* w = static_cast<const int8_t*>(t.w);                                        \
    const size_t segments = kSegments ? t.segments : 1;                                      \
    for (size_t s = 0; s < segments; ++s) {                                                  \
      const uint8_t* a = t.a8 + s * t.segment_stride;                                        \
      for (size_t kq = 0; kq < t.k_quads; ++kq, a += 4, w += 64) {                          \
        if (t.prefetch) _mm_prefetch(reinterpret_cast<const char*>(w) + kVnniPrefetchBytes,  \
                                     _MM_HINT_T0);                                           \
        const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));         \
        const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 32));    \
        _Pragma("GCC unroll 8") for (int r = 0; r < MR; ++r) {                               \
          int32_t quad;                                                                      \
          std::memcpy(&quad, a + r * t.a_stride, 4);                                         \
          const __m256i av = _mm256_set1_epi32(quad);                                        \
          acc[r][0] = Dp(acc[r][0], av, w0);                                                 \
          acc[r][1] = Dp(acc[r][1], av, w1);                                                 \
        }                                                                                    \
      }                                                                                      \
    }                                                                                        \
    StoreTile<MR>(t, acc);                                                                   \
  }
// GCC 12 allocates registers badly around the VEX intrinsic (_mm256_dpbusd_avx_epi32): in the
// 6-row tile it moved each accumulator through one register and spilled half of them to the stack
// (perf on Zen 5: a 1x1 layer of K=576 at 137 GMAC/s against LiteRT's 221). The instruction
// itself, accumulating in place, leaves the 12 accumulators in registers.
__attribute__((target("avx2"))) inline __m256i DpbusdVex(__m256i acc, __m256i a, __m256i b) {
  asm("%{vex%} vpdpbusd %2, %1, %0" : "+x"(acc) : "x"(a), "x"(b));
  return acc;
}
LABELITE_VNNI_TILE(TileAvxVnni, "avx2,fma,avxvnni", DpbusdVex)
LABELITE_VNNI_TILE(TileEvexVnni, "avx2,fma,avx512f,avx512vl,avx512vnni", _mm256_dpbusd_epi32)
#undef LABELITE_VNNI_TILE

// One row against NB blocks (VPDPBUSD), as RowTile.
#define LABELITE_VNNI_ROW_TILE(Name, kTarget, Dp)                                            \
  template <int NB>                                                                          \
  __attribute__((target(kTarget))) void Name(const TileArgs& t) {                           \
    __m256i acc[NB][2];                                                                      \
    const __m256i term = _mm256_set1_epi32(t.row_terms != nullptr ? t.row_terms[0] : 0);    \
    _Pragma("GCC unroll 4") for (int j = 0; j < NB; ++j) {                                   \
      const auto* b = reinterpret_cast<const __m256i*>(t.bias + 16 * j);                    \
      acc[j][0] = _mm256_add_epi32(_mm256_loadu_si256(b), term);                             \
      acc[j][1] = _mm256_add_epi32(_mm256_loadu_si256(b + 1), term);                         \
    }                                                                                        \
    const uint8_t* a = t.a8;                                                                 \
    const auto* w = static_cast<const int8_t*>(t.w);                                        \
    for (size_t kq = 0; kq < t.k_quads; ++kq, a += 4, w += 64) {                            \
      int32_t quad;                                                                          \
      std::memcpy(&quad, a, 4);                                                              \
      const __m256i av = _mm256_set1_epi32(quad);                                            \
      _Pragma("GCC unroll 4") for (int j = 0; j < NB; ++j) {                                 \
        const int8_t* wj = w + j * t.block_bytes;                                            \
        acc[j][0] = Dp(acc[j][0], av, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wj))); \
        acc[j][1] =                                                                          \
            Dp(acc[j][1], av, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wj + 32)));  \
      }                                                                                      \
    }                                                                                        \
    StoreRowTile<NB>(t, acc);                                                                \
  }
LABELITE_VNNI_ROW_TILE(RowTileAvxVnni, "avx2,fma,avxvnni", DpbusdVex)
LABELITE_VNNI_ROW_TILE(RowTileEvexVnni, "avx2,fma,avx512f,avx512vl,avx512vnni", _mm256_dpbusd_epi32)
#undef LABELITE_VNNI_ROW_TILE

constexpr std::array<std::array<TileFn, kRowBlocks>, 2> kVnniRowTiles = {
    {{&RowTileAvxVnni<1>, &RowTileAvxVnni<2>, &RowTileAvxVnni<3>, &RowTileAvxVnni<4>},
     {&RowTileEvexVnni<1>, &RowTileEvexVnni<2>, &RowTileEvexVnni<3>, &RowTileEvexVnni<4>}}};

constexpr std::array<std::array<TileFn, Avx2Gemm::kTileRows>, 2> kVnniTiles = {
    {{&TileAvxVnni<1>, &TileAvxVnni<2>, &TileAvxVnni<3>, &TileAvxVnni<4>, &TileAvxVnni<5>,
      &TileAvxVnni<6>},
     {&TileEvexVnni<1>, &TileEvexVnni<2>, &TileEvexVnni<3>, &TileEvexVnni<4>, &TileEvexVnni<5>,
      &TileEvexVnni<6>}}};
constexpr std::array<std::array<TileFn, Avx2Gemm::kTileRows>, 2> kVnniSegmentTiles = {
    {{&TileAvxVnni<1, true>, &TileAvxVnni<2, true>, &TileAvxVnni<3, true>,
      &TileAvxVnni<4, true>, &TileAvxVnni<5, true>, &TileAvxVnni<6, true>},
     {&TileEvexVnni<1, true>, &TileEvexVnni<2, true>, &TileEvexVnni<3, true>,
      &TileEvexVnni<4, true>, &TileEvexVnni<5, true>, &TileEvexVnni<6, true>}}};

std::atomic<int> forced_dot{-1};  // ForceDotForTesting: an Avx2Dot, or -1

}  // namespace

void Avx2Gemm::ForceDotForTesting(std::optional<Avx2Dot> dot) {
  forced_dot = dot.has_value() ? static_cast<int>(*dot) : -1;
}

Avx2Dot Avx2Gemm::ChooseDot() {
  const int forced = forced_dot.load();
  if (forced >= 0) return static_cast<Avx2Dot>(forced);
  return HasAvxVnni() ? Avx2Dot::kAvxVnni : Avx2Dot::kMaddwd;
}

bool Avx2Gemm::Supported() { return ActiveIsa() >= IsaLevel::kAvx2; }

// Steps: per output channel XNNPACK's float scale and the bias in slot order; the weights
// (minus the kernel zero point) into each block's [k_pairs][2][8][2] int16.
bool Avx2Gemm::Pack(const ConvQuant& q, size_t k, size_t n, const void* weights,
                    const int32_t* bias) {
  if (k == 0 || k > kMaxK || n == 0 || !q.ScalesFit(n))
    return false;
  is_signed_ = q.is_signed;
  k_ = k;
  n_ = n;
  k_pairs_ = (k + 1) / 2;
  input_zero_point_ = q.input_zero_point;
  output_zero_point_ = q.output_zero_point;
  output_min_ = q.output_min;
  output_max_ = q.output_max;
  const size_t slots = blocks() * kBlockChannels;
  std::vector<int16_t> w16(slots * 2 * k_pairs_, 0);
  bias_.assign(slots, 0);
  scales_.assign(slots, 0.0f);
  const auto* w8 = static_cast<const uint8_t*>(weights);
  for (size_t b = 0; b < blocks(); ++b)
    for (size_t e = 0; e < kBlockChannels; ++e) {
      const size_t ch = kBlockChannels * b + ChannelOfSlot(e);
      if (ch >= n) continue;  // stays zero
      const size_t slot = kBlockChannels * b + e;
      const float scale = q.RequantizationScale(ch);
      if (!SupportedRequantizationScale(scale)) return false;
      scales_[slot] = scale;
      bias_[slot] = bias != nullptr ? bias[ch] : 0;
      int16_t* out = w16.data() + b * k_pairs_ * 32 + 2 * e;
      for (size_t j = 0; j < k; ++j) {
        const uint8_t v = w8[ch * k + j];
        out[(j / 2) * 32 + j % 2] =
            static_cast<int16_t>(q.is_signed ? static_cast<int8_t>(v) : v - q.kernel_zero_point);
      }
    }
  // Half the weight traffic when every w - w_zp fits int8 (always for int8 weights).
  byte_weights_ = std::all_of(w16.begin(), w16.end(), [](int16_t v) { return v >= -128 && v <= 127; });
  if (byte_weights_) {
    weights8_.assign(w16.begin(), w16.end());
    weights16_.clear();
  } else {
    weights16_ = std::move(w16);
    weights8_.clear();
  }
  dot_ = ChooseDot();
  if (dot_ != Avx2Dot::kMaddwd) PackVnni(q, w8);
  return true;
}

// Step 1': per block and group of 4 k, 64 bytes [vector][slot][4 k] of int8 weights (uint8
// ones minus 128); the bias absorbs the constant terms. With a' the byte VPDPBUSD reads:
//   int8:  a' = a + 128:  sum (a - a_zp) w = sum a' w - (128 + a_zp) sum w
//   uint8: a' = a:        sum (a - a_zp)(w - w_zp) = sum a' (w - 128) + (128 - w_zp) sum a'
//                                                    - a_zp sum (w - w_zp)
// The per-row term (128 - w_zp) * sum a' (uint8) is added at run time. int32 sums wrap alike.
void Avx2Gemm::PackVnni(const ConvQuant& q, const uint8_t* w8) {
  k_quads_ = (k_ + 3) / 4;
  weights8_.assign(blocks() * k_quads_ * 64, 0);
  weights16_.clear();
  row_factor_ = q.is_signed ? 0 : 128 - q.kernel_zero_point;
  for (size_t b = 0; b < blocks(); ++b)
    for (size_t e = 0; e < kBlockChannels; ++e) {
      const size_t ch = kBlockChannels * b + ChannelOfSlot(e);
      if (ch >= n_) continue;
      uint32_t sum = 0;
      int8_t* out = weights8_.data() + b * k_quads_ * 64 + 4 * e;
      for (size_t j = 0; j < k_; ++j) {
        const uint8_t v = w8[ch * k_ + j];
        out[(j / 4) * 64 + j % 4] = static_cast<int8_t>(q.is_signed ? v : v - 128);
        sum += static_cast<uint32_t>(q.is_signed ? static_cast<int8_t>(v)
                                                 : v - q.kernel_zero_point);
      }
      const uint32_t shift = q.is_signed ? 128u + static_cast<uint32_t>(q.input_zero_point)
                                         : static_cast<uint32_t>(q.input_zero_point);
      const size_t slot = kBlockChannels * b + e;
      bias_[slot] = static_cast<int32_t>(static_cast<uint32_t>(bias_[slot]) - shift * sum);
    }
}

LABELITE_AVX2 void Avx2Gemm::ConvertBytes(const uint8_t* src, size_t count, uint8_t* dst) const {
  if (!is_signed_) {
    std::memcpy(dst, src, count);
    return;
  }
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  size_t i = 0;
  for (; i + 32 <= count; i += 32)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                        _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i)), flip));
  for (; i < count; ++i) dst[i] = static_cast<uint8_t>(src[i] ^ 0x80);
}

LABELITE_AVX2 void Avx2Gemm::Convert(const uint8_t* src, size_t count, int16_t* dst) const {
  const __m256i zp = _mm256_set1_epi16(static_cast<int16_t>(input_zero_point_));
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    const __m256i w = is_signed_ ? _mm256_cvtepi8_epi16(v) : _mm256_cvtepu8_epi16(v);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_sub_epi16(w, zp));
  }
  if (i + 8 <= count) {
    const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i));
    const __m128i w = is_signed_ ? _mm_cvtepi8_epi16(v) : _mm_cvtepu8_epi16(v);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                     _mm_sub_epi16(w, _mm256_castsi256_si128(zp)));
    i += 8;
  }
  for (; i < count; ++i)
    dst[i] = static_cast<int16_t>((is_signed_ ? static_cast<int8_t>(src[i]) : src[i]) -
                                  input_zero_point_);
}

avx2::Requant Avx2Gemm::OutputRequant() const {
  return {static_cast<float>(output_max_ - output_zero_point_), output_zero_point_, output_min_,
          output_max_, is_signed_};
}

void Avx2Gemm::RunPrepared(const int16_t* a, size_t a_stride, size_t rows, uint8_t* c,
                           size_t c_stride, size_t block_begin, size_t block_end,
                           Segments seg) const {
  TileArgs t{};
  t.a_stride = a_stride;
  t.c_stride = c_stride;
  t.k_pairs = k_pairs_ / seg.count;
  t.segments = seg.count;
  t.segment_stride = seg.stride;
  t.q = OutputRequant();
  const auto& tiles = seg.count > 1 ? kSegmentTiles : kTiles;
  if (rows == 1 && seg.count == 1) {  // a matrix-vector product: kRowBlocks blocks at a time
    t.block_bytes = byte_weights_ ? k_pairs_ * 32 : k_pairs_ * 64;
    t.a = a;
    for (size_t b = block_begin; b < block_end; b += kRowBlocks) {
      const size_t nb = std::min<size_t>(kRowBlocks, block_end - b), column = kBlockChannels * b;
      t.w = byte_weights_ ? static_cast<const void*>(weights8_.data() + b * k_pairs_ * 32)
                          : static_cast<const void*>(weights16_.data() + b * k_pairs_ * 32);
      t.bias = bias_.data() + column;
      t.scale = scales_.data() + column;
      t.columns = n_ - column;
      t.c = c + column;
      kRowTiles[byte_weights_ ? 1 : 0][nb - 1](t);
    }
    return;
  }
  for (size_t b = block_begin; b < block_end; ++b) {
    const size_t column = kBlockChannels * b;
    t.w = byte_weights_ ? static_cast<const void*>(weights8_.data() + b * k_pairs_ * 32)
                        : static_cast<const void*>(weights16_.data() + b * k_pairs_ * 32);
    t.bias = bias_.data() + column;
    t.scale = scales_.data() + column;
    t.columns = std::min(kBlockChannels, n_ - column);
    for (size_t r = 0; r < rows; r += kTileRows) {
      const size_t m = std::min(kTileRows, rows - r);
      t.a = a + r * a_stride;
      t.c = c + r * c_stride + column;
      tiles[byte_weights_ ? 1 : 0][m - 1](t);
    }
  }
}

// uint8 VNNI rows: (128 - w_zp) * the sum of the row's k bytes (the padding past k is 0).
// The row's byte sum (PSADBW, 16 bytes a step, SSE2: baseline x86-64, so the function stays
// inlinable without a target attribute) times the factor, wrapping as the uint32 sum did.
inline int32_t Avx2Gemm::RowTerm(const uint8_t* row) const {
  const __m128i zero = _mm_setzero_si128();
  __m128i acc = zero;
  size_t j = 0;
  for (; j + 16 <= k_; j += 16)
    acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + j)), zero));
  uint32_t sum = static_cast<uint32_t>(_mm_cvtsi128_si32(acc)) +
                 static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_unpackhi_epi64(acc, acc)));
  for (; j < k_; ++j) sum += row[j];
  return static_cast<int32_t>(sum * static_cast<uint32_t>(row_factor_));
}

void Avx2Gemm::RunPreparedBytes(const uint8_t* a, size_t a_stride, size_t rows, uint8_t* c,
                                size_t c_stride, size_t block_begin, size_t block_end,
                                Segments seg) const {
  int32_t terms[kMaxChunkRows];
  TileArgs t{};
  t.a_stride = a_stride;
  t.c_stride = c_stride;
  t.k_quads = k_quads_ / seg.count;
  t.segments = seg.count;
  t.segment_stride = seg.stride;
  t.q = OutputRequant();
  const auto& tiles =
      (seg.count > 1 ? kVnniSegmentTiles : kVnniTiles)[dot_ == Avx2Dot::kAvxVnni ? 0 : 1];
  if (rows == 1 && seg.count == 1) {  // a matrix-vector product: kRowBlocks blocks at a time
    const auto& row_tiles = kVnniRowTiles[dot_ == Avx2Dot::kAvxVnni ? 0 : 1];
    if (row_factor_ != 0) terms[0] = RowTerm(a);
    t.a8 = a;
    t.row_terms = row_factor_ != 0 ? terms : nullptr;
    t.block_bytes = k_quads_ * 64;
    for (size_t b = block_begin; b < block_end; b += kRowBlocks) {
      const size_t nb = std::min<size_t>(kRowBlocks, block_end - b), column = kBlockChannels * b;
      t.w = weights8_.data() + b * k_quads_ * 64;
      t.bias = bias_.data() + column;
      t.scale = scales_.data() + column;
      t.columns = n_ - column;
      t.c = c + column;
      row_tiles[nb - 1](t);
    }
    return;
  }
  for (size_t r0 = 0; r0 < rows; r0 += kMaxChunkRows) {
    const size_t m_rows = std::min(kMaxChunkRows, rows - r0);
    if (row_factor_ != 0) {
      for (size_t i = 0; i < m_rows; ++i) terms[i] = RowTerm(a + (r0 + i) * a_stride);
    }
    for (size_t b = block_begin; b < block_end; ++b) {
      const size_t column = kBlockChannels * b;
      t.w = weights8_.data() + b * k_quads_ * 64;
      t.bias = bias_.data() + column;
      t.scale = scales_.data() + column;
      t.columns = std::min(kBlockChannels, n_ - column);
      for (size_t r = 0; r < m_rows; r += kTileRows) {
        const size_t m = std::min(kTileRows, m_rows - r);
        t.a8 = a + (r0 + r) * a_stride;
        t.row_terms = row_factor_ != 0 ? terms + r : nullptr;
        t.prefetch = r0 + r == 0;
        t.c = c + (r0 + r) * c_stride + column;
        tiles[m - 1](t);
      }
    }
  }
}

void Avx2Gemm::Run(const uint8_t* a, size_t a_stride, size_t rows, uint8_t* c, size_t c_stride,
                   size_t block_begin, size_t block_end) const {
  if (dot_ != Avx2Dot::kMaddwd) return RunBytes(a, a_stride, rows, c, c_stride, block_begin, block_end);
  alignas(32) int16_t buffer[kBufferValues];
  const size_t stride = k_even();
  size_t chunk = std::min(kMaxChunkRows, kBufferValues / stride);
  if (chunk > kTileRows) chunk -= chunk % kTileRows;
  for (size_t r = 0; r < rows; r += chunk) {
    const size_t m = std::min(chunk, rows - r);
    if (a_stride == k_ && k_ == stride) {  // contiguous rows, even k: one conversion
      Convert(a + r * a_stride, m * stride, buffer);
    } else {
      for (size_t i = 0; i < m; ++i) {
        Convert(a + (r + i) * a_stride, k_, buffer + i * stride);
        if (stride != k_) buffer[i * stride + k_] = 0;
      }
    }
    RunPrepared(buffer, stride, m, c + r * c_stride, c_stride, block_begin, block_end);
  }
}

// The input's rows as VPDPBUSD bytes (int8 flipped), k padded with 0 to a multiple of 4.
void Avx2Gemm::RunBytes(const uint8_t* a, size_t a_stride, size_t rows, uint8_t* c,
                        size_t c_stride, size_t block_begin, size_t block_end) const {
  const size_t stride = k_quad();
  // uint8 rows of whole quads are VPDPBUSD's bytes already (the conversion is a copy): the
  // tiles read them in place, 4 bytes at a time, nothing past a row's k.
  if (!is_signed_ && a_stride == k_ && k_ == stride)
    return RunPreparedBytes(a, a_stride, rows, c, c_stride, block_begin, block_end);
  alignas(32) uint8_t buffer[2 * kBufferValues];
  size_t chunk = std::min(kMaxChunkRows, sizeof(buffer) / stride);
  if (chunk > kTileRows) chunk -= chunk % kTileRows;
  for (size_t r = 0; r < rows; r += chunk) {
    const size_t m = std::min(chunk, rows - r);
    if (a_stride == k_ && k_ == stride) {
      ConvertBytes(a + r * a_stride, m * stride, buffer);
    } else {
      for (size_t i = 0; i < m; ++i) {
        ConvertBytes(a + (r + i) * a_stride, k_, buffer + i * stride);
        std::memset(buffer + i * stride + k_, 0, stride - k_);
      }
    }
    RunPreparedBytes(buffer, stride, m, c + r * c_stride, c_stride, block_begin, block_end);
  }
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
