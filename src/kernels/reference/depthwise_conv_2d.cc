// DEPTHWISE_CONV_2D, reference implementation: float32, uint8 (per-tensor) and int8
// (per-channel weights); NHWC input, [1, KH, KW, C * depth_multiplier] filter, optional bias,
// SAME/VALID padding, strides, dilation, fused activations; hybrid float32 input with int8
// per-channel weights (depthwise_conv_2d_hybrid.cc). Prepare is common::PrepareDepthwiseConv
// (kernels/common/conv.h), shared with the fast path.
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

#include "kernels/common/conv.h"
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
    LABELITE_RETURN_IF_ERROR(common::PrepareDepthwiseConv(ctx, &p_));
    if (p_.hybrid) {
      scratch_.Resize(ctx.input(0)->NumElements(), p_.window.batches, p_.channels_out);
    }
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    if (p_.hybrid) {
      hybrid::DepthwiseConv2DHybrid(p_.window, p_.channels_in, p_.depth_multiplier,
                                    p_.hybrid_weights, ctx.input(0)->data_as<float>(),
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
    const Window2D& w = p_.window;
    const ConvQuantParams& q = p_.quant;
    const int32_t cin = p_.channels_in, cout = p_.channels_out;
    const int32_t multiplier = p_.depth_multiplier;
    const float float_min = p_.float_min, float_max = p_.float_max;
    const int32_t neon_channels = cout / 8 * 8;  // int8: TFLite's NEON output stage
    for (int32_t b = 0; b < w.batches; ++b)
      for (int32_t oy = 0; oy < w.out_h; ++oy)
        for (int32_t ox = 0; ox < w.out_w; ++ox)
          for (int32_t ic = 0; ic < cin; ++ic)
            for (int32_t m = 0; m < multiplier; ++m) {
              const int32_t oc = ic * multiplier + m;
              // The bias starts the sum, as in TFLite's optimized kernel (its accumulator
              // buffer is initialized with it); float rounding depends on that order.
              Acc acc = bias ? bias[oc] : Acc{0};
              for (int32_t ky = 0; ky < w.filter_h; ++ky) {
                const int32_t iy = oy * w.stride_h - w.pad_h + ky * w.dilation_h;
                if (iy < 0 || iy >= w.in_h) continue;
                for (int32_t kx = 0; kx < w.filter_w; ++kx) {
                  const int32_t ix = ox * w.stride_w - w.pad_w + kx * w.dilation_w;
                  if (ix < 0 || ix >= w.in_w) continue;
                  const Acc x = static_cast<Acc>(
                      in[((static_cast<size_t>(b) * w.in_h + iy) * w.in_w + ix) *
                             static_cast<size_t>(cin) + ic]);
                  const Acc f = static_cast<Acc>(
                      filter[(static_cast<size_t>(ky) * w.filter_w + kx) *
                                 static_cast<size_t>(cout) + oc]);
                  if constexpr (std::is_same_v<Acc, float>) {
                    acc += x * f;
                  } else {
                    acc = quant::WrappingAdd(acc, (x + q.input_offset) * (f + q.filter_offset));
                  }
                }
              }
              if constexpr (std::is_same_v<Acc, float>) {
                *out++ = std::min(std::max(acc, float_min), float_max);
              } else {
                const int32_t qm = q.multiplier[static_cast<size_t>(oc)];
                const int shift = q.shift[static_cast<size_t>(oc)];
                int64_t v = std::is_same_v<T, int8_t> && oc < neon_channels
                                ? quant::MultiplyByQuantizedMultiplierTiesUp(acc, qm, shift)
                                : quant::MultiplyByQuantizedMultiplier(acc, qm, shift);
                v += q.output_offset;
                *out++ = static_cast<T>(std::clamp<int64_t>(v, q.act_min, q.act_max));
              }
            }
  }

  common::ConvParams p_;
  hybrid::HybridScratch scratch_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceDepthwiseConv2D() {
  return std::make_unique<DepthwiseConv2DKernel>();
}

}  // namespace labelite
