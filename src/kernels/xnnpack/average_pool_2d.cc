// AVERAGE_POOL_2D on the fast path, after the one Prepare of both paths (common/pooling.h).
// float32 runs on XNNPACK (PoolingKernel, pooling.h), but for 1x1 windows without padding, which
// XNNPACK declines: a strided copy with the reference's arithmetic (OneTapFloat); and windows of
// more than 9 taps (MobileNet v1's global 7x7), where Debian's XNNPACK (2022, passes of 9 then 8
// taps) adds in another order than the XNNPACK inside LiteRT 2.x: NinePassFloat computes what
// the latter does (its f32 avgpool "9p" micro-kernels), bit for bit. Up to 9 taps both are the
// same single pass.
// uint8 and int8 keep TFLite's builtin arithmetic, which TFLite's own XNNPACK delegate leaves to
// that builtin kernel too, on labelite's rows (kernels/fast/avg_pool_q8.h: sums over whole
// channel rows, the division as an exact multiplication, compiled per ISA level): MobileNet's
// global 7x7x1280 pool 0.049 -> ~0.004 ms.
// Threads: output rows are shared out when there are at least two.
#include <pthreadpool.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernels/common/pooling.h"
#include "kernels/fast/avg_pool_q8.h"
#include "kernels/xnnpack/pooling.h"
#include "runtime/work_pool.h"

namespace labelite {
namespace {

class AveragePoolKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(common::PreparePool(ctx, &p_));
    const bool quantized = p_.type == DataType::kUInt8 || p_.type == DataType::kInt8;
    row_q8_ = quantized ? xnn::SelectAvgPoolRowQ8() : nullptr;  // the quantized rows' level
    const internal::Window2D& w = p_.window;
    one_tap_float_ = p_.type == DataType::kFloat32 && w.filter_h == 1 && w.filter_w == 1 &&
                     w.pad_h == 0 && w.pad_w == 0;
    nine_pass_float_ = p_.type == DataType::kFloat32 &&
                       static_cast<int64_t>(w.filter_h) * w.filter_w > 9;
    if (quantized || one_tap_float_ || nine_pass_float_) {
      xnn_.reset();
      return Status::Ok();
    }
    xnn_ = std::make_unique<xnn::PoolingKernel>(/*max=*/false);
    return xnn_->Create(ctx, p_);
  }
  Status Bind(KernelContext& ctx) override { return xnn_ ? xnn_->Bind(ctx) : Status::Ok(); }
  Status Eval(KernelContext& ctx) override {
    if (one_tap_float_) {
      OneTapFloat(ctx.input(0)->data_as<float>(), ctx.output(0)->data_as<float>());
      return Status::Ok();
    }
    if (nine_pass_float_) {
      NinePassFloat(ctx.input(0)->data_as<float>(), ctx.output(0)->data_as<float>());
      return Status::Ok();
    }
    if (row_q8_ == nullptr) return xnn_->Eval(ctx);
    const internal::Window2D& w = p_.window;
    const size_t rows = static_cast<size_t>(w.batches) * static_cast<size_t>(w.out_h);
    Task task{this, ctx.input(0)->data, ctx.output(0)->data, p_.type == DataType::kInt8};
    if (ctx.threadpool == nullptr || rows < 2) {
      for (size_t r = 0; r < rows; ++r) RunTask(&task, r);
    } else {
      Parallelize1D(ctx.threadpool, &RunTask, &task, rows, 0);
    }
    return Status::Ok();
  }
  const char* path() const override { return xnn_ ? xnn_->path() : "fast"; }

 private:
  // A 1x1 window without padding (NASNet's strided 1x1 pools, which XNNPACK declines): each
  // output is one input element through the reference's arithmetic, (0 + x) / 1 clamped (the
  // sum from 0 turns -0 into +0, as the reference does).
  void OneTapFloat(const float* in, float* out) const {
    const internal::Window2D& w = p_.window;
    const size_t c = static_cast<size_t>(p_.channels);
    for (int32_t b = 0; b < w.batches; ++b)
      for (int32_t oy = 0; oy < w.out_h; ++oy)
        for (int32_t ox = 0; ox < w.out_w; ++ox, out += c) {
          const float* x = in + ((static_cast<size_t>(b) * w.in_h + static_cast<size_t>(oy) * w.stride_h) * w.in_w +
                                 static_cast<size_t>(ox) * w.stride_w) * c;
          for (size_t i = 0; i < c; ++i)
            out[i] = std::min(std::max((0.0f + x[i]) / 1.0f, p_.float_min), p_.float_max);
        }
  }

  // XNNPACK's 9p average pooling per output pixel: the window's taps column by column (kx
  // outer, ky inner, as its indirection buffer), taps outside the image reading zeros; passes of
  // 9 taps, each summed as ((t0 + t1) + t8 + (t6 + t7)) + ((t2 + t3) + (t4 + t5)) and added to
  // the previous passes' sum (from 0), the last pass padded with zeros; then times the float
  // 1 / (in-bounds taps) and clamped to the fused activation.
  void NinePassFloat(const float* in, float* out) const {
    const internal::Window2D& w = p_.window;
    const size_t c = static_cast<size_t>(p_.channels);
    std::vector<float> zeros(c, 0.0f), acc(c);
    std::vector<const float*> taps(static_cast<size_t>(w.filter_h) * w.filter_w);
    for (int32_t b = 0; b < w.batches; ++b)
      for (int32_t oy = 0; oy < w.out_h; ++oy)
        for (int32_t ox = 0; ox < w.out_w; ++ox, out += c) {
          const int32_t y0 = oy * w.stride_h - w.pad_h, x0 = ox * w.stride_w - w.pad_w;
          size_t t = 0;
          int32_t valid = 0;
          for (int32_t kx = 0; kx < w.filter_w; ++kx)
            for (int32_t ky = 0; ky < w.filter_h; ++ky) {
              const int32_t y = y0 + ky, x = x0 + kx;
              const bool inside = y >= 0 && y < w.in_h && x >= 0 && x < w.in_w;
              valid += inside;
              taps[t++] = inside ? in + ((static_cast<size_t>(b) * w.in_h + y) * w.in_w + x) * c
                                 : zeros.data();
            }
          std::fill(acc.begin(), acc.end(), 0.0f);
          for (size_t k = 0; k < taps.size(); k += 9) {
            const float* i[9];
            for (size_t j = 0; j < 9; ++j) i[j] = k + j < taps.size() ? taps[k + j] : zeros.data();
            const float *__restrict i0 = i[0], *__restrict i1 = i[1], *__restrict i2 = i[2];
            const float *__restrict i3 = i[3], *__restrict i4 = i[4], *__restrict i5 = i[5];
            const float *__restrict i6 = i[6], *__restrict i7 = i[7], *__restrict i8 = i[8];
            float* __restrict a = acc.data();
            for (size_t ch = 0; ch < c; ++ch) {
              const float s018 = (i0[ch] + i1[ch]) + i8[ch];
              const float s2345 = (i2[ch] + i3[ch]) + (i4[ch] + i5[ch]);
              const float s01678 = s018 + (i6[ch] + i7[ch]);
              a[ch] = a[ch] + (s2345 + s01678);
            }
          }
          const float scale = valid > 0 ? 1.0f / static_cast<float>(valid) : 0.0f;
          for (size_t ch = 0; ch < c; ++ch)
            out[ch] = std::min(std::max(acc[ch] * scale, p_.float_min), p_.float_max);
        }
  }

  struct Task {
    const AveragePoolKernel* self;
    const void* in;
    void* out;
    bool is_signed;
  };
  static void RunTask(void* context, size_t r) {
    const auto* t = static_cast<const Task*>(context);
    const common::PoolParams& p = t->self->p_;
    const auto b = static_cast<int32_t>(r / static_cast<size_t>(p.window.out_h));
    const auto oy = static_cast<int32_t>(r % static_cast<size_t>(p.window.out_h));
    t->self->row_q8_(p, t->is_signed, t->in, t->out, b, oy);
  }

  xnn::AvgPoolRowQ8Fn row_q8_ = nullptr;  // uint8 / int8 only
  bool one_tap_float_ = false;
  bool nine_pass_float_ = false;
  common::PoolParams p_;
  std::unique_ptr<xnn::PoolingKernel> xnn_;
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackAveragePool2D() {
  return std::make_unique<AveragePoolKernel>();
}

}  // namespace labelite
