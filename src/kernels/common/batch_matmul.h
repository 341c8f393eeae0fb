// The one Prepare of BATCH_MATMUL: output[..., i, j] = sum_k lhs[..., i, k] * rhs[..., k, j]
// (lhs read transposed when adj_x, rhs when adj_y), batch dimensions broadcast as TFLite does
// (ranks 2 to 5, aligned at the end). Types: float32 x float32; int8 x int8 -> int8 (or int32)
// with TFLite's requantization real = float(lhs_scale * rhs_scale) / out_scale. float32 x int8
// is dynamic-range ("hybrid") arithmetic, prepared elsewhere.
#ifndef LABELITE_KERNELS_COMMON_BATCH_MATMUL_H_
#define LABELITE_KERNELS_COMMON_BATCH_MATMUL_H_

#include <cstdint>
#include <vector>

#include "labelite/status.h"
#include "runtime/kernel.h"

namespace labelite::common {

struct BatchMatMulParams {
  DataType type = DataType::kFloat32;      // of lhs and rhs
  DataType out_type = DataType::kFloat32;
  int64_t batches = 1;                     // product of the output's batch dimensions
  // Element offsets of each output batch's lhs and rhs matrices (broadcast batches repeat).
  std::vector<int64_t> lhs_batch_offset, rhs_batch_offset;
  int32_t rows = 0, cols = 0, depth = 0;   // output [rows, cols], accumulation depth
  // Strides (in elements) of lhs over (row, k) and of rhs over (k, col), from adj_x / adj_y.
  int64_t lhs_row_stride = 0, lhs_k_stride = 0, rhs_k_stride = 0, rhs_col_stride = 0;
  // int8 only.
  int32_t lhs_offset = 0, rhs_offset = 0, out_zp = 0;  // offsets are -zero_point
  int32_t multiplier = 0;
  int shift = 0;
};

// True when lhs is float32 and rhs int8 (the hybrid arithmetic; not prepared here).
bool IsHybridBatchMatMul(const KernelContext& ctx);

Status PrepareBatchMatMul(KernelContext& ctx, BatchMatMulParams* p);

}  // namespace labelite::common

#endif  // LABELITE_KERNELS_COMMON_BATCH_MATMUL_H_
