// CONV_2D, reference implementation: float32, uint8 (per-tensor) and int8 (per-channel
// weights), NHWC input, OHWI filter, optional bias, SAME/VALID padding, strides, dilation,
// fused activations; hybrid float32 input with int8 weights (conv_2d_hybrid.cc). Prepare is
// common::PrepareConv (kernels/common/conv.h), shared with the fast path.
//
// Quantized arithmetic, as TFLite's builtin kernel (optimized_ops::Conv /
// optimized_integer_ops::ConvPerChannel, im2col + GEMM):
//   acc = bias[oc] + sum (input + input_offset) * (filter + filter_offset)   (int32)
//   out = clamp(RequantizeGemmOutput(acc, m[oc], s[oc]) + output_zero_point)
// with TFLite's double rounding: gemmlowp's output stage for uint8, ruy's (final shift breaks
// ties upward) for int8, as the raw-builtin goldens confirm (upstream ruy's newer
// single-rounding stage does not match them).
// Padded positions contribute 0.
#include <algorithm>
#include <memory>
#include <string>

#include "kernels/common/conv.h"
#include "kernels/internal/quantization.h"
#include "kernels/reference/hybrid_ops.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

using internal::ConvQuantParams;
using internal::Window2D;

class Conv2DKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(common::PrepareConv(ctx, &p_));
    if (p_.hybrid) {
      scratch_.Resize(ctx.input(0)->NumElements(), p_.window.batches, p_.channels_out);
    }
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const Tensor& input = *ctx.input(0);
    if (p_.hybrid) {
      hybrid::Conv2DHybrid(p_.window, p_.channels_in, p_.channels_out, p_.hybrid_weights,
                           input.data_as<float>(), ctx.input(1)->data_as<int8_t>(),
                           ctx.input(2) ? ctx.input(2)->data_as<float>() : nullptr,
                           ctx.output(0)->data_as<float>(), &scratch_);
      return Status::Ok();
    }
    switch (input.type) {
      case DataType::kFloat32: EvalFloat(ctx); break;
      case DataType::kUInt8: EvalQuantized<uint8_t>(ctx); break;
      case DataType::kInt8: EvalQuantized<int8_t>(ctx); break;
      default: return Internal("CONV_2D: unexpected type");
    }
    return Status::Ok();
  }

 private:
  // Calls body(in_offset, filter_offset) for every in-bounds tap of output (b, oy, ox), where
  // the offsets index the start of the channel runs.
  template <typename Body>
  void ForEachTap(int32_t b, int32_t oy, int32_t ox, int32_t oc, Body&& body) const {
    const Window2D& w = p_.window;
    const auto cin = static_cast<size_t>(p_.channels_in);
    const int32_t y0 = oy * w.stride_h - w.pad_h;
    const int32_t x0 = ox * w.stride_w - w.pad_w;
    for (int32_t ky = 0; ky < w.filter_h; ++ky) {
      const int32_t iy = y0 + ky * w.dilation_h;
      if (iy < 0 || iy >= w.in_h) continue;
      for (int32_t kx = 0; kx < w.filter_w; ++kx) {
        const int32_t ix = x0 + kx * w.dilation_w;
        if (ix < 0 || ix >= w.in_w) continue;
        const size_t in_at = ((static_cast<size_t>(b) * w.in_h + iy) * w.in_w + ix) * cin;
        const size_t f_at = ((static_cast<size_t>(oc) * w.filter_h + ky) * w.filter_w + kx) * cin;
        body(in_at, f_at);
      }
    }
  }

  void EvalFloat(KernelContext& ctx) const {
    const float* in = ctx.input(0)->data_as<float>();
    const float* filter = ctx.input(1)->data_as<float>();
    const float* bias = ctx.input(2) ? ctx.input(2)->data_as<float>() : nullptr;
    float* out = ctx.output(0)->data_as<float>();
    const Window2D& w = p_.window;
    const int32_t cin = p_.channels_in;
    for (int32_t b = 0; b < w.batches; ++b)
      for (int32_t oy = 0; oy < w.out_h; ++oy)
        for (int32_t ox = 0; ox < w.out_w; ++ox)
          for (int32_t oc = 0; oc < p_.channels_out; ++oc) {
            float acc = 0.0f;
            ForEachTap(b, oy, ox, oc, [&](size_t in_at, size_t f_at) {
              for (int32_t ic = 0; ic < cin; ++ic) acc += in[in_at + ic] * filter[f_at + ic];
            });
            if (bias) acc += bias[oc];
            *out++ = std::min(std::max(acc, p_.float_min), p_.float_max);
          }
  }

  template <typename T>
  void EvalQuantized(KernelContext& ctx) const {
    const T* in = ctx.input(0)->data_as<T>();
    const T* filter = ctx.input(1)->data_as<T>();
    const int32_t* bias = ctx.input(2) ? ctx.input(2)->data_as<int32_t>() : nullptr;
    T* out = ctx.output(0)->data_as<T>();
    const Window2D& w = p_.window;
    const ConvQuantParams& q = p_.quant;
    const int32_t cin = p_.channels_in;
    for (int32_t b = 0; b < w.batches; ++b)
      for (int32_t oy = 0; oy < w.out_h; ++oy)
        for (int32_t ox = 0; ox < w.out_w; ++ox)
          for (int32_t oc = 0; oc < p_.channels_out; ++oc) {
            int32_t acc = 0;
            ForEachTap(b, oy, ox, oc, [&](size_t in_at, size_t f_at) {
              for (int32_t ic = 0; ic < cin; ++ic) {
                acc = quant::WrappingAdd(
                    acc, (static_cast<int32_t>(in[in_at + ic]) + q.input_offset) *
                             (static_cast<int32_t>(filter[f_at + ic]) + q.filter_offset));
              }
            });
            if (bias) acc = quant::WrappingAdd(acc, bias[oc]);
            int64_t v = internal::RequantizeGemmOutput<T>(
                acc, q.multiplier[static_cast<size_t>(oc)], q.shift[static_cast<size_t>(oc)]);
            v += q.output_offset;
            *out++ = static_cast<T>(std::clamp<int64_t>(v, q.act_min, q.act_max));
          }
  }

  common::ConvParams p_;
  hybrid::HybridScratch scratch_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceConv2D() { return std::make_unique<Conv2DKernel>(); }

}  // namespace labelite
