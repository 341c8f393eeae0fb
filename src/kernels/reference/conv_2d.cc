// CONV_2D, reference implementation: float32, uint8 (per-tensor) and int8 (per-channel
// weights), NHWC input, OHWI filter, optional bias, SAME/VALID padding, strides, dilation,
// fused activations; hybrid float32 input with int8 weights (conv_2d_hybrid.cc).
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

#include "kernels/internal/conv_util.h"
#include "kernels/internal/op_checks.h"
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
    LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 2, 3, 1));
    const Tensor& input = *ctx.input(0);
    const Tensor& filter = *ctx.input(1);
    const Tensor* bias = ctx.input(2);
    Tensor& output = *ctx.output(0);
    LABELITE_RETURN_IF_ERROR(internal::CheckRank(ctx, input, "input", 4));
    LABELITE_RETURN_IF_ERROR(internal::CheckRank(ctx, filter, "filter", 4));
    const OpOptions& o = ctx.options();
    channels_in_ = input.dim(3);
    channels_out_ = filter.dim(0);
    if (filter.dim(3) != channels_in_) {
      if (filter.dim(3) > 0 && channels_in_ % filter.dim(3) == 0) {
        return ctx.UnsupportedError("grouped convolution (filter has " +
                                    std::to_string(filter.dim(3)) + " input channels, input has " +
                                    std::to_string(channels_in_) + ") is not supported");
      }
      return ctx.Error("filter has " + std::to_string(filter.dim(3)) +
                       " input channels, input has " + std::to_string(channels_in_));
    }
    w_.batches = input.dim(0);
    w_.in_h = input.dim(1);
    w_.in_w = input.dim(2);
    w_.filter_h = filter.dim(1);
    w_.filter_w = filter.dim(2);
    w_.stride_h = o.stride_h;
    w_.stride_w = o.stride_w;
    w_.dilation_h = o.dilation_h;
    w_.dilation_w = o.dilation_w;
    if (o.stride_h < 1 || o.stride_w < 1 || o.dilation_h < 1 || o.dilation_w < 1) {
      return ctx.Error("strides (" + std::to_string(o.stride_h) + ", " +
                       std::to_string(o.stride_w) + ") and dilations (" +
                       std::to_string(o.dilation_h) + ", " + std::to_string(o.dilation_w) +
                       ") must be positive");
    }
    hybrid_ = hybrid::IsHybrid(input, filter);
    LABELITE_RETURN_IF_ERROR(internal::PrepareConvOutput(ctx, input, filter, bias, output,
                                                         channels_out_, /*channel_axis=*/0, &w_,
                                                         &float_min_, &float_max_, &q_, &hw_));
    if (hybrid_) scratch_.Resize(input.NumElements(), w_.batches, channels_out_);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const Tensor& input = *ctx.input(0);
    if (hybrid_) {
      hybrid::Conv2DHybrid(w_, channels_in_, channels_out_, hw_, input.data_as<float>(),
                           ctx.input(1)->data_as<int8_t>(),
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
    const int32_t y0 = oy * w_.stride_h - w_.pad_h;
    const int32_t x0 = ox * w_.stride_w - w_.pad_w;
    for (int32_t ky = 0; ky < w_.filter_h; ++ky) {
      const int32_t iy = y0 + ky * w_.dilation_h;
      if (iy < 0 || iy >= w_.in_h) continue;
      for (int32_t kx = 0; kx < w_.filter_w; ++kx) {
        const int32_t ix = x0 + kx * w_.dilation_w;
        if (ix < 0 || ix >= w_.in_w) continue;
        const size_t in_at = ((static_cast<size_t>(b) * w_.in_h + iy) * w_.in_w + ix) *
                             static_cast<size_t>(channels_in_);
        const size_t f_at = ((static_cast<size_t>(oc) * w_.filter_h + ky) * w_.filter_w + kx) *
                            static_cast<size_t>(channels_in_);
        body(in_at, f_at);
      }
    }
  }

  void EvalFloat(KernelContext& ctx) const {
    const float* in = ctx.input(0)->data_as<float>();
    const float* filter = ctx.input(1)->data_as<float>();
    const float* bias = ctx.input(2) ? ctx.input(2)->data_as<float>() : nullptr;
    float* out = ctx.output(0)->data_as<float>();
    for (int32_t b = 0; b < w_.batches; ++b)
      for (int32_t oy = 0; oy < w_.out_h; ++oy)
        for (int32_t ox = 0; ox < w_.out_w; ++ox)
          for (int32_t oc = 0; oc < channels_out_; ++oc) {
            float acc = 0.0f;
            ForEachTap(b, oy, ox, oc, [&](size_t in_at, size_t f_at) {
              for (int32_t ic = 0; ic < channels_in_; ++ic) acc += in[in_at + ic] * filter[f_at + ic];
            });
            if (bias) acc += bias[oc];
            *out++ = std::min(std::max(acc, float_min_), float_max_);
          }
  }

  template <typename T>
  void EvalQuantized(KernelContext& ctx) const {
    const T* in = ctx.input(0)->data_as<T>();
    const T* filter = ctx.input(1)->data_as<T>();
    const int32_t* bias = ctx.input(2) ? ctx.input(2)->data_as<int32_t>() : nullptr;
    T* out = ctx.output(0)->data_as<T>();
    for (int32_t b = 0; b < w_.batches; ++b)
      for (int32_t oy = 0; oy < w_.out_h; ++oy)
        for (int32_t ox = 0; ox < w_.out_w; ++ox)
          for (int32_t oc = 0; oc < channels_out_; ++oc) {
            int32_t acc = 0;
            ForEachTap(b, oy, ox, oc, [&](size_t in_at, size_t f_at) {
              for (int32_t ic = 0; ic < channels_in_; ++ic) {
                acc = quant::WrappingAdd(
                    acc, (static_cast<int32_t>(in[in_at + ic]) + q_.input_offset) *
                             (static_cast<int32_t>(filter[f_at + ic]) + q_.filter_offset));
              }
            });
            if (bias) acc = quant::WrappingAdd(acc, bias[oc]);
            int64_t v = internal::RequantizeGemmOutput<T>(
                acc, q_.multiplier[static_cast<size_t>(oc)], q_.shift[static_cast<size_t>(oc)]);
            v += q_.output_offset;
            *out++ = static_cast<T>(std::clamp<int64_t>(v, q_.act_min, q_.act_max));
          }
  }

  Window2D w_;
  int32_t channels_in_ = 0, channels_out_ = 0;
  float float_min_ = 0.0f, float_max_ = 0.0f;
  ConvQuantParams q_;
  bool hybrid_ = false;  // float32 input, int8 weights (dynamic-range model)
  hybrid::HybridWeights hw_;
  hybrid::HybridScratch scratch_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceConv2D() { return std::make_unique<Conv2DKernel>(); }

}  // namespace labelite
