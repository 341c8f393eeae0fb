#include "kernels/x86/avx2/dwconv_avx2.h"

#include <pthreadpool.h>

#include <algorithm>
#include <array>

#include "kernels/fast/isa.h"
#include "kernels/x86/avx2/requant_avx2.h"
#include "runtime/work_pool.h"

namespace labelite::xnn {
namespace {

constexpr size_t kMaxTaps = DwConvAvx2::kMaxKernel * DwConvAvx2::kMaxKernel;
constexpr size_t kGroupBlocks = 4;  // blocks of 16 channels per thread task

struct TileArgs {
  std::array<const uint8_t*, kMaxTaps> src;  // per tap: the first pixel's input, channel 0
  size_t channel;                            // c0: the block's first channel
  size_t pixel_step;                         // input bytes between the tile's pixels
  size_t taps;
  std::array<uint32_t, kMaxTaps> w_offset;  // per tap: its weights' offset from w
  const int32_t* w;  // tap 0 at channel c0
  const int32_t* bias;
  const float* scale;
  uint8_t* out;  // the first pixel's output at channel c0
  size_t out_step;
  size_t columns;  // valid channels of the block, 1..16
  avx2::Requant q;
};

// 8 input bytes (fewer, zero-filled, when kTail) to int32 lanes.
template <bool kTail>
LABELITE_AVX2 inline __m256i Load8(const uint8_t* p, size_t valid, bool is_signed) {
  __m128i v;
  if constexpr (kTail) {
    uint8_t tmp[8] = {};
    std::memcpy(tmp, p, std::min<size_t>(8, valid));
    v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(tmp));
  } else {
    v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  }
  return is_signed ? _mm256_cvtepi8_epi32(v) : _mm256_cvtepu8_epi32(v);
}

// P output pixels x 16 channels (steps 2 and 3 of dwconv_avx2.h). kTail: fewer than 16
// channels, loaded byte by byte past the first whole 8.
// Pixel p's first `columns` (1..16) bytes to out + p * step.
struct StorePartial {
  uint8_t* out;
  size_t step, columns;
  LABELITE_AVX2 void operator()(int p, __m128i v) const {
    avx2::Store16(out + static_cast<size_t>(p) * step, v, columns);
  }
};

template <int P, bool kTail>
LABELITE_AVX2 void Tile(const TileArgs& t) {
  const bool is_signed = t.q.is_signed;
  const size_t hi_valid = t.columns > 8 ? t.columns - 8 : 0;
  const bool lo_whole = t.columns >= 8;
  __m256i acc[P][2];
  const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bias));
  const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.bias + 8));
#pragma GCC unroll 4
  for (int p = 0; p < P; ++p) acc[p][0] = b0, acc[p][1] = b1;
  for (size_t tap = 0; tap < t.taps; ++tap) {
    const int32_t* w = t.w + t.w_offset[tap];
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 8));
    const uint8_t* a = t.src[tap] + t.channel;
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p, a += t.pixel_step) {
      const __m256i lo = kTail && !lo_whole ? Load8<true>(a, t.columns, is_signed)
                                            : Load8<false>(a, 8, is_signed);
      acc[p][0] = _mm256_add_epi32(acc[p][0], _mm256_madd_epi16(lo, w0));
      if (!kTail || hi_valid != 0)
        acc[p][1] = _mm256_add_epi32(
            acc[p][1], _mm256_madd_epi16(Load8<kTail>(a + 8, hi_valid, is_signed), w1));
    }
  }
  avx2::RequantizeAndStore<P>(acc, t.scale, t.q, StorePartial{t.out, t.out_step, t.columns});
}

using TileFn = void (*)(const TileArgs&);
constexpr std::array<std::array<TileFn, 4>, 2> kTiles = {
    {{&Tile<1, false>, &Tile<2, false>, &Tile<3, false>, &Tile<4, false>},
     {&Tile<1, true>, &Tile<2, true>, &Tile<3, true>, &Tile<4, true>}}};

struct RunContext {
  const DwConvAvx2* conv;
  const uint8_t* input;
  uint8_t* output;
  size_t blocks_per_task;
};

void RunTask(void* context, size_t row_task, size_t block_task) {
  const auto* rc = static_cast<const RunContext*>(context);
  const DwConvAvx2& c = *rc->conv;
  const size_t image = row_task / c.out_h(), y = row_task % c.out_h();
  const size_t begin = block_task * rc->blocks_per_task;
  c.RunRow(rc->input + image * c.in_image(), rc->output + image * c.out_image(), y, begin,
           std::min(c.blocks(), begin + rc->blocks_per_task));
}

}  // namespace

// Steps: geometry; per channel the scale and the bias corrected by the weight sum; the weights
// as int32 lanes (w - w_zp in the low half).
bool DwConvAvx2::Pack(const FastConvSpec& s) {
  const ConvQuant& q = s.quant;
  const size_t c = s.cin;
  if (!s.depthwise || c == 0 || s.cout != c || s.out_h == 0 || s.out_w == 0 ||
      s.dilation_h != 1 || s.dilation_w != 1 || s.kernel_h == 0 || s.kernel_w == 0 ||
      s.kernel_h > kMaxKernel || s.kernel_w > kMaxKernel || s.stride_h == 0 || s.stride_w == 0 ||
      !q.ScalesFit(c))
    return false;
  in_h_ = s.in_h, in_w_ = s.in_w, channels_ = c, out_h_ = s.out_h, out_w_ = s.out_w;
  kernel_h_ = s.kernel_h, kernel_w_ = s.kernel_w, stride_h_ = s.stride_h, stride_w_ = s.stride_w;
  pad_top_ = s.pad_top, pad_left_ = s.pad_left;
  x_lo_ = std::min(out_w_, (pad_left_ + stride_w_ - 1) / stride_w_);
  x_hi_ = in_w_ + pad_left_ >= kernel_w_
              ? std::clamp((in_w_ + pad_left_ - kernel_w_) / stride_w_ + 1, x_lo_, out_w_)
              : x_lo_;
  output_zero_point_ = q.output_zero_point;
  output_min_ = q.output_min;
  output_max_ = q.output_max;
  is_signed_ = q.is_signed;
  pad_row_.assign(in_w_ * c + 16, static_cast<uint8_t>(q.input_zero_point));
  const size_t taps = kernel_h_ * kernel_w_, width = blocks() * 16;
  weights_.assign(taps * width, 0);
  bias_.assign(width, 0);
  scales_.assign(width, 0.0f);
  for (size_t ch = 0; ch < c; ++ch) {
    const float scale = q.RequantizationScale(ch);
    if (!SupportedRequantizationScale(scale)) return false;
    scales_[ch] = scale;
    uint32_t sum = 0;  // int32 arithmetic wraps as XNNPACK's does
    for (size_t tap = 0; tap < taps; ++tap) {
      const int32_t w = q.is_signed ? static_cast<const int8_t*>(s.weights)[tap * c + ch]
                                    : static_cast<const uint8_t*>(s.weights)[tap * c + ch] -
                                          q.kernel_zero_point;
      weights_[tap * width + ch] = static_cast<int32_t>(static_cast<uint16_t>(w));
      sum += static_cast<uint32_t>(w);
    }
    const uint32_t b = s.bias != nullptr ? static_cast<uint32_t>(s.bias[ch]) : 0u;
    bias_[ch] = static_cast<int32_t>(b - static_cast<uint32_t>(q.input_zero_point) * sum);
  }
  PackClasses(s);
  weights3_.clear();
  PackRows3x3();
  return true;
}

// The clipping classes of the output rows and columns and each class pair's bias (see the
// header). The sums wrap in uint32 as the accumulation does.
void DwConvAvx2::PackClasses(const FastConvSpec& s) {
  auto ranges = [](size_t out, size_t stride, size_t pad, size_t in, size_t kernel,
                   std::vector<std::pair<uint8_t, uint8_t>>* range, std::vector<uint16_t>* cls) {
    range->clear();
    cls->assign(out, 0);
    for (size_t o = 0; o < out; ++o) {
      const ptrdiff_t start = static_cast<ptrdiff_t>(o * stride) - static_cast<ptrdiff_t>(pad);
      const ptrdiff_t lo = std::clamp<ptrdiff_t>(-start, 0, static_cast<ptrdiff_t>(kernel));
      const ptrdiff_t hi =
          std::clamp<ptrdiff_t>(static_cast<ptrdiff_t>(in) - start, lo, static_cast<ptrdiff_t>(kernel));
      const std::pair<uint8_t, uint8_t> r(static_cast<uint8_t>(lo), static_cast<uint8_t>(hi));
      const auto it = std::find(range->begin(), range->end(), r);
      (*cls)[o] = static_cast<uint16_t>(it - range->begin());
      if (it == range->end()) range->push_back(r);
    }
  };
  ranges(out_h_, stride_h_, pad_top_, in_h_, kernel_h_, &row_range_, &row_class_);
  ranges(out_w_, stride_w_, pad_left_, in_w_, kernel_w_, &col_range_, &col_class_);
  const size_t width = blocks() * 16, classes = row_range_.size() * col_range_.size();
  const auto zp = static_cast<uint32_t>(s.quant.input_zero_point);
  class_bias_.assign(classes * width, 0);
  for (size_t rc = 0; rc < row_range_.size(); ++rc)
    for (size_t cc = 0; cc < col_range_.size(); ++cc) {
      int32_t* bias = class_bias_.data() + (rc * col_range_.size() + cc) * width;
      for (size_t ch = 0; ch < width; ++ch) {
        uint32_t skipped = 0;  // the weights outside the window's valid rectangle
        for (size_t ky = 0; ky < kernel_h_; ++ky)
          for (size_t kx = 0; kx < kernel_w_; ++kx) {
            const bool inside = ky >= row_range_[rc].first && ky < row_range_[rc].second &&
                                kx >= col_range_[cc].first && kx < col_range_[cc].second;
            if (!inside)
              skipped += static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(
                  weights_[(ky * kernel_w_ + kx) * width + ch] & 0xFFFF)));
          }
        bias[ch] = static_cast<int32_t>(static_cast<uint32_t>(bias_[ch]) + zp * skipped);
      }
    }
}

// Tiles of up to 4 interior pixels or single border pixels (per-tap sources), each over all
// the task's 16-channel blocks.
void DwConvAvx2::RunRow(const uint8_t* image, uint8_t* out_image, size_t y, size_t block_begin,
                        size_t block_end) const {
  std::array<const uint8_t*, kMaxKernel> rows;  // per kernel row: the input row or pad_row_
  for (size_t ky = 0; ky < kernel_h_; ++ky) {
    const ptrdiff_t iy = static_cast<ptrdiff_t>(y * stride_h_ + ky) -
                         static_cast<ptrdiff_t>(pad_top_);
    rows[ky] = iy >= 0 && static_cast<size_t>(iy) < in_h_
                   ? image + static_cast<size_t>(iy) * in_w_ * channels_
                   : pad_row_.data();
  }
  uint8_t* out_row = out_image + y * out_w_ * channels_;
  if (rows3x3()) return RunRow3x3(rows.data(), out_row, block_begin, block_end);
  TileArgs t{};
  t.pixel_step = stride_w_ * channels_;
  t.out_step = channels_;
  t.q = {static_cast<float>(output_max_ - output_zero_point_), output_zero_point_, output_min_,
         output_max_, is_signed_};
  const size_t c_begin = 16 * block_begin, c_end = std::min(channels_, 16 * block_end);
  const size_t full_end = c_begin + (c_end - c_begin) / 16 * 16;  // blocks of 16 channels
  const size_t width = blocks() * 16;
  const size_t row_class = row_class_[y];
  const size_t ky0 = row_range_[row_class].first, ky1 = row_range_[row_class].second;
  // Pixel tiles outside, channel blocks inside: the tile's input lines serve every block at once.
  for (size_t x = 0; x < out_w_;) {
    const ptrdiff_t x0 = static_cast<ptrdiff_t>(x * stride_w_) - static_cast<ptrdiff_t>(pad_left_);
    const size_t col_class = col_class_[x];
    const size_t kx0 = col_range_[col_class].first, kx1 = col_range_[col_class].second;
    // Interior columns run tiles of up to 4 pixels (their windows share the valid columns).
    const size_t n = x >= x_lo_ && x < x_hi_ ? std::min<size_t>(4, x_hi_ - x) : 1;
    size_t taps = 0;
    for (size_t ky = ky0; ky < ky1; ++ky)
      for (size_t kx = kx0; kx < kx1; ++kx, ++taps) {
        t.src[taps] = rows[ky] + static_cast<size_t>(x0 + static_cast<ptrdiff_t>(kx)) * channels_;
        t.w_offset[taps] = static_cast<uint32_t>((ky * kernel_w_ + kx) * width);
      }
    t.taps = taps;
    const int32_t* bias = class_bias_.data() + (row_class * col_range_.size() + col_class) * width;
    for (size_t c0 = c_begin; c0 < c_end; c0 += 16) {
      t.channel = c0;
      t.columns = std::min<size_t>(16, c_end - c0);
      t.w = weights_.data() + c0;
      t.bias = bias + c0;
      t.scale = scales_.data() + c0;
      t.out = out_row + x * channels_ + c0;
      kTiles[c0 < full_end ? 0 : 1][n - 1](t);
    }
    x += n;
  }
}

void DwConvAvx2::Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const {
  RunContext rc{this, static_cast<const uint8_t*>(input), static_cast<uint8_t*>(output),
                blocks()};
  const size_t rows = batch * out_h_;
  const size_t threads = ParallelThreads(pool);
  if (threads <= 1) {
    for (size_t r = 0; r < rows; ++r) RunTask(&rc, r, 0);
    return;
  }
  // At least 4 tasks per thread: split the channels (groups of 4 blocks) when rows are few.
  const size_t groups = (blocks() + kGroupBlocks - 1) / kGroupBlocks;
  const size_t splits = std::min(groups, (4 * threads + rows - 1) / rows);
  rc.blocks_per_task = (blocks() + splits - 1) / splits;
  Parallelize2D(pool, &RunTask, &rc, rows,
                             (blocks() + rc.blocks_per_task - 1) / rc.blocks_per_task, 0);
}

std::unique_ptr<FastConv> MakeDwConvAvx2(const FastConvSpec& spec) {
  if (!spec.depthwise || ActiveIsa() < IsaLevel::kAvx2) return nullptr;
  auto conv = std::make_unique<DwConvAvx2>();
  if (!conv->Pack(spec)) return nullptr;
  return conv;
}

}  // namespace labelite::xnn
