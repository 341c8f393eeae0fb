// The one Prepare of CONV_2D and DEPTHWISE_CONV_2D, shared by every implementation: the
// reference kernels (kernels/reference/conv_2d.cc, depthwise_conv_2d.cc and their hybrid
// arithmetic), the XNNPACK kernel (kernels/xnnpack/convolution.cc) and labelite's own kernels
// behind it (kernels/fast/fast_conv.h, fed from these parameters), so every path accepts the
// same models and refuses bad ones with the same message.
//
// PrepareConv / PrepareDepthwiseConv, in steps:
//   1. Inputs (input, filter, optional bias) and one output; 4-D NHWC input and 4-D filter:
//        CONV_2D: OHWI filter [cout, kh, kw, cin] with cin = the input's channels (a divisor
//          of them is a grouped convolution: unsupported);
//        DEPTHWISE_CONV_2D: [1, kh, kw, cout] with cout = cin * depth_multiplier (the option,
//          when not 0, must agree).
//   2. Positive strides and dilations; the dilated window by TFLite's SAME/VALID rules
//      (kernels/internal/conv_util.h) must fit the padded input; the output is
//      [batches, out_h, out_w, cout]; padding before (window.pad_h / pad_w) and after.
//   3. Per type, with the fused activation's float range computed for every type:
//        float32 (also float16 weights, which the interpreter dequantized to constant float32):
//          float filter, output and bias of cout elements; TANH / SIGN_BIT are unsupported;
//        float32 input with int8 weights (hybrid, dynamic range): hybrid::PrepareHybridWeights
//          (depthwise needs one scale per output channel, as LiteRT's kernel);
//        uint8 / int8: internal::PrepareConvQuant (types, an int32 bias of cout elements whose
//          scale is input * filter scale for uint8, valid scales, per-channel scales int8 only,
//          one per output channel along axis 0 (CONV_2D) or 3 (DEPTHWISE_CONV_2D), int8 filter
//          zero points 0; TFLite's per-channel multipliers / shifts unless the caller
//          requantizes otherwise (Requantization), and TFLite's quantized clamp range).
#ifndef LABELITE_KERNELS_COMMON_CONV_H_
#define LABELITE_KERNELS_COMMON_CONV_H_

#include <cstdint>
#include <vector>

#include "kernels/common/hybrid.h"
#include "kernels/internal/conv_util.h"
#include "labelite/status.h"
#include "runtime/kernel.h"

namespace labelite::common {

struct ConvParams {
  bool depthwise = false;
  DataType type = DataType::kFloat32;  // input and output type
  bool hybrid = false;                 // float32 input, int8 weights (hybrid_weights)
  Activation activation = Activation::kNone;
  internal::Window2D window;  // pad_h / pad_w: padding before the first row / column
  int32_t pad_bottom = 0, pad_right = 0;  // padding after the last row / column (SAME)
  int32_t channels_in = 0, channels_out = 0;
  int32_t depth_multiplier = 1;  // DEPTHWISE_CONV_2D: channels_out / channels_in
  // The fused activation's float clamp range (every type; NONE: +-inf).
  float float_min = 0.0f, float_max = 0.0f;
  // uint8 / int8: offsets, TFLite's multipliers / shifts per output channel (when asked for),
  // clamp range.
  internal::ConvQuantParams quant;
  float input_scale = 0.0f, output_scale = 0.0f;
  std::vector<float> filter_scales;  // 1 (per tensor) or channels_out (per channel) entries
  // Hybrid only.
  hybrid::HybridWeights hybrid_weights;

  bool quantized() const { return type == DataType::kUInt8 || type == DataType::kInt8; }
  bool per_channel() const { return filter_scales.size() > 1; }
  int32_t input_zero_point() const { return -quant.input_offset; }
  int32_t filter_zero_point() const { return -quant.filter_offset; }  // 0 for int8
  int32_t output_zero_point() const { return quant.output_offset; }
};

// What the caller requantizes uint8 / int8 outputs with: TFLite's fixed-point multipliers
// (quant.multiplier / shift: the reference kernels), or only the scales (the fast path, which
// requantizes in float as XNNPACK does; quant.multiplier / shift stay empty). Every check is the
// same either way.
enum class Requantization { kTfliteMultipliers, kScalesOnly };

Status PrepareConv(KernelContext& ctx, ConvParams* p,
                   Requantization r = Requantization::kTfliteMultipliers);
Status PrepareDepthwiseConv(KernelContext& ctx, ConvParams* p,
                            Requantization r = Requantization::kTfliteMultipliers);

}  // namespace labelite::common

#endif  // LABELITE_KERNELS_COMMON_CONV_H_
