// One float32 matrix product out[rows, cols] = lhs[rows, depth] * rhs[depth, cols] as the fast
// BATCH_MATMUL computes it: for each row i, out[i, :] = 0, then out[i, :] += lhs[i, k] *
// rhs[k, :] for k = 0, 1, ... . Each output element is therefore summed in k order from 0 with
// separate multiplies and adds, exactly as the reference kernel's dot product, so the result
// is bit-identical while the loop over columns vectorizes (rhs rows contiguous). Compiled once
// per ISA level (kernels/x86/*/batch_matmul_f32_*.cc), with the same operations everywhere.
#ifndef LABELITE_KERNELS_FAST_BATCH_MATMUL_F32_H_
#define LABELITE_KERNELS_FAST_BATCH_MATMUL_F32_H_

#include <cstdint>

namespace labelite::xnn {

struct MatMulF32Args {
  const float* lhs;  // element (i, k) at lhs[i * lhs_row_stride + k * lhs_k_stride]
  const float* rhs;  // element (k, j) at rhs[k * cols + j] (contiguous rows)
  float* out;        // element (i, j) at out[i * cols + j]
  int64_t lhs_row_stride, lhs_k_stride;
  int32_t rows, cols, depth;
};

namespace matmul_internal {

[[gnu::always_inline]] inline void MatMulF32Loop(const MatMulF32Args& a) {
  for (int32_t i = 0; i < a.rows; ++i) {
    float* __restrict o = a.out + static_cast<int64_t>(i) * a.cols;
    for (int32_t j = 0; j < a.cols; ++j) o[j] = 0.0f;
    const float* l = a.lhs + i * a.lhs_row_stride;
    for (int32_t k = 0; k < a.depth; ++k) {
      const float x = l[k * a.lhs_k_stride];
      const float* __restrict r = a.rhs + static_cast<int64_t>(k) * a.cols;
      for (int32_t j = 0; j < a.cols; ++j) o[j] += x * r[j];
    }
  }
}

}  // namespace matmul_internal
}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_BATCH_MATMUL_F32_H_
