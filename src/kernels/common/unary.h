// The one Prepare of labelite's elementwise unary math ops (ABS, NEG, SQRT, RSQRT, EXP, LOG,
// SQUARE, FLOOR, GELU, SIN, COS): validation, output shape and quantization, shared by every
// implementation. Each op's arithmetic lives in kernels/reference/<op>.cc; this file computes
// what that arithmetic needs once:
//   - the op's accepted types (those TFLite's builtin kernel accepts),
//   - for uint8/int8, either a 256-entry table (TFLite's LUTPopulate: dequantize, f, requantize
//     in float) or the op's fixed-point multiplier (ABS, RSQRT).
#ifndef LABELITE_KERNELS_COMMON_UNARY_H_
#define LABELITE_KERNELS_COMMON_UNARY_H_

#include <array>
#include <cstdint>
#include <initializer_list>

#include "kernels/internal/lut_util.h"
#include "labelite/status.h"
#include "runtime/kernel.h"

namespace labelite::common {

struct UnaryParams {
  DataType type = DataType::kFloat32;
  int64_t size = 0;  // elements
  // Quantized types only.
  float in_scale = 0.0f, out_scale = 0.0f;
  int32_t in_zp = 0, out_zp = 0;
  int32_t multiplier = 0;  // ABS (when rescaling) and RSQRT
  int shift = 0;
  bool needs_rescale = false;   // in_scale != out_scale
  std::array<uint8_t, 256> lut{};  // LUT ops: out byte = lut[in byte]
};

// Checks one input and one output of the same type, the type against `types`, quantization
// scales for uint8/int8; sets the output's dims to the input's and fills the common fields.
Status PrepareUnary(KernelContext& ctx, std::initializer_list<DataType> types, UnaryParams* p);

// Fills p->lut for a uint8 or int8 op computing `f` on dequantized values (TFLite's
// LUTPopulate).
template <typename F>
void PopulateUnaryLut(UnaryParams* p, F f) {
  if (p->type == DataType::kUInt8) {
    internal::PopulateLut<uint8_t>(p->in_scale, p->in_zp, p->out_scale, p->out_zp, f, &p->lut);
  } else {
    internal::PopulateLut<int8_t>(p->in_scale, p->in_zp, p->out_scale, p->out_zp, f, &p->lut);
  }
}

// The Prepare of each op: PrepareUnary with the op's types, then its quantization.
Status PrepareAbs(KernelContext& ctx, UnaryParams* p);    // f32, i8 (multiplier), i32
Status PrepareNeg(KernelContext& ctx, UnaryParams* p);    // f32, i32, i64
Status PrepareSqrt(KernelContext& ctx, UnaryParams* p);   // f32
Status PrepareRsqrt(KernelContext& ctx, UnaryParams* p);  // f32, i8 (multiplier)
Status PrepareExp(KernelContext& ctx, UnaryParams* p);    // f32, i8 (table)
Status PrepareLog(KernelContext& ctx, UnaryParams* p);    // f32, i8 (table)
Status PrepareSquare(KernelContext& ctx, UnaryParams* p); // f32
Status PrepareFloor(KernelContext& ctx, UnaryParams* p);  // f32
Status PrepareSinCos(KernelContext& ctx, UnaryParams* p); // f32
// f32, u8 and i8 (table of the exact or the tanh-approximated GELU: GeluFunction).
Status PrepareGelu(KernelContext& ctx, UnaryParams* p);
float GeluFunction(float x);             // 0.5 x erfc(-x / sqrt(2))
float GeluApproximateFunction(float x);  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))

// TFLite's GetInvSqrtQuantizedMultiplierExp (Newton-Raphson in gemmlowp fixed point) with
// reverse_shift = -1: 1/sqrt(x) as a Q31 multiplier and a left shift.
void InvSqrtQuantizedMultiplier(int32_t x, int32_t* multiplier, int* shift);

// out[i] = f(in[i]) over the op's one input and output.
template <typename In, typename Out, typename F>
void MapUnary(const KernelContext& ctx, int64_t n, F f) {
  const In* in = ctx.input(0)->data_as<In>();
  Out* out = ctx.output(0)->data_as<Out>();
  for (int64_t i = 0; i < n; ++i) out[i] = f(in[i]);
}

}  // namespace labelite::common

#endif  // LABELITE_KERNELS_COMMON_UNARY_H_
