// Float GELU (kernels/fast/gelu_f32.h) compiled for AVX2 and AVX-512: the same loop, the same
// operations (no FMA contraction), so every level gives the same bits; only the vector width
// differs. x86-64 only.
#ifndef LABELITE_KERNELS_X86_GELU_F32_X86_H_
#define LABELITE_KERNELS_X86_GELU_F32_X86_H_

#include <cstddef>

namespace labelite::xnn {

void GeluF32Avx2(const float* in, float* out, size_t n, bool approximate);
void GeluF32Avx512(const float* in, float* out, size_t n, bool approximate);

// Exact GELU in XNNPACK's arithmetic (gelu_f32.h GeluErfRationalLoop), with FMA: the same
// bits at both levels, and as LiteRT's XNNPACK delegate.
void GeluErfXnnpackAvx2(const float* in, float* out, size_t n);
void GeluErfXnnpackAvx512(const float* in, float* out, size_t n);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_GELU_F32_X86_H_
