// Dynamic-range ("hybrid") arithmetic shared by CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED
// and BATCH_MATMUL when a float32 activation meets int8 weights (TFLite's converter with
// Optimize.DEFAULT and no representative data). Everything here follows LiteRT's builtin
// kernels (tensor_utils' Symmetric/AsymmetricQuantizeFloats and the kernels' Prepare checks):
//   1. Each batch of the float input is quantized on the fly to int8 with its own scale
//      (symmetric: scale = max|x| / 127, zero point 0; asymmetric: TFLite's nudged zero point
//      over [min(x,0), max(x,0)] / 255).
//   2. int8 x int8 products accumulate in int32; the asymmetric zero point is subtracted.
//   3. The accumulator is scaled back to float with the batch scale and the filter's scale
//      (per tensor or per output channel), the float bias is added and the activation clamps.
// PrepareHybridWeights is the one place that validates the weights and output of every hybrid
// op (the reference kernels call it; a fast path would map the same HybridWeights).
#ifndef LABELITE_KERNELS_COMMON_HYBRID_H_
#define LABELITE_KERNELS_COMMON_HYBRID_H_

#include <cstdint>
#include <vector>

#include "labelite/status.h"
#include "runtime/kernel.h"
#include "runtime/tensor.h"

namespace labelite::hybrid {

// True when `input` is float32 and `weights` are int8: the op runs the hybrid arithmetic.
bool IsHybrid(const Tensor& input, const Tensor& weights);

struct HybridWeights {
  // One scale per output channel (the per-tensor scale repeated when not per-channel).
  std::vector<float> channel_scales;
  // TFLite treats weights as per-channel only when they carry more than one scale and the
  // scales are not all equal (CONV_2D's Prepare); otherwise `tensor_scale` is folded into the
  // batch scale before the products are scaled (FULLY_CONNECTED, symmetric CONV_2D).
  bool per_channel = false;
  size_t num_scales = 1;  // as stored (FULLY_CONNECTED goes per-channel whenever > 1)
  float tensor_scale = 0.0f;
  float act_min = 0.0f, act_max = 0.0f;  // the fused activation's float range
};

// Validates int8 weights with `channels` output channels along `channel_axis` (zero points 0,
// positive finite scales, per-channel count), a float32 output, an optional float32 bias of
// `channels` elements and the fused activation; fills `w`.
Status PrepareHybridWeights(const KernelContext& ctx, const Tensor& weights, int32_t channels,
                            int channel_axis, const Tensor* bias, const Tensor& output,
                            Activation activation, HybridWeights* w);

// TFLite's SymmetricQuantizeFloats: scale = max(|min|, |max|) / 127, q = round(x * 127 / range)
// clamped to [-127, 127]; an all-zero input gives q = 0 and scale 1. Both quantizers round as
// LiteRT's NEON versions (which its x86 builds run through NEON_2_SSE): see hybrid.cc.
void QuantizeSymmetric(const float* x, int64_t n, int8_t* q, float* scale);
// TFLite's AsymmetricQuantizeFloats (scale = float(max - min) / 255 in double, nudged zero
// point, q = zero point + round(x / scale) in [-128, 127]); an input whose range
// [min(x,0), max(x,0)] is empty gives q = 0, scale 1, 0.
void QuantizeAsymmetric(const float* x, int64_t n, int8_t* q, float* scale, int32_t* offset);

// min(max(v, lo), hi), as TFLite's ActivationFunctionWithMinMax.
inline float Clamp(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace labelite::hybrid

#endif  // LABELITE_KERNELS_COMMON_HYBRID_H_
