#include "kernels/common/unary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "kernels/internal/lut_util.h"
#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"

namespace labelite::common {

Status PrepareUnary(KernelContext& ctx, std::initializer_list<DataType> types, UnaryParams* p) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 1, 1, 1));
  const Tensor& input = *ctx.input(0);
  Tensor& output = *ctx.output(0);
  LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, output, "output", input.type));
  if (std::find(types.begin(), types.end(), input.type) == types.end()) {
    return ctx.UnsupportedError("input type " + std::string(DataTypeName(input.type)) +
                                " is not supported");
  }
  LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, output, input.dims));
  p->type = input.type;
  p->size = input.NumElements();
  if (input.type == DataType::kUInt8 || input.type == DataType::kInt8) {
    LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, input, "input"));
    LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, output, "output"));
    p->in_scale = input.scale;
    p->out_scale = output.scale;
    p->in_zp = input.zero_point;
    p->out_zp = output.zero_point;
    p->needs_rescale = input.scale != output.scale;
  }
  return Status::Ok();
}


namespace {
constexpr std::initializer_list<DataType> kFloatOnly = {DataType::kFloat32};
}  // namespace

Status PrepareAbs(KernelContext& ctx, UnaryParams* p) {
  LABELITE_RETURN_IF_ERROR(
      PrepareUnary(ctx, {DataType::kFloat32, DataType::kInt8, DataType::kInt32}, p));
  // TFLite: QuantizeMultiplier(in_scale / out_scale) (a float quotient) when the scales differ.
  if (p->type == DataType::kInt8 && p->needs_rescale)
    quant::QuantizeMultiplier(p->in_scale / p->out_scale, &p->multiplier, &p->shift);
  return Status::Ok();
}

Status PrepareNeg(KernelContext& ctx, UnaryParams* p) {
  return PrepareUnary(ctx, {DataType::kFloat32, DataType::kInt32, DataType::kInt64}, p);
}
Status PrepareSqrt(KernelContext& ctx, UnaryParams* p) { return PrepareUnary(ctx, kFloatOnly, p); }
Status PrepareSquare(KernelContext& ctx, UnaryParams* p) { return PrepareUnary(ctx, kFloatOnly, p); }
Status PrepareFloor(KernelContext& ctx, UnaryParams* p) { return PrepareUnary(ctx, kFloatOnly, p); }
Status PrepareSinCos(KernelContext& ctx, UnaryParams* p) { return PrepareUnary(ctx, kFloatOnly, p); }

Status PrepareRsqrt(KernelContext& ctx, UnaryParams* p) {
  LABELITE_RETURN_IF_ERROR(PrepareUnary(ctx, {DataType::kFloat32, DataType::kInt8}, p));
  if (p->type == DataType::kInt8) {
    // TFLite: 1. / (std::sqrt(in_scale) * out_scale), the product in float.
    const double scale = 1. / (std::sqrt(p->in_scale) * p->out_scale);
    quant::QuantizeMultiplier(scale, &p->multiplier, &p->shift);
  }
  return Status::Ok();
}

Status PrepareExp(KernelContext& ctx, UnaryParams* p) {
  LABELITE_RETURN_IF_ERROR(PrepareUnary(ctx, {DataType::kFloat32, DataType::kInt8}, p));
  if (p->type == DataType::kInt8) PopulateUnaryLut(p, [](float x) { return std::exp(x); });
  return Status::Ok();
}

Status PrepareLog(KernelContext& ctx, UnaryParams* p) {
  LABELITE_RETURN_IF_ERROR(PrepareUnary(ctx, {DataType::kFloat32, DataType::kInt8}, p));
  if (p->type != DataType::kInt8) return Status::Ok();
  // TFLite maps x <= 0 to the lowest representable output.
  const float output_min = static_cast<float>(-128 - p->out_zp) * p->out_scale;
  PopulateUnaryLut(p, [output_min](float x) { return x <= 0.0f ? output_min : std::log(x); });
  return Status::Ok();
}

float GeluFunction(float x) { return 0.5f * x * std::erfc(x * static_cast<float>(-M_SQRT1_2)); }

float GeluApproximateFunction(float x) {
  constexpr float kSqrt2dPi = M_2_SQRTPI * M_SQRT1_2;
  return 0.5f * x * (1.f + std::tanh(kSqrt2dPi * (x + 0.044715f * x * x * x)));
}

Status PrepareGelu(KernelContext& ctx, UnaryParams* p) {
  LABELITE_RETURN_IF_ERROR(
      PrepareUnary(ctx, {DataType::kFloat32, DataType::kUInt8, DataType::kInt8}, p));
  if (p->type != DataType::kFloat32)
    PopulateUnaryLut(p, ctx.options().approximate ? GeluApproximateFunction : GeluFunction);
  return Status::Ok();
}

namespace {

// gemmlowp's SaturatingRoundingMultiplyByPOT<e> for e > 0 (saturating left shift).
int32_t SaturatingShiftLeft(int32_t x, int e) {
  const int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - e)) - 1);
  if (x > threshold) return std::numeric_limits<int32_t>::max();
  if (x < -threshold) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(static_cast<uint32_t>(x) << e);
}

}  // namespace

void InvSqrtQuantizedMultiplier(int32_t x, int32_t* multiplier, int* shift) {
  if (x <= 1) {  // TFLite treats 0 as 1 (and 1 separately to avoid overflow)
    *multiplier = std::numeric_limits<int32_t>::max();
    *shift = 0;
    return;
  }
  int s = 11;
  while (x >= (1 << 29)) {
    x /= 4;
    ++s;
  }
  const unsigned max_left_shift_bits = static_cast<unsigned>(__builtin_clz(static_cast<uint32_t>(x))) - 1;
  const unsigned left_shift_bit_pairs = max_left_shift_bits / 2 - 1;
  s -= static_cast<int>(left_shift_bit_pairs);
  x <<= 2 * left_shift_bit_pairs;
  // Fixed point with 3 integer bits: raw values are real * 2^28. A product of two such values
  // has 6 integer bits (and three 9); Rescale<3> shifts left, saturating.
  const int32_t input = x >> 1;
  const int32_t half_input = quant::RoundingDivideByPOT(input, 1);
  const int32_t half_three = (1 << 28) + (1 << 27);
  int32_t r = 1 << 28;  // 1.0
  for (int i = 0; i < 5; ++i) {
    const int32_t r2 = quant::SaturatingRoundingDoublingHighMul(r, r);
    const int32_t r3 = SaturatingShiftLeft(quant::SaturatingRoundingDoublingHighMul(r2, r), 6);
    const int32_t a = quant::SaturatingRoundingDoublingHighMul(half_three, r);
    const int32_t b = quant::SaturatingRoundingDoublingHighMul(half_input, r3);
    r = SaturatingShiftLeft(a - b, 3);
  }
  r = quant::SaturatingRoundingDoublingHighMul(r, 1518500250);  // * sqrt(2) / 2
  if (s < 0) {
    r = static_cast<int32_t>(static_cast<uint32_t>(r) << -s);
    s = 0;
  }
  *multiplier = r;
  *shift = -s;
}

}  // namespace labelite::common
