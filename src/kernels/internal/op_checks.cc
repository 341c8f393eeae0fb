#include "kernels/internal/op_checks.h"

#include <cmath>
#include <limits>

namespace labelite::internal {

std::string ShapeString(const std::vector<int32_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

Status CheckArity(const KernelContext& ctx, int required, int max_inputs, int outputs) {
  const int n = static_cast<int>(ctx.inputs.size());
  if (n < required || n > max_inputs) {
    return ctx.Error("expects " + std::to_string(required) +
                     (max_inputs > required ? " to " + std::to_string(max_inputs) : "") +
                     " inputs, got " + std::to_string(n));
  }
  for (int i = 0; i < required; ++i) {
    if (ctx.input(i) == nullptr) return ctx.Error("input " + std::to_string(i) + " is missing");
  }
  if (static_cast<int>(ctx.outputs.size()) != outputs || ctx.outputs[0] == nullptr) {
    return ctx.Error("expects " + std::to_string(outputs) + " output(s), got " +
                     std::to_string(ctx.outputs.size()));
  }
  return Status::Ok();
}

Status CheckType(const KernelContext& ctx, const Tensor& t, const char* what, DataType type) {
  if (t.type == type) return Status::Ok();
  return ctx.Error(std::string(what) + " must be " + std::string(DataTypeName(type)) + ", got " +
                   std::string(DataTypeName(t.type)));
}

Status CheckRank(const KernelContext& ctx, const Tensor& t, const char* what, int rank) {
  if (t.rank() == rank) return Status::Ok();
  return ctx.Error(std::string(what) + " must have rank " + std::to_string(rank) + ", got " +
                   ShapeString(t.dims));
}

Status CheckQuantized(const KernelContext& ctx, const Tensor& t, const char* what) {
  if (t.scale > 0.0f && std::isfinite(t.scale)) return Status::Ok();
  return ctx.Error(std::string(what) + " (" + std::string(DataTypeName(t.type)) +
                   ") has no valid quantization scale (" + std::to_string(t.scale) + ")");
}

Status UnsupportedActivation(const KernelContext& ctx, Activation activation, const char* why) {
  return ctx.UnsupportedError("fused activation " + std::to_string(static_cast<int>(activation)) +
                              " " + why);
}

Status CheckQuantizedBinary(const KernelContext& ctx) {
  LABELITE_RETURN_IF_ERROR(CheckQuantized(ctx, *ctx.input(0), "input 1"));
  LABELITE_RETURN_IF_ERROR(CheckQuantized(ctx, *ctx.input(1), "input 2"));
  return CheckQuantized(ctx, *ctx.output(0), "output");
}

Status NormalizeAxis(const KernelContext& ctx, int64_t axis, int rank, int* out) {
  const int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    return ctx.Error("axis " + std::to_string(axis) + " is out of range for rank " +
                     std::to_string(rank));
  }
  *out = static_cast<int>(a);
  return Status::Ok();
}

Status SetOutputDims(const KernelContext& ctx, Tensor& output, std::vector<int32_t> dims) {
  int64_t n = 1;
  for (int32_t d : dims) {
    if (d < 0) return ctx.Error("negative output dimension in " + ShapeString(dims));
    n *= d;
    if (n > std::numeric_limits<int32_t>::max()) {
      return ctx.Error("output shape " + ShapeString(dims) + " is too large");
    }
  }
  output.dims = std::move(dims);
  return Status::Ok();
}

std::vector<float> WeightScales(const Tensor& t) {
  if (t.quant != nullptr && !t.quant->scale.empty()) return t.quant->scale;
  return {t.scale};
}

bool AllZeroPointsZero(const Tensor& t) {
  if (t.zero_point != 0) return false;
  if (t.quant != nullptr) {
    for (int64_t zp : t.quant->zero_point)
      if (zp != 0) return false;
  }
  return true;
}

}  // namespace labelite::internal
