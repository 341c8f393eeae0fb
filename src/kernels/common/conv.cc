#include "kernels/common/conv.h"

#include <string>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"

namespace labelite::common {

namespace {

// Padding after the last element: what the dilated window needs beyond `before` and the input.
int32_t PaddingAfter(int32_t in, int32_t filter, int32_t stride, int32_t dilation, int32_t out,
                     int32_t before) {
  const int64_t effective = (int64_t{filter} - 1) * dilation + 1;
  const int64_t total = (int64_t{out} - 1) * stride + effective - in;
  return total > before ? static_cast<int32_t>(total - before) : 0;
}

// Step 1 of PrepareConv / PrepareDepthwiseConv: arity and ranks.
Status CheckShapes(const KernelContext& ctx) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 2, 3, 1));
  LABELITE_RETURN_IF_ERROR(internal::CheckRank(ctx, *ctx.input(0), "input", 4));
  return internal::CheckRank(ctx, *ctx.input(1), "filter", 4);
}

// Step 2: strides, dilations, the window and the output shape.
Status PrepareWindow(KernelContext& ctx, ConvParams* p) {
  const Tensor& input = *ctx.input(0);
  const Tensor& filter = *ctx.input(1);
  const OpOptions& o = ctx.options();
  if (o.stride_h < 1 || o.stride_w < 1 || o.dilation_h < 1 || o.dilation_w < 1) {
    return ctx.Error("strides (" + std::to_string(o.stride_h) + ", " +
                     std::to_string(o.stride_w) + ") and dilations (" +
                     std::to_string(o.dilation_h) + ", " + std::to_string(o.dilation_w) +
                     ") must be positive");
  }
  internal::Window2D& w = p->window;
  w.batches = input.dim(0);
  w.in_h = input.dim(1);
  w.in_w = input.dim(2);
  w.filter_h = filter.dim(1);
  w.filter_w = filter.dim(2);
  w.stride_h = o.stride_h;
  w.stride_w = o.stride_w;
  w.dilation_h = o.dilation_h;
  w.dilation_w = o.dilation_w;
  if (!internal::ComputeWindow(o.padding, &w)) {
    return ctx.Error("a " + std::to_string(w.filter_h) + "x" + std::to_string(w.filter_w) +
                     " filter does not fit the " + std::to_string(w.in_h) + "x" +
                     std::to_string(w.in_w) + " input");
  }
  p->pad_bottom = PaddingAfter(w.in_h, w.filter_h, w.stride_h, w.dilation_h, w.out_h, w.pad_h);
  p->pad_right = PaddingAfter(w.in_w, w.filter_w, w.stride_w, w.dilation_w, w.out_w, w.pad_w);
  return internal::SetOutputDims(ctx, *ctx.output(0),
                                 {w.batches, w.out_h, w.out_w, p->channels_out});
}

// Step 3: the per-type checks and parameters; `channel_axis` is the filter axis of the output
// channels.
Status PrepareTypes(KernelContext& ctx, int channel_axis, Requantization r, ConvParams* p) {
  const Tensor& input = *ctx.input(0);
  const Tensor& filter = *ctx.input(1);
  const Tensor* bias = ctx.input(2);
  const Tensor& output = *ctx.output(0);
  const int32_t channels = p->channels_out;
  p->type = input.type;
  p->activation = ctx.options().activation;
  quant::ActivationRangeFloat(p->activation, &p->float_min, &p->float_max);
  switch (input.type) {
    case DataType::kFloat32:
      if (hybrid::IsHybrid(input, filter)) {
        p->hybrid = true;
        LABELITE_RETURN_IF_ERROR(hybrid::PrepareHybridWeights(
            ctx, filter, channels, channel_axis, bias, output, p->activation,
            &p->hybrid_weights));
        // LiteRT's hybrid depthwise kernel needs one scale per output channel.
        if (p->depthwise && p->hybrid_weights.num_scales != static_cast<size_t>(channels)) {
          return ctx.UnsupportedError("hybrid int8 weights need per-channel scales (got " +
                                      std::to_string(p->hybrid_weights.num_scales) + " for " +
                                      std::to_string(channels) + " channels)");
        }
        return Status::Ok();
      }
      LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, filter, "filter", DataType::kFloat32));
      LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, output, "output", DataType::kFloat32));
      LABELITE_RETURN_IF_ERROR(internal::CheckFloatBias(ctx, bias, channels));
      if (p->activation == Activation::kTanh || p->activation == Activation::kSignBit) {
        return internal::UnsupportedActivation(ctx, p->activation);
      }
      return Status::Ok();
    case DataType::kUInt8:
    case DataType::kInt8:
      LABELITE_RETURN_IF_ERROR(internal::PrepareConvQuant(
          ctx, input, filter, bias, output, channels, channel_axis, p->activation,
          internal::MultiplierSource::kConv, &p->quant,
          /*multipliers=*/r == Requantization::kTfliteMultipliers));
      p->input_scale = input.scale;
      p->output_scale = output.scale;
      p->filter_scales = internal::WeightScales(filter);
      return Status::Ok();
    default:
      return ctx.UnsupportedError("input type " + std::string(DataTypeName(input.type)) +
                                  " is not supported");
  }
}

}  // namespace

Status PrepareConv(KernelContext& ctx, ConvParams* p, Requantization r) {
  *p = ConvParams{};
  LABELITE_RETURN_IF_ERROR(CheckShapes(ctx));
  const Tensor& input = *ctx.input(0);
  const Tensor& filter = *ctx.input(1);
  p->channels_in = input.dim(3);
  p->channels_out = filter.dim(0);
  if (filter.dim(3) != p->channels_in) {
    if (filter.dim(3) > 0 && p->channels_in % filter.dim(3) == 0) {
      return ctx.UnsupportedError("grouped convolution (filter has " +
                                  std::to_string(filter.dim(3)) + " input channels, input has " +
                                  std::to_string(p->channels_in) + ") is not supported");
    }
    return ctx.Error("filter has " + std::to_string(filter.dim(3)) +
                     " input channels, input has " + std::to_string(p->channels_in));
  }
  LABELITE_RETURN_IF_ERROR(PrepareWindow(ctx, p));
  return PrepareTypes(ctx, /*channel_axis=*/0, r, p);
}

Status PrepareDepthwiseConv(KernelContext& ctx, ConvParams* p, Requantization r) {
  *p = ConvParams{};
  p->depthwise = true;
  LABELITE_RETURN_IF_ERROR(CheckShapes(ctx));
  const Tensor& input = *ctx.input(0);
  const Tensor& filter = *ctx.input(1);
  if (filter.dim(0) != 1) {
    return ctx.Error("filter must have shape [1, H, W, C], got " +
                     internal::ShapeString(filter.dims));
  }
  p->channels_in = input.dim(3);
  p->channels_out = filter.dim(3);
  if (p->channels_in <= 0 || p->channels_out % p->channels_in != 0) {
    return ctx.Error("filter has " + std::to_string(p->channels_out) +
                     " channels, not a multiple of the input's " +
                     std::to_string(p->channels_in));
  }
  p->depth_multiplier = p->channels_out / p->channels_in;
  const int32_t option = ctx.options().depth_multiplier;
  if (option != 0 && option != p->depth_multiplier) {
    return ctx.Error("depth_multiplier is " + std::to_string(option) + " but the filter has " +
                     std::to_string(p->channels_out) + " channels for " +
                     std::to_string(p->channels_in) + " input channels");
  }
  LABELITE_RETURN_IF_ERROR(PrepareWindow(ctx, p));
  return PrepareTypes(ctx, /*channel_axis=*/3, r, p);
}

}  // namespace labelite::common
