#include "kernels/x86/avx512/dwconv_avx512.h"

#include <pthreadpool.h>

#include <algorithm>
#include <array>

#include "kernels/fast/isa.h"
#include "kernels/x86/avx512/dwconv_avx512_rows.h"
#include "runtime/work_pool.h"

namespace labelite::xnn {
namespace {

using dwconv::kGroupChannels;
using dwconv::kMaxKernel;
using dwconv::kMaxStackedRows;

constexpr size_t kStackBytes = 32768;  // stacked rows of one task, on its stack
// Enough for one output pixel of the widest kernel with the most row groups (4).
static_assert(kStackBytes / (4 * 4 * 64) >= kMaxKernel);

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
  if (ActiveIsa() < IsaLevel::kAvx512) return false;
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
      !q.ScalesFit(c))
    return false;
  in_h_ = s.in_h, in_w_ = s.in_w, channels_ = c, out_h_ = s.out_h, out_w_ = s.out_w;
  kernel_h_ = s.kernel_h, kernel_w_ = s.kernel_w, stride_h_ = s.stride_h, stride_w_ = s.stride_w;
  pad_top_ = s.pad_top, pad_left_ = s.pad_left;
  row_fn_ = dwconv::SelectRow(kernel_w_, stride_w_);
  blocks_ = (c + 15) / 16;
  row_groups_ = (kernel_h_ + 3) / 4;  // groups of 4 stacked rows
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
    const float scale = q.RequantizationScale(ch);
    if (!SupportedRequantizationScale(scale)) return false;
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

// Steps per chunk of output columns (as many as kStackBytes of stacked rows hold) and group of
// 64 channels: stack the 4 * row_groups input rows of this row set, then multiply every block.
void DwConvAvx512::RunSet(const uint8_t* input, uint8_t* output, size_t set,
                          size_t group_begin, size_t group_end) const {
  if (kernel_h_ == 3 && kernel_w_ == 3 && stride_h_ == 2 && stride_w_ == 2)
    return RunRowS2(input, output, set, group_begin, group_end);
  alignas(64) uint8_t t[kStackBytes];
  const size_t y0 = set * phases_;
  const size_t rows = std::min(phases_, out_h_ - y0);
  const ptrdiff_t first_row = static_cast<ptrdiff_t>(y0 * stride_h_) -
                              static_cast<ptrdiff_t>(pad_top_);
  std::array<const uint8_t*, kMaxStackedRows> row_start{};
  dwconv::StackArgs s{};
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
  dwconv::RowArgs a{};
  a.t_pixel = stride_w_ * 64;
  a.kw = kernel_w_;
  a.out_pixel = channels_;
  a.zero_point = output_zero_point_;
  a.lo = out_lo_;
  a.hi = static_cast<float>(out_hi_);
  // Positions per chunk: 4 blocks x row_groups T vectors each, at least one output pixel.
  const size_t positions = kStackBytes / (4 * row_groups_ * 64);
  const size_t chunk = (positions - kernel_w_) / stride_w_ + 1;  // output pixels
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
      s.mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
      s.blocks = (width + 15) / 16;
      for (size_t i = 0; i < 4 * row_groups_; ++i)
        s.rows[i] = row_start[i] != nullptr ? row_start[i] + c0 : pad_row_.data();
      dwconv::StackRows(s);
      for (size_t b = 0; b < s.blocks; ++b) {
        a.t = t + b * s.t_block;
        MultiplyBlock(4 * group + b, y0, rows, output + xa * channels_, a);
      }
    }
  }
}

// 3x3 stride 2 (one output row per set): stacks in registers, no buffer (MultiplyRowS2).
void DwConvAvx512::RunRowS2(const uint8_t* input, uint8_t* output, size_t y, size_t group_begin,
                            size_t group_end) const {
  dwconv::RowS2Args a{};
  const ptrdiff_t first_row = static_cast<ptrdiff_t>(2 * y) - static_cast<ptrdiff_t>(pad_top_);
  std::array<const uint8_t*, 3> row_start{};
  for (size_t i = 0; i < 3; ++i) {
    const ptrdiff_t r = first_row + static_cast<ptrdiff_t>(i);
    const bool inside = r >= 0 && r < static_cast<ptrdiff_t>(in_h_);
    row_start[i] = inside ? input + static_cast<size_t>(r) * in_w_ * channels_ : nullptr;
    a.steps[i] = inside ? channels_ : 0;
  }
  a.pad = pad_row_.data();
  a.in_w = in_w_, a.pad_left = pad_left_, a.out_w = out_w_, a.channel_stride = channels_;
  a.flip = is_signed_ ? 0x80 : 0;
  a.zero_point = output_zero_point_, a.lo = out_lo_, a.hi = static_cast<float>(out_hi_);
  for (size_t group = group_begin; group < group_end; ++group) {
    const size_t c0 = kGroupChannels * group;
    const size_t width = std::min(kGroupChannels, channels_ - c0);
    a.mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    a.blocks = (width + 15) / 16;
    for (size_t i = 0; i < 3; ++i)
      a.rows[i] = row_start[i] != nullptr ? row_start[i] + c0 : pad_row_.data();
    a.w = weights_.data() + 4 * group * kernel_w_ * 64;  // phase 0, one row group
    a.bias = bias_.data() + c0;
    a.scale = scales_.data() + c0;
    a.extras = {};
    for (size_t b = 0; b < a.blocks; ++b) {
      const size_t block = 4 * group + b;
      a.extra_w[b] = extra_weights_.data() + 64 * size_t{extra_begin_[block]};
      a.extra_taps[b] = extra_taps_.data() + extra_begin_[block];
      a.extras[b] = extra_begin_[block + 1] - extra_begin_[block];
    }
    a.out = output + y * out_w_ * channels_ + c0;
    dwconv::MultiplyRowS2(a);
  }
}

// 3x3 stride 1 runs both rows of a set at once (MultiplyRowPair), the others row by row.
void DwConvAvx512::MultiplyBlock(size_t block, size_t y0, size_t rows, uint8_t* output,
                                 dwconv::RowArgs& a) const {
  const size_t valid = std::min<size_t>(16, channels_ - 16 * block);
  a.mask = static_cast<uint16_t>(valid == 16 ? 0xFFFFu : (1u << valid) - 1);
  a.bias = bias_.data() + 16 * block;
  a.scale = scales_.data() + 16 * block;
  const bool pairs =
      kernel_w_ == 3 && stride_w_ == 1 && row_groups_ == 1 && phases_ == 2 && rows == 2;
  for (size_t i = 0; i < rows; ++i) {
    const size_t pb = i * blocks_ + block;
    const int8_t* w = weights_.data() + pb * row_groups_ * kernel_w_ * 64;
    const int8_t* extra_w = extra_weights_.data() + 64 * size_t{extra_begin_[pb]};
    const uint32_t* extra_taps = extra_taps_.data() + extra_begin_[pb];
    const size_t extras = extra_begin_[pb + 1] - extra_begin_[pb];
    uint8_t* out = output + (y0 + i) * out_w_ * channels_ + 16 * block;
    if (pairs && i == 1) {
      a.w1 = w, a.extra_w1 = extra_w, a.extra_taps1 = extra_taps, a.extras1 = extras;
      a.out1 = out;
      dwconv::MultiplyRowPair(a);
      return;
    }
    a.w = w, a.extra_w = extra_w, a.extra_taps = extra_taps, a.extras = extras;
    a.out = out;
    a.group_begin = group_begin_[i];
    a.group_end = group_end_[i];
    if (!pairs) row_fn_(a);
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
  const size_t threads = ParallelThreads(pool);
  const size_t row_tasks = batch * rc.sets;
  if (threads <= 1 || row_tasks * rc.groups < 2) {
    for (size_t i = 0; i < row_tasks; ++i) RunTask(&rc, i, 0);
    return;
  }
  // At least 4 tasks per thread: split the channels when there are few row sets.
  const size_t splits = std::min(rc.groups, (4 * threads + row_tasks - 1) / row_tasks);
  rc.groups_per_task = (rc.groups + splits - 1) / splits;
  Parallelize2D(pool, &RunTask, &rc, row_tasks,
                             (rc.groups + rc.groups_per_task - 1) / rc.groups_per_task, 0);
}

std::unique_ptr<FastConv> MakeDwConvAvx512(const FastConvSpec& spec) {
  if (!spec.depthwise || !DwConvAvx512::Supported()) return nullptr;
  auto conv = std::make_unique<DwConvAvx512>();
  if (!conv->Pack(spec)) return nullptr;
  return conv;
}

}  // namespace labelite::xnn
