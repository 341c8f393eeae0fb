// Float BATCH_MATMUL's matrix product (kernels/fast/batch_matmul_f32.h) compiled for AVX2 and
// AVX-512: the same loop and operations, so the same bits; x86-64 only.
#ifndef LABELITE_KERNELS_X86_BATCH_MATMUL_F32_X86_H_
#define LABELITE_KERNELS_X86_BATCH_MATMUL_F32_X86_H_

#include "kernels/fast/batch_matmul_f32.h"

namespace labelite::xnn {

void MatMulF32Avx2(const MatMulF32Args& args);
void MatMulF32Avx512(const MatMulF32Args& args);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_BATCH_MATMUL_F32_X86_H_
