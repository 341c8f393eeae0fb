// Float BATCH_MATMUL's matrix product on AVX2 (kernels/fast/batch_matmul_f32.h, 8 lanes).
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include "kernels/x86/batch_matmul_f32_x86.h"

namespace labelite::xnn {

__attribute__((target("avx2"))) void MatMulF32Avx2(const MatMulF32Args& args) {
  matmul_internal::MatMulF32Loop(args);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
