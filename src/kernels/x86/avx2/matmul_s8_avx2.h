// MatMulS8Avx2: the int32 accumulators of one int8 matrix product on AVX2, for quantized
// BATCH_MATMUL, whose two operands are computed at run time (nothing can be packed at Prepare):
//   acc[i][j] = sum_k (lhs[i][k] + lhs_offset) * (rhs[k][j] + rhs_offset)
// Products of int16 and their pair sums are exact in int32, and int32 sums give the same bits
// in any order, so acc equals the reference kernel's whenever the reference's own int32 sum
// does not overflow; the caller requantizes with the reference's arithmetic.
//
// How it computes (steps):
//   1. The rows of lhs and the columns of rhs (any strides, so adj_x / adj_y need no
//      transpose) are widened to int16 with their offsets added ([-128, 127] plus an offset in
//      [-127, 128] stays within [-255, 255]) into the caller's scratch, k padded with zeros to
//      a multiple of 16.
//   2. Per row of lhs and 4 columns at a time: VPMADDWD of 16 int16 of the row against each
//      column, VPADDD into 4 vectors of 8 int32, then horizontal sums.
// Thread safety: stateless; concurrent calls need their own scratch and output.
// Usage:
//   std::vector<int16_t> scratch(MatMulS8ScratchSize(shape));  // at Prepare
//   if (MatMulS8Supported()) MatMulS8Avx2(shape, lhs, rhs, scratch.data(), acc);
#ifndef LABELITE_KERNELS_X86_AVX2_MATMUL_S8_AVX2_H_
#define LABELITE_KERNELS_X86_AVX2_MATMUL_S8_AVX2_H_

#include <cstddef>
#include <cstdint>

namespace labelite::xnn {

struct MatMulS8Shape {
  size_t rows = 0, cols = 0, depth = 0;
  // Element strides of lhs over (row, k) and of rhs over (k, col).
  int64_t lhs_row_stride = 0, lhs_k_stride = 0, rhs_k_stride = 0, rhs_col_stride = 0;
  int32_t lhs_offset = 0, rhs_offset = 0;
};

// True when ActiveIsa() allows AVX2.
bool MatMulS8Supported();
// int16 elements of scratch one call needs.
size_t MatMulS8ScratchSize(const MatMulS8Shape& s);
// acc[rows][cols] (row-major) of one lhs and rhs matrix.
void MatMulS8Avx2(const MatMulS8Shape& s, const int8_t* lhs, const int8_t* rhs, int16_t* scratch,
                  int32_t* acc);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_AVX2_MATMUL_S8_AVX2_H_
