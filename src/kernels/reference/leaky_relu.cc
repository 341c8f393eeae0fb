// LEAKY_RELU: y = x for x > 0, alpha * x otherwise.
// Quantized (TFLite's QuantizeLeakyRelu): two multipliers, in_scale/out_scale for x >= 0 and
// in_scale*alpha/out_scale for x < 0 (both products computed in float, as TFLite does).
#include <algorithm>
#include <memory>

#include "kernels/internal/quantization.h"
#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class LeakyReluKernel final : public Kernel {
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
    alpha_ = ctx.options().alpha;
    if (in->type == DataType::kFloat32) return Status::Ok();
    if (!(in->scale > 0.0f) || !(out->scale > 0.0f))
      return ctx.Error("quantized input and output need positive scales");
    const float alpha_multiplier = in->scale * alpha_ / out->scale;
    const float identity_multiplier = in->scale / out->scale;
    quant::QuantizeMultiplier(static_cast<double>(alpha_multiplier), &alpha_mult_, &alpha_shift_);
    quant::QuantizeMultiplier(static_cast<double>(identity_multiplier), &id_mult_, &id_shift_);
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
        for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : x[i] * alpha_;
        return Status::Ok();
      }
      case DataType::kUInt8: EvalQuantized<uint8_t>(in, out, n); return Status::Ok();
      case DataType::kInt8: EvalQuantized<int8_t>(in, out, n); return Status::Ok();
      default: return Internal("LEAKY_RELU: unexpected type");
    }
  }

 private:
  template <typename T>
  void EvalQuantized(const Tensor& in, Tensor& out, int64_t n) const {
    const T* x = in.data_as<T>();
    T* y = out.data_as<T>();
    const int32_t qmin = quant::QuantizedMin(out.type), qmax = quant::QuantizedMax(out.type);
    for (int64_t i = 0; i < n; ++i) {
      const int32_t v = static_cast<int32_t>(x[i]) - in.zero_point;
      const int32_t scaled = v >= 0 ? quant::MultiplyByQuantizedMultiplier(v, id_mult_, id_shift_)
                                    : quant::MultiplyByQuantizedMultiplier(v, alpha_mult_, alpha_shift_);
      y[i] = static_cast<T>(std::clamp(out.zero_point + scaled, qmin, qmax));
    }
  }

  float alpha_ = 0.0f;
  int32_t alpha_mult_ = 0, id_mult_ = 0;
  int alpha_shift_ = 0, id_shift_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceLeakyRelu() { return std::make_unique<LeakyReluKernel>(); }

}  // namespace labelite
