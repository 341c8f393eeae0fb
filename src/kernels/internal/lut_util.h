// 256-entry lookup tables for quantized unary ops (LOGISTIC, TANH), built as TFLite's
// LUTPopulate does: for every input value v,
//   out = clamp(int(round(f(in_scale * (v - in_zp)) * (1 / out_scale)) + out_zp))
// with every step in float.
#ifndef LABELITE_KERNELS_INTERNAL_LUT_UTIL_H_
#define LABELITE_KERNELS_INTERNAL_LUT_UTIL_H_

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "runtime/tensor.h"

namespace labelite::internal {

// The table is indexed by the input's byte (static_cast<uint8_t>(value)).
template <typename T, typename F>
void PopulateLut(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, F transform,
                 std::array<uint8_t, 256>* lut) {
  const float inverse_scale = 1 / out_scale;
  constexpr int32_t kMin = std::numeric_limits<T>::min();
  constexpr int32_t kMax = std::numeric_limits<T>::max();
  for (int32_t v = kMin; v <= kMax; ++v) {
    const float dequantized = in_scale * static_cast<float>(v - in_zp);
    const float transformed = transform(dequantized);
    const float rescaled = std::round(transformed * inverse_scale);
    const int32_t q = static_cast<int32_t>(rescaled + static_cast<float>(out_zp));
    (*lut)[static_cast<uint8_t>(static_cast<T>(v))] =
        static_cast<uint8_t>(static_cast<T>(std::clamp(q, kMin, kMax)));
  }
}

// out[i] = lut[byte of in[i]] for uint8 and int8 tensors of equal size.
inline void ApplyLut(const std::array<uint8_t, 256>& lut, const Tensor& in, Tensor& out) {
  const uint8_t* src = in.data;
  uint8_t* dst = out.data;
  const int64_t n = in.NumElements();
  for (int64_t i = 0; i < n; ++i) dst[i] = lut[src[i]];
}

}  // namespace labelite::internal

#endif  // LABELITE_KERNELS_INTERNAL_LUT_UTIL_H_
