#include "kernels/common/mean.h"

#include <algorithm>
#include <string>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"

namespace labelite::common {

Status PrepareMean(KernelContext& ctx, MeanParams* p) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 2, 2, 1));
  const Tensor& input = *ctx.input(0);
  const Tensor& axis = *ctx.input(1);
  Tensor& output = *ctx.output(0);
  LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, axis, "axis", DataType::kInt32));
  LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, output, "output", input.type));
  if (!axis.is_constant || axis.data == nullptr) {
    return ctx.UnsupportedError("a non-constant axis tensor is not supported");
  }
  const int rank = input.rank();
  const int32_t* axes = axis.data_as<int32_t>();
  const int64_t num_axes = axis.NumElements();
  p->reduced.assign(static_cast<size_t>(rank), false);
  for (int64_t i = 0; i < num_axes; ++i) {
    const int32_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (a < 0 || a >= rank) {
      return ctx.Error("axis " + std::to_string(axes[i]) + " is out of range for input " +
                       internal::ShapeString(input.dims));
    }
    p->reduced[static_cast<size_t>(a)] = true;
  }
  // Output shape, and the output stride of every input dimension (0 where reduced).
  std::vector<int32_t> out_dims;
  p->count = 1;
  for (int d = 0; d < rank; ++d) {
    if (p->reduced[static_cast<size_t>(d)]) {
      p->count *= input.dim(d);
      if (ctx.options().keep_dims) out_dims.push_back(1);
    } else {
      out_dims.push_back(input.dim(d));
    }
  }
  p->out_stride.assign(static_cast<size_t>(rank), 0);
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    if (p->reduced[static_cast<size_t>(d)]) continue;
    p->out_stride[static_cast<size_t>(d)] = stride;
    stride *= input.dim(d);
  }
  LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, output, std::move(out_dims)));

  const bool spatial = ctx.options().keep_dims && rank == 4 && num_axes == 2 &&
                       ((axes[0] == 1 && axes[1] == 2) || (axes[0] == 2 && axes[1] == 1));
  switch (input.type) {
    case DataType::kFloat32: {
      p->path = spatial ? MeanParams::Path::kSpatial : MeanParams::Path::kFloat;
      // TFLite's optimized kernel sums with Eigen when, size-1 dimensions aside, the reduced
      // dimensions are a trailing block after a non-empty leading block (LayerNorm's mean
      // over channels): rows of p->last_rows x p->last_size elements.
      p->last_rows = p->last_size = 0;
      if (!spatial) {
        int64_t rows = 1, size = 1;
        bool seen_reduced = false, trailing = true, any_kept = false;
        for (int d = 0; d < rank; ++d) {
          if (input.dim(d) == 1) continue;
          if (p->reduced[static_cast<size_t>(d)]) {
            seen_reduced = true;
            size *= input.dim(d);
          } else {
            if (seen_reduced) trailing = false;
            any_kept = true;
            rows *= input.dim(d);
          }
        }
        if (trailing && seen_reduced && any_kept) p->last_rows = rows, p->last_size = size;
      }
      return Status::Ok();
    }
    case DataType::kUInt8:
    case DataType::kInt8:
      break;
    default:
      return ctx.UnsupportedError("input type " + std::string(DataTypeName(input.type)) +
                                  " is not supported");
  }
  LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, input, "input"));
  LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, output, "output"));
  p->in_zp = input.zero_point;
  p->out_zp = output.zero_point;
  if (spatial) {
    p->path = MeanParams::Path::kSpatial;
    const float elements = static_cast<float>(input.dim(1) * input.dim(2));
    float temp = static_cast<float>(input.zero_point) * input.scale / output.scale;
    temp = temp > 0 ? temp + 0.5f : temp - 0.5f;
    p->bias = output.zero_point - static_cast<int32_t>(temp);
    const float real_scale = input.scale / (elements * output.scale);
    quant::QuantizeMultiplier(static_cast<double>(real_scale), &p->multiplier, &p->shift);
  } else {
    p->path = MeanParams::Path::kRescale;
    quant::QuantizeMultiplier(static_cast<double>(input.scale) / static_cast<double>(output.scale),
                              &p->multiplier, &p->shift);
    if (p->count > 0) {
      int k = 63 - __builtin_clzll(static_cast<uint64_t>(p->count));
      k = std::min({k, 32, 31 + p->shift});
      p->multiplier = static_cast<int32_t>((static_cast<int64_t>(p->multiplier) << k) / p->count);
      p->shift -= k;
    }
  }
  return Status::Ok();
}

}  // namespace labelite::common
