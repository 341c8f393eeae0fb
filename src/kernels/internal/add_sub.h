// ADD and SUB, reference implementation: float32, uint8, int8, with broadcasting and fused
// activations (one kernel, used by reference/add.cc and reference/sub.cc). Validation and the
// quantized parameters come from common::PrepareArith (kernels/common/add_sub_mul.h).
//
// Quantized arithmetic, as TFLite's builtin kernels (left_shift = 20):
//   x_i = MultiplyByQuantizedMultiplier((q_i - zp_i) * 2^20, m_i)
//   out = clamp(MultiplyByQuantizedMultiplier(x_1 +- x_2, mo) + zp_out)
#ifndef LABELITE_KERNELS_INTERNAL_ADD_SUB_H_
#define LABELITE_KERNELS_INTERNAL_ADD_SUB_H_

#include <algorithm>
#include <memory>

#include "kernels/common/add_sub_mul.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite::internal {

// ADD and SUB differ only in the sign of the second operand.
template <bool kSubtract>
class AddSubKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    return common::PrepareArith(ctx, kSubtract ? common::ArithOp::kSub : common::ArithOp::kAdd,
                                &p_);
  }

  Status Eval(KernelContext& ctx) override {
    switch (p_.type) {
      case DataType::kFloat32: {
        const float* a = ctx.input(0)->data_as<float>();
        const float* b = ctx.input(1)->data_as<float>();
        float* out = ctx.output(0)->data_as<float>();
        p_.broadcast.ForEach([&](int64_t i, int64_t ia, int64_t ib) {
          out[i] = std::min(std::max(kSubtract ? a[ia] - b[ib] : a[ia] + b[ib], p_.float_min),
                            p_.float_max);
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
  static constexpr int kLeftShift = common::ArithParams::kLeftShift;

  template <typename T>
  void RunQuantized(KernelContext& ctx) {
    const T* a = ctx.input(0)->data_as<T>();
    const T* b = ctx.input(1)->data_as<T>();
    T* out = ctx.output(0)->data_as<T>();
    const common::ArithParams& p = p_;
    p_.broadcast.ForEach([&](int64_t i, int64_t ia, int64_t ib) {
      const int32_t xa = (static_cast<int32_t>(a[ia]) + p.in1_offset) * (1 << kLeftShift);
      const int32_t xb = (static_cast<int32_t>(b[ib]) + p.in2_offset) * (1 << kLeftShift);
      const int32_t sa = quant::MultiplyByQuantizedMultiplier(xa, p.in1_multiplier, p.in1_shift);
      const int32_t sb = quant::MultiplyByQuantizedMultiplier(xb, p.in2_multiplier, p.in2_shift);
      const int32_t r = quant::MultiplyByQuantizedMultiplier(kSubtract ? sa - sb : sa + sb,
                                                             p.out_multiplier, p.out_shift) +
                        p.out_offset;
      out[i] = static_cast<T>(std::clamp(r, p.act_min, p.act_max));
    });
  }

  common::ArithParams p_;
};

}  // namespace labelite::internal

#endif  // LABELITE_KERNELS_INTERNAL_ADD_SUB_H_
