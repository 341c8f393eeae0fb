// DEPTHWISE_CONV_2D, reference implementation: float32, uint8 (per-tensor) and int8
// (per-channel weights); NHWC input, [1, KH, KW, C * depth_multiplier] filter, optional bias,
// SAME/VALID padding, strides, dilation, fused activations; hybrid float32 input with int8
// per-channel weights (depthwise_conv_2d_hybrid.cc).
//
// Output channel oc = ic * depth_multiplier + m reads input channel ic. Float: the sum starts at
// the bias and adds the taps row by row (TFLite's optimized kernel; its reference kernel adds the
// bias last, which rounds differently). Quantized arithmetic as
// TFLite's builtin kernel (optimized DepthwiseConv / DepthwiseConvPerChannel, generic path):
//   acc = bias[oc] + sum (input + input_offset) * (filter + filter_offset)
//   out = clamp(MultiplyByQuantizedMultiplier(acc, m[oc], s[oc]) + output_zero_point)
// with TFLite's double rounding; int8 as LiteRT's optimized per-channel kernel (its generic
// path, the one x86 runs) requantizes: its NEON output stage (through NEON_2_SSE on x86) takes
// the channels in blocks of 8 and rounds ties up (MultiplyByQuantizedMultiplierTiesUp), a
// scalar loop takes the last C mod 8 channels with gemmlowp's rounding (the ConvNeXt 7x7,
// MobileNet v3 5x5 and NASNet 11-channel zoo models and the LiteRT checks of the kernel tests).
#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>

#include "kernels/internal/conv_util.h"
#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"
#include "kernels/reference/hybrid_ops.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

using internal::ConvQuantParams;
using internal::Window2D;

class DepthwiseConv2DKernel : public Kernel {
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
    if (filter.dim(0) != 1) {
      return ctx.Error("filter must have shape [1, H, W, C], got " +
                       internal::ShapeString(filter.dims));
    }
    channels_in_ = input.dim(3);
    channels_out_ = filter.dim(3);
    if (channels_in_ <= 0 || channels_out_ % channels_in_ != 0) {
      return ctx.Error("filter has " + std::to_string(channels_out_) +
                       " channels, not a multiple of the input's " + std::to_string(channels_in_));
    }
    depth_multiplier_ = channels_out_ / channels_in_;
    if (o.depth_multiplier != 0 && o.depth_multiplier != depth_multiplier_) {
      return ctx.Error("depth_multiplier is " + std::to_string(o.depth_multiplier) +
                       " but the filter has " + std::to_string(channels_out_) +
                       " channels for " + std::to_string(channels_in_) + " input channels");
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
      return ctx.Error("strides and dilations must be positive");
    }
    hybrid_ = hybrid::IsHybrid(input, filter);
    LABELITE_RETURN_IF_ERROR(internal::PrepareConvOutput(ctx, input, filter, bias, output,
                                                         channels_out_, /*channel_axis=*/3, &w_,
                                                         &float_min_, &float_max_, &q_, &hw_));
    if (hybrid_) {
      // LiteRT's hybrid depthwise kernel needs one scale per output channel.
      if (hw_.num_scales != static_cast<size_t>(channels_out_)) {
        return ctx.UnsupportedError("hybrid int8 weights need per-channel scales (got " +
                                    std::to_string(hw_.num_scales) + " for " +
                                    std::to_string(channels_out_) + " channels)");
      }
      scratch_.Resize(input.NumElements(), w_.batches, channels_out_);
    }
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    if (hybrid_) {
      hybrid::DepthwiseConv2DHybrid(w_, channels_in_, depth_multiplier_, hw_,
                                    ctx.input(0)->data_as<float>(),
                                    ctx.input(1)->data_as<int8_t>(),
                                    ctx.input(2) ? ctx.input(2)->data_as<float>() : nullptr,
                                    ctx.output(0)->data_as<float>(), &scratch_);
      return Status::Ok();
    }
    switch (ctx.input(0)->type) {
      case DataType::kFloat32: Run<float, float>(ctx); break;
      case DataType::kUInt8: Run<uint8_t, int32_t>(ctx); break;
      case DataType::kInt8: Run<int8_t, int32_t>(ctx); break;
      default: return Internal("DEPTHWISE_CONV_2D: unexpected type");
    }
    return Status::Ok();
  }

 private:
  // T: element type; Acc: float or int32.
  template <typename T, typename Acc>
  void Run(KernelContext& ctx) const {
    const T* in = ctx.input(0)->data_as<T>();
    const T* filter = ctx.input(1)->data_as<T>();
    const Acc* bias = ctx.input(2) ? ctx.input(2)->data_as<Acc>() : nullptr;
    T* out = ctx.output(0)->data_as<T>();
    const int32_t neon_channels = channels_out_ / 8 * 8;  // int8: TFLite's NEON output stage
    for (int32_t b = 0; b < w_.batches; ++b)
      for (int32_t oy = 0; oy < w_.out_h; ++oy)
        for (int32_t ox = 0; ox < w_.out_w; ++ox)
          for (int32_t ic = 0; ic < channels_in_; ++ic)
            for (int32_t m = 0; m < depth_multiplier_; ++m) {
              const int32_t oc = ic * depth_multiplier_ + m;
              // The bias starts the sum, as in TFLite's optimized kernel (its accumulator
              // buffer is initialized with it); float rounding depends on that order.
              Acc acc = bias ? bias[oc] : Acc{0};
              for (int32_t ky = 0; ky < w_.filter_h; ++ky) {
                const int32_t iy = oy * w_.stride_h - w_.pad_h + ky * w_.dilation_h;
                if (iy < 0 || iy >= w_.in_h) continue;
                for (int32_t kx = 0; kx < w_.filter_w; ++kx) {
                  const int32_t ix = ox * w_.stride_w - w_.pad_w + kx * w_.dilation_w;
                  if (ix < 0 || ix >= w_.in_w) continue;
                  const Acc x = static_cast<Acc>(
                      in[((static_cast<size_t>(b) * w_.in_h + iy) * w_.in_w + ix) *
                             static_cast<size_t>(channels_in_) + ic]);
                  const Acc f = static_cast<Acc>(
                      filter[(static_cast<size_t>(ky) * w_.filter_w + kx) *
                                 static_cast<size_t>(channels_out_) + oc]);
                  if constexpr (std::is_same_v<Acc, float>) {
                    acc += x * f;
                  } else {
                    acc = quant::WrappingAdd(acc, (x + q_.input_offset) * (f + q_.filter_offset));
                  }
                }
              }
              if constexpr (std::is_same_v<Acc, float>) {
                *out++ = std::min(std::max(acc, float_min_), float_max_);
              } else {
                const int32_t qm = q_.multiplier[static_cast<size_t>(oc)];
                const int shift = q_.shift[static_cast<size_t>(oc)];
                int64_t v = std::is_same_v<T, int8_t> && oc < neon_channels
                                ? quant::MultiplyByQuantizedMultiplierTiesUp(acc, qm, shift)
                                : quant::MultiplyByQuantizedMultiplier(acc, qm, shift);
                v += q_.output_offset;
                *out++ = static_cast<T>(std::clamp<int64_t>(v, q_.act_min, q_.act_max));
              }
            }
  }

  Window2D w_;
  int32_t channels_in_ = 0, channels_out_ = 0, depth_multiplier_ = 1;
  float float_min_ = 0.0f, float_max_ = 0.0f;
  ConvQuantParams q_;
  bool hybrid_ = false;  // float32 input, int8 per-channel weights (dynamic-range model)
  hybrid::HybridWeights hw_;
  hybrid::HybridScratch scratch_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceDepthwiseConv2D() {
  return std::make_unique<DepthwiseConv2DKernel>();
}

}  // namespace labelite
