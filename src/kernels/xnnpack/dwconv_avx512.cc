#include "kernels/xnnpack/dwconv_avx512.h"

#include <immintrin.h>
#include <pthreadpool.h>

#include <algorithm>
#include <array>

// GCC 12 reports its own AVX-512 intrinsics (_mm512_undefined_* operands of the casts and
// masked loads) as uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// Only the functions marked LABELITE_AVX512 use AVX-512; the rest of the build stays generic.
#define LABELITE_AVX512 \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")))

namespace labelite::xnn {
namespace {

constexpr size_t kMaxTile = 8;          // output pixels per register tile
constexpr size_t kGroupChannels = 64;   // channels stacked together: 4 blocks of 16
constexpr size_t kStackBytes = 32768;   // stacked rows of one task, on its stack
constexpr size_t kChunkBytes = 8192;    // stacked rows per chunk of columns: stays in L1
constexpr size_t kMaxKernel = 16;
constexpr size_t kMaxStackedRows = 4 * ((kMaxKernel + 3) / 4);

// Stacking of one group of up to 64 channels over positions [p0, p1) of the padded row.
struct StackArgs {
  std::array<const uint8_t*, kMaxStackedRows> rows;  // pixel 0, channel c0 of each input row
  std::array<size_t, kMaxStackedRows> steps;         // bytes per pixel; 0 for padding rows
  size_t groups;                  // groups of 4 rows
  size_t p0, p1, x_begin, x_end;  // positions; [x_begin, x_end) lie inside the image
  size_t pad_left;
  size_t blocks;                  // valid blocks of 16 channels (1-4)
  __mmask64 mask;                 // valid channels of the 64
  uint8_t pad, flip;              // stacked padding byte; 0x80 for int8 inputs
  uint8_t* t;                     // [block][group][position - p0][64]
  size_t t_group, t_block;        // bytes between groups, between blocks
};

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
constexpr std::array<uint8_t, 64> kPairLo = PairIndex(0), kPairHi = PairIndex(1);

template <bool kMasked>
LABELITE_AVX512 __attribute__((always_inline)) inline __m512i LoadRow(const uint8_t* p,
                                                                        __mmask64 mask,
                                                                        __m512i flip) {
  const __m512i v = kMasked ? _mm512_maskz_loadu_epi8(mask, p) : _mm512_loadu_si512(p);
  return _mm512_xor_si512(v, flip);
}

// `count` positions of one group of 4 rows, all inside the image: T of kBlocks blocks.
template <int kBlocks, bool kMasked>
LABELITE_AVX512 void StackInside(const uint8_t* const* rows, const size_t* steps, size_t x,
                                 size_t count, __mmask64 mask, __m512i flip, uint8_t* t,
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

using StackFn = void (*)(const uint8_t* const*, const size_t*, size_t, size_t, __mmask64,
                         __m512i, uint8_t*, size_t);

LABELITE_AVX512 void StackRows(const StackArgs& s) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(s.flip));
  const __m512i pad = _mm512_set1_epi8(static_cast<char>(s.pad));
  const bool full = s.mask == ~__mmask64{0};
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

// One output row of one phase and one 16-channel block.
struct RowArgs {
  const uint8_t* t;       // stacked rows of the row's first pixel (group 0, tap 0)
  size_t t_pixel;         // bytes between consecutive output pixels' T (stride_w * 64)
  size_t t_group;         // bytes between row groups
  const int8_t* w;        // [group][kw][64] of this phase and block
  size_t group_begin, group_end, kw;
  const int8_t* extra_w;  // [extras][64]
  const uint32_t* extra_taps;
  size_t extras;
  const int32_t* bias;
  const float* scale;
  uint8_t* out;           // first output pixel, first channel of the block
  size_t out_pixel;       // bytes between output pixels
  size_t pixels;
  // Phase pairs (3x3 stride 1): the second output row's weights, extras and output.
  const int8_t* w1;
  const int8_t* extra_w1;
  const uint32_t* extra_taps1;
  size_t extras1;
  uint8_t* out1;
  __mmask16 mask;         // valid channels of the block
  int32_t zero_point, lo; // lo = output_min - zero point
  float hi;               // output_max - zero point
};

// acc += 4-byte dot products of unsigned `a` and signed `b`. Written as asm because GCC 12
// copies every accumulator of the intrinsic's loop twice per iteration.
LABELITE_AVX512 inline void Dpbusd(__m512i& acc, __m512i a, __m512i b) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "vm"(b));
}

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
        if (p >= kx && (p - kx) % S == 0 && (p - kx) / S < N) Dpbusd(acc[(p - kx) / S], tv, wv[kx]);
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

// Requantization clamps the top in float (so the conversion cannot overflow) and the bottom
// after rounding, as XNNPACK does.
template <int N>
LABELITE_AVX512 __attribute__((always_inline)) inline void Requantize(const RowArgs& a,
                                                                       const __m512i* acc,
                                                                       uint8_t* out) {
  const __m512 scale = _mm512_loadu_ps(a.scale);
  const __m512 hi = _mm512_set1_ps(a.hi);
  const __m512i lo = _mm512_set1_epi32(a.lo), zp = _mm512_set1_epi32(a.zero_point);
  const size_t out_pixel = a.out_pixel;
  const __mmask16 mask = a.mask;
  #pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    const __m512 f = _mm512_min_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(acc[n]), scale), hi);
    const __m512i q = _mm512_add_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(f), lo), zp);
    // VPMOVDB to a register, then a store: faster than VPMOVDB to memory on Zen 4.
    _mm_mask_storeu_epi8(out + n * out_pixel, mask, _mm512_cvtepi32_epi8(q));
  }
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

using RowFn = void (*)(const RowArgs&);

// The row kernel for a kernel width and stride: specialized for 3x3 and 5x5, else generic.
RowFn SelectRow(size_t kw, size_t stride) {
  if (kw == 3 && stride == 1) return &MultiplyRow<3, 1>;
  if (kw == 3 && stride == 2) return &MultiplyRow<3, 2>;
  if (kw == 5 && stride == 1) return &MultiplyRow<5, 1>;
  if (kw == 5 && stride == 2) return &MultiplyRow<5, 2>;
  return &MultiplyRow<0, 0>;
}

struct RunContext {
  const DwConvAvx512* conv;
  const uint8_t* input;
  uint8_t* output;
  size_t input_image, output_image;  // bytes per image
  size_t sets, groups, groups_per_task;  // row sets, 64-channel groups
};

void RunTask(void* context, size_t row_task, size_t channel_task) {
  const auto* rc = static_cast<const RunContext*>(context);
  const size_t image = row_task / rc->sets, set = row_task % rc->sets;
  const size_t begin = channel_task * rc->groups_per_task;
  rc->conv->RunSet(rc->input + image * rc->input_image, rc->output + image * rc->output_image,
                   set, begin, std::min(rc->groups, begin + rc->groups_per_task));
}

}  // namespace

bool DwConvAvx512::Supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
         __builtin_cpu_supports("avx512vbmi");
}

// Steps: geometry and phases; per channel the scale and the corrected bias; the weights into
// the phase layout (uint8: w - kzp clamped to int8), then the extra vectors of the remainders.
bool DwConvAvx512::Pack(const FastConvSpec& s) {
  const ConvQuant& q = s.quant;
  const size_t c = s.cin;
  if (!s.depthwise || c == 0 || s.cout != c || s.out_h == 0 || s.out_w == 0 ||
      s.dilation_h != 1 || s.dilation_w != 1 || s.kernel_h == 0 || s.kernel_w == 0 ||
      s.kernel_h > kMaxKernel || s.kernel_w > kMaxKernel || s.stride_h == 0 ||
      s.stride_w == 0 || s.stride_h > kMaxKernel || s.stride_w > kMaxKernel ||
      q.kernel_scales.empty() || (q.kernel_scales.size() != 1 && q.kernel_scales.size() != c))
    return false;
  in_h_ = s.in_h, in_w_ = s.in_w, channels_ = c, out_h_ = s.out_h, out_w_ = s.out_w;
  kernel_h_ = s.kernel_h, kernel_w_ = s.kernel_w, stride_h_ = s.stride_h, stride_w_ = s.stride_w;
  pad_top_ = s.pad_top, pad_left_ = s.pad_left;
  blocks_ = (c + 15) / 16;
  // Groups of 4 stacked rows; 3x3 stride 2 takes two (8 rows for 3 output rows: fewer
  // stacked rows per output than one group for one row, a few more multiplications).
  row_groups_ = (kernel_h_ + 3) / 4 + (kernel_h_ == 3 && stride_h_ == 2 ? 1 : 0);
  phases_ = 1 + (4 * row_groups_ - kernel_h_) / stride_h_;
  is_signed_ = q.is_signed;
  pad_byte_ = static_cast<uint8_t>(q.input_zero_point);
  pad_row_.assign(kGroupChannels, pad_byte_);
  output_zero_point_ = q.output_zero_point;
  out_lo_ = q.output_min - q.output_zero_point;
  out_hi_ = q.output_max - q.output_zero_point;
  group_begin_.resize(phases_);
  group_end_.resize(phases_);
  for (size_t i = 0; i < phases_; ++i) {
    group_begin_[i] = static_cast<uint32_t>(i * stride_h_ / 4);
    group_end_[i] = static_cast<uint32_t>((i * stride_h_ + kernel_h_ - 1) / 4 + 1);
  }
  const size_t taps = kernel_h_ * kernel_w_;
  auto weight = [&](size_t tap, size_t ch) -> int32_t {
    if (q.is_signed) return static_cast<const int8_t*>(s.weights)[tap * c + ch];
    return static_cast<const uint8_t*>(s.weights)[tap * c + ch] - q.kernel_zero_point;
  };
  bias_.assign(blocks_ * 16, 0);
  scales_.assign(blocks_ * 16, 0.0f);
  // The stacked input byte is x + 128 for int8, x for uint8: padding is izp' (adds 0).
  const uint32_t izp = static_cast<uint32_t>(q.is_signed ? q.input_zero_point + 128
                                                         : q.input_zero_point);
  for (size_t ch = 0; ch < c; ++ch) {
    const float ks = q.kernel_scales[q.kernel_scales.size() == 1 ? 0 : ch];
    const float scale = q.input_scale * ks / q.output_scale;
    if (!(scale >= 0x1.0p-32f && scale < 256.0f)) return false;
    scales_[ch] = scale;
    uint32_t sum = 0;  // int32 arithmetic wraps as XNNPACK's does
    for (size_t tap = 0; tap < taps; ++tap) {
      // 255 (uint8 weight 255, kernel zero point 0) would leave a remainder of 128.
      if (weight(tap, ch) > 254) return false;
      sum += static_cast<uint32_t>(weight(tap, ch));
    }
    const uint32_t b = s.bias != nullptr ? static_cast<uint32_t>(s.bias[ch]) : 0u;
    bias_[ch] = static_cast<int32_t>(b - izp * sum);
  }
  const size_t vectors = phases_ * blocks_ * row_groups_ * kernel_w_;
  weights_.assign(vectors * 64, 0);
  std::vector<int8_t> rest(vectors * 64, 0);
  for (size_t i = 0; i < phases_; ++i)
    for (size_t ch = 0; ch < c; ++ch)
      for (size_t ky = 0; ky < kernel_h_; ++ky)
        for (size_t kx = 0; kx < kernel_w_; ++kx) {
          const int32_t d = weight(ky * kernel_w_ + kx, ch);
          const size_t slot = i * stride_h_ + ky;
          const size_t vec = ((i * blocks_ + ch / 16) * row_groups_ + slot / 4) * kernel_w_ + kx;
          const size_t at = vec * 64 + (ch % 16) * 4 + slot % 4;
          weights_[at] = static_cast<int8_t>(std::clamp(d, -128, 127));
          rest[at] = static_cast<int8_t>(d - weights_[at]);
        }
  extra_weights_.clear();
  extra_taps_.clear();
  extra_begin_.clear();
  for (size_t pb = 0; pb < phases_ * blocks_; ++pb) {
    extra_begin_.push_back(static_cast<uint32_t>(extra_taps_.size()));
    for (size_t tap = 0; tap < row_groups_ * kernel_w_; ++tap) {
      const int8_t* r = &rest[(pb * row_groups_ * kernel_w_ + tap) * 64];
      if (std::all_of(r, r + 64, [](int8_t v) { return v == 0; })) continue;
      extra_weights_.insert(extra_weights_.end(), r, r + 64);
      extra_taps_.push_back(static_cast<uint32_t>(tap));
    }
  }
  extra_begin_.push_back(static_cast<uint32_t>(extra_taps_.size()));
  return true;
}

// Steps per chunk of output columns and group of 64 channels: stack the 4 * row_groups input
// rows of this row set, then run every phase (output row) of each block over them. A chunk's
// stacked rows (kChunkBytes) and the input they come from stay in L1.
void DwConvAvx512::RunSet(const uint8_t* input, uint8_t* output, size_t set,
                          size_t group_begin, size_t group_end) const {
  alignas(64) uint8_t t[kStackBytes];
  const size_t y0 = set * phases_;
  const size_t rows = std::min(phases_, out_h_ - y0);
  const ptrdiff_t first_row = static_cast<ptrdiff_t>(y0 * stride_h_) -
                              static_cast<ptrdiff_t>(pad_top_);
  std::array<const uint8_t*, kMaxStackedRows> row_start{};
  StackArgs s{};
  for (size_t i = 0; i < 4 * row_groups_; ++i) {
    const ptrdiff_t r = first_row + static_cast<ptrdiff_t>(i);
    const bool inside = r >= 0 && r < static_cast<ptrdiff_t>(in_h_);
    row_start[i] = inside ? input + static_cast<size_t>(r) * in_w_ * channels_ : nullptr;
    s.steps[i] = inside ? channels_ : 0;
  }
  s.groups = row_groups_;
  s.pad_left = pad_left_;
  s.flip = is_signed_ ? 0x80 : 0;
  s.pad = static_cast<uint8_t>(pad_byte_ ^ s.flip);
  s.t = t;
  const RowFn row_fn = SelectRow(kernel_w_, stride_w_);
  RowArgs a{};
  a.t_pixel = stride_w_ * 64;
  a.kw = kernel_w_;
  a.out_pixel = channels_;
  a.zero_point = output_zero_point_;
  a.lo = out_lo_;
  a.hi = static_cast<float>(out_hi_);
  // Positions per chunk: kChunkBytes of T, at least one output pixel.
  const size_t positions = std::max(kChunkBytes / (4 * row_groups_ * 64), kernel_w_);
  const size_t chunk = (positions - kernel_w_) / stride_w_ + 1;  // output pixels
  // 3x3 stride 1 runs both rows of a set at once.
  const bool pairs =
      kernel_w_ == 3 && stride_w_ == 1 && row_groups_ == 1 && phases_ == 2 && rows == 2;
  for (size_t xa = 0; xa < out_w_; xa += chunk) {
    const size_t xb = std::min(out_w_, xa + chunk);
    s.p0 = xa * stride_w_;
    s.p1 = (xb - 1) * stride_w_ + kernel_w_;
    s.x_begin = std::clamp(pad_left_, s.p0, s.p1);
    s.x_end = std::clamp(pad_left_ + in_w_, s.p0, s.p1);
    s.t_group = (s.p1 - s.p0) * 64;
    s.t_block = row_groups_ * s.t_group;
    a.t_group = s.t_group;
    a.pixels = xb - xa;
    for (size_t group = group_begin; group < group_end; ++group) {
      const size_t c0 = kGroupChannels * group;
      const size_t width = std::min(kGroupChannels, channels_ - c0);
      s.mask = width == 64 ? ~__mmask64{0} : (__mmask64{1} << width) - 1;
      s.blocks = (width + 15) / 16;
      for (size_t i = 0; i < 4 * row_groups_; ++i)
        s.rows[i] = row_start[i] != nullptr ? row_start[i] + c0 : pad_row_.data();
      StackRows(s);
      for (size_t b = 0; b < s.blocks; ++b) {
        const size_t block = 4 * group + b;
        const size_t valid = std::min<size_t>(16, channels_ - 16 * block);
        a.mask = static_cast<__mmask16>(valid == 16 ? 0xFFFFu : (1u << valid) - 1);
        a.bias = bias_.data() + 16 * block;
        a.scale = scales_.data() + 16 * block;
        a.t = t + b * s.t_block;
        for (size_t i = 0; i < rows; ++i) {
          const size_t pb = i * blocks_ + block;
          const int8_t* w = weights_.data() + pb * row_groups_ * kernel_w_ * 64;
          const int8_t* extra_w = extra_weights_.data() + 64 * size_t{extra_begin_[pb]};
          const uint32_t* extra_taps = extra_taps_.data() + extra_begin_[pb];
          const size_t extras = extra_begin_[pb + 1] - extra_begin_[pb];
          uint8_t* out = output + ((y0 + i) * out_w_ + xa) * channels_ + 16 * block;
          if (pairs && i == 1) {
            a.w1 = w, a.extra_w1 = extra_w, a.extra_taps1 = extra_taps, a.extras1 = extras;
            a.out1 = out;
            MultiplyRowPair(a);
            continue;
          }
          a.w = w, a.extra_w = extra_w, a.extra_taps = extra_taps, a.extras = extras;
          a.out = out;
          a.group_begin = group_begin_[i];
          a.group_end = group_end_[i];
          if (!pairs) row_fn(a);
        }
      }
    }
  }
}

void DwConvAvx512::Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const {
  RunContext rc{this,
                static_cast<const uint8_t*>(input),
                static_cast<uint8_t*>(output),
                in_h_ * in_w_ * channels_,
                out_h_ * out_w_ * channels_,
                row_sets(),
                channel_groups(),
                channel_groups()};
  const size_t threads = pool != nullptr ? pthreadpool_get_threads_count(pool) : 1;
  const size_t row_tasks = batch * rc.sets;
  if (threads <= 1 || row_tasks * rc.groups < 2) {
    for (size_t i = 0; i < row_tasks; ++i) RunTask(&rc, i, 0);
    return;
  }
  // At least 4 tasks per thread: split the channels when there are few row sets.
  const size_t splits = std::min(rc.groups, (4 * threads + row_tasks - 1) / row_tasks);
  rc.groups_per_task = (rc.groups + splits - 1) / splits;
  pthreadpool_parallelize_2d(pool, &RunTask, &rc, row_tasks,
                             (rc.groups + rc.groups_per_task - 1) / rc.groups_per_task, 0);
}

std::unique_ptr<FastConv> MakeDwConvAvx512(const FastConvSpec& spec) {
  if (!spec.depthwise || !DwConvAvx512::Supported()) return nullptr;
  auto conv = std::make_unique<DwConvAvx512>();
  if (!conv->Pack(spec)) return nullptr;
  return conv;
}

}  // namespace labelite::xnn
