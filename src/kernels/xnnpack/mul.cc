// MUL on the fast path, the first kernel that accepts the operator:
//   1. uint8/int8 with a constant broadcast input (folded batch norms): labelite's affine
//      pieces (fast/quantized_arith.h), exact and faster than XNNPACK;
//   2. uint8/int8 MUL(x, LOGISTIC(x)) (swish): one byte table (fast/self_gated_mul.h) that
//      reproduces what 5-6 below compute for it, exactly;
//   3. float32 MUL(x, LOGISTIC(x)) (swish): x * sigmoid(x) in one pass on labelite's sigmoid
//      rows (fast/swish_f32.h), bit-identical to XNNPACK's sigmoid followed by 4; the LOGISTIC
//      is skipped when nothing else reads it;
//   4. float32 in the same-shape, scalar and per-channel forms: labelite's rows
//      (fast/binary_f32.h), bit-identical to XNNPACK and split across threads as the
//      convolutions are;
//   5. uint8/int8 times a per-channel vector that is not a constant (squeeze-and-excitation
//      gates): labelite's rows in XNNPACK's arithmetic (fast/channel_mul_q8.h), the same bytes
//      as 6, split across threads;
//   6. XNNPACK (see binary.h for its types, broadcasting and scale limits);
//   7. uint8/int8 that XNNPACK refuses: labelite's exact rows (fast/quantized_arith.h).
#include <memory>

#include "kernels/fast/binary_f32.h"
#include "kernels/fast/channel_mul_q8.h"
#include "kernels/fast/first_supported.h"
#include "kernels/fast/quantized_arith.h"
#include "kernels/fast/self_gated_mul.h"
#include "kernels/fast/swish_f32.h"
#include "kernels/xnnpack/binary.h"

namespace labelite {

namespace {
std::unique_ptr<Kernel> CreateBinary() {
  return std::make_unique<xnn::BinaryKernel>(common::ArithOp::kMul);
}
std::unique_ptr<Kernel> CreateBinaryOrRows() {
  return std::make_unique<xnn::FirstSupportedKernel>(&CreateBinary, &xnn::CreateFastQuantizedMul);
}
std::unique_ptr<Kernel> CreateSelfGated() {
  return std::make_unique<xnn::SelfGatedMulKernel>(&CreateBinaryOrRows);
}
}  // namespace

std::unique_ptr<Kernel> CreateXnnpackMul() {
  return std::make_unique<xnn::FirstSupportedKernel>(&xnn::CreateAffineQuantizedMul,
                                                     &CreateSelfGated, &xnn::CreateFastSwishF32,
                                                     &xnn::CreateFastMulF32,
                                                     &xnn::CreateChannelMulQ8, &CreateBinary,
                                                     &xnn::CreateFastQuantizedMul);
}

}  // namespace labelite
