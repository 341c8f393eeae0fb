#include "kernels/xnnpack/convolution.h"

#include <string>

namespace labelite::xnn {
namespace {

bool IsConstant(const Tensor* t) { return t != nullptr && t->is_constant && t->data != nullptr; }

}  // namespace

// Steps: shapes -> output dims and explicit TFLite paddings -> group layout.
Status ConvolutionKernel::ComputeGeometry(KernelContext& ctx, Geometry* g) {
  const Tensor* input = ctx.input(0);
  const Tensor* filter = ctx.input(1);
  Tensor* output = ctx.output(0);
  if (input == nullptr || filter == nullptr || input->rank() != 4 || filter->rank() != 4)
    return ctx.UnsupportedError("needs a 4-D input and a 4-D filter");
  if (!IsConstant(filter)) return ctx.UnsupportedError("filter is not constant");
  const OpOptions& o = ctx.options();
  const int32_t in_c = input->dim(3);
  int32_t out_c = 0;
  if (depthwise_) {
    out_c = filter->dim(3);
    if (filter->dim(0) != 1 || in_c <= 0 || out_c % in_c != 0)
      return ctx.Error("depthwise filter " + std::to_string(out_c) +
                       " channels is not a multiple of " + std::to_string(in_c) + " inputs");
    g->groups = static_cast<uint32_t>(in_c);
    g->group_in = 1;
    g->group_out = static_cast<size_t>(out_c / in_c);
    g->flags = XNN_FLAG_DEPTHWISE_CONVOLUTION;
  } else {
    out_c = filter->dim(0);
    if (filter->dim(3) != in_c)
      return ctx.Error("filter has " + std::to_string(filter->dim(3)) +
                       " input channels, input has " + std::to_string(in_c));
    g->group_in = static_cast<size_t>(in_c);
    g->group_out = static_cast<size_t>(out_c);
  }
  const Tensor* bias = ctx.input(2);
  if (bias != nullptr && (!IsConstant(bias) || bias->NumElements() != out_c))
    return ctx.UnsupportedError("bias is not a constant vector of the output channels");
  const int32_t kh = filter->dim(1), kw = filter->dim(2);
  SpatialDim h, w;
  if (!ComputeSpatialDim(o.padding, input->dim(1), kh, o.stride_h, o.dilation_h, &h) ||
      !ComputeSpatialDim(o.padding, input->dim(2), kw, o.stride_w, o.dilation_w, &w))
    return ctx.Error("invalid kernel, stride or dilation for the input size");
  g->pad_top = h.pad_before;
  g->pad_bottom = h.pad_after;
  g->pad_left = w.pad_before;
  g->pad_right = w.pad_after;
  g->kernel_h = static_cast<uint32_t>(kh);
  g->kernel_w = static_cast<uint32_t>(kw);
  g->stride_h = static_cast<uint32_t>(o.stride_h);
  g->stride_w = static_cast<uint32_t>(o.stride_w);
  g->dilation_h = static_cast<uint32_t>(o.dilation_h);
  g->dilation_w = static_cast<uint32_t>(o.dilation_w);
  output->dims = {input->dim(0), h.out, w.out, out_c};
  return Status::Ok();
}

Status ConvolutionKernel::Prepare(KernelContext& ctx) {
  fast_.reset();
  LABELITE_RETURN_IF_ERROR(EnsureInitialized(ctx));
  const Tensor* input = ctx.input(0);
  const Tensor* filter = ctx.input(1);
  const Tensor* output = ctx.output(0);
  if (input == nullptr || filter == nullptr || input->type != output->type)
    return ctx.UnsupportedError("input and output types differ");
  Geometry g;
  LABELITE_RETURN_IF_ERROR(ComputeGeometry(ctx, &g));
  if (input->type == DataType::kFloat32) {
    float min = 0.0f, max = 0.0f;
    if (filter->type != DataType::kFloat32 ||
        !ActivationRange(ctx.options().activation, &min, &max))
      return ctx.UnsupportedError("float convolution needs float weights and a clamp activation");
    const Tensor* bias = ctx.input(2);
    if (bias != nullptr && bias->type != DataType::kFloat32)
      return ctx.UnsupportedError("float convolution needs a float bias");
    type_ = Type::kF32;
    return CreateF32(ctx, g, min, max);
  }
  return CreateQuantized(ctx, g);
}

Status ConvolutionKernel::CreateF32(KernelContext& ctx, const Geometry& g, float min, float max) {
  const Tensor* bias = ctx.input(2);
  FastConvF32Spec spec;
  static_cast<ConvGeometry&>(spec) = FastGeometry(ctx, g);
  spec.output_min = min;
  spec.output_max = max;
  spec.weights = ctx.input(1)->data_as<float>();
  spec.bias = bias != nullptr ? bias->data_as<float>() : nullptr;
  if ((fast_ = MakeFastConv(spec)) != nullptr) return Status::Ok();
  xnn_operator_t op = nullptr;
  const xnn_status s = xnn_create_convolution2d_nhwc_f32(
      g.pad_top, g.pad_right, g.pad_bottom, g.pad_left, g.kernel_h, g.kernel_w, g.stride_h,
      g.stride_w, g.dilation_h, g.dilation_w, g.groups, g.group_in, g.group_out,
      g.groups * g.group_in, g.groups * g.group_out, ctx.input(1)->data_as<float>(),
      bias != nullptr ? bias->data_as<float>() : nullptr, min, max, g.flags, &op);
  op_.reset(op);
  return Check(ctx, s, "xnn_create_convolution2d_nhwc_f32");
}

// uint8 (qu8), int8 with per-tensor weights (qs8) or per-channel weights (qc8).
Status ConvolutionKernel::CreateQuantized(KernelContext& ctx, const Geometry& g) {
  const Tensor* input = ctx.input(0);
  const Tensor* filter = ctx.input(1);
  const Tensor* bias = ctx.input(2);
  const Tensor* output = ctx.output(0);
  if (input->type != DataType::kUInt8 && input->type != DataType::kInt8)
    return ctx.UnsupportedError("input type is not float32, uint8 or int8");
  if (filter->type != input->type || (bias != nullptr && bias->type != DataType::kInt32))
    return ctx.UnsupportedError("quantized convolution needs same-type weights, int32 bias");
  if (!IsPerTensorQuantized(*input) || !IsPerTensorQuantized(*output))
    return ctx.UnsupportedError("input/output need per-tensor quantization");
  int32_t min = 0, max = 0;
  LABELITE_RETURN_IF_ERROR(QuantizedBounds(ctx, ctx.options().activation, *output, &min, &max));
  const size_t out_c = g.groups * g.group_out;
  if (input->type == DataType::kUInt8) {
    if (!IsPerTensorQuantized(*filter)) return ctx.UnsupportedError("uint8 per-channel weights");
    quant_type_ = QuantConvType::kQU8;
  } else if (filter->quant != nullptr && filter->quant->per_channel()) {
    const QuantizationParams& q = *filter->quant;
    const int32_t channel_axis = depthwise_ ? 3 : 0;
    if (q.scale.size() != out_c || q.quantized_dimension != channel_axis)
      return ctx.UnsupportedError("per-channel scales do not follow the output channels");
    for (int64_t zp : q.zero_point)
      if (zp != 0) return ctx.UnsupportedError("int8 weights with a nonzero zero point");
    quant_type_ = QuantConvType::kQC8;
  } else {
    if (!IsPerTensorQuantized(*filter) || filter->zero_point != 0)
      return ctx.UnsupportedError("int8 weights need scale > 0 and zero point 0");
    quant_type_ = QuantConvType::kQS8;
  }
  type_ = Type::kQuantized;
  const FastConvSpec spec = QuantizedSpec(ctx, g, min, max);
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

ConvGeometry ConvolutionKernel::FastGeometry(const KernelContext& ctx, const Geometry& g) const {
  const Tensor* input = ctx.input(0);
  const Tensor* output = ctx.output(0);
  ConvGeometry s;
  s.depthwise = depthwise_;
  s.in_h = static_cast<size_t>(input->dim(1));
  s.in_w = static_cast<size_t>(input->dim(2));
  s.cin = static_cast<size_t>(input->dim(3));
  s.out_h = static_cast<size_t>(output->dim(1));
  s.out_w = static_cast<size_t>(output->dim(2));
  s.cout = static_cast<size_t>(output->dim(3));
  s.kernel_h = g.kernel_h;
  s.kernel_w = g.kernel_w;
  s.stride_h = g.stride_h;
  s.stride_w = g.stride_w;
  s.dilation_h = g.dilation_h;
  s.dilation_w = g.dilation_w;
  s.pad_top = g.pad_top;
  s.pad_left = g.pad_left;
  s.pad_bottom = g.pad_bottom;
  s.pad_right = g.pad_right;
  return s;
}

// Called by CreateQuantized once the types and quantization parameters are validated.
FastConvSpec ConvolutionKernel::QuantizedSpec(const KernelContext& ctx, const Geometry& g,
                                              int32_t min, int32_t max) const {
  const Tensor* input = ctx.input(0);
  const Tensor* filter = ctx.input(1);
  const Tensor* bias = ctx.input(2);
  const Tensor* output = ctx.output(0);
  FastConvSpec s;
  static_cast<ConvGeometry&>(s) = FastGeometry(ctx, g);
  ConvQuant& q = s.quant;
  q.is_signed = input->type == DataType::kInt8;
  q.input_zero_point = input->zero_point;
  q.kernel_zero_point = q.is_signed ? 0 : filter->zero_point;
  q.output_zero_point = output->zero_point;
  q.output_min = min;
  q.output_max = max;
  q.input_scale = input->scale;
  q.output_scale = output->scale;
  if (filter->quant != nullptr && filter->quant->per_channel())
    q.kernel_scales = filter->quant->scale;
  else
    q.kernel_scales = {filter->scale};
  s.weights = filter->data;
  s.bias = bias != nullptr ? bias->data_as<int32_t>() : nullptr;
  return s;
}

Status ConvolutionKernel::Eval(KernelContext& ctx) {
  if (fast_ == nullptr) return XnnKernel::Eval(ctx);
  const Tensor* in = ctx.input(0);
  fast_->Run(in->data, ctx.output(0)->data, static_cast<size_t>(in->dim(0)), ctx.threadpool);
  return Status::Ok();
}

}  // namespace labelite::xnn
