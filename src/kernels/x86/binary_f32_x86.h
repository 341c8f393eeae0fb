// Float32 ADD / SUB / MUL rows (kernels/fast/binary_f32.h) compiled for AVX2 and AVX-512: the
// same loop and operations at both levels, so the same bits. x86-64 only.
#ifndef LABELITE_KERNELS_X86_BINARY_F32_X86_H_
#define LABELITE_KERNELS_X86_BINARY_F32_X86_H_

#include <cstddef>

#include "kernels/fast/binary_f32.h"

namespace labelite::xnn {

void BinaryRowF32Avx2(BinaryF32Op op, const float* x, const float* y, bool scalar_y, float* out,
                      size_t n, float lo, float hi);
void BinaryRowF32Avx512(BinaryF32Op op, const float* x, const float* y, bool scalar_y,
                        float* out, size_t n, float lo, float hi);
// binary_f32_internal::AnyChainRow at each level.
void ChainRowF32Avx2(BinaryF32Op op, const float* x, const float* s, const float* y, float* out,
                     size_t n, binary_f32_internal::ChainBounds b);
void ChainRowF32Avx512(BinaryF32Op op, const float* x, const float* s, const float* y,
                       float* out, size_t n, binary_f32_internal::ChainBounds b);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_BINARY_F32_X86_H_
