// Float BATCH_MATMUL's matrix product on AVX-512 (kernels/fast/batch_matmul_f32.h, 16 lanes).
#include "kernels/x86/batch_matmul_f32_x86.h"

namespace labelite::xnn {

__attribute__((target("avx512f,avx512vl"))) void MatMulF32Avx512(const MatMulF32Args& args) {
  matmul_internal::MatMulF32Loop(args);
}

}  // namespace labelite::xnn
