// Fixed-point arithmetic of TFLite's quantized kernels (gemmlowp-style, "double rounding").
// Every reference kernel requantizes through these functions so that the arithmetic is
// TFLite's to the bit.
#ifndef LABELITE_KERNELS_INTERNAL_QUANTIZATION_H_
#define LABELITE_KERNELS_INTERNAL_QUANTIZATION_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "labelite/types.h"
#include "model/model.h"

namespace labelite::quant {

// static_cast<int32_t>(std::round(x)) (halves away from zero), inline: GCC 12 calls roundf for
// std::round, which cost the int8 SOFTMAX over 1000 classes half its time. For 0 <= x < 2^23
// (the softmax's probabilities) truncation, then up when the fraction, exact there, is at
// least one half; anything else takes std::round.
inline int32_t RoundHalfAway(float x) {
  if (!(x >= 0.0f && x < 8388608.0f)) return static_cast<int32_t>(std::round(x));
  const auto t = static_cast<int32_t>(x);
  return t + (x - static_cast<float>(t) >= 0.5f ? 1 : 0);
}

// a + b with two's-complement wraparound. TFLite's int32 accumulators (bias + sum of products)
// wrap where a hostile model's bias or depth overflows them; in C++ that would be undefined, so
// labelite's reference kernels accumulate through this. Real models never come near it.
inline int32_t WrappingAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

// High 32 bits of 2*a*b, rounded to nearest (ties away from zero), saturating the single
// overflow case a == b == INT32_MIN.
inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  const bool overflow = a == b && a == std::numeric_limits<int32_t>::min();
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  const int32_t high = static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
  return overflow ? std::numeric_limits<int32_t>::max() : high;
}

// x / 2^exponent rounded to nearest, ties away from zero. 0 <= exponent <= 31.
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * multiplier * 2^shift, where multiplier is a Q31 value in [2^30, 2^31).
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t quantized_multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift);
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(shifted, quantized_multiplier),
                             right_shift);
}

// x * multiplier * 2^shift as LiteRT's optimized int8 kernels compute it on ARM and, through
// NEON_2_SSE / ruy's x86 kernels, on x86: a doubling high multiply that rounds ties toward
// +infinity (VQRDMULH), then a rounding right shift that also breaks ties toward +infinity
// (VRSHL / SRSHL), where gemmlowp's MultiplyByQuantizedMultiplier breaks both away from zero.
// The two differ only for negative x. Used by ruy's GEMM output stage (int8 CONV_2D,
// FULLY_CONNECTED), the NEON output stage of the int8 DEPTHWISE_CONV_2D (its first C - C mod 8
// channels) and the NEON loop of the int8 global-average MEAN (its first C - C mod 16
// channels); the scalar tails of the last two keep gemmlowp's rounding.
inline int32_t MultiplyByQuantizedMultiplierTiesUp(int32_t x, int32_t quantized_multiplier,
                                                   int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift);
  // floor((2 a b + 2^31) / 2^32), written without the factor 2 that could overflow int64; it
  // saturates only for a == b == INT32_MIN.
  const int64_t ab = static_cast<int64_t>(shifted) * quantized_multiplier;
  const int64_t high =
      std::min<int64_t>((ab + (int64_t{1} << 30)) >> 31, std::numeric_limits<int32_t>::max());
  if (right_shift == 0) return static_cast<int32_t>(high);
  return static_cast<int32_t>((high + (int64_t{1} << (right_shift - 1))) >> right_shift);
}

// Splits a positive real multiplier into a Q31 mantissa and a power-of-two exponent, as
// TFLite's QuantizeMultiplier does (frexp, round, renormalize, flush tiny values to zero).
void QuantizeMultiplier(double real_multiplier, int32_t* quantized_multiplier, int* shift);

// Numeric range of a quantized type: uint8 [0,255], int8 [-128,127], int16, int32.
int32_t QuantizedMin(DataType type);
int32_t QuantizedMax(DataType type);

// The clamp range [*act_min, *act_max] a fused activation imposes on a quantized output
// (TFLite's CalculateActivationRangeQuantized). Returns false for activations that have no
// quantized range (TANH, SIGN_BIT).
bool ActivationRangeQuantized(Activation activation, DataType type, float scale,
                              int32_t zero_point, int32_t* act_min, int32_t* act_max);

// The float clamp range of a fused activation (TFLite's CalculateActivationRange).
void ActivationRangeFloat(Activation activation, float* act_min, float* act_max);

// round(value / scale) + zero_point, saturated to the type's range (TFLite's quantization of
// one float value).
int32_t QuantizeValue(float value, float scale, int32_t zero_point, DataType type);

}  // namespace labelite::quant

#endif  // LABELITE_KERNELS_INTERNAL_QUANTIZATION_H_
