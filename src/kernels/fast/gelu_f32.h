// Float GELU over an array, written for the compiler to vectorize (no calls, no branches):
//   exact:        0.5 x erfc(-x / sqrt 2)
//   approximate:  0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
// erfc(z), z >= 0, is Numerical Recipes' erfcc, t exp(-z^2 + P(t)) with t = 1 / (1 + z/2)
// (fractional error below 1.2e-7), and erfc(-z) = 2 - erfc(z); tanh(u) = 1 - 2 / (exp(2u) + 1).
// exp is a Cody-Waite reduction to |r| <= ln2/2 and a degree-6 Taylor polynomial (relative
// error about 2e-7). Against the reference kernel's std::erfc / std::tanh the outputs differ by
// at most a few 1e-7 times max(1, |x|) (tests/kernels/fast_ops_test.cc), far inside LiteRT's own
// builtin-versus-XNNPACK difference. The loops are plain C++, compiled once per ISA level
// (kernels/x86/*/gelu_*.cc include this header inside a target attribute) with the same
// operations, so every level gives the same bits.
#ifndef LABELITE_KERNELS_FAST_GELU_F32_H_
#define LABELITE_KERNELS_FAST_GELU_F32_H_

#include <bit>
#include <cstddef>
#include <cstdint>

namespace labelite::xnn::gelu_internal {

// exp(v) for v <= 88; below -80 it returns exp(-80) (no denormal results, which would take
// microcode assists on x86).
[[gnu::always_inline]] inline float ExpSmall(float v) {
  constexpr float kLog2e = 1.44269504f, kLn2Hi = 0.693145752f, kLn2Lo = 1.42860677e-6f;
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  v = v < -80.0f ? -80.0f : v;
  const float nr = (v * kLog2e + kRound) - kRound;
  const float r = (v - nr * kLn2Hi) - nr * kLn2Lo;
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t n = static_cast<int32_t>(nr);
  const float scale = std::bit_cast<float>(static_cast<int32_t>((n + 127) * (1 << 23)));
  return p * scale;
}

// erfc(z) for z >= 0.
[[gnu::always_inline]] inline float ErfcNonNegative(float z) {
  const float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  const float zz = z > 9.0f ? 9.0f : z;  // erfc(9) < 1e-36: the output is 0 to 1e-35
  return t * ExpSmall(p - zz * zz);
}

[[gnu::always_inline]] inline void GeluErfLoop(const float* in, float* out, size_t n) {
  constexpr float kMinusSqrtHalf = -0.707106781f;
  for (size_t i = 0; i < n; ++i) {
    const float x = in[i];
    const float z = x * kMinusSqrtHalf;             // erfc's argument
    const float e = ErfcNonNegative(z < 0.0f ? -z : z);
    out[i] = 0.5f * x * (z < 0.0f ? 2.0f - e : e);
  }
}

[[gnu::always_inline]] inline void GeluTanhLoop(const float* in, float* out, size_t n) {
  constexpr float kSqrt2OverPi = 0.797884561f;
  for (size_t i = 0; i < n; ++i) {
    const float x = in[i];
    float u = kSqrt2OverPi * (x + 0.044715f * x * x * x);
    u = u > 9.0f ? 9.0f : (u < -9.0f ? -9.0f : u);  // tanh(9) = 1 - 3e-8
    const float tanh_u = 1.0f - 2.0f / (ExpSmall(2.0f * u) + 1.0f);
    out[i] = 0.5f * x * (1.0f + tanh_u);
  }
}

}  // namespace labelite::xnn::gelu_internal

#endif  // LABELITE_KERNELS_FAST_GELU_F32_H_
