// DEQUANTIZE: uint8/int8/int16 -> float32 ((q - zero_point) * scale, per tensor or per channel
// along the quantized dimension) and float16 -> float32 (exact conversion). A constant input
// (float16 or per-channel int8 weights) is converted the same way; its data is valid in Eval.
#include <memory>

#include "kernels/internal/fp16.h"
#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class DequantizeKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    const Tensor* in = ctx.input(0);
    Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
    if (!in || !out) return ctx.Error("expects 1 input and 1 output");
    if (out->type != DataType::kFloat32)
      return ctx.UnsupportedError("output type " + shape::TypeName(out->type) + " (float32 only)");
    const DataType t = in->type;
    if (t != DataType::kUInt8 && t != DataType::kInt8 && t != DataType::kInt16 &&
        t != DataType::kFloat16)
      return ctx.UnsupportedError("input type " + shape::TypeName(t) +
                                  " (uint8, int8, int16, float16 supported)");
    out->dims = in->dims;
    per_channel_ = t != DataType::kFloat16 && in->quant && in->quant->per_channel();
    if (per_channel_) {
      const QuantizationParams& q = *in->quant;
      const int axis = q.quantized_dimension;
      if (axis < 0 || axis >= in->rank())
        return ctx.Error("quantized dimension " + std::to_string(axis) + " outside rank " +
                         std::to_string(in->rank()));
      if (static_cast<int64_t>(q.scale.size()) != in->dim(axis) ||
          q.zero_point.size() != q.scale.size())
        return ctx.Error(std::to_string(q.scale.size()) + " per-channel scales for dimension " +
                         std::to_string(axis) + " of size " + std::to_string(in->dim(axis)));
      // Elements are laid out as [outer][channel][inner].
      inner_ = 1;
      for (int d = axis + 1; d < in->rank(); ++d) inner_ *= in->dim(d);
      channels_ = in->dim(axis);
    } else if (t != DataType::kFloat16 && !(in->scale > 0.0f)) {
      return ctx.Error("input scale must be positive");
    }
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    float* y = ctx.output(0)->data_as<float>();
    switch (in.type) {
      case DataType::kFloat16: {
        const uint16_t* x = in.data_as<uint16_t>();
        const int64_t n = in.NumElements();
        for (int64_t i = 0; i < n; ++i) y[i] = fp16::ToFloat(x[i]);
        break;
      }
      case DataType::kUInt8: Run<uint8_t>(in, y); break;
      case DataType::kInt8: Run<int8_t>(in, y); break;
      case DataType::kInt16: Run<int16_t>(in, y); break;
      default: return Internal("DEQUANTIZE: unexpected type");
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  void Run(const Tensor& in, float* y) const {
    const T* x = in.data_as<T>();
    const int64_t n = in.NumElements();
    if (!per_channel_) {
      // TFLite's builtin kernel for 8-bit inputs: blocks of 8 as float(q) * scale plus
      // float(-zero_point * scale) (its NEON code, through NEON_2_SSE on x86); the rest, and
      // int16, as the double product, which is the correctly rounded one.
      int64_t i = 0;
      if constexpr (sizeof(T) == 1) {
        const float scale_f = in.scale;
        const float zero_times_scale = static_cast<float>(-in.zero_point * scale_f);
        for (const int64_t end = n / 8 * 8; i < end; ++i) y[i] = static_cast<float>(x[i]) * scale_f + zero_times_scale;
      }
      const double scale = in.scale;
      for (; i < n; ++i)
        y[i] = static_cast<float>(scale * (static_cast<int32_t>(x[i]) - in.zero_point));
      return;
    }
    const QuantizationParams& q = *in.quant;
    for (int64_t i = 0; i < n; ++i) {
      const size_t c = static_cast<size_t>((i / inner_) % channels_);
      y[i] = static_cast<float>(static_cast<int32_t>(x[i]) - static_cast<int32_t>(q.zero_point[c])) *
             q.scale[c];
    }
  }

  bool per_channel_ = false;
  int64_t inner_ = 1, channels_ = 1;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceDequantize() { return std::make_unique<DequantizeKernel>(); }

}  // namespace labelite
