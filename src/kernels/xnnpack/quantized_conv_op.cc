#include "kernels/xnnpack/quantized_conv_op.h"

namespace labelite::xnn {

xnn_status CreateQuantizedConv(const FastConvSpec& s, QuantConvType type, xnn_operator_t* op) {
  const ConvQuant& q = s.quant;
  const size_t groups = s.depthwise ? s.cin : 1;
  const size_t group_in = s.depthwise ? 1 : s.cin;
  const size_t group_out = s.depthwise ? s.cout / s.cin : s.cout;
  const uint32_t flags = s.depthwise ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0;
  const auto* w8 = static_cast<const int8_t*>(s.weights);
  // Debian's XNNPACK asserts (aborts the process) on a requantization scale below 2^-32 and
  // refuses one of 256 or more: refuse both here, so a hostile model gets an error, not abort()
  // (found by fuzz/model_fuzz).
  for (float kernel_scale : q.kernel_scales) {
    const double r = static_cast<double>(q.input_scale) * kernel_scale / q.output_scale;
    if (!(r >= 0x1.0p-32 && r < 256.0)) return xnn_status_unsupported_parameter;
  }
  switch (type) {
    case QuantConvType::kQU8:
      return xnn_create_convolution2d_nhwc_qu8(
          s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, s.kernel_h, s.kernel_w, s.stride_h,
          s.stride_w, s.dilation_h, s.dilation_w, groups, group_in, group_out, s.cin, s.cout,
          static_cast<uint8_t>(q.input_zero_point), q.input_scale,
          static_cast<uint8_t>(q.kernel_zero_point), q.kernel_scales[0],
          static_cast<const uint8_t*>(s.weights), s.bias,
          static_cast<uint8_t>(q.output_zero_point), q.output_scale,
          static_cast<uint8_t>(q.output_min), static_cast<uint8_t>(q.output_max), flags, op);
    case QuantConvType::kQC8:
      return xnn_create_convolution2d_nhwc_qc8(
          s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, s.kernel_h, s.kernel_w, s.stride_h,
          s.stride_w, s.dilation_h, s.dilation_w, groups, group_in, group_out, s.cin, s.cout,
          static_cast<int8_t>(q.input_zero_point), q.input_scale, q.kernel_scales.data(), w8,
          s.bias, static_cast<int8_t>(q.output_zero_point), q.output_scale,
          static_cast<int8_t>(q.output_min), static_cast<int8_t>(q.output_max), flags, op);
    case QuantConvType::kQS8:
      break;
  }
  return xnn_create_convolution2d_nhwc_qs8(
      s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, s.kernel_h, s.kernel_w, s.stride_h,
      s.stride_w, s.dilation_h, s.dilation_w, groups, group_in, group_out, s.cin, s.cout,
      static_cast<int8_t>(q.input_zero_point), q.input_scale, q.kernel_scales[0], w8, s.bias,
      static_cast<int8_t>(q.output_zero_point), q.output_scale, static_cast<int8_t>(q.output_min),
      static_cast<int8_t>(q.output_max), flags, op);
}

xnn_status SetupQuantizedConv(xnn_operator_t op, QuantConvType type, size_t batch, size_t in_h,
                              size_t in_w, const void* input, void* output, pthreadpool_t pool) {
  switch (type) {
    case QuantConvType::kQU8:
      return xnn_setup_convolution2d_nhwc_qu8(op, batch, in_h, in_w,
                                              static_cast<const uint8_t*>(input),
                                              static_cast<uint8_t*>(output), pool);
    case QuantConvType::kQC8:
      return xnn_setup_convolution2d_nhwc_qc8(op, batch, in_h, in_w,
                                              static_cast<const int8_t*>(input),
                                              static_cast<int8_t*>(output), pool);
    case QuantConvType::kQS8:
      break;
  }
  return xnn_setup_convolution2d_nhwc_qs8(op, batch, in_h, in_w, static_cast<const int8_t*>(input),
                                          static_cast<int8_t*>(output), pool);
}

}  // namespace labelite::xnn
