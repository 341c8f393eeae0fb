#include "kernels/common/hybrid.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"

namespace labelite::hybrid {

bool IsHybrid(const Tensor& input, const Tensor& weights) {
  return input.type == DataType::kFloat32 && weights.type == DataType::kInt8;
}

Status PrepareHybridWeights(const KernelContext& ctx, const Tensor& weights, int32_t channels,
                            int channel_axis, const Tensor* bias, const Tensor& output,
                            Activation activation, HybridWeights* w) {
  LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, output, "output", DataType::kFloat32));
  if (bias != nullptr) {
    LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, *bias, "bias", DataType::kFloat32));
    if (bias->NumElements() != channels) {
      return ctx.Error("bias has " + std::to_string(bias->NumElements()) + " elements, expected " +
                       std::to_string(channels));
    }
  }
  const std::vector<float> scales = internal::WeightScales(weights);
  for (float s : scales) {
    if (!(s > 0.0f) || !std::isfinite(s)) {
      return ctx.Error("int8 weights have an invalid quantization scale " + std::to_string(s));
    }
  }
  if (!internal::AllZeroPointsZero(weights)) {
    return ctx.UnsupportedError("int8 weights with a nonzero zero point (hybrid)");
  }
  if (scales.size() > 1) {
    if (static_cast<int64_t>(scales.size()) != channels) {
      return ctx.Error("weights have " + std::to_string(scales.size()) +
                       " per-channel scales, expected " + std::to_string(channels));
    }
    if (weights.quant->quantized_dimension != channel_axis) {
      return ctx.Error("weights are quantized along axis " +
                       std::to_string(weights.quant->quantized_dimension) + ", expected axis " +
                       std::to_string(channel_axis));
    }
  }
  w->tensor_scale = scales[0];
  w->num_scales = scales.size();
  w->per_channel = std::any_of(scales.begin(), scales.end(),
                               [&](float s) { return s != scales[0]; });
  w->channel_scales.assign(static_cast<size_t>(channels), scales[0]);
  if (scales.size() > 1) w->channel_scales = scales;
  if (activation == Activation::kTanh || activation == Activation::kSignBit) {
    return internal::UnsupportedActivation(ctx, activation, "is not supported on hybrid ops");
  }
  quant::ActivationRangeFloat(activation, &w->act_min, &w->act_max);
  return Status::Ok();
}

namespace {

// LiteRT's x86 builds quantize through its NEON code (NEON_2_SSE): blocks of 8 values round as
// NEON's RoundToNearest does without ARMv8's VCVTA, truncate(v + (v < 0 ? -0.5f : 0.5f)) with
// the addition in float; the last n mod 8 values use TfLiteRound (std::round).
inline int32_t NeonRound(float v) {
  return static_cast<int32_t>(v + (v < 0.0f ? -0.5f : 0.5f));
}

inline int32_t BlockRound(int64_t i, int64_t blocks, float v) {
  return i < blocks ? NeonRound(v) : static_cast<int32_t>(std::round(v));
}

}  // namespace

void QuantizeSymmetric(const float* x, int64_t n, int8_t* q, float* scale) {
  if (n <= 0) {
    *scale = 1.0f;
    return;
  }
  const auto [lo, hi] = std::minmax_element(x, x + n);
  const float range = std::max(std::fabs(*lo), std::fabs(*hi));
  if (range == 0.0f) {
    std::memset(q, 0, static_cast<size_t>(n));
    *scale = 1.0f;
    return;
  }
  constexpr int32_t kScale = 127;
  *scale = range / kScale;
  const float inv = kScale / range;
  const int64_t blocks = n / 8 * 8;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t v = BlockRound(i, blocks, x[i] * inv);
    q[i] = static_cast<int8_t>(std::clamp(v, -kScale, kScale));
  }
}

void QuantizeAsymmetric(const float* x, int64_t n, int8_t* q, float* scale, int32_t* offset) {
  constexpr int32_t kMin = -128, kMax = 127;
  const double qmin = kMin, qmax = kMax;
  if (n <= 0) {
    *scale = 1.0f;
    *offset = 0;
    return;
  }
  const auto [lo, hi] = std::minmax_element(x, x + n);
  const float rmin_f = std::min(0.0f, *lo), rmax_f = std::max(0.0f, *hi);
  const double rmin = static_cast<double>(rmin_f);
  const double rmax = static_cast<double>(rmax_f);
  if (rmin == rmax) {
    std::memset(q, 0, static_cast<size_t>(n));
    *scale = 1.0f;
    *offset = 0;
    return;
  }
  // The range is a float difference, as in LiteRT's NeonAsymmetricQuantizeFloats (its portable
  // version subtracts in double: the scale can differ in the last bit).
  const double s = static_cast<double>(rmax_f - rmin_f) / (qmax - qmin);
  const double zp_from_min = qmin - rmin / s;
  const double zp_from_max = qmax - rmax / s;
  const double err_min = std::fabs(qmin) + std::fabs(rmin / s);
  const double err_max = std::fabs(qmax) + std::fabs(rmax / s);
  const double zp = err_min < err_max ? zp_from_min : zp_from_max;
  int32_t nudged = 0;
  if (zp <= qmin) {
    nudged = kMin;
  } else if (zp >= qmax) {
    nudged = kMax;
  } else {
    nudged = static_cast<int8_t>(std::round(zp));
  }
  *scale = static_cast<float>(s);
  *offset = nudged;
  const auto inv = static_cast<float>(1.0 / static_cast<double>(*scale));
  const int64_t blocks = n / 8 * 8;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t v = nudged + BlockRound(i, blocks, x[i] * inv);
    q[i] = static_cast<int8_t>(std::clamp(v, kMin, kMax));
  }
}

}  // namespace labelite::hybrid
