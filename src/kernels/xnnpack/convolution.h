// ConvolutionKernel: CONV_2D and DEPTHWISE_CONV_2D on XNNPACK's convolution2d_nhwc operators
// (f32; qu8; qs8 with per-tensor int8 weights; qc8 with per-channel int8 weights).
// A depthwise convolution is a grouped convolution with groups = input channels and
// group_output_channels = depth multiplier; TFLite's [1, KH, KW, C*M] filter is already the
// layout XNNPACK expects with XNN_FLAG_DEPTHWISE_CONVOLUTION.
#ifndef LABELITE_KERNELS_XNNPACK_CONVOLUTION_H_
#define LABELITE_KERNELS_XNNPACK_CONVOLUTION_H_

#include <memory>

#include "kernels/fast/fast_conv.h"
#include "kernels/xnnpack/quantized_conv_op.h"
#include "kernels/xnnpack/xnn_common.h"

namespace labelite::xnn {

class ConvolutionKernel : public XnnKernel {
 public:
  explicit ConvolutionKernel(bool depthwise) : depthwise_(depthwise) {}
  Status Prepare(KernelContext& ctx) override;
  Status Bind(KernelContext& ctx) override;
  Status Eval(KernelContext& ctx) override;
  // The FastConv's name (e.g. "vnni") when one of labelite's own kernels runs it, else
  // "xnnpack".
  const char* path() const override { return fast_ != nullptr ? fast_->path() : "xnnpack"; }
  // XNNPACK's operator and every FastConv pack the filter and bias at Prepare.
  bool packed_constant_inputs() const override { return true; }

 private:
  struct Geometry {
    uint32_t pad_top = 0, pad_right = 0, pad_bottom = 0, pad_left = 0;
    uint32_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
    uint32_t dilation_h = 1, dilation_w = 1, groups = 1;
    size_t group_in = 0, group_out = 0;
    uint32_t flags = 0;
  };
  Status ComputeGeometry(KernelContext& ctx, Geometry* g);
  Status CreateF32(KernelContext& ctx, const Geometry& g, float min, float max);
  Status CreateQuantized(KernelContext& ctx, const Geometry& g);
  // The FastConv description of this op's shape.
  ConvGeometry FastGeometry(const KernelContext& ctx, const Geometry& g) const;
  // This quantized convolution as a FastConvSpec: offered to labelite's own kernels
  // (MakeFastConv), else given to XNNPACK (CreateQuantizedConv).
  FastConvSpec QuantizedSpec(const KernelContext& ctx, const Geometry& g, int32_t min,
                             int32_t max) const;

  enum class Type { kF32, kQuantized };
  bool depthwise_;
  Type type_ = Type::kF32;
  QuantConvType quant_type_ = QuantConvType::kQS8;  // when type_ is kQuantized
  std::unique_ptr<FastConv> fast_;  // replaces op_ when set
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_XNNPACK_CONVOLUTION_H_
