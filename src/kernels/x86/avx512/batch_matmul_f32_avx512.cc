// Float BATCH_MATMUL's matrix product on AVX-512: blocks of 4 rows x 16 columns (a masked
// block for the last cols mod 16) keep their sums in registers while k runs 0, 1, ...; each step
// adds lhs[i, k] * rhs[k, j] with a separate multiply and add (no FMA), so every output element
// is the same k-ordered sum as in kernels/fast/batch_matmul_f32.h and the reference kernel.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include "kernels/x86/batch_matmul_f32_x86.h"

// GCC 12 reports operands inside its own AVX-512 intrinsics as uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning group
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#define LABELITE_AVX512 __attribute__((target("avx512f")))

namespace labelite::xnn {
namespace {

template <int R>
LABELITE_AVX512 inline void Block(const MatMulF32Args& a, int32_t i0, int32_t j0, __mmask16 m) {
  __m512 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
  const float* l = a.lhs + i0 * a.lhs_row_stride;
  const float* rk = a.rhs + j0;
  for (int32_t k = 0; k < a.depth; ++k, rk += a.cols) {
    const __m512 v = _mm512_maskz_loadu_ps(m, rk);
    const float* lk = l + k * a.lhs_k_stride;
    for (int r = 0; r < R; ++r) {
      const __m512 x = _mm512_set1_ps(lk[r * a.lhs_row_stride]);
      acc[r] = _mm512_add_ps(acc[r], _mm512_mul_ps(x, v));
    }
  }
  for (int r = 0; r < R; ++r)
    _mm512_mask_storeu_ps(a.out + static_cast<int64_t>(i0 + r) * a.cols + j0, m, acc[r]);
}

}  // namespace

LABELITE_AVX512 void MatMulF32Avx512(const MatMulF32Args& a) {
  constexpr int kRows = 4;
  for (int32_t j0 = 0; j0 < a.cols; j0 += 16) {
    const int32_t w = a.cols - j0 < 16 ? a.cols - j0 : 16;
    const __mmask16 m = static_cast<__mmask16>((1u << w) - 1u);
    int32_t i = 0;
    for (; i + kRows <= a.rows; i += kRows) Block<kRows>(a, i, j0, m);
    for (; i < a.rows; ++i) Block<1>(a, i, j0, m);
  }
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
