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

// Exact GELU as XNNPACK computes it (its f32 vgelu "rational_12_10_div" micro-kernels, what
// LiteRT's XNNPACK delegate runs for GELU on x86 with FMA): x clamped to +-5.1638283730 (where
// the interpolant reaches +-1), erf(x / sqrt 2) ~ x P(x^2) / Q(x^2) with P of degree 5 and Q of
// degree 5 in x^2 (Horner steps as fused multiply-adds), y = (0.5 x) (erf + 1). Each element on
// its own, so the vector width does not change the bits. Needs FMA: compile it only inside a
// target("...fma") function (kernels/x86/*/gelu_f32_*.cc), where __builtin_fmaf is one vfmadd.
[[gnu::always_inline]] inline void GeluErfRationalLoop(const float* in, float* out, size_t n) {
  constexpr float kMaxAbs = 5.1638283730e+00f;
  for (size_t i = 0; i < n; ++i) {
    const float x = in[i];
    float v = kMaxAbs < x ? kMaxAbs : x;  // MINPS(max, x): a NaN x stays NaN
    v = -kMaxAbs > v ? -kMaxAbs : v;
    const float v2 = v * v;
    float p = __builtin_fmaf(v2, 4.5835321316e-08f, 1.2609783880e-05f);
    p = __builtin_fmaf(v2, p, 3.2973114867e-04f);
    p = __builtin_fmaf(v2, p, 9.3065137044e-03f);
    p = __builtin_fmaf(v2, p, 6.6972173750e-02f);
    p = __builtin_fmaf(v2, p, 7.9788452387e-01f);
    p = v * p;
    float q = __builtin_fmaf(v2, 1.1988805682e-06f, 7.2267655923e-05f);
    q = __builtin_fmaf(v2, q, 1.8622842617e-03f);
    q = __builtin_fmaf(v2, q, 2.8431978077e-02f);
    q = __builtin_fmaf(v2, q, 2.5060352683e-01f);
    q = __builtin_fmaf(v2, q, 1.0f);
    out[i] = (x * 0.5f) * (p / q + 1.0f);
  }
}

}  // namespace labelite::xnn::gelu_internal

#endif  // LABELITE_KERNELS_FAST_GELU_F32_H_
