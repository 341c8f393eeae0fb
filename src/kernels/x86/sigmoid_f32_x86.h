// Float sigmoid rows as Debian 12's XNNPACK (git ae108ef, Feb 2022) computes them on x86-64,
// bit for bit, and the swish x * sigmoid(x) on the same rows. XNNPACK picks its f32 sigmoid
// micro-kernel once per process from cpuinfo: with AVX-512F the "avx512f_rr2_lut32_p2_perm2_
// scalef_div" kernel, else with AVX2 the "avx2_rr1_p5_div" one. Both compute, per element
// (the element's position and the vector width do not matter), with z = -|x|:
//   - SigmoidRowF32Avx512 (rr2_lut32_p2): n = z * log2(e) + 0x1.8p18 (one FMA; the bias rounds
//     to 1/32 and leaves k = the 5 low bits of n's encoding), l = 2^(k/32) from a 32-entry
//     table (a two-register permute), n -= bias, t = z - n * ln2 in two FMAs (Cody-Waite, hi
//     and lo), p = t * c2 + c1, t *= l, p = t * p + l, e = scalef(p, n) (p * 2^floor(n)),
//     f = e / (e + 1);
//   - SigmoidRowF32Avx2 (rr1_p5): n = z * log2(e) + 0x1.8000FEp23 (one FMA), s = 2^n from
//     n's bits shifted into the exponent, n -= bias, t = z - n * ln2 in one FMA, a degree-5
//     polynomial p (Horner, FMAs from c5), t *= s, e = t * p + s, f = e / (e + 1), f = 0 where
//     z < -0x1.5D589Ep6 (below it e is not normal);
// then f where x's sign bit is set, 1 - f where it is clear.
// The swish rows multiply x * f and clamp as kernels/fast/binary_f32.h's rows do (max_ps(v,
// lo), then min_ps(v, hi): a NaN becomes lo), so out equals MUL(x, LOGISTIC(x)) computed by
// XNNPACK's sigmoid and labelite's MUL rows. The caller flushes denormals (DenormalsFlushed in
// denormals.h), as XNNPACK runs its operators. x86-64 only (kernels/x86).
#ifndef LABELITE_KERNELS_X86_SIGMOID_F32_X86_H_
#define LABELITE_KERNELS_X86_SIGMOID_F32_X86_H_

#include <cstddef>

namespace labelite::xnn {

// out[i] = sigmoid(in[i]) for i < n (in == out allowed).
void SigmoidRowF32Avx512(const float* in, float* out, size_t n);
void SigmoidRowF32Avx2(const float* in, float* out, size_t n);

// out[i] = min(max(x[i] * sigmoid(x[i]), lo), hi) for i < n (x == out allowed).
void SwishRowF32Avx512(const float* x, float* out, size_t n, float lo, float hi);
void SwishRowF32Avx2(const float* x, float* out, size_t n, float lo, float hi);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_SIGMOID_F32_X86_H_
