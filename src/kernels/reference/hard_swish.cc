// HARD_SWISH: y = x * relu6(x + 3) / 6 (float: in the order of LiteRT's optimized kernel, below).
// Quantized: TFLite's int16 fixed-point arithmetic (reference_ops::HardSwish), step by step:
//   1. x on a "hires" input scale: (q - in_zp) * 2^7 (fits int16 for 8-bit inputs).
//   2. x on the pre-shift output scale: Q15 multiply by (hires_scale / out_scale).
//   3. the "reluish" factor relu6(x + 3) / 6 in Q15 [0, 1): x rescaled so that 3.0 maps to 2^15
//      (saturating left shifts when the multiplier exceeds 1), then mapped from [-1, 1] to [0, 1].
//   4. product (truncating doubling high mul), output shift, output zero point, saturate.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "kernels/internal/quantization.h"
#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

int16_t SaturatingRoundingDoublingHighMul16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  const int32_t ab = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}

int16_t SaturatingDoublingHighMul16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  return static_cast<int16_t>((static_cast<int32_t>(a) * static_cast<int32_t>(b)) / (1 << 15));
}

int16_t RoundingDivideByPOT16(int16_t x, int exponent) {
  const int16_t mask = static_cast<int16_t>((1 << exponent) - 1);
  const int16_t remainder = static_cast<int16_t>(x & mask);
  const int16_t threshold = static_cast<int16_t>((mask >> 1) + (x < 0 ? 1 : 0));
  return static_cast<int16_t>((x >> exponent) + (remainder > threshold ? 1 : 0));
}

int16_t SaturatingLeftShift16(int16_t x, int amount) {
  const int32_t r = static_cast<int32_t>(x) * (1 << amount);
  return static_cast<int16_t>(std::clamp<int32_t>(r, std::numeric_limits<int16_t>::min(),
                                                  std::numeric_limits<int16_t>::max()));
}

// TFLite's DownScaleInt32ToInt16Multiplier: rounds a Q31 multiplier to Q15.
int16_t DownScaleMultiplier(int32_t m) {
  constexpr int32_t kRounding = 1 << 15;
  if (m >= std::numeric_limits<int32_t>::max() - kRounding) return std::numeric_limits<int16_t>::max();
  return static_cast<int16_t>((m + kRounding) >> 16);
}

class HardSwishKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    const Tensor* in = ctx.input(0);
    Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
    if (!in || !out) return ctx.Error("expects 1 input and 1 output");
    if (!shape::IsFloatOrQuantized8(in->type))
      return ctx.UnsupportedError("input type " + shape::TypeName(in->type) +
                                  " (float32, uint8, int8 supported)");
    if (out->type != in->type)
      return ctx.Error("output type " + shape::TypeName(out->type) + " differs from input type " +
                       shape::TypeName(in->type));
    out->dims = in->dims;
    if (in->type == DataType::kFloat32) return Status::Ok();
    if (!(in->scale > 0.0f) || !(out->scale > 0.0f))
      return ctx.Error("quantized input and output need positive scales");
    const float hires_input_scale = (1.0f / 128.0f) * in->scale;
    const float reluish_scale = 3.0f / 32768.0f;
    const float output_multiplier = hires_input_scale / out->scale;
    const float reluish_multiplier = hires_input_scale / reluish_scale;
    int32_t m32 = 0;
    quant::QuantizeMultiplier(static_cast<double>(output_multiplier), &m32, &output_exponent_);
    output_multiplier_ = DownScaleMultiplier(m32);
    if (output_exponent_ > 0)
      return ctx.UnsupportedError("input scale / output scale too large for the fixed-point path");
    quant::QuantizeMultiplier(static_cast<double>(reluish_multiplier), &m32, &reluish_exponent_);
    reluish_multiplier_ = DownScaleMultiplier(m32);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    Tensor& out = *ctx.output(0);
    const int64_t n = in.NumElements();
    switch (in.type) {
      case DataType::kFloat32: {
        const float* x = in.data_as<float>();
        float* y = out.data_as<float>();
        // LiteRT's optimized kernel rounds as its NEON code (through NEON_2_SSE on x86) does
        // in blocks of 4: (x * (1/6)) * relu6(x + 3); its scalar loop takes the last n mod 4
        // elements as (x * relu6(x + 3)) * (1/6).
        constexpr float kOneSixth = 1.0f / 6.0f;
        const int64_t blocks = n / 4 * 4;
        for (int64_t i = 0; i < n; ++i) {
          const float reluish = std::min(6.0f, std::max(0.0f, x[i] + 3.0f));
          y[i] = i < blocks ? (x[i] * kOneSixth) * reluish : (x[i] * reluish) * kOneSixth;
        }
        return Status::Ok();
      }
      case DataType::kUInt8: EvalQuantized<uint8_t>(in, out, n); return Status::Ok();
      case DataType::kInt8: EvalQuantized<int8_t>(in, out, n); return Status::Ok();
      default: return Internal("HARD_SWISH: unexpected type");
    }
  }

 private:
  template <typename T>
  void EvalQuantized(const Tensor& in, Tensor& out, int64_t n) const {
    const T* x = in.data_as<T>();
    T* y = out.data_as<T>();
    for (int64_t i = 0; i < n; ++i) {
      const int16_t v = static_cast<int16_t>(static_cast<int32_t>(x[i]) - in.zero_point);
      const int16_t hires = static_cast<int16_t>(v * (1 << 7));
      const int16_t preshift_out = SaturatingRoundingDoublingHighMul16(hires, output_multiplier_);
      int16_t reluish = hires;
      if (reluish_exponent_ > 0) reluish = SaturatingLeftShift16(reluish, reluish_exponent_ - 1);
      reluish = SaturatingRoundingDoublingHighMul16(reluish, reluish_multiplier_);
      if (reluish_exponent_ > 0) reluish = SaturatingLeftShift16(reluish, 1);
      if (reluish_exponent_ < 0) reluish = RoundingDivideByPOT16(reluish, -reluish_exponent_);
      reluish = static_cast<int16_t>((static_cast<int32_t>(reluish) + (1 << 15)) >> 1);
      const int16_t preshift = SaturatingDoublingHighMul16(reluish, preshift_out);
      // TFLite adds the zero point in int16 (it cannot wrap for 8-bit outputs in practice).
      const int16_t r = static_cast<int16_t>(RoundingDivideByPOT16(preshift, -output_exponent_) +
                                             out.zero_point);
      y[i] = static_cast<T>(std::clamp<int32_t>(r, quant::QuantizedMin(out.type),
                                                quant::QuantizedMax(out.type)));
    }
  }

  int16_t output_multiplier_ = 0, reluish_multiplier_ = 0;
  int output_exponent_ = 0, reluish_exponent_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceHardSwish() { return std::make_unique<HardSwishKernel>(); }

}  // namespace labelite
