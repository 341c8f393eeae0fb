#include "kernels/xnnpack/convolution.h"

#include <type_traits>

#include "kernels/fast/zero_inputs.h"

namespace labelite::xnn {
namespace {

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

constexpr int32_t kPad = 34;  // TFLite BuiltinOperator

// A PAD in front of the convolution (zeros, or the zero point: what the convolution's own
// padding reads) that only pads the image's rows and columns, by less than the window, folded
// into g's padding: g then reads the PAD's input. Returns that tensor's index, or -1.
int32_t FoldPad(const KernelContext& ctx, ConvGeometry* g) {
  const KernelContext* pad = ctx.producer(0);
  if (pad == nullptr || pad->op == nullptr || pad->op->builtin_code != kPad ||
      pad->inputs.size() != 2 || pad->op->inputs.size() != 2)
    return -1;
  const Tensor* src = pad->inputs[0];
  const Tensor* amounts = pad->inputs[1];
  const Tensor* in = ctx.input(0);
  if (src == nullptr || amounts == nullptr || src->is_constant || !IsConstant(amounts) ||
      src->type != in->type || src->rank() != 4 || in->rank() != 4 ||
      src->scale != in->scale || src->zero_point != in->zero_point ||
      amounts->NumElements() != 8 ||
      (amounts->type != DataType::kInt32 && amounts->type != DataType::kInt64))
    return -1;
  int64_t v[8];
  for (int i = 0; i < 8; ++i)
    v[i] = amounts->type == DataType::kInt32 ? amounts->data_as<int32_t>()[i]
                                             : amounts->data_as<int64_t>()[i];
  if (v[0] != 0 || v[1] != 0 || v[6] != 0 || v[7] != 0) return -1;
  for (int i = 2; i < 6; ++i)
    if (v[i] < 0 || v[i] > 64) return -1;
  if (src->dim(1) + v[2] + v[3] != static_cast<int64_t>(g->in_h) ||
      src->dim(2) + v[4] + v[5] != static_cast<int64_t>(g->in_w))
    return -1;
  ConvGeometry f = *g;
  f.in_h = static_cast<size_t>(src->dim(1));
  f.in_w = static_cast<size_t>(src->dim(2));
  f.pad_top += static_cast<uint32_t>(v[2]);
  f.pad_bottom += static_cast<uint32_t>(v[3]);
  f.pad_left += static_cast<uint32_t>(v[4]);
  f.pad_right += static_cast<uint32_t>(v[5]);
  // Every window keeps a tap inside the image (as TFLite's own padding does).
  const int64_t span_h = int64_t{f.kernel_h - 1} * f.dilation_h + 1;
  const int64_t span_w = int64_t{f.kernel_w - 1} * f.dilation_w + 1;
  if (f.pad_top >= span_h || f.pad_bottom >= span_h || f.pad_left >= span_w ||
      f.pad_right >= span_w || f.in_h == 0 || f.in_w == 0)
    return -1;
  *g = f;
  return pad->op->inputs[0];
}

}  // namespace

Status ConvolutionKernel::Prepare(KernelContext& ctx) {
  fast_.reset();
  fused_path_.clear();
  padded_source_ = nullptr;
  padded_source_index_ = -1;
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
  spec.weights_cached = WeightsStayCached(ctx);
  type_ = Type::kF32;
  if (TryFoldPad(ctx, spec)) return Status::Ok();
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
  if (TryFoldPad(ctx, spec)) return Status::Ok();
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

template <typename Spec>
bool ConvolutionKernel::TryFoldPad(const KernelContext& ctx, const Spec& spec) {
  // Float RGB stems keep their PAD: the fast kernels' padded edge windows of a narrow input
  // cost more than the PAD does (ResNet's 7x7 stem over 96x96x3: 73 against 55 + 3.6 us).
  if (std::is_same_v<Spec, FastConvF32Spec> && spec.cin < 8) return false;
  Spec folded = spec;
  const int32_t source = FoldPad(ctx, &folded);
  if (source < 0) return false;
  if ((fast_ = MakeFastConv(folded)) == nullptr) return false;
  padded_source_ = ctx.producer(0)->inputs[0];
  padded_source_index_ = source;
  return true;
}

bool ConvolutionKernel::FuseOutputFunction(const FloatOutputFunction& f) {
  if (fast_ == nullptr || type_ != Type::kF32 || !fused_path_.empty() ||
      !fast_->FuseOutputFunction(f))
    return false;
  fused_path_ = std::string(fast_->path()) + " + " + f.name;
  return true;
}

Status ConvolutionKernel::Eval(KernelContext& ctx) {
  if (fast_ == nullptr) return XnnKernel::Eval(ctx);
  const Tensor* in = padded_source_ != nullptr ? padded_source_ : ctx.input(0);
  fast_->Run(in->data, ctx.output(0)->data, static_cast<size_t>(in->dim(0)), ctx.threadpool);
  return Status::Ok();
}

}  // namespace labelite::xnn
