// Window geometry shared by CONV_2D, DEPTHWISE_CONV_2D and the pools: TFLite's ComputeOutSize and
// ComputePaddingHeightWidth, so output sizes and SAME offsets match TFLite exactly.
#ifndef LABELITE_KERNELS_INTERNAL_CONV_UTIL_H_
#define LABELITE_KERNELS_INTERNAL_CONV_UTIL_H_

#include <cstdint>
#include <type_traits>
#include <vector>

#include "kernels/internal/quantization.h"
#include "labelite/status.h"
#include "model/model.h"
#include "runtime/kernel.h"
#include "runtime/tensor.h"

namespace labelite::internal {

// Output size along one axis; <= 0 when the window does not fit (VALID) or stride is 0.
inline int32_t WindowOutputSize(Padding padding, int32_t in, int32_t filter, int32_t stride,
                                int32_t dilation) {
  if (stride <= 0 || dilation <= 0 || filter <= 0) return 0;
  const int64_t effective = (static_cast<int64_t>(filter) - 1) * dilation + 1;
  const int64_t out = padding == Padding::kSame ? (static_cast<int64_t>(in) + stride - 1) / stride
                                                : (in + stride - effective) / stride;
  return out > 0 ? static_cast<int32_t>(out) : 0;
}

// Padding before the first element (TFLite puts the odd extra element after the last one).
inline int32_t WindowPadding(int32_t in, int32_t filter, int32_t stride, int32_t dilation,
                             int32_t out) {
  const int64_t effective = (static_cast<int64_t>(filter) - 1) * dilation + 1;
  const int64_t total = (static_cast<int64_t>(out) - 1) * stride + effective - in;
  return total > 0 ? static_cast<int32_t>(total / 2) : 0;
}

// The geometry of a 2-D sliding window over an NHWC tensor.
struct Window2D {
  int32_t batches = 0, in_h = 0, in_w = 0;
  int32_t filter_h = 0, filter_w = 0;
  int32_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int32_t out_h = 0, out_w = 0;
  int32_t pad_h = 0, pad_w = 0;
};

// Fills out_*/pad_* from the other fields; false when the output would be empty.
inline bool ComputeWindow(Padding padding, Window2D* w) {
  w->out_h = WindowOutputSize(padding, w->in_h, w->filter_h, w->stride_h, w->dilation_h);
  w->out_w = WindowOutputSize(padding, w->in_w, w->filter_w, w->stride_w, w->dilation_w);
  if (w->out_h <= 0 || w->out_w <= 0) return false;
  w->pad_h = WindowPadding(w->in_h, w->filter_h, w->stride_h, w->dilation_h, w->out_h);
  w->pad_w = WindowPadding(w->in_w, w->filter_w, w->stride_w, w->dilation_w, w->out_w);
  return true;
}


// Requantization parameters of a quantized convolution-like op (CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED), one multiplier per output channel (repeated when per-tensor).
struct ConvQuantParams {
  int32_t input_offset = 0;   // -input zero point
  int32_t filter_offset = 0;  // -filter zero point (0 for int8, whose weights are symmetric)
  int32_t output_offset = 0;  // output zero point
  std::vector<int32_t> multiplier;
  std::vector<int> shift;     // positive: left shift
  int32_t act_min = 0, act_max = 0;
};

enum class MultiplierSource {
  // TFLite's PopulateConvolutionQuantizationParams: per channel,
  // double(input_scale) * double(filter_scale[c]) / double(output_scale); for uint8 the
  // legacy GetQuantizedConvolutionMultipler below.
  kConv,
  // FULLY_CONNECTED: the legacy multiplier unless the filter is per-channel.
  kFullyConnected,
};

// Requantizes one GEMM accumulator (CONV_2D, FULLY_CONNECTED) as TFLite's builtin kernels do:
// their cpu_backend_gemm runs uint8 through gemmlowp (MultiplyByQuantizedMultiplier) and int8
// through ruy (MultiplyByQuantizedMultiplierTiesUp), as the uint8 and int8 CONV_2D goldens
// (raw-builtin) confirm.
// DEPTHWISE_CONV_2D does not use the GEMM and keeps gemmlowp's rounding for both types.
template <typename T>
inline int32_t RequantizeGemmOutput(int32_t acc, int32_t multiplier, int shift) {
  if constexpr (std::is_same_v<T, int8_t>) {
    return quant::MultiplyByQuantizedMultiplierTiesUp(acc, multiplier, shift);
  } else {
    return quant::MultiplyByQuantizedMultiplier(acc, multiplier, shift);
  }
}

// Validates the types and quantization of (input, filter, bias, output) for a uint8 or int8
// op and computes the parameters. `channels` is the number of output channels and
// `channel_axis` the filter axis that per-channel scales must run along. The legacy multiplier
// is double(float(input_scale * filter_scale)) / double(output_scale) (a float product, as in
// TFLite), after checking that the bias scale equals input_scale * filter_scale. With
// `multipliers` false the checks are the same but multiplier / shift stay empty (for callers that
// requantize with the scales, as XNNPACK does).
Status PrepareConvQuant(const KernelContext& ctx, const Tensor& input, const Tensor& filter,
                        const Tensor* bias, const Tensor& output, int32_t channels,
                        int channel_axis, Activation activation, MultiplierSource source,
                        ConvQuantParams* params, bool multipliers = true);

// Checks the optional float bias (shape [channels]) of a float op.
Status CheckFloatBias(const KernelContext& ctx, const Tensor* bias, int32_t channels);

}  // namespace labelite::internal

#endif  // LABELITE_KERNELS_INTERNAL_CONV_UTIL_H_
