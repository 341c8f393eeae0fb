#include "kernels/x86/avx2/gemm_avx2.h"

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <immintrin.h>

#include <algorithm>
#include <array>
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
};

// One row's 16 int16: the interleaved slots (step 1) make ScaleToInt16's lane-wise pack come
// out in channel order.
LABELITE_AVX2 inline __m256i Row16(const TileArgs& t, __m256i acc0, __m256i acc1) {
  return avx2::ScaleToInt16(acc0, acc1, t.scale, t.scale + 8, t.q);
}

// The two weight vectors of one pair of k: 32 int16, stored as such or as int8 (VPMOVSXBW).
template <bool kBytes>
LABELITE_AVX2 inline void LoadWeights(const void* w, size_t kp, __m256i* w0, __m256i* w1) {
  if constexpr (kBytes) {
    const auto* p = static_cast<const int8_t*>(w) + 32 * kp;
    *w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    *w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)));
  } else {
    const auto* p = static_cast<const int16_t*>(w) + 32 * kp;
    *w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    *w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 16));
  }
}

// One tile: MR rows x 16 channels (step 3, then step 4); weights as int8 when kBytes.
template <int MR, bool kBytes>
LABELITE_AVX2 void Tile(const TileArgs& t) {
  __m256i acc[MR][2];
  const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bias));
  const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bias + 8));
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) acc[r][0] = b0, acc[r][1] = b1;
  const int16_t* a = t.a;
  for (size_t kp = 0; kp < t.k_pairs; ++kp, a += 2) {
    __m256i w0, w1;
    LoadWeights<kBytes>(t.w, kp, &w0, &w1);
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      int32_t pair;
      std::memcpy(&pair, a + r * t.a_stride, 4);
      const __m256i av = _mm256_set1_epi32(pair);
      acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(av, w0));
      acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(av, w1));
    }
  }
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

using TileFn = void (*)(const TileArgs&);
constexpr std::array<std::array<TileFn, Avx2Gemm::kTileRows>, 2> kTiles = {
    {{&Tile<1, false>, &Tile<2, false>, &Tile<3, false>, &Tile<4, false>, &Tile<5, false>,
      &Tile<6, false>},
     {&Tile<1, true>, &Tile<2, true>, &Tile<3, true>, &Tile<4, true>, &Tile<5, true>,
      &Tile<6, true>}}};

}  // namespace

bool Avx2Gemm::Supported() { return ActiveIsa() >= IsaLevel::kAvx2; }

// Steps: per output channel XNNPACK's float scale and the bias in slot order; the weights
// (minus the kernel zero point) into each block's [k_pairs][2][8][2] int16.
bool Avx2Gemm::Pack(const ConvQuant& q, size_t k, size_t n, const void* weights,
                    const int32_t* bias) {
  if (k == 0 || k > kMaxK || n == 0 || q.kernel_scales.empty() ||
      (q.kernel_scales.size() != 1 && q.kernel_scales.size() != n))
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
      const float ks = q.kernel_scales[q.kernel_scales.size() == 1 ? 0 : ch];
      const float scale = q.input_scale * ks / q.output_scale;
      if (!(scale >= 0x1.0p-32f && scale < 256.0f)) return false;
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
  return true;
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

LABELITE_AVX2 void Avx2Gemm::Convert16(const uint8_t* src, int16_t* dst) const {
  const __m256i zp = _mm256_set1_epi16(static_cast<int16_t>(input_zero_point_));
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
  const __m256i w = is_signed_ ? _mm256_cvtepi8_epi16(v) : _mm256_cvtepu8_epi16(v);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm256_sub_epi16(w, zp));
}

void Avx2Gemm::RunPrepared(const int16_t* a, size_t a_stride, size_t rows, uint8_t* c,
                           size_t c_stride, size_t block_begin, size_t block_end) const {
  TileArgs t{};
  t.a_stride = a_stride;
  t.c_stride = c_stride;
  t.k_pairs = k_pairs_;
  t.q = {static_cast<float>(output_max_ - output_zero_point_), output_zero_point_, output_min_,
         output_max_, is_signed_};
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
      kTiles[byte_weights_ ? 1 : 0][m - 1](t);
    }
  }
}

void Avx2Gemm::Run(const uint8_t* a, size_t a_stride, size_t rows, uint8_t* c, size_t c_stride,
                   size_t block_begin, size_t block_end) const {
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

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
