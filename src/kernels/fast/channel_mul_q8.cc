#include "kernels/fast/channel_mul_q8.h"

#include <algorithm>
#include <vector>

#include "kernels/common/add_sub_mul.h"
#include "kernels/fast/isa.h"
#include "kernels/xnnpack/xnn_common.h"
#include "runtime/work_pool.h"

namespace labelite::xnn {
namespace {

constexpr size_t kTaskElements = 4096;
constexpr size_t kCallElements = 1024;

class ChannelMulQ8Kernel final : public Kernel {
 public:
  // Steps of channel_mul_q8.h; the parameters are PrepareArith's (the op's one Prepare),
  // mapped as BinaryKernel maps them for XNNPACK's operator.
  Status Prepare(KernelContext& ctx) override {
#if defined(__x86_64__)
    LABELITE_RETURN_IF_ERROR(common::PrepareArith(ctx, common::ArithOp::kMul, &p_));
    if (p_.type != DataType::kUInt8 && p_.type != DataType::kInt8)
      return ctx.UnsupportedError("uint8 and int8 only");
    if (ActiveIsa() < IsaLevel::kAvx2) return ctx.UnsupportedError("below AVX2");
    if (!IsPerTensorQuantized(*ctx.input(0)) || !IsPerTensorQuantized(*ctx.input(1)) ||
        !IsPerTensorQuantized(*ctx.output(0)))
      return ctx.UnsupportedError("needs per-tensor quantization");
    const Tensor& out = *ctx.output(0);
    n_ = static_cast<size_t>(out.NumElements());
    channels_ = out.rank() == 0 ? 1 : static_cast<size_t>(out.dims.back());
    x_ = -1;
    for (int i = 0; i < 2 && x_ < 0; ++i) {
      const Tensor& y = *ctx.input(1 - i);
      if (static_cast<size_t>(ctx.input(i)->NumElements()) == n_ && channels_ > 1 &&
          static_cast<size_t>(y.NumElements()) == channels_ && y.rank() >= 1 &&
          static_cast<size_t>(y.dims.back()) == channels_ && !y.is_constant)
        x_ = i;
    }
    if (x_ < 0) return ctx.UnsupportedError("not a tensor times a per-channel vector");
    // XNNPACK's scale: in float, as xnn_create_multiply_nd_q*8 computes it; its range, and
    // BinaryKernel's check of the same range (so this kernel runs where XNNPACK's would).
    const float scale = (p_.in1_scale * p_.in2_scale) / p_.out_scale;
    const double ratio = static_cast<double>(p_.in1_scale) * p_.in2_scale / p_.out_scale;
    if (!(scale >= 0x1.0p-16f && scale < 256.0f) || !(ratio >= 1.0 / 65536.0 && ratio < 256.0))
      return ctx.UnsupportedError("scale ratio outside XNNPACK's range");
    float fmin = 0.0f, fmax = 0.0f;
    if (!ActivationRange(p_.activation, &fmin, &fmax))
      return ctx.UnsupportedError("fused activation has no XNNPACK form");
    is_signed_ = p_.type == DataType::kInt8;
    const int32_t lo = is_signed_ ? QuantizeBoundS8(fmin, p_.out_scale, p_.out_offset)
                                  : QuantizeBoundU8(fmin, p_.out_scale, p_.out_offset);
    const int32_t hi = is_signed_ ? QuantizeBoundS8(fmax, p_.out_scale, p_.out_offset)
                                  : QuantizeBoundU8(fmax, p_.out_scale, p_.out_offset);
    if (lo > hi) return ctx.UnsupportedError("empty output range");
    q_.x_zero_point = -(x_ == 0 ? p_.in1_offset : p_.in2_offset);
    y_zero_point_ = -(x_ == 0 ? p_.in2_offset : p_.in1_offset);
    q_.scale = scale;
    q_.lo = static_cast<float>(lo - p_.out_offset);
    q_.hi = static_cast<float>(hi - p_.out_offset);
    q_.out_zero_point = p_.out_offset;
    row_ = ActiveIsa() >= IsaLevel::kAvx512 ? &ChannelMulRowAvx512 : &ChannelMulRowAvx2;
    // The gate repeated for rows_per_call_ rows: one call covers that many rows (a call per
    // row of 32 channels cost more than its arithmetic), never more rows than the tensor has
    // (squeeze-and-excitation's 1x1x4 swish gates: 0.4 -> 0.03 us filling 256 rows).
    rows_per_call_ = std::clamp<size_t>(kCallElements / channels_, 1,
                                        std::max<size_t>(1, n_ / channels_));
    fy_.assign(rows_per_call_ * channels_, 0.0f);
    task_ = std::max<size_t>(1, kTaskElements / channels_) * channels_;
    return Status::Ok();
#else
    return ctx.UnsupportedError("x86-64 only");
#endif
  }

  Status Eval(KernelContext& ctx) override {
    if (n_ == 0) return Status::Ok();
    const uint8_t* y = ctx.input(1 - x_)->data_as<uint8_t>();
    for (size_t c = 0; c < channels_; ++c) {
      const int32_t v = is_signed_ ? static_cast<int8_t>(y[c]) : y[c];
      fy_[c] = static_cast<float>(v - y_zero_point_);
    }
    for (size_t r = 1; r < rows_per_call_; ++r)
      std::copy_n(fy_.begin(), channels_, fy_.begin() + r * channels_);
    Job job{this, ctx.input(x_)->data_as<uint8_t>(), ctx.output(0)->data_as<uint8_t>()};
    Parallelize1D(ctx.threadpool, &Task, &job, (n_ + task_ - 1) / task_, 0);
    return Status::Ok();
  }

  const char* path() const override { return "fast (gate)"; }

 private:
  struct Job {
    const ChannelMulQ8Kernel* k;
    const uint8_t* x;
    uint8_t* out;
  };

  static void Task(void* context, size_t index) {
    const Job& j = *static_cast<const Job*>(context);
    const ChannelMulQ8Kernel& k = *j.k;
    const size_t begin = index * k.task_, end = std::min(k.n_, begin + k.task_);
    const size_t step = k.rows_per_call_ * k.channels_;  // begin and end are whole rows
    for (size_t i = begin; i < end; i += step)
      k.row_(k.q_, k.is_signed_, j.x + i, k.fy_.data(), j.out + i, std::min(step, end - i));
  }

  common::ArithParams p_;
  ChannelMulQ8Params q_;
  ChannelMulRowFn row_ = nullptr;
  std::vector<float> fy_;  // step 1, per invoke, repeated for rows_per_call_ rows
  int32_t y_zero_point_ = 0;
  bool is_signed_ = false;
  int x_ = 0;
  size_t n_ = 0, channels_ = 0, task_ = kTaskElements, rows_per_call_ = 1;
};

}  // namespace

std::unique_ptr<Kernel> CreateChannelMulQ8() { return std::make_unique<ChannelMulQ8Kernel>(); }

}  // namespace labelite::xnn
