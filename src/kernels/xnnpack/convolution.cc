#include "kernels/xnnpack/convolution.h"

#include "kernels/fast/zero_inputs.h"

namespace labelite::xnn {
namespace {

bool IsConstant(const Tensor* t) { return t != nullptr && t->is_constant && t->data != nullptr; }

// The FastConv description of the prepared window.
ConvGeometry GeometryOf(const common::ConvParams& p) {
  const internal::Window2D& w = p.window;
  ConvGeometry g;
  g.depthwise = p.depthwise;
  g.in_h = static_cast<size_t>(w.in_h);
  g.in_w = static_cast<size_t>(w.in_w);
  g.cin = static_cast<size_t>(p.channels_in);
  g.out_h = static_cast<size_t>(w.out_h);
  g.out_w = static_cast<size_t>(w.out_w);
  g.cout = static_cast<size_t>(p.channels_out);
  g.kernel_h = static_cast<uint32_t>(w.filter_h);
  g.kernel_w = static_cast<uint32_t>(w.filter_w);
  g.stride_h = static_cast<uint32_t>(w.stride_h);
  g.stride_w = static_cast<uint32_t>(w.stride_w);
  g.dilation_h = static_cast<uint32_t>(w.dilation_h);
  g.dilation_w = static_cast<uint32_t>(w.dilation_w);
  g.pad_top = static_cast<uint32_t>(w.pad_h);
  g.pad_left = static_cast<uint32_t>(w.pad_w);
  g.pad_bottom = static_cast<uint32_t>(p.pad_bottom);
  g.pad_right = static_cast<uint32_t>(p.pad_right);
  return g;
}

}  // namespace

Status ConvolutionKernel::Prepare(KernelContext& ctx) {
  fast_.reset();
  common::ConvParams p;
  // XNNPACK and labelite's own kernels requantize with the scales, not TFLite's multipliers.
  const auto r = common::Requantization::kScalesOnly;
  LABELITE_RETURN_IF_ERROR(depthwise_ ? common::PrepareDepthwiseConv(ctx, &p, r)
                                      : common::PrepareConv(ctx, &p, r));
  return Create(ctx, p);
}

Status ConvolutionKernel::Create(const KernelContext& ctx, const common::ConvParams& p) {
  LABELITE_RETURN_IF_ERROR(EnsureInitialized(ctx));
  if (p.hybrid) return ctx.UnsupportedError("hybrid (float32 input, int8 weights) convolution");
  if (!IsConstant(ctx.input(1))) return ctx.UnsupportedError("filter is not constant");
  if (ctx.input(2) != nullptr && !IsConstant(ctx.input(2)))
    return ctx.UnsupportedError("bias is not constant");
  if (p.type == DataType::kFloat32) return CreateF32(ctx, p);
  return CreateQuantized(ctx, p);
}

Status ConvolutionKernel::CreateF32(const KernelContext& ctx, const common::ConvParams& p) {
  const Tensor* bias = ctx.input(2);
  FastConvF32Spec spec;
  static_cast<ConvGeometry&>(spec) = GeometryOf(p);
  spec.output_min = p.float_min;
  spec.output_max = p.float_max;
  spec.weights = ctx.input(1)->data_as<float>();
  spec.bias = bias != nullptr ? bias->data_as<float>() : nullptr;
  spec.input_zeros = InputMayHoldZeros(ctx, 0);
  type_ = Type::kF32;
  if ((fast_ = MakeFastConv(spec)) != nullptr) return Status::Ok();
  // A depthwise convolution is a grouped one: a group per input channel.
  const size_t groups = spec.depthwise ? spec.cin : 1;
  const size_t group_in = spec.depthwise ? 1 : spec.cin;
  const size_t group_out = spec.depthwise ? spec.cout / spec.cin : spec.cout;
  xnn_operator_t op = nullptr;
  const xnn_status s = xnn_create_convolution2d_nhwc_f32(
      spec.pad_top, spec.pad_right, spec.pad_bottom, spec.pad_left, spec.kernel_h, spec.kernel_w,
      spec.stride_h, spec.stride_w, spec.dilation_h, spec.dilation_w,
      static_cast<uint32_t>(groups), group_in, group_out, spec.cin, spec.cout, spec.weights,
      spec.bias, spec.output_min, spec.output_max,
      spec.depthwise ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &op);
  op_.reset(op);
  return Check(ctx, s, "xnn_create_convolution2d_nhwc_f32");
}

// uint8 (qu8), int8 with per-tensor weights (qs8) or per-channel weights (qc8).
Status ConvolutionKernel::CreateQuantized(const KernelContext& ctx,
                                          const common::ConvParams& p) {
  if (!IsPerTensorQuantized(*ctx.input(0)) || !IsPerTensorQuantized(*ctx.output(0)))
    return ctx.UnsupportedError("input/output need per-tensor quantization");
  const Tensor* bias = ctx.input(2);
  FastConvSpec spec;
  static_cast<ConvGeometry&>(spec) = GeometryOf(p);
  ConvQuant& q = spec.quant;
  q.is_signed = p.type == DataType::kInt8;
  q.input_zero_point = p.input_zero_point();
  q.kernel_zero_point = p.filter_zero_point();
  q.output_zero_point = p.output_zero_point();
  // XNNPACK's quantization of the float bounds (as TFLite's delegate), not p.quant.act_min/max.
  if (q.is_signed) {
    q.output_min = QuantizeBoundS8(p.float_min, p.output_scale, q.output_zero_point);
    q.output_max = QuantizeBoundS8(p.float_max, p.output_scale, q.output_zero_point);
  } else {
    q.output_min = QuantizeBoundU8(p.float_min, p.output_scale, q.output_zero_point);
    q.output_max = QuantizeBoundU8(p.float_max, p.output_scale, q.output_zero_point);
  }
  q.input_scale = p.input_scale;
  q.output_scale = p.output_scale;
  q.kernel_scales = p.filter_scales;
  spec.weights = ctx.input(1)->data;
  spec.bias = bias != nullptr ? bias->data_as<int32_t>() : nullptr;
  quant_type_ = !q.is_signed       ? QuantConvType::kQU8
                : p.per_channel() ? QuantConvType::kQC8
                                  : QuantConvType::kQS8;
  type_ = Type::kQuantized;
  if ((fast_ = MakeFastConv(spec)) != nullptr) return Status::Ok();
  xnn_operator_t op = nullptr;
  const xnn_status s = CreateQuantizedConv(spec, quant_type_, &op);
  op_.reset(op);
  return Check(ctx, s,
               quant_type_ == QuantConvType::kQU8   ? "xnn_create_convolution2d_nhwc_qu8"
               : quant_type_ == QuantConvType::kQC8 ? "xnn_create_convolution2d_nhwc_qc8"
                                                    : "xnn_create_convolution2d_nhwc_qs8");
}

Status ConvolutionKernel::Bind(KernelContext& ctx) {
  if (fast_ != nullptr) return Status::Ok();
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const size_t n = static_cast<size_t>(in->dim(0));
  const size_t h = static_cast<size_t>(in->dim(1));
  const size_t w = static_cast<size_t>(in->dim(2));
  xnn_status s;
  if (type_ == Type::kF32)
    s = xnn_setup_convolution2d_nhwc_f32(op_.get(), n, h, w, in->data_as<float>(),
                                         out->data_as<float>(), ctx.threadpool);
  else
    s = SetupQuantizedConv(op_.get(), quant_type_, n, h, w, in->data, out->data, ctx.threadpool);
  return Check(ctx, s, "xnn_setup_convolution2d_nhwc");
}

Status ConvolutionKernel::Eval(KernelContext& ctx) {
  if (fast_ == nullptr) return XnnKernel::Eval(ctx);
  const Tensor* in = ctx.input(0);
  fast_->Run(in->data, ctx.output(0)->data, static_cast<size_t>(in->dim(0)), ctx.threadpool);
  return Status::Ok();
}

}  // namespace labelite::xnn
