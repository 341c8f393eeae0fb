// IEEE 754 half precision (float16) to float32, exact for every input including subnormals,
// infinities and NaNs.
#ifndef LABELITE_KERNELS_INTERNAL_FP16_H_
#define LABELITE_KERNELS_INTERNAL_FP16_H_

#include <cstdint>
#include <cstring>

namespace labelite::fp16 {

inline float ToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1Fu;
  uint32_t mantissa = h & 0x3FFu;
  uint32_t bits;
  if (exponent == 0x1F) {  // infinity or NaN
    bits = sign | 0x7F800000u | (mantissa << 13);
  } else if (exponent != 0) {  // normal: rebias 15 -> 127
    bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {  // signed zero
    bits = sign;
  } else {  // subnormal: normalize the mantissa
    int e = -1;
    do {
      ++e;
      mantissa <<= 1;
    } while ((mantissa & 0x400u) == 0);
    bits = sign | (static_cast<uint32_t>(112 - e) << 23) | ((mantissa & 0x3FFu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

}  // namespace labelite::fp16

#endif  // LABELITE_KERNELS_INTERNAL_FP16_H_
