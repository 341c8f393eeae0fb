#include "kernels/xnnpack/dwconv_avx512.h"

#include <immintrin.h>
#include <pthreadpool.h>

#include <algorithm>
#include <array>
#include <utility>

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
constexpr size_t kStackBytes = 32768;   // stacked rows of one task, on its stack
constexpr size_t kMaxKernel = 16;
constexpr size_t kMaxStackedRows = 4 * ((kMaxKernel + 3) / 4);

// Stacking of 32 channels (two 16-channel blocks) over positions [p0, p1) of the padded row.
struct StackArgs {
  std::array<const uint8_t*, kMaxStackedRows> rows;  // pixel 0, channel c0 of each input row
  std::array<size_t, kMaxStackedRows> steps;         // bytes per pixel; 0 for padding rows
  size_t groups;                  // groups of 4 rows
  size_t p0, p1, x_begin, x_end;  // positions; [x_begin, x_end) lie inside the image
  size_t pad_left;
  __mmask32 mask;                 // valid channels of the 32
  bool two_blocks;
  uint8_t pad, flip;              // stacked padding byte; 0x80 for int8 inputs
  uint8_t* t;                     // [block][group][position - p0][64]
  size_t t_group, t_block;        // bytes between groups, between blocks
};

// Index of row r, channel c (c < 16 + 16 * half) in the pair of 4-row vectors [r0|r1], [r2|r3].
constexpr std::array<uint8_t, 64> StackIndex(int half) {
  std::array<uint8_t, 64> idx{};
  for (int c = 0; c < 16; ++c)
    for (int r = 0; r < 4; ++r)
      idx[4 * c + r] = static_cast<uint8_t>((r / 2) * 64 + (r % 2) * 32 + 16 * half + c);
  return idx;
}
constexpr std::array<uint8_t, 64> kStackLo = StackIndex(0), kStackHi = StackIndex(1);

LABELITE_AVX512 inline __m512i LoadPair(__mmask32 mask, const uint8_t* a, const uint8_t* b) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_maskz_loadu_epi8(mask, a)),
                            _mm256_maskz_loadu_epi8(mask, b), 1);
}

LABELITE_AVX512 inline void StorePad(const StackArgs& s, uint8_t* t0, uint8_t* t1, size_t p,
                                     __m512i pad) {
  _mm512_store_si512(t0 + (p - s.p0) * 64, pad);
  if (s.two_blocks) _mm512_store_si512(t1 + (p - s.p0) * 64, pad);
}

LABELITE_AVX512 void StackRows(const StackArgs& s) {
  const __m512i lo = _mm512_loadu_si512(kStackLo.data());
  const __m512i hi = _mm512_loadu_si512(kStackHi.data());
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(s.flip));
  const __m512i pad = _mm512_set1_epi8(static_cast<char>(s.pad));
  for (size_t g = 0; g < s.groups; ++g) {
    const uint8_t* const* r = &s.rows[4 * g];
    const size_t* step = &s.steps[4 * g];
    uint8_t* t0 = s.t + g * s.t_group;
    uint8_t* t1 = t0 + s.t_block;
    for (size_t p = s.p0; p < s.x_begin; ++p) StorePad(s, t0, t1, p, pad);
    for (size_t p = s.x_begin; p < s.x_end; ++p) {
      const size_t x = p - s.pad_left;
      const __m512i a = LoadPair(s.mask, r[0] + x * step[0], r[1] + x * step[1]);
      const __m512i b = LoadPair(s.mask, r[2] + x * step[2], r[3] + x * step[3]);
      _mm512_store_si512(t0 + (p - s.p0) * 64,
                         _mm512_xor_si512(_mm512_permutex2var_epi8(a, lo, b), flip));
      if (s.two_blocks)
        _mm512_store_si512(t1 + (p - s.p0) * 64,
                           _mm512_xor_si512(_mm512_permutex2var_epi8(a, hi, b), flip));
    }
    for (size_t p = s.x_end; p < s.p1; ++p) StorePad(s, t0, t1, p, pad);
  }
}

// A tile: up to kMaxTile output pixels of one row x 16 channels.
struct TileArgs {
  const uint8_t* t;       // stacked rows of the tile's first pixel (group 0, tap 0)
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
  __mmask16 mask;         // valid channels of the block
  int32_t zero_point;
  float lo, hi;
};

template <int N>
LABELITE_AVX512 void Tile(const TileArgs& a) {
  __m512i acc[N];
  const __m512i bias = _mm512_loadu_si512(a.bias);
  #pragma GCC unroll 16
  for (int n = 0; n < N; ++n) acc[n] = bias;
  for (size_t g = a.group_begin; g < a.group_end; ++g) {
    const int8_t* w = a.w + g * a.kw * 64;
    const uint8_t* t = a.t + g * a.t_group;
    for (size_t kx = 0; kx < a.kw; ++kx, w += 64, t += 64) {
      const __m512i wv = _mm512_loadu_si512(w);
      #pragma GCC unroll 16
      for (int n = 0; n < N; ++n)
        acc[n] = _mm512_dpbusd_epi32(acc[n], _mm512_load_si512(t + n * a.t_pixel), wv);
    }
  }
  for (size_t e = 0; e < a.extras; ++e) {
    const uint32_t tap = a.extra_taps[e];
    const uint8_t* t = a.t + tap / a.kw * a.t_group + tap % a.kw * 64;
    const __m512i wv = _mm512_loadu_si512(a.extra_w + 64 * e);
    #pragma GCC unroll 16
    for (int n = 0; n < N; ++n)
      acc[n] = _mm512_dpbusd_epi32(acc[n], _mm512_load_si512(t + n * a.t_pixel), wv);
  }
  const __m512 scale = _mm512_loadu_ps(a.scale);
  const __m512 lo = _mm512_set1_ps(a.lo), hi = _mm512_set1_ps(a.hi);
  const __m512i zp = _mm512_set1_epi32(a.zero_point);
  #pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc[n]), scale);
    f = _mm512_min_ps(_mm512_max_ps(f, lo), hi);
    const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(f), zp);
    _mm512_mask_cvtepi32_storeu_epi8(a.out + n * a.out_pixel, a.mask, q);
  }
}

using TileFn = void (*)(const TileArgs&);

template <size_t... I>
constexpr std::array<TileFn, kMaxTile> TileTable(std::index_sequence<I...>) {
  return {&Tile<static_cast<int>(I) + 1>...};
}
constexpr std::array<TileFn, kMaxTile> kTiles = TileTable(std::make_index_sequence<kMaxTile>());

// `pixels` output pixels of one row and block, tile by tile.
void MultiplyRow(TileArgs a, size_t pixels) {
  for (size_t n = 0; n < pixels; n += kMaxTile) {
    kTiles[std::min(kMaxTile, pixels - n) - 1](a);
    a.t += kMaxTile * a.t_pixel;
    a.out += kMaxTile * a.out_pixel;
  }
}

struct RunContext {
  const DwConvAvx512* conv;
  const uint8_t* input;
  uint8_t* output;
  size_t input_image, output_image;  // bytes per image
  size_t sets, pairs, pairs_per_task;
};

void RunTask(void* context, size_t row_task, size_t channel_task) {
  const auto* rc = static_cast<const RunContext*>(context);
  const size_t image = row_task / rc->sets, set = row_task % rc->sets;
  const size_t begin = channel_task * rc->pairs_per_task;
  rc->conv->RunSet(rc->input + image * rc->input_image, rc->output + image * rc->output_image,
                   set, begin, std::min(rc->pairs, begin + rc->pairs_per_task));
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
  row_groups_ = (kernel_h_ + 3) / 4;
  phases_ = 1 + (4 * row_groups_ - kernel_h_) / stride_h_;
  is_signed_ = q.is_signed;
  pad_byte_ = static_cast<uint8_t>(q.input_zero_point);
  pad_row_.assign(32, pad_byte_);
  output_zero_point_ = q.output_zero_point;
  out_lo_ = static_cast<float>(q.output_min - q.output_zero_point);
  out_hi_ = static_cast<float>(q.output_max - q.output_zero_point);
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

// Steps per pair of 16-channel blocks and chunk of output columns: stack the 4 * row_groups
// input rows of this row set, then run every phase (output row) of each block over them.
void DwConvAvx512::RunSet(const uint8_t* input, uint8_t* output, size_t set, size_t pair_begin,
                          size_t pair_end) const {
  alignas(64) uint8_t t[kStackBytes];
  const size_t y0 = set * phases_;
  const size_t rows = std::min(phases_, out_h_ - y0);
  const ptrdiff_t first_row = static_cast<ptrdiff_t>(y0 * stride_h_) -
                              static_cast<ptrdiff_t>(pad_top_);
  const size_t max_positions = kStackBytes / (2 * row_groups_ * 64);
  const size_t chunk = (max_positions - kernel_w_) / stride_w_ + 1;  // output pixels
  StackArgs s{};
  s.groups = row_groups_;
  s.pad_left = pad_left_;
  s.flip = is_signed_ ? 0x80 : 0;
  s.pad = static_cast<uint8_t>(pad_byte_ ^ s.flip);
  s.t = t;
  TileArgs a{};
  a.t_pixel = stride_w_ * 64;
  a.kw = kernel_w_;
  a.out_pixel = channels_;
  a.zero_point = output_zero_point_;
  a.lo = out_lo_;
  a.hi = out_hi_;
  for (size_t pair = pair_begin; pair < pair_end; ++pair) {
    const size_t c0 = 32 * pair;
    const size_t width = std::min<size_t>(32, channels_ - c0);
    s.mask = width == 32 ? ~__mmask32{0} : static_cast<__mmask32>((1u << width) - 1);
    s.two_blocks = width > 16;
    for (size_t i = 0; i < 4 * row_groups_; ++i) {
      const ptrdiff_t r = first_row + static_cast<ptrdiff_t>(i);
      const bool inside = r >= 0 && r < static_cast<ptrdiff_t>(in_h_);
      s.rows[i] = inside ? input + static_cast<size_t>(r) * in_w_ * channels_ + c0
                         : pad_row_.data();
      s.steps[i] = inside ? channels_ : 0;
    }
    for (size_t xa = 0; xa < out_w_; xa += chunk) {
      const size_t xb = std::min(out_w_, xa + chunk);
      s.p0 = xa * stride_w_;
      s.p1 = (xb - 1) * stride_w_ + kernel_w_;
      s.x_begin = std::clamp(pad_left_, s.p0, s.p1);
      s.x_end = std::clamp(pad_left_ + in_w_, s.p0, s.p1);
      s.t_group = (s.p1 - s.p0) * 64;
      s.t_block = row_groups_ * s.t_group;
      StackRows(s);
      a.t_group = s.t_group;
      for (size_t half = 0; half < (s.two_blocks ? 2u : 1u); ++half) {
        const size_t block = 2 * pair + half;
        const size_t valid = std::min<size_t>(16, channels_ - 16 * block);
        a.mask = static_cast<__mmask16>(valid == 16 ? 0xFFFFu : (1u << valid) - 1);
        a.bias = bias_.data() + 16 * block;
        a.scale = scales_.data() + 16 * block;
        for (size_t i = 0; i < rows; ++i) {
          a.t = t + half * s.t_block;
          const size_t pb = i * blocks_ + block;
          a.w = weights_.data() + pb * row_groups_ * kernel_w_ * 64;
          a.extra_w = extra_weights_.data() + 64 * size_t{extra_begin_[pb]};
          a.extra_taps = extra_taps_.data() + extra_begin_[pb];
          a.extras = extra_begin_[pb + 1] - extra_begin_[pb];
          a.group_begin = group_begin_[i];
          a.group_end = group_end_[i];
          a.out = output + ((y0 + i) * out_w_ + xa) * channels_ + 16 * block;
          MultiplyRow(a, xb - xa);
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
                channel_pairs(),
                channel_pairs()};
  const size_t threads = pool != nullptr ? pthreadpool_get_threads_count(pool) : 1;
  const size_t row_tasks = batch * rc.sets;
  if (threads <= 1 || row_tasks * rc.pairs < 2) {
    for (size_t i = 0; i < row_tasks; ++i) RunTask(&rc, i, 0);
    return;
  }
  // At least 4 tasks per thread: split the channels when there are few row sets.
  const size_t splits = std::min(rc.pairs, (4 * threads + row_tasks - 1) / row_tasks);
  rc.pairs_per_task = (rc.pairs + splits - 1) / splits;
  pthreadpool_parallelize_2d(pool, &RunTask, &rc, row_tasks,
                             (rc.pairs + rc.pairs_per_task - 1) / rc.pairs_per_task, 0);
}

std::unique_ptr<FastConv> MakeDwConvAvx512(const FastConvSpec& spec) {
  if (!spec.depthwise || !DwConvAvx512::Supported()) return nullptr;
  auto conv = std::make_unique<DwConvAvx512>();
  if (!conv->Pack(spec)) return nullptr;
  return conv;
}

}  // namespace labelite::xnn
