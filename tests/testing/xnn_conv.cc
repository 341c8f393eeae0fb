#include "testing/xnn_conv.h"

#include <gtest/gtest.h>
#include <xnnpack.h>

#include <memory>

namespace labelite::testing {
namespace {

struct OpDeleter {
  void operator()(xnn_operator_t op) const { xnn_delete_operator(op); }
};

}  // namespace

std::vector<uint8_t> RunXnnpackConv(ConvKind kind, const xnn::FastConvSpec& s, size_t batch,
                                    const std::vector<uint8_t>& input) {
  const xnn::ConvQuant& q = s.quant;
  // A depthwise convolution is a grouped one: a group per channel, one input and one output.
  const size_t groups = s.depthwise ? s.cin : 1;
  const size_t group_in = s.depthwise ? 1 : s.cin;
  const size_t group_out = s.depthwise ? 1 : s.cout;
  const uint32_t flags = s.depthwise ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0;
  const auto* w8 = static_cast<const int8_t*>(s.weights);
  xnn_operator_t op = nullptr;
  xnn_status st;
  if (kind == ConvKind::kQU8) {
    st = xnn_create_convolution2d_nhwc_qu8(
        s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, s.kernel_h, s.kernel_w, s.stride_h,
        s.stride_w, s.dilation_h, s.dilation_w, groups, group_in, group_out, s.cin, s.cout,
        static_cast<uint8_t>(q.input_zero_point), q.input_scale,
        static_cast<uint8_t>(q.kernel_zero_point), q.kernel_scales[0],
        static_cast<const uint8_t*>(s.weights), s.bias, static_cast<uint8_t>(q.output_zero_point),
        q.output_scale, static_cast<uint8_t>(q.output_min), static_cast<uint8_t>(q.output_max),
        flags, &op);
  } else if (kind == ConvKind::kQC8) {
    st = xnn_create_convolution2d_nhwc_qc8(
        s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, s.kernel_h, s.kernel_w, s.stride_h,
        s.stride_w, s.dilation_h, s.dilation_w, groups, group_in, group_out, s.cin, s.cout,
        static_cast<int8_t>(q.input_zero_point), q.input_scale, q.kernel_scales.data(), w8, s.bias,
        static_cast<int8_t>(q.output_zero_point), q.output_scale, static_cast<int8_t>(q.output_min),
        static_cast<int8_t>(q.output_max), flags, &op);
  } else {
    st = xnn_create_convolution2d_nhwc_qs8(
        s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, s.kernel_h, s.kernel_w, s.stride_h,
        s.stride_w, s.dilation_h, s.dilation_w, groups, group_in, group_out, s.cin, s.cout,
        static_cast<int8_t>(q.input_zero_point), q.input_scale, q.kernel_scales[0], w8, s.bias,
        static_cast<int8_t>(q.output_zero_point), q.output_scale, static_cast<int8_t>(q.output_min),
        static_cast<int8_t>(q.output_max), flags, &op);
  }
  EXPECT_EQ(st, xnn_status_success);
  if (st != xnn_status_success) return {};
  std::unique_ptr<xnn_operator, OpDeleter> owner(op);
  std::vector<uint8_t> out(batch * s.out_h * s.out_w * s.cout);
  if (kind == ConvKind::kQU8)
    st = xnn_setup_convolution2d_nhwc_qu8(op, batch, s.in_h, s.in_w, input.data(), out.data(),
                                          nullptr);
  else if (kind == ConvKind::kQC8)
    st = xnn_setup_convolution2d_nhwc_qc8(op, batch, s.in_h, s.in_w,
                                          reinterpret_cast<const int8_t*>(input.data()),
                                          reinterpret_cast<int8_t*>(out.data()), nullptr);
  else
    st = xnn_setup_convolution2d_nhwc_qs8(op, batch, s.in_h, s.in_w,
                                          reinterpret_cast<const int8_t*>(input.data()),
                                          reinterpret_cast<int8_t*>(out.data()), nullptr);
  EXPECT_EQ(st, xnn_status_success);
  EXPECT_EQ(xnn_run_operator(op, nullptr), xnn_status_success);
  return out;
}

}  // namespace labelite::testing
