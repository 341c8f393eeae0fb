// The one Prepare of ADD, SUB and MUL, shared by every implementation: the reference kernels
// (kernels/reference/add.cc, sub.cc via internal/add_sub.h, mul.cc) and the XNNPACK kernel
// (kernels/xnnpack/binary.cc), so both paths accept the same models and refuse bad ones with
// the same message.
//
// PrepareArith, in steps:
//   1. Two inputs and one output of one type; the shapes broadcast (TFLite's rule); the
//      output's dims become the broadcast shape.
//   2. The type is float32, uint8 or int8, and the fused activation has a clamp range
//      (TANH and SIGN_BIT do not).
//   3. uint8/int8: every tensor has a valid scale; the offsets, TFLite's fixed-point
//      multipliers and the activation's quantized clamp range are computed once:
//        ADD/SUB (left_shift = 20): twice_max = 2 * max(s1, s2); m1 = s1 / twice_max;
//          m2 = s2 / twice_max; mo = twice_max / (2^20 * s_out)   (doubles, QuantizeMultiplier)
//        MUL: mo = double(s1) * double(s2) / double(s_out)
#ifndef LABELITE_KERNELS_COMMON_ADD_SUB_MUL_H_
#define LABELITE_KERNELS_COMMON_ADD_SUB_MUL_H_

#include <cstdint>

#include "kernels/internal/elementwise_util.h"
#include "labelite/status.h"
#include "runtime/kernel.h"

namespace labelite::common {

enum class ArithOp { kAdd, kSub, kMul };

struct ArithParams {
  ArithOp op = ArithOp::kAdd;
  DataType type = DataType::kFloat32;
  Activation activation = Activation::kNone;
  internal::Broadcast broadcast;  // output shape and input strides
  int output_rank = 0;            // rank of the broadcast shape
  float float_min = 0.0f, float_max = 0.0f;  // float32: the activation's clamp range
  // uint8 / int8 only.
  float in1_scale = 0.0f, in2_scale = 0.0f, out_scale = 0.0f;
  int32_t in1_offset = 0, in2_offset = 0;  // -zero point of each input
  int32_t out_offset = 0;                  // output zero point
  int32_t in1_multiplier = 0, in2_multiplier = 0;  // ADD/SUB only
  int in1_shift = 0, in2_shift = 0;
  int32_t out_multiplier = 0;
  int out_shift = 0;
  int32_t act_min = 0, act_max = 0;  // TFLite's CalculateActivationRangeQuantized
  static constexpr int kLeftShift = 20;  // ADD/SUB
};

Status PrepareArith(KernelContext& ctx, ArithOp op, ArithParams* p);

}  // namespace labelite::common

#endif  // LABELITE_KERNELS_COMMON_ADD_SUB_MUL_H_
