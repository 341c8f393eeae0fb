// QUANTIZE: float32 -> uint8/int8/int16 (round(x / scale) + zero_point, saturated), or
// requantize uint8/int8 -> uint8/int8 (TFLite's Requantize: one multiplier,
// in_scale / out_scale, applied to q - in_zp, plus out_zp, saturated).
#include <algorithm>
#include <memory>

#include "kernels/internal/quantization.h"
#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

bool Is8Bit(DataType t) { return t == DataType::kUInt8 || t == DataType::kInt8; }

class QuantizeKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    const Tensor* in = ctx.input(0);
    Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
    if (!in || !out) return ctx.Error("expects 1 input and 1 output");
    const bool from_float = in->type == DataType::kFloat32 &&
                            (Is8Bit(out->type) || out->type == DataType::kInt16);
    const bool requantize = Is8Bit(in->type) && Is8Bit(out->type);
    if (!from_float && !requantize)
      return ctx.UnsupportedError("from " + shape::TypeName(in->type) + " to " +
                                  shape::TypeName(out->type) +
                                  " (float32 -> uint8/int8/int16 and uint8/int8 -> uint8/int8 "
                                  "supported)");
    if (out->quant && out->quant->per_channel())
      return ctx.UnsupportedError("per-channel quantized output");
    if (!(out->scale > 0.0f)) return ctx.Error("output scale must be positive");
    out->dims = in->dims;
    if (requantize) {
      if (!(in->scale > 0.0f)) return ctx.Error("input scale must be positive");
      quant::QuantizeMultiplier(static_cast<double>(in->scale) / static_cast<double>(out->scale),
                                &multiplier_, &shift_);
    }
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    Tensor& out = *ctx.output(0);
    if (in.type == DataType::kFloat32) {
      switch (out.type) {
        case DataType::kUInt8: FromFloat<uint8_t>(in, out); break;
        case DataType::kInt8: FromFloat<int8_t>(in, out); break;
        default: FromFloat<int16_t>(in, out); break;
      }
      return Status::Ok();
    }
    if (in.type == DataType::kUInt8) {
      out.type == DataType::kUInt8 ? Requantize<uint8_t, uint8_t>(in, out)
                                   : Requantize<uint8_t, int8_t>(in, out);
    } else {
      out.type == DataType::kUInt8 ? Requantize<int8_t, uint8_t>(in, out)
                                   : Requantize<int8_t, int8_t>(in, out);
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  static void FromFloat(const Tensor& in, Tensor& out) {
    const float* x = in.data_as<float>();
    T* y = out.data_as<T>();
    const int64_t n = in.NumElements();
    for (int64_t i = 0; i < n; ++i)
      y[i] = static_cast<T>(quant::QuantizeValue(x[i], out.scale, out.zero_point, out.type));
  }

  template <typename In, typename Out>
  void Requantize(const Tensor& in, Tensor& out) const {
    const In* x = in.data_as<In>();
    Out* y = out.data_as<Out>();
    const int32_t qmin = quant::QuantizedMin(out.type), qmax = quant::QuantizedMax(out.type);
    const int64_t n = in.NumElements();
    for (int64_t i = 0; i < n; ++i) {
      const int32_t v = quant::MultiplyByQuantizedMultiplier(
                            static_cast<int32_t>(x[i]) - in.zero_point, multiplier_, shift_) +
                        out.zero_point;
      y[i] = static_cast<Out>(std::clamp(v, qmin, qmax));
    }
  }

  int32_t multiplier_ = 0;
  int shift_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceQuantize() { return std::make_unique<QuantizeKernel>(); }

}  // namespace labelite
