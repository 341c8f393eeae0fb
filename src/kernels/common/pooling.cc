#include "kernels/common/pooling.h"

#include <string>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"

namespace labelite::common {

namespace {

// Padding after the last element: what the window needs beyond pad_before and the input.
int32_t PaddingAfter(int32_t in, int32_t filter, int32_t stride, int32_t out, int32_t before) {
  const int64_t total = (int64_t{out} - 1) * stride + filter - in;
  return total > before ? static_cast<int32_t>(total - before) : 0;
}

// Step 3 of PreparePool.
Status PrepareActivation(KernelContext& ctx, const Tensor& output, PoolParams* p) {
  switch (p->type) {
    case DataType::kFloat32:
      if (p->activation == Activation::kTanh || p->activation == Activation::kSignBit) break;
      quant::ActivationRangeFloat(p->activation, &p->float_min, &p->float_max);
      return Status::Ok();
    case DataType::kUInt8:
    case DataType::kInt8:
      LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, output, "output"));
      p->out_scale = output.scale;
      p->out_zero_point = output.zero_point;
      if (quant::ActivationRangeQuantized(p->activation, output.type, output.scale,
                                          output.zero_point, &p->act_min, &p->act_max)) {
        return Status::Ok();
      }
      break;
    default:
      return ctx.UnsupportedError("input type " + std::string(DataTypeName(p->type)) +
                                  " is not supported");
  }
  return internal::UnsupportedActivation(ctx, p->activation);
}

}  // namespace

Status PreparePool(KernelContext& ctx, PoolParams* p) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 1, 1, 1));
  const Tensor& input = *ctx.input(0);
  Tensor& output = *ctx.output(0);
  const OpOptions& o = ctx.options();
  LABELITE_RETURN_IF_ERROR(internal::CheckRank(ctx, input, "input", 4));
  LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, output, "output", input.type));
  if (o.stride_h < 1 || o.stride_w < 1 || o.filter_h < 1 || o.filter_w < 1) {
    return ctx.Error("filter " + std::to_string(o.filter_h) + "x" + std::to_string(o.filter_w) +
                     " and strides " + std::to_string(o.stride_h) + "x" +
                     std::to_string(o.stride_w) + " must be positive");
  }
  p->type = input.type;
  p->activation = o.activation;
  internal::Window2D& w = p->window;
  w.batches = input.dim(0);
  w.in_h = input.dim(1);
  w.in_w = input.dim(2);
  w.filter_h = o.filter_h;
  w.filter_w = o.filter_w;
  w.stride_h = o.stride_h;
  w.stride_w = o.stride_w;
  w.dilation_h = w.dilation_w = 1;
  p->channels = input.dim(3);
  if (!internal::ComputeWindow(o.padding, &w)) {
    return ctx.Error("a " + std::to_string(w.filter_h) + "x" + std::to_string(w.filter_w) +
                     " window does not fit the " + std::to_string(w.in_h) + "x" +
                     std::to_string(w.in_w) + " input");
  }
  p->pad_bottom = PaddingAfter(w.in_h, w.filter_h, w.stride_h, w.out_h, w.pad_h);
  p->pad_right = PaddingAfter(w.in_w, w.filter_w, w.stride_w, w.out_w, w.pad_w);
  LABELITE_RETURN_IF_ERROR(
      internal::SetOutputDims(ctx, output, {w.batches, w.out_h, w.out_w, p->channels}));
  return PrepareActivation(ctx, output, p);
}

}  // namespace labelite::common
