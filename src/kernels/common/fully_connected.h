// The one Prepare of FULLY_CONNECTED, shared by every implementation: the reference kernel
// (kernels/reference/fully_connected.cc) and the fast kernel (kernels/xnnpack/fully_connected.cc:
// labelite's own GEMMs, else XNNPACK), so all accept the same models and refuse bad ones with
// the same message.
//
// PrepareFullyConnected, in steps:
//   1. Inputs (input, filter[, bias]) and one output; the default weights format; a 2-D
//      filter [units, depth].
//   2. The input is read as rows of `depth` (TFLite flattens any rank: batches = elements /
//      depth); the output is [batches, units], or with keep_num_dims the input's dims with the
//      last one (which must be depth) replaced by units.
//   3. Per type:
//      - float32 input with int8 weights: dynamic-range ("hybrid") arithmetic; the weights,
//        bias, output and activation are validated once into `hybrid_weights`;
//      - float32: float filter, output and bias; the activation's clamp range;
//      - uint8 / int8: TFLite's requantization (internal::PrepareConvQuant: types, scales,
//        per-channel scales along the filter's axis 0 (int8 only), the legacy float-product
//        multiplier for per-tensor weights, the activation's quantized clamp range).
#ifndef LABELITE_KERNELS_COMMON_FULLY_CONNECTED_H_
#define LABELITE_KERNELS_COMMON_FULLY_CONNECTED_H_

#include <cstdint>

#include "kernels/common/hybrid.h"
#include "kernels/internal/conv_util.h"
#include "labelite/status.h"
#include "runtime/kernel.h"

namespace labelite::common {

struct FullyConnectedParams {
  DataType type = DataType::kFloat32;  // of the input
  Activation activation = Activation::kNone;
  int32_t batches = 0, units = 0, depth = 0;  // a [batches, depth] x [depth, units] GEMM
  bool hybrid = false;                        // float32 input, int8 weights
  hybrid::HybridWeights hybrid_weights;       // when hybrid
  float float_min = 0.0f, float_max = 0.0f;   // float32 (not hybrid)
  bool per_channel = false;                   // int8 weights with one scale per unit
  internal::ConvQuantParams quant;            // uint8 / int8: TFLite's builtin arithmetic
};

Status PrepareFullyConnected(KernelContext& ctx, FullyConnectedParams* p);

}  // namespace labelite::common

#endif  // LABELITE_KERNELS_COMMON_FULLY_CONNECTED_H_
