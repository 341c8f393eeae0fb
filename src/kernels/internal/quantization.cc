#include "kernels/internal/quantization.h"

namespace labelite::quant {

void QuantizeMultiplier(double real_multiplier, int32_t* quantized_multiplier, int* shift) {
  if (real_multiplier == 0.0) {
    *quantized_multiplier = 0;
    *shift = 0;
    return;
  }
  const double q = std::frexp(real_multiplier, shift);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (q_fixed == (int64_t{1} << 31)) {
    q_fixed /= 2;
    ++*shift;
  }
  // Multipliers this small underflow any 32-bit accumulator: TFLite flushes them to zero.
  if (*shift < -31) {
    *shift = 0;
    q_fixed = 0;
  }
  // And clamps very large ones to the largest representable value.
  if (*shift > 30) {
    *shift = 30;
    q_fixed = (int64_t{1} << 31) - 1;
  }
  *quantized_multiplier = static_cast<int32_t>(q_fixed);
}

int32_t QuantizedMin(DataType type) {
  switch (type) {
    case DataType::kUInt8: return 0;
    case DataType::kInt8: return -128;
    case DataType::kInt16: return -32768;
    default: return std::numeric_limits<int32_t>::min();
  }
}

int32_t QuantizedMax(DataType type) {
  switch (type) {
    case DataType::kUInt8: return 255;
    case DataType::kInt8: return 127;
    case DataType::kInt16: return 32767;
    default: return std::numeric_limits<int32_t>::max();
  }
}

int32_t QuantizeValue(float value, float scale, int32_t zero_point, DataType type) {
  const float scaled = std::round(value / scale);
  const int64_t q = static_cast<int64_t>(zero_point) +
                    static_cast<int64_t>(std::clamp(scaled, -2147483648.0f, 2147483520.0f));
  return static_cast<int32_t>(std::clamp<int64_t>(q, QuantizedMin(type), QuantizedMax(type)));
}

bool ActivationRangeQuantized(Activation activation, DataType type, float scale,
                              int32_t zero_point, int32_t* act_min, int32_t* act_max) {
  const int32_t qmin = QuantizedMin(type);
  const int32_t qmax = QuantizedMax(type);
  // TFLite's zero_point + round(f / scale) in float, saturated: a tiny scale in a hostile model
  // (found by fuzz/model_fuzz) makes f / scale overflow int32; a zero scale makes it NaN.
  auto quantize = [&](float f) -> int32_t {
    const float r = std::round(f / scale);
    if (std::isnan(r)) return qmin;
    const double q = static_cast<double>(zero_point) + static_cast<double>(r);
    return static_cast<int32_t>(std::clamp(q, -2147483648.0, 2147483647.0));
  };
  switch (activation) {
    case Activation::kNone:
      *act_min = qmin;
      *act_max = qmax;
      return true;
    case Activation::kRelu:
      *act_min = std::max(qmin, quantize(0.0f));
      *act_max = qmax;
      return true;
    case Activation::kRelu6:
      *act_min = std::max(qmin, quantize(0.0f));
      *act_max = std::min(qmax, quantize(6.0f));
      return true;
    case Activation::kReluN1To1:
      *act_min = std::max(qmin, quantize(-1.0f));
      *act_max = std::min(qmax, quantize(1.0f));
      return true;
    default:
      return false;
  }
}

void ActivationRangeFloat(Activation activation, float* act_min, float* act_max) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  switch (activation) {
    case Activation::kRelu: *act_min = 0.0f; *act_max = kInf; return;
    case Activation::kRelu6: *act_min = 0.0f; *act_max = 6.0f; return;
    case Activation::kReluN1To1: *act_min = -1.0f; *act_max = 1.0f; return;
    default: *act_min = -kInf; *act_max = kInf; return;
  }
}

}  // namespace labelite::quant
