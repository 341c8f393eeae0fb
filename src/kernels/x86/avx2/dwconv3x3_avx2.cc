// DwConvAvx2's row kernel for 3x3 windows, stride 1 or 2, channel counts that are a multiple
// of 8 (MobileNet's depthwise layers; a last block of 8 computes one half): fewer instructions per output than the general per-tap
// tile of dwconv_avx2.cc, with the same integer sums (so the same bytes).
//
// How it computes (steps), per tile of up to 4 output pixels of one row, per 16-channel block:
//   1. Pack (once, PackRows3x3): per block and kernel column kx, four vectors of 16 int16:
//      kernel rows 0 and 1 interleaved per channel ([w0 w1] for channels 0-7, then 8-15), and
//      kernel row 2 as int32 lanes (w2 in the low half, 0 in the high one, as the general tile).
//   2. Per half block of 8 channels, per window column j of the tile (the (P - 1) * S + 3 input
//      columns its pixels read, a column outside the image reads the row of input zero points):
//      the bytes of input rows 0 and 1 interleaved (VPUNPCKLBW) and widened to int16 pairs, row
//      2 widened to int32; each column is loaded and widened once and shared by every pixel p
//      of the tile whose window holds it (p * S + kx == j): one VPMADDWD per pair of kernel
//      rows. (Both halves at once need 24 registers: the compiler spilled.)
//   3. The accumulators start from the bias minus a_zp * sum(w) (DwConvAvx2::Pack) and are
//      requantized as there (requant_avx2.h).
#include "kernels/x86/avx2/dwconv_avx2.h"

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <immintrin.h>

#include <algorithm>
#include <array>

#include "kernels/x86/avx2/requant_avx2.h"

namespace labelite::xnn {
namespace {

constexpr int kMaxPixels = 4;
constexpr int kMaxColumns = (kMaxPixels - 1) * 2 + 3;
constexpr size_t kBlockValues = 3 * 4 * 16;  // int16 per 16-channel block: [kx][4 vectors][16]

struct Row3Args {
  const uint8_t* src[3][kMaxColumns];  // per kernel row and window column: the input pixel
  const int16_t* w;                    // the block's packed weights (Tile3: block 0's)
  const int32_t* bias;
  const float* scale;
  uint8_t* out;  // the tile's first pixel at the block's first channel (Tile3: channel 0)
  size_t out_step;
  size_t full_blocks;  // blocks of 16 channels; a last one of 8 follows when channels % 16 == 8
  avx2::Requant q;
};

// Pixel p's first kColumns (16 or 8) bytes to out + p * step.
template <size_t kColumns>
struct StoreColumns {
  uint8_t* out;
  size_t step;
  LABELITE_AVX2 void operator()(int p, __m128i v) const {
    uint8_t* dst = out + static_cast<size_t>(p) * step;
    if constexpr (kColumns == 16) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), v);
    } else {
      _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), v);
    }
  }
};

template <bool kSigned>
LABELITE_AVX2 inline __m256i Widen16(__m128i v) {
  return kSigned ? _mm256_cvtepi8_epi16(v) : _mm256_cvtepu8_epi16(v);
}

template <bool kSigned>
LABELITE_AVX2 inline __m256i Widen32(const uint8_t* p) {
  const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  return kSigned ? _mm256_cvtepi8_epi32(v) : _mm256_cvtepu8_epi32(v);
}

LABELITE_AVX2 inline __m256i W(const int16_t* w, int kx, int v) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + (4 * kx + v) * 16));
}

// One half (channels c0 + 8 * kHalf .. + 8) of P output pixels (step 2): per half, 4
// accumulators, the 6 weight vectors and one column fit AVX2's 16 registers.
template <int P, int S, bool kSigned, int kHalf>
LABELITE_AVX2 inline void Half3(const Row3Args& t, size_t c0, __m256i* acc) {
  const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bias + 8 * kHalf));
#pragma GCC unroll 4
  for (int p = 0; p < P; ++p) acc[p] = b;
  const __m256i pairs[3] = {W(t.w, 0, kHalf), W(t.w, 1, kHalf), W(t.w, 2, kHalf)};
  const __m256i row2[3] = {W(t.w, 0, 2 + kHalf), W(t.w, 1, 2 + kHalf), W(t.w, 2, 2 + kHalf)};
  const size_t c = c0 + 8 * kHalf;
#pragma GCC unroll 9
  for (int j = 0; j < (P - 1) * S + 3; ++j) {
    const __m128i r0 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(t.src[0][j] + c));
    const __m128i r1 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(t.src[1][j] + c));
    const __m256i pair = Widen16<kSigned>(_mm_unpacklo_epi8(r0, r1));
    const __m256i single = Widen32<kSigned>(t.src[2][j] + c);
#pragma GCC unroll 3
    for (int kx = 0; kx < 3; ++kx) {
      if (j < kx || (j - kx) % S != 0 || (j - kx) / S >= P) continue;
      const int p = (j - kx) / S;
      acc[p] = _mm256_add_epi32(acc[p], _mm256_add_epi32(_mm256_madd_epi16(pair, pairs[kx]),
                                                         _mm256_madd_epi16(single, row2[kx])));
      // Opaque to GCC: without it GCC reassociates the integer sums into a tree that keeps
      // every product of the tile live at once, and spills them.
      asm("" : "+x"(acc[p]));
    }
  }
}

// P output pixels x 16 channels from channel c0 (steps 2 and 3).
// kFull false: only channels c0 .. c0 + 8 exist (the last block of 8 * odd channels).
template <int P, int S, bool kSigned, bool kFull>
LABELITE_AVX2 inline void Block3(const Row3Args& t, size_t c0) {
  __m256i acc[P][2], lo[P], hi[P];
  Half3<P, S, kSigned, 0>(t, c0, lo);
  if constexpr (kFull) {
    Half3<P, S, kSigned, 1>(t, c0, hi);
  } else {
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) hi[p] = _mm256_setzero_si256();
  }
  constexpr size_t kColumns = kFull ? 16 : 8;
#pragma GCC unroll 4
  for (int p = 0; p < P; ++p) acc[p][0] = lo[p], acc[p][1] = hi[p];
  avx2::RequantizeAndStore<P>(acc, t.scale, t.q, StoreColumns<kColumns>{t.out, t.out_step});
}

// P output pixels x 16-channel blocks [block_begin, block_end): one call per tile.
// t is the caller's: its block fields are moved along the blocks and left past the last (the
// caller sets them again for each tile; a copy of the 27 column pointers per tile cost the
// 8-channel layers, whose tiles are short, several percent).
template <int P, int S, bool kSigned>
LABELITE_AVX2 void Tile3(Row3Args& t, size_t block_begin, size_t block_end) {
  const int16_t* w = t.w;
  const int32_t* bias = t.bias;
  const float* scale = t.scale;
  uint8_t* out = t.out;
  for (size_t b = block_begin; b < block_end; ++b) {
    t.w = w + b * kBlockValues;
    t.bias = bias + 16 * b;
    t.scale = scale + 16 * b;
    t.out = out + 16 * b;
    if (b < t.full_blocks)
      Block3<P, S, kSigned, true>(t, 16 * b);
    else
      Block3<P, S, kSigned, false>(t, 16 * b);
  }
}

using Tile3Fn = void (*)(Row3Args&, size_t, size_t);
template <int S, bool kSigned>
constexpr std::array<Tile3Fn, kMaxPixels> kTiles3 = {&Tile3<1, S, kSigned>, &Tile3<2, S, kSigned>,
                                                      &Tile3<3, S, kSigned>, &Tile3<4, S, kSigned>};

}  // namespace

bool DwConvAvx2::PackRows3x3() {
  if (kernel_h_ != 3 || kernel_w_ != 3 || (stride_w_ != 1 && stride_w_ != 2) ||
      channels_ % 8 != 0)
    return false;
  const size_t width = blocks() * 16;
  weights3_.assign(blocks() * kBlockValues, 0);
  // weights_ holds w - w_zp in the low 16 bits of each int32 lane (Pack).
  auto w = [&](size_t ky, size_t kx, size_t ch) {
    return static_cast<int16_t>(weights_[(3 * ky + kx) * width + ch] & 0xFFFF);
  };
  for (size_t b = 0; b < blocks(); ++b)
    for (size_t kx = 0; kx < 3; ++kx) {
      int16_t* v = weights3_.data() + b * kBlockValues + kx * 4 * 16;
      for (size_t c = 0; c < 16; ++c) {
        const size_t ch = 16 * b + c, half = c / 8, lane = c % 8;
        v[half * 16 + 2 * lane] = w(0, kx, ch);      // vectors 0, 1: rows 0 and 1 paired
        v[half * 16 + 2 * lane + 1] = w(1, kx, ch);
        v[(2 + half) * 16 + 2 * lane] = w(2, kx, ch);  // vectors 2, 3: row 2, high half 0
      }
    }
  return true;
}

// Tiles of up to 4 pixels (window columns outside the image point at pad_row_), each over all
// the task's 16-channel blocks.
void DwConvAvx2::RunRow3x3(const uint8_t* const* rows, uint8_t* out_row, size_t block_begin,
                           size_t block_end) const {
  Row3Args t{};
  t.out_step = channels_;
  t.full_blocks = channels_ / 16;
  t.q = {static_cast<float>(output_max_ - output_zero_point_), output_zero_point_, output_min_,
         output_max_, is_signed_};
  const auto& tiles = stride_w_ == 1 ? (is_signed_ ? kTiles3<1, true> : kTiles3<1, false>)
                                     : (is_signed_ ? kTiles3<2, true> : kTiles3<2, false>);
  for (size_t x = 0; x < out_w_; x += kMaxPixels) {
    const size_t n = std::min<size_t>(kMaxPixels, out_w_ - x);
    const ptrdiff_t x0 = static_cast<ptrdiff_t>(x * stride_w_) - static_cast<ptrdiff_t>(pad_left_);
    for (size_t j = 0; j < (n - 1) * stride_w_ + 3; ++j) {
      const ptrdiff_t ix = x0 + static_cast<ptrdiff_t>(j);
      const bool inside = ix >= 0 && static_cast<size_t>(ix) < in_w_;
      for (size_t ky = 0; ky < 3; ++ky)
        t.src[ky][j] = rows[ky] == pad_row_.data() || !inside
                           ? pad_row_.data()
                           : rows[ky] + static_cast<size_t>(ix) * channels_;
    }
    t.w = weights3_.data();
    t.bias = bias_.data();
    t.scale = scales_.data();
    t.out = out_row + x * channels_;
    tiles[n - 1](t, block_begin, block_end);
  }
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
