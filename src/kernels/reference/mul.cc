// MUL, reference implementation: float32, uint8, int8, with broadcasting and fused activations.
// Validation and the quantized parameters come from common::PrepareArith (common/add_sub_mul.h).
//
// Quantized arithmetic, as TFLite's builtin kernel (m = double(s1) * double(s2) / double(s_out)):
//   out = clamp(MultiplyByQuantizedMultiplier((q1 - zp1) * (q2 - zp2), m) + zp_out)
#include <algorithm>
#include <memory>

#include "kernels/common/add_sub_mul.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class MulKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    return common::PrepareArith(ctx, common::ArithOp::kMul, &p_);
  }

  Status Eval(KernelContext& ctx) override {
    switch (p_.type) {
      case DataType::kFloat32: {
        const float* a = ctx.input(0)->data_as<float>();
        const float* b = ctx.input(1)->data_as<float>();
        float* out = ctx.output(0)->data_as<float>();
        p_.broadcast.ForEach([&](int64_t i, int64_t ia, int64_t ib) {
          out[i] = std::min(std::max(a[ia] * b[ib], p_.float_min), p_.float_max);
        });
        break;
      }
      case DataType::kUInt8: RunQuantized<uint8_t>(ctx); break;
      case DataType::kInt8: RunQuantized<int8_t>(ctx); break;
      default: return Internal("MUL: unexpected type");
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  void RunQuantized(KernelContext& ctx) {
    const T* a = ctx.input(0)->data_as<T>();
    const T* b = ctx.input(1)->data_as<T>();
    T* out = ctx.output(0)->data_as<T>();
    const common::ArithParams& p = p_;
    p_.broadcast.ForEach([&](int64_t i, int64_t ia, int64_t ib) {
      const int32_t product = (static_cast<int32_t>(a[ia]) + p.in1_offset) *
                              (static_cast<int32_t>(b[ib]) + p.in2_offset);
      const int32_t r =
          quant::MultiplyByQuantizedMultiplier(product, p.out_multiplier, p.out_shift) +
          p.out_offset;
      out[i] = static_cast<T>(std::clamp(r, p.act_min, p.act_max));
    });
  }

  common::ArithParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceMul() { return std::make_unique<MulKernel>(); }

}  // namespace labelite
