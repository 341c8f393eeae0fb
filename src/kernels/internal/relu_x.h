// ReluXKernel: RELU, RELU6 and RELU_N1_TO_1 (clamp to [lo, hi]) as TFLite computes them.
// Quantized inputs are requantized to the output's parameters (one multiplier, input scale /
// output scale) before clamping to the output's quantized [lo, hi], as TFLite's QuantizedReluX.
#ifndef LABELITE_KERNELS_INTERNAL_RELU_X_H_
#define LABELITE_KERNELS_INTERNAL_RELU_X_H_

#include <cmath>
#include <limits>

#include "kernels/internal/quantization.h"
#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {

class ReluXKernel final : public Kernel {
 public:
  // hi may be +infinity (RELU).
  ReluXKernel(float lo, float hi) : lo_(lo), hi_(hi) {}

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
    quant::QuantizeMultiplier(static_cast<double>(in->scale) / static_cast<double>(out->scale),
                              &multiplier_, &shift_);
    const int32_t qmin = quant::QuantizedMin(in->type), qmax = quant::QuantizedMax(in->type);
    act_min_ = std::max(qmin, out->zero_point + static_cast<int32_t>(std::round(lo_ / out->scale)));
    act_max_ = std::isinf(hi_) ? qmax
                               : std::min(qmax, out->zero_point +
                                                    static_cast<int32_t>(std::round(hi_ / out->scale)));
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
        for (int64_t i = 0; i < n; ++i) y[i] = std::min(std::max(lo_, x[i]), hi_);
        return Status::Ok();
      }
      case DataType::kUInt8: EvalQuantized<uint8_t>(in, out, n); return Status::Ok();
      case DataType::kInt8: EvalQuantized<int8_t>(in, out, n); return Status::Ok();
      default: return Internal("ReluX: unexpected type");
    }
  }

 private:
  template <typename T>
  void EvalQuantized(const Tensor& in, Tensor& out, int64_t n) const {
    const T* x = in.data_as<T>();
    T* y = out.data_as<T>();
    for (int64_t i = 0; i < n; ++i) {
      int32_t v = out.zero_point + quant::MultiplyByQuantizedMultiplier(
                                       static_cast<int32_t>(x[i]) - in.zero_point, multiplier_, shift_);
      y[i] = static_cast<T>(std::clamp(v, act_min_, act_max_));
    }
  }

  float lo_, hi_;
  int32_t multiplier_ = 0;
  int shift_ = 0;
  int32_t act_min_ = 0, act_max_ = 0;
};

}  // namespace labelite

#endif  // LABELITE_KERNELS_INTERNAL_RELU_X_H_
