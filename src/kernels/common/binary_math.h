// The one Prepare of labelite's binary math ops that ADD/SUB/MUL do not cover:
// SQUARED_DIFFERENCE, DIV, POW. Validation (same input types, broadcastable shapes, the types
// TFLite's builtin kernel accepts), the output shape and the quantized parameters are
// computed here once; kernels/reference/<op>.cc holds each op's arithmetic.
#ifndef LABELITE_KERNELS_COMMON_BINARY_MATH_H_
#define LABELITE_KERNELS_COMMON_BINARY_MATH_H_

#include <cstdint>

#include "kernels/internal/elementwise_util.h"
#include "labelite/status.h"
#include "runtime/kernel.h"

namespace labelite::common {

struct BinaryMathParams {
  DataType type = DataType::kFloat32;
  internal::Broadcast broadcast;  // output shape and input strides
  float act_min = 0.0f, act_max = 0.0f;  // DIV's fused activation (float)
  // int8 SQUARED_DIFFERENCE, as TFLite: both inputs move to a common scale 2 * max(s1, s2)
  // after a left shift of 7, the difference is squared and rescaled to the output.
  int32_t in1_offset = 0, in2_offset = 0, out_offset = 0;
  int32_t in1_multiplier = 0, in2_multiplier = 0, out_multiplier = 0;
  int in1_shift = 0, in2_shift = 0, out_shift = 0;
  static constexpr int kLeftShift = 7;
};

Status PrepareSquaredDifference(KernelContext& ctx, BinaryMathParams* p);  // f32, i32, i8
Status PrepareDiv(KernelContext& ctx, BinaryMathParams* p);                // f32, i32
Status PreparePow(KernelContext& ctx, BinaryMathParams* p);                // f32, i32

}  // namespace labelite::common

#endif  // LABELITE_KERNELS_COMMON_BINARY_MATH_H_
