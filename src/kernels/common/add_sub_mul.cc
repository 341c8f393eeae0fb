#include "kernels/common/add_sub_mul.h"

#include <algorithm>
#include <string>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"

namespace labelite::common {

namespace {

// Step 3 of PrepareArith: offsets, multipliers and the quantized clamp range.
Status PrepareQuantized(KernelContext& ctx, ArithParams* p) {
  const Tensor& a = *ctx.input(0);
  const Tensor& b = *ctx.input(1);
  const Tensor& out = *ctx.output(0);
  LABELITE_RETURN_IF_ERROR(internal::CheckQuantizedBinary(ctx));
  p->in1_scale = a.scale;
  p->in2_scale = b.scale;
  p->out_scale = out.scale;
  p->in1_offset = -a.zero_point;
  p->in2_offset = -b.zero_point;
  p->out_offset = out.zero_point;
  if (p->op == ArithOp::kMul) {
    const double real = static_cast<double>(a.scale) * static_cast<double>(b.scale) /
                        static_cast<double>(out.scale);
    quant::QuantizeMultiplier(real, &p->out_multiplier, &p->out_shift);
  } else {
    const double twice_max = 2 * std::max(a.scale, b.scale);
    quant::QuantizeMultiplier(a.scale / twice_max, &p->in1_multiplier, &p->in1_shift);
    quant::QuantizeMultiplier(b.scale / twice_max, &p->in2_multiplier, &p->in2_shift);
    quant::QuantizeMultiplier(twice_max / ((1 << ArithParams::kLeftShift) * out.scale),
                              &p->out_multiplier, &p->out_shift);
  }
  if (!quant::ActivationRangeQuantized(p->activation, out.type, out.scale, out.zero_point,
                                       &p->act_min, &p->act_max)) {
    return internal::UnsupportedActivation(ctx, p->activation);
  }
  return Status::Ok();
}

}  // namespace

Status PrepareArith(KernelContext& ctx, ArithOp op, ArithParams* p) {
  p->op = op;
  LABELITE_RETURN_IF_ERROR(p->broadcast.Prepare(ctx));
  p->output_rank = ctx.output(0)->rank();
  p->type = ctx.input(0)->type;
  p->activation = ctx.options().activation;
  switch (p->type) {
    case DataType::kFloat32:
      if (p->activation == Activation::kTanh || p->activation == Activation::kSignBit) {
        return internal::UnsupportedActivation(ctx, p->activation);
      }
      quant::ActivationRangeFloat(p->activation, &p->float_min, &p->float_max);
      return Status::Ok();
    case DataType::kUInt8:
    case DataType::kInt8:
      return PrepareQuantized(ctx, p);
    default:
      return ctx.UnsupportedError("input type " + std::string(DataTypeName(p->type)) +
                                  " is not supported");
  }
}

}  // namespace labelite::common
