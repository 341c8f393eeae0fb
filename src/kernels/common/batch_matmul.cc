#include "kernels/common/batch_matmul.h"

#include <algorithm>
#include <string>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"

namespace labelite::common {

namespace {

// `t`'s dims left-padded with 1 to `rank`.
std::vector<int32_t> Extended(const Tensor& t, int rank) {
  std::vector<int32_t> d(static_cast<size_t>(rank - t.rank()), 1);
  d.insert(d.end(), t.dims.begin(), t.dims.end());
  return d;
}

Status PrepareQuantized(KernelContext& ctx, BatchMatMulParams* p) {
  const Tensor& lhs = *ctx.input(0);
  const Tensor& rhs = *ctx.input(1);
  const Tensor& out = *ctx.output(0);
  LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, lhs, "lhs"));
  LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, rhs, "rhs"));
  if (rhs.quant != nullptr && rhs.quant->per_channel())
    return ctx.UnsupportedError("per-channel quantized int8 rhs is not supported");
  p->lhs_offset = -lhs.zero_point;
  p->rhs_offset = -rhs.zero_point;
  if (out.type == DataType::kInt32) return Status::Ok();
  LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, out, "output", DataType::kInt8));
  LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, out, "output"));
  p->out_zp = out.zero_point;
  // TFLite's GetQuantizedConvolutionMultipler: the scale product in float, then double.
  const double product = static_cast<double>(lhs.scale * rhs.scale);
  quant::QuantizeMultiplier(product / static_cast<double>(out.scale), &p->multiplier, &p->shift);
  return Status::Ok();
}

}  // namespace

bool IsHybridBatchMatMul(const KernelContext& ctx) {
  return ctx.inputs.size() == 2 && ctx.input(0) != nullptr && ctx.input(1) != nullptr &&
         ctx.input(0)->type == DataType::kFloat32 && ctx.input(1)->type == DataType::kInt8;
}

Status PrepareBatchMatMul(KernelContext& ctx, BatchMatMulParams* p) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 2, 2, 1));
  const Tensor& lhs = *ctx.input(0);
  const Tensor& rhs = *ctx.input(1);
  Tensor& out = *ctx.output(0);
  const bool adj_x = ctx.options().adj_x, adj_y = ctx.options().adj_y;
  p->type = lhs.type;
  p->out_type = out.type;
  if (lhs.type == DataType::kFloat32 && rhs.type == DataType::kInt8)
    return ctx.UnsupportedError("float32 x int8 (hybrid) is not supported by this kernel");
  LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, rhs, "rhs", lhs.type));
  if (lhs.type == DataType::kFloat32) {
    LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, out, "output", DataType::kFloat32));
  } else if (lhs.type == DataType::kInt8) {
    LABELITE_RETURN_IF_ERROR(PrepareQuantized(ctx, p));
  } else {
    return ctx.UnsupportedError("input type " + std::string(DataTypeName(lhs.type)) +
                                " is not supported");
  }
  if (lhs.rank() < 2 || lhs.rank() > 5 || rhs.rank() < 2 || rhs.rank() > 5) {
    return ctx.Error("inputs must have rank 2 to 5, got " + internal::ShapeString(lhs.dims) +
                     " and " + internal::ShapeString(rhs.dims));
  }
  const int rank = std::max(lhs.rank(), rhs.rank());
  const std::vector<int32_t> l = Extended(lhs, rank), r = Extended(rhs, rank);
  const int32_t l_rows = l[rank - 2], l_cols = l[rank - 1];
  const int32_t r_rows = r[rank - 2], r_cols = r[rank - 1];
  p->rows = adj_x ? l_cols : l_rows;
  p->depth = adj_x ? l_rows : l_cols;
  p->cols = adj_y ? r_rows : r_cols;
  const int32_t rhs_depth = adj_y ? r_cols : r_rows;
  if (p->depth != rhs_depth) {
    return ctx.Error("lhs " + internal::ShapeString(lhs.dims) + " and rhs " +
                     internal::ShapeString(rhs.dims) + " have different depths (" +
                     std::to_string(p->depth) + " and " + std::to_string(rhs_depth) + ")");
  }
  p->lhs_row_stride = adj_x ? 1 : l_cols;
  p->lhs_k_stride = adj_x ? l_cols : 1;
  p->rhs_k_stride = adj_y ? 1 : r_cols;
  p->rhs_col_stride = adj_y ? r_cols : 1;
  // Batch dimensions: each pair equal or one of them 1.
  std::vector<int32_t> out_dims;
  for (int i = 0; i < rank - 2; ++i) {
    if (l[i] != r[i] && l[i] != 1 && r[i] != 1) {
      return ctx.Error("batch dimensions of " + internal::ShapeString(lhs.dims) + " and " +
                       internal::ShapeString(rhs.dims) + " cannot be broadcast");
    }
    out_dims.push_back(l[i] == 1 ? r[i] : l[i]);
  }
  out_dims.push_back(p->rows);
  out_dims.push_back(p->cols);
  LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, out, out_dims));
  // Offsets of every output batch in lhs and rhs, walking the batch index like an odometer.
  const int64_t l_matrix = int64_t{l_rows} * l_cols, r_matrix = int64_t{r_rows} * r_cols;
  p->batches = 1;
  for (int i = 0; i < rank - 2; ++i) p->batches *= out_dims[i];
  p->lhs_batch_offset.assign(static_cast<size_t>(p->batches), 0);
  p->rhs_batch_offset.assign(static_cast<size_t>(p->batches), 0);
  for (int64_t b = 0; b < p->batches; ++b) {
    int64_t rem = b, lo = 0, ro = 0, ls = l_matrix, rs = r_matrix;
    for (int i = rank - 3; i >= 0; --i) {
      const int64_t idx = rem % out_dims[i];
      rem /= out_dims[i];
      if (l[i] != 1) lo += idx * ls;
      if (r[i] != 1) ro += idx * rs;
      ls *= l[i];
      rs *= r[i];
    }
    p->lhs_batch_offset[static_cast<size_t>(b)] = lo;
    p->rhs_batch_offset[static_cast<size_t>(b)] = ro;
  }
  return Status::Ok();
}

}  // namespace labelite::common
