// PRELU: y = x for x >= 0, alpha * x otherwise, alpha broadcast against x (numpy rules).
// Quantized (TFLite's BroadcastPrelu4DSlow): x >= 0 is rescaled by in_scale/out_scale, x < 0 by
// in_scale*alpha_scale/out_scale applied to (x - in_zp) * (alpha - alpha_zp).
#include <algorithm>
#include <memory>

#include "kernels/internal/quantization.h"
#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class PreluKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    const Tensor* in = ctx.input(0);
    const Tensor* alpha = ctx.input(1);
    Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
    if (!in || !alpha || !out) return ctx.Error("expects 2 inputs (input, alpha) and 1 output");
    if (!shape::IsFloatOrQuantized8(in->type))
      return ctx.UnsupportedError("input type " + shape::TypeName(in->type) +
                                  " (float32, uint8, int8 supported)");
    if (alpha->type != in->type || out->type != in->type)
      return ctx.Error("input, alpha and output types differ (" + shape::TypeName(in->type) + ", " +
                       shape::TypeName(alpha->type) + ", " + shape::TypeName(out->type) + ")");
    auto dims = shape::Broadcast(in->dims, alpha->dims);
    if (!dims)
      return ctx.Error("alpha shape " + shape::ToString(alpha->dims) +
                       " does not broadcast to input shape " + shape::ToString(in->dims));
    if (dims->size() > static_cast<size_t>(shape::kMaxBroadcastRank))
      return ctx.UnsupportedError("rank " + std::to_string(dims->size()) + " (at most 6)");
    out->dims = *dims;
    in_strides_ = shape::BroadcastStrides(in->dims, out->dims);
    alpha_strides_ = shape::BroadcastStrides(alpha->dims, out->dims);
    if (in->type == DataType::kFloat32) return Status::Ok();
    if (!(in->scale > 0.0f) || !(alpha->scale > 0.0f) || !(out->scale > 0.0f))
      return ctx.Error("quantized input, alpha and output need positive scales");
    const float m1 = in->scale / out->scale;
    const float m2 = in->scale * alpha->scale / out->scale;
    quant::QuantizeMultiplier(static_cast<double>(m1), &mult1_, &shift1_);
    quant::QuantizeMultiplier(static_cast<double>(m2), &mult2_, &shift2_);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    const Tensor& alpha = *ctx.input(1);
    Tensor& out = *ctx.output(0);
    switch (in.type) {
      case DataType::kFloat32: {
        const float* x = in.data_as<float>();
        const float* a = alpha.data_as<float>();
        float* y = out.data_as<float>();
        shape::ForEachBroadcast(out.dims, in_strides_, alpha_strides_,
                                [&](int64_t o, int64_t i, int64_t j) {
                                  y[o] = x[i] >= 0.0f ? x[i] : x[i] * a[j];
                                });
        return Status::Ok();
      }
      case DataType::kUInt8: EvalQuantized<uint8_t>(in, alpha, out); return Status::Ok();
      case DataType::kInt8: EvalQuantized<int8_t>(in, alpha, out); return Status::Ok();
      default: return Internal("PRELU: unexpected type");
    }
  }

 private:
  template <typename T>
  void EvalQuantized(const Tensor& in, const Tensor& alpha, Tensor& out) const {
    const T* x = in.data_as<T>();
    const T* a = alpha.data_as<T>();
    T* y = out.data_as<T>();
    const int32_t qmin = quant::QuantizedMin(out.type), qmax = quant::QuantizedMax(out.type);
    shape::ForEachBroadcast(out.dims, in_strides_, alpha_strides_, [&](int64_t o, int64_t i, int64_t j) {
      const int32_t v = static_cast<int32_t>(x[i]) - in.zero_point;
      int32_t r;
      if (v >= 0) {
        r = quant::MultiplyByQuantizedMultiplier(v, mult1_, shift1_);
      } else {
        const int32_t av = static_cast<int32_t>(a[j]) - alpha.zero_point;
        r = quant::MultiplyByQuantizedMultiplier(v * av, mult2_, shift2_);
      }
      y[o] = static_cast<T>(std::clamp(r + out.zero_point, qmin, qmax));
    });
  }

  std::array<int64_t, shape::kMaxBroadcastRank> in_strides_{}, alpha_strides_{};
  int32_t mult1_ = 0, mult2_ = 0;
  int shift1_ = 0, shift2_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferencePrelu() { return std::make_unique<PreluKernel>(); }

}  // namespace labelite
