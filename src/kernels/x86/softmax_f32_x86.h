// Float SOFTMAX (beta 1) over one row as LiteRT's XNNPACK delegate computes it (XNNPACK's
// softmax_nc_f32 of 2025, what ai-edge-litert 2.x runs): the row's maximum; then per element
// e = exp(x - max) by XNNPACK's "rr2_p5" method (round x * log2(e) with a magic bias, s = 2^n
// from the exponent bits, t = x - n * ln2 in two FMAs (Cody-Waite), a degree-5 polynomial p,
// e = (t * s) * p + s, 0 below -87.34), stored and summed in XNNPACK's order; then y = e *
// (1.0f / sum). Everything runs with denormals flushed (MXCSR FTZ + DAZ), as XNNPACK runs its
// operators. Bit-identical to LiteRT's XNNPACK on the same CPU level:
//   - SoftmaxRowF32Avx512: the avx512f_rr2_p5_u64_acc2 kernel: blocks of 4 x 16 lanes into two
//     accumulators (1st and 3rd vector into one, 2nd and 4th into the other), their sum, then
//     blocks of 16, then a masked tail; the 16 lanes added as 8 + 8, 4 + 4, [0]+[2] and
//     [1]+[3], then the two;
//   - SoftmaxRowF32Avx2: the avx2_rr2_p5_u32_acc2 kernel: the same on 4 x 8 lanes and blocks of
//     8, the 8 lanes added as 4 + 4, then [0]+[2] and [1]+[3], then the two.
// x86-64 only (kernels/x86).
#ifndef LABELITE_KERNELS_X86_SOFTMAX_F32_X86_H_
#define LABELITE_KERNELS_X86_SOFTMAX_F32_X86_H_

#include <cstddef>

namespace labelite::xnn {

// in[0, n) -> out[0, n), n >= 1. The caller flushes denormals (DenormalsFlushed, denormals.h).
void SoftmaxRowF32Avx512(const float* in, float* out, size_t n);
void SoftmaxRowF32Avx2(const float* in, float* out, size_t n);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_SOFTMAX_F32_X86_H_
