// SQUARED_DIFFERENCE, reference implementation with broadcasting: float32 and int32 (a - b)^2;
// int8 as TFLite's builtin kernel:
//   1. x1 = (q1 - zp1) << 7, x2 = (q2 - zp2) << 7;
//   2. each scaled to the common scale 2 * max(s1, s2) (MultiplyByQuantizedMultiplier, <= 1);
//   3. d = x1' - x2'; out = MultiplyByQuantizedMultiplier(d * d, M, S) + out_zp, clamped,
//      M * 2^S = (2 max(s1, s2))^2 / (2^14 * out_scale).
#include <algorithm>
#include <cstdint>
#include <memory>

#include "kernels/common/binary_math.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class SquaredDifferenceKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    return common::PrepareSquaredDifference(ctx, &p_);
  }

  Status Eval(KernelContext& ctx) override {
    switch (p_.type) {
      case DataType::kFloat32: Run<float>(ctx, [](float a, float b) { return (a - b) * (a - b); }); break;
      case DataType::kInt32:
        Run<int32_t>(ctx, [](int32_t a, int32_t b) {
          const uint32_t d = static_cast<uint32_t>(a) - static_cast<uint32_t>(b);
          return static_cast<int32_t>(d * d);
        });
        break;
      default: Run<int8_t>(ctx, [this](int8_t a, int8_t b) { return Quantized(a, b); }); break;
    }
    return Status::Ok();
  }

 private:
  template <typename T, typename F>
  void Run(KernelContext& ctx, F f) {
    const T* a = ctx.input(0)->data_as<T>();
    const T* b = ctx.input(1)->data_as<T>();
    T* out = ctx.output(0)->data_as<T>();
    p_.broadcast.ForEach([&](int64_t i, int64_t ia, int64_t ib) { out[i] = f(a[ia], b[ib]); });
  }

  int8_t Quantized(int8_t a, int8_t b) const {
    constexpr int kShift = common::BinaryMathParams::kLeftShift;
    const int32_t x1 = (p_.in1_offset + a) * (1 << kShift);
    const int32_t x2 = (p_.in2_offset + b) * (1 << kShift);
    const int32_t s1 = quant::MultiplyByQuantizedMultiplier(x1, p_.in1_multiplier, p_.in1_shift);
    const int32_t s2 = quant::MultiplyByQuantizedMultiplier(x2, p_.in2_multiplier, p_.in2_shift);
    const int32_t d = s1 - s2;  // |d| < 2^15: the square fits int32
    const int32_t out =
        quant::MultiplyByQuantizedMultiplier(d * d, p_.out_multiplier, p_.out_shift) +
        p_.out_offset;
    return static_cast<int8_t>(std::clamp(out, -128, 127));
  }

  common::BinaryMathParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceSquaredDifference() {
  return std::make_unique<SquaredDifferenceKernel>();
}

}  // namespace labelite
