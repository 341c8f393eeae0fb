#include "kernels/common/transpose.h"

#include <string>
#include <vector>

#include "kernels/internal/shape_helpers.h"

namespace labelite::common {

Status PrepareTranspose(KernelContext& ctx, TransposeParams* p) {
  const Tensor* in = ctx.input(0);
  const Tensor* perm = ctx.input(1);
  Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
  if (!in || !perm || !out) return ctx.Error("expects input, perm and 1 output");
  if (out->type != in->type)
    return ctx.Error("output type " + shape::TypeName(out->type) + " differs from input type " +
                     shape::TypeName(in->type));
  p->element_size = DataTypeSize(in->type);
  if (p->element_size == 0) return ctx.UnsupportedError("element type " + shape::TypeName(in->type));
  const int rank = in->rank();
  if (rank > TransposeParams::kMaxRank)
    return ctx.UnsupportedError("rank " + std::to_string(rank) + " (at most 6)");
  if (perm->type != DataType::kInt32 && perm->type != DataType::kInt64)
    return ctx.Error("perm type " + shape::TypeName(perm->type) + " (int32 or int64 expected)");
  if (perm->rank() != 1 || perm->dim(0) != rank)
    return ctx.Error("perm shape " + shape::ToString(perm->dims) + " for input rank " +
                     std::to_string(rank));
  if (!perm->is_constant || !perm->data) return ctx.UnsupportedError("perm is not constant");
  std::vector<int32_t> dims(static_cast<size_t>(rank));
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  const std::vector<int64_t> in_strides = shape::Strides(in->dims);
  for (int i = 0; i < rank; ++i) {
    const int64_t d = perm->type == DataType::kInt32 ? perm->data_as<int32_t>()[i]
                                                     : perm->data_as<int64_t>()[i];
    if (d < 0 || d >= rank || seen[static_cast<size_t>(d)])
      return ctx.Error("perm is not a permutation of 0.." + std::to_string(rank - 1));
    seen[static_cast<size_t>(d)] = true;
    dims[static_cast<size_t>(i)] = in->dim(static_cast<int>(d));
    p->out_dims[static_cast<size_t>(i)] = dims[static_cast<size_t>(i)];
    p->in_strides[static_cast<size_t>(i)] = in_strides[static_cast<size_t>(d)];
  }
  p->rank = rank;
  out->dims = std::move(dims);
  return Status::Ok();
}

}  // namespace labelite::common
