#include "kernels/common/binary_math.h"

#include <algorithm>
#include <initializer_list>
#include <string>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"

namespace labelite::common {

namespace {

Status PrepareBinary(KernelContext& ctx, std::initializer_list<DataType> types,
                     BinaryMathParams* p) {
  LABELITE_RETURN_IF_ERROR(p->broadcast.Prepare(ctx));
  p->type = ctx.input(0)->type;
  if (std::find(types.begin(), types.end(), p->type) == types.end()) {
    return ctx.UnsupportedError("input type " + std::string(DataTypeName(p->type)) +
                                " is not supported");
  }
  return Status::Ok();
}

// TFLite's QuantizeMultiplierSmallerThanOneExp: the multiplier must not exceed 1.
Status SmallerThanOne(KernelContext& ctx, double real, int32_t* m, int* shift, const char* what) {
  quant::QuantizeMultiplier(real, m, shift);
  if (*shift > 0) {
    return ctx.UnsupportedError(std::string(what) + " multiplier " + std::to_string(real) +
                                " is not below 1");
  }
  return Status::Ok();
}

}  // namespace

Status PrepareSquaredDifference(KernelContext& ctx, BinaryMathParams* p) {
  LABELITE_RETURN_IF_ERROR(PrepareBinary(
      ctx, {DataType::kFloat32, DataType::kInt32, DataType::kInt8}, p));
  if (p->type != DataType::kInt8) return Status::Ok();
  const Tensor& a = *ctx.input(0);
  const Tensor& b = *ctx.input(1);
  const Tensor& out = *ctx.output(0);
  LABELITE_RETURN_IF_ERROR(internal::CheckQuantizedBinary(ctx));
  p->in1_offset = -a.zero_point;
  p->in2_offset = -b.zero_point;
  p->out_offset = out.zero_point;
  // The arithmetic of TFLite's Prepare, including its float and double steps.
  const double twice_max_input_scale = 2 * std::max(a.scale, b.scale);
  const double real1 = a.scale / twice_max_input_scale;
  const double real2 = b.scale / twice_max_input_scale;
  const double real_out = (twice_max_input_scale * twice_max_input_scale) /
                          ((1 << BinaryMathParams::kLeftShift * 2) * out.scale);
  LABELITE_RETURN_IF_ERROR(SmallerThanOne(ctx, real1, &p->in1_multiplier, &p->in1_shift, "input 1"));
  LABELITE_RETURN_IF_ERROR(SmallerThanOne(ctx, real2, &p->in2_multiplier, &p->in2_shift, "input 2"));
  return SmallerThanOne(ctx, real_out, &p->out_multiplier, &p->out_shift, "output");
}

Status PrepareDiv(KernelContext& ctx, BinaryMathParams* p) {
  LABELITE_RETURN_IF_ERROR(PrepareBinary(ctx, {DataType::kFloat32, DataType::kInt32}, p));
  quant::ActivationRangeFloat(ctx.options().activation, &p->act_min, &p->act_max);
  return Status::Ok();
}

Status PreparePow(KernelContext& ctx, BinaryMathParams* p) {
  return PrepareBinary(ctx, {DataType::kFloat32, DataType::kInt32}, p);
}

}  // namespace labelite::common
