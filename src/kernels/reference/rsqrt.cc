// RSQRT, reference implementation. float32: 1 / std::sqrt(x); int8 as TFLite's builtin kernel:
//   v = q - in_zp (an error when negative: RSQRT is only defined for positive values);
//   v == 0 gives 127; else 1/sqrt(v) as a fixed-point multiplier (Newton-Raphson),
//   d = MultiplyByQuantizedMultiplier(1, m, s + 20),
//   out = MultiplyByQuantizedMultiplier(d, M, S - 20) + out_zp, clamped, where
//   M * 2^S = 1 / (sqrt(in_scale) * out_scale).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>

#include "kernels/common/unary.h"
#include "kernels/internal/lut_util.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class RsqrtKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareRsqrt(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    if (p_.type == DataType::kFloat32) {
      common::MapUnary<float, float>(ctx, p_.size, [](float x) { return 1.0f / std::sqrt(x); });
      return Status::Ok();
    }
    const int8_t* in = ctx.input(0)->data_as<int8_t>();
    int8_t* out = ctx.output(0)->data_as<int8_t>();
    constexpr int kShift = 20;  // keeps the intermediate an integer
    for (int64_t i = 0; i < p_.size; ++i) {
      const int32_t v = in[i] - p_.in_zp;
      if (v < 0) return ctx.Error("RSQRT is only defined for positive values");
      if (v == 0) {
        out[i] = 127;
        continue;
      }
      int32_t m;
      int s;
      common::InvSqrtQuantizedMultiplier(v, &m, &s);
      const int32_t d = quant::MultiplyByQuantizedMultiplier(1, m, s + kShift);
      const int32_t r =
          quant::MultiplyByQuantizedMultiplier(d, p_.multiplier, p_.shift - kShift) + p_.out_zp;
      out[i] = static_cast<int8_t>(std::clamp(r, -128, 127));
    }
    return Status::Ok();
  }

 private:
  common::UnaryParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceRsqrt() { return std::make_unique<RsqrtKernel>(); }

}  // namespace labelite
