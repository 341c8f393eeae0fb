// LOGISTIC, reference implementation: float32 (exp(x) / (1 + exp(x)) as LiteRT's optimized kernel
// rounds it, below), uint8 and int8 through a
// 256-entry table built as TFLite's builtin (generic optimized) kernel builds it; the output
// scale must be 1/256 as TFLite requires.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "kernels/internal/lut_util.h"
#include "kernels/internal/op_checks.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

// Float LOGISTIC as LiteRT's optimized kernel computes it: Eigen's scalar_logistic_op<float>,
// whose packet path (4-lane SSE packets on x86) evaluates exp(x) as exp(x/2)^2 with Cephes'
// range reduction and a degree-5 polynomial (no fused multiply-adds), then e / (1 + e); the
// last n mod 4 elements take its scalar path, std::exp. Both saturate at 16.6355324.
constexpr float kLogisticHi = 16.6355324f;

float LogisticPacketLane(float x_in) {
  if (std::isnan(x_in)) return x_in;
  if (x_in < -104.0f) return 0.0f;
  const float x = std::min(x_in, kLogisticHi) * 0.5f;
  const float m = std::floor(x * 1.44269504088896341f + 0.5f);
  float r = m * -0.693359375f + x;
  r = m * 2.12194440e-4f + r;
  const float r2 = r * r;
  const float p_even = r2 * 4.1898667812347412109375e-2f + 0.49999141693115234375f;
  const float p_odd = r2 * 8.33471305668354034423828125e-3f + 0.16666877269744873046875f;
  const float p_low = r + 1.0f;
  float p = r * p_odd + p_even;
  p = r2 * p + p_low;
  float e = std::ldexp(p, static_cast<int>(m));
  e = e * e;
  return e / (1.0f + e);
}

float LogisticScalar(float x) {
  const float e = std::exp(std::min(x, kLogisticHi));
  return e / (1.0f + e);
}

class LogisticKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 1, 1, 1));
    const Tensor& input = *ctx.input(0);
    Tensor& output = *ctx.output(0);
    LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, output, "output", input.type));
    LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, output, input.dims));
    const auto sigmoid = [](float x) { return 1.0f / (1.0f + std::exp(-x)); };
    switch (input.type) {
      case DataType::kFloat32:
        return Status::Ok();
      case DataType::kUInt8:
      case DataType::kInt8:
        LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, input, "input"));
        if (output.scale != 1.0f / 256) {
          return ctx.Error("output scale must be 1/256, got " + std::to_string(output.scale));
        }
        if (input.type == DataType::kUInt8) {
          internal::PopulateLut<uint8_t>(input.scale, input.zero_point, output.scale,
                                         output.zero_point, sigmoid, &lut_);
        } else {
          internal::PopulateLut<int8_t>(input.scale, input.zero_point, output.scale,
                                        output.zero_point, sigmoid, &lut_);
        }
        return Status::Ok();
      default:
        return ctx.UnsupportedError("input type " + std::string(DataTypeName(input.type)) +
                                    " is not supported");
    }
  }

  Status Eval(KernelContext& ctx) override {
    const Tensor& input = *ctx.input(0);
    Tensor& output = *ctx.output(0);
    if (input.type != DataType::kFloat32) {
      internal::ApplyLut(lut_, input, output);
      return Status::Ok();
    }
    const float* in = input.data_as<float>();
    float* out = output.data_as<float>();
    const int64_t n = input.NumElements();
    const int64_t packets = n / 4 * 4;
    for (int64_t i = 0; i < packets; ++i) out[i] = LogisticPacketLane(in[i]);
    for (int64_t i = packets; i < n; ++i) out[i] = LogisticScalar(in[i]);
    return Status::Ok();
  }

 private:
  std::array<uint8_t, 256> lut_{};
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceLogistic() { return std::make_unique<LogisticKernel>(); }

}  // namespace labelite
