// ADD and SUB, reference implementation: float32, uint8, int8, with broadcasting and fused
// activations (one kernel, used by reference/add.cc and reference/sub.cc).
//
// Quantized arithmetic, as TFLite's builtin kernels (left_shift = 20):
//   twice_max = 2 * max(s1, s2); m1 = s1 / twice_max; m2 = s2 / twice_max;
//   mo = twice_max / (2^20 * s_out)                    (doubles, QuantizeMultiplier each)
//   x_i = MultiplyByQuantizedMultiplier((q_i - zp_i) * 2^20, m_i)
//   out = clamp(MultiplyByQuantizedMultiplier(x_1 +- x_2, mo) + zp_out)
#ifndef LABELITE_KERNELS_INTERNAL_ADD_SUB_H_
#define LABELITE_KERNELS_INTERNAL_ADD_SUB_H_

#include <algorithm>
#include <memory>
#include <string>

#include "kernels/internal/elementwise_util.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite::internal {

// ADD and SUB differ only in the sign of the second operand.
template <bool kSubtract>
class AddSubKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(broadcast_.Prepare(ctx));
    const Tensor& a = *ctx.input(0);
    const Tensor& b = *ctx.input(1);
    const Tensor& out = *ctx.output(0);
    const Activation act = ctx.options().activation;
    switch (a.type) {
      case DataType::kFloat32:
        if (act == Activation::kTanh || act == Activation::kSignBit) break;
        quant::ActivationRangeFloat(act, &float_min_, &float_max_);
        return Status::Ok();
      case DataType::kUInt8:
      case DataType::kInt8: {
        LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, a, "input 1"));
        LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, b, "input 2"));
        LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, out, "output"));
        offset_a_ = -a.zero_point;
        offset_b_ = -b.zero_point;
        offset_out_ = out.zero_point;
        const double twice_max = 2 * std::max(a.scale, b.scale);
        quant::QuantizeMultiplier(a.scale / twice_max, &mult_a_, &shift_a_);
        quant::QuantizeMultiplier(b.scale / twice_max, &mult_b_, &shift_b_);
        quant::QuantizeMultiplier(twice_max / ((1 << kLeftShift) * out.scale), &mult_out_,
                                  &shift_out_);
        if (quant::ActivationRangeQuantized(act, out.type, out.scale, out.zero_point, &act_min_,
                                            &act_max_)) {
          return Status::Ok();
        }
        break;
      }
      default:
        return ctx.UnsupportedError("input type " + std::string(DataTypeName(a.type)) +
                                    " is not supported");
    }
    return ctx.UnsupportedError("fused activation " + std::to_string(static_cast<int>(act)) +
                                " is not supported");
  }

  Status Eval(KernelContext& ctx) override {
    switch (ctx.input(0)->type) {
      case DataType::kFloat32: {
        const float* a = ctx.input(0)->data_as<float>();
        const float* b = ctx.input(1)->data_as<float>();
        float* out = ctx.output(0)->data_as<float>();
        broadcast_.ForEach([&](int64_t i, int64_t ia, int64_t ib) {
          out[i] = std::min(std::max(kSubtract ? a[ia] - b[ib] : a[ia] + b[ib], float_min_), float_max_);
        });
        break;
      }
      case DataType::kUInt8: RunQuantized<uint8_t>(ctx); break;
      case DataType::kInt8: RunQuantized<int8_t>(ctx); break;
      default: return Internal(kSubtract ? "SUB: unexpected type" : "ADD: unexpected type");
    }
    return Status::Ok();
  }

 private:
  static constexpr int kLeftShift = 20;

  template <typename T>
  void RunQuantized(KernelContext& ctx) {
    const T* a = ctx.input(0)->data_as<T>();
    const T* b = ctx.input(1)->data_as<T>();
    T* out = ctx.output(0)->data_as<T>();
    broadcast_.ForEach([&](int64_t i, int64_t ia, int64_t ib) {
      const int32_t xa = (static_cast<int32_t>(a[ia]) + offset_a_) * (1 << kLeftShift);
      const int32_t xb = (static_cast<int32_t>(b[ib]) + offset_b_) * (1 << kLeftShift);
      const int32_t sa = quant::MultiplyByQuantizedMultiplier(xa, mult_a_, shift_a_);
      const int32_t sb = quant::MultiplyByQuantizedMultiplier(xb, mult_b_, shift_b_);
      const int32_t r =
          quant::MultiplyByQuantizedMultiplier(kSubtract ? sa - sb : sa + sb, mult_out_, shift_out_) + offset_out_;
      out[i] = static_cast<T>(std::clamp(r, act_min_, act_max_));
    });
  }

  internal::Broadcast broadcast_;
  float float_min_ = 0.0f, float_max_ = 0.0f;
  int32_t offset_a_ = 0, offset_b_ = 0, offset_out_ = 0;
  int32_t mult_a_ = 0, mult_b_ = 0, mult_out_ = 0;
  int shift_a_ = 0, shift_b_ = 0, shift_out_ = 0;
  int32_t act_min_ = 0, act_max_ = 0;
};

}  // namespace labelite::internal

#endif  // LABELITE_KERNELS_INTERNAL_ADD_SUB_H_
