#include "kernels/common/data_movement.h"

#include <algorithm>
#include <string>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/shape_helpers.h"

namespace labelite::common {

namespace {

using internal::ShapeString;

std::string Str(int64_t v) { return std::to_string(v); }

bool IsMovableType(DataType t) {
  switch (t) {
    case DataType::kFloat32: case DataType::kInt32: case DataType::kUInt8: case DataType::kInt64:
    case DataType::kBool: case DataType::kInt16: case DataType::kInt8: case DataType::kFloat16:
      return true;
    default:
      return false;
  }
}

// Same type in and out, and a type whose elements have a fixed size.
Status CheckMovable(const KernelContext& ctx, const Tensor& in, const Tensor& out) {
  LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, out, "output", in.type));
  if (!IsMovableType(in.type)) {
    return ctx.UnsupportedError("type " + std::string(DataTypeName(in.type)) + " is not supported");
  }
  return Status::Ok();
}

std::vector<int32_t> ToDims(const std::vector<int64_t>& v) { return {v.begin(), v.end()}; }

int64_t Product(const std::vector<int32_t>& d, int from, int to) {
  int64_t n = 1;
  for (int i = from; i < to; ++i) n *= d[static_cast<size_t>(i)];
  return n;
}

// A single axis value from a constant tensor, made non-negative for `rank` dimensions.
Status ReadAxis(const KernelContext& ctx, const Tensor* t, int rank, int* axis) {
  std::vector<int64_t> v;
  LABELITE_RETURN_IF_ERROR(ReadConstInts(ctx, t, "axis", &v));
  if (v.size() != 1) return ctx.Error("axis must hold one value, got " + Str(static_cast<int64_t>(v.size())));
  return internal::NormalizeAxis(ctx, v[0], rank, axis);
}

AxisView View(const Tensor& t, int axis) {
  AxisView v;
  v.outer = Product(t.dims, 0, axis);
  v.axis = t.dim(axis);
  v.inner = Product(t.dims, axis + 1, t.rank());
  v.element_size = DataTypeSize(t.type);
  return v;
}

Status PrepareIndexMap(KernelContext& ctx, const Tensor& in, std::vector<int64_t> in_dims,
                       std::vector<int64_t> out_dims, IndexMapParams* p) {
  Tensor& out = *ctx.output(0);
  LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, out, ToDims(out_dims)));
  p->in_dims = std::move(in_dims);
  p->out_dims = std::move(out_dims);
  if (p->begin.empty()) p->begin.assign(p->out_dims.size(), 0);
  p->element_size = DataTypeSize(in.type);
  return Status::Ok();
}

}  // namespace

Status ReadConstInts(const KernelContext& ctx, const Tensor* t, const char* what,
                     std::vector<int64_t>* values) {
  if (t == nullptr) return ctx.Error(std::string(what) + " is missing");
  if (!t->is_constant || t->data == nullptr) {
    return ctx.UnsupportedError(std::string("a non-constant ") + what + " tensor is not supported");
  }
  values->clear();
  const int64_t n = t->NumElements();
  if (t->type == DataType::kInt32) {
    for (int64_t i = 0; i < n; ++i) values->push_back(t->data_as<int32_t>()[i]);
  } else if (t->type == DataType::kInt64) {
    for (int64_t i = 0; i < n; ++i) values->push_back(t->data_as<int64_t>()[i]);
  } else {
    return ctx.Error(std::string(what) + " must be int32 or int64, got " +
                     std::string(DataTypeName(t->type)));
  }
  return Status::Ok();
}

Status PrepareGather(KernelContext& ctx, GatherParams* p) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 2, 2, 1));
  const Tensor& in = *ctx.input(0);
  const Tensor& indices = *ctx.input(1);
  LABELITE_RETURN_IF_ERROR(CheckMovable(ctx, in, *ctx.output(0)));
  if (indices.type != DataType::kInt32 && indices.type != DataType::kInt64)
    return ctx.Error("indices must be int32 or int64, got " + std::string(DataTypeName(indices.type)));
  int axis = 0;
  LABELITE_RETURN_IF_ERROR(internal::NormalizeAxis(ctx, ctx.options().axis, in.rank(), &axis));
  int batch_dims = ctx.options().batch_dims;
  if (batch_dims < 0) batch_dims += indices.rank();
  if (batch_dims < 0 || batch_dims > axis || batch_dims > indices.rank())
    return ctx.Error("batch_dims " + Str(ctx.options().batch_dims) + " is out of range");
  for (int i = 0; i < batch_dims; ++i) {
    if (in.dim(i) != indices.dim(i))
      return ctx.Error("batch dimensions of " + ShapeString(in.dims) + " and indices " +
                       ShapeString(indices.dims) + " differ");
  }
  std::vector<int32_t> dims(in.dims.begin(), in.dims.begin() + axis);
  dims.insert(dims.end(), indices.dims.begin() + batch_dims, indices.dims.end());
  dims.insert(dims.end(), in.dims.begin() + axis + 1, in.dims.end());
  LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, *ctx.output(0), dims));
  p->batch = Product(in.dims, 0, batch_dims);
  p->outer = Product(in.dims, batch_dims, axis);
  p->coords = Product(indices.dims, batch_dims, indices.rank());
  p->axis_size = in.dim(axis);
  p->inner_bytes = Product(in.dims, axis + 1, in.rank()) * static_cast<int64_t>(DataTypeSize(in.type));
  p->int64_indices = indices.type == DataType::kInt64;
  return Status::Ok();
}

Status PrepareSlice(KernelContext& ctx, IndexMapParams* p) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 3, 3, 1));
  const Tensor& in = *ctx.input(0);
  LABELITE_RETURN_IF_ERROR(CheckMovable(ctx, in, *ctx.output(0)));
  std::vector<int64_t> begin, size;
  LABELITE_RETURN_IF_ERROR(ReadConstInts(ctx, ctx.input(1), "begin", &begin));
  LABELITE_RETURN_IF_ERROR(ReadConstInts(ctx, ctx.input(2), "size", &size));
  const size_t rank = in.dims.size();
  if (begin.size() != rank || size.size() != rank)
    return ctx.Error("begin and size must have " + Str(static_cast<int64_t>(rank)) + " values");
  std::vector<int64_t> in_dims(in.dims.begin(), in.dims.end()), out_dims(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t s = size[d] == -1 ? in_dims[d] - begin[d] : size[d];
    if (begin[d] < 0 || s < 0 || begin[d] + s > in_dims[d]) {
      return ctx.Error("slice begin " + Str(begin[d]) + " size " + Str(size[d]) +
                       " is out of range for dimension " + Str(static_cast<int64_t>(d)) + " of " +
                       ShapeString(in.dims));
    }
    out_dims[d] = s;
  }
  p->begin = begin;
  return PrepareIndexMap(ctx, in, std::move(in_dims), std::move(out_dims), p);
}

Status PrepareTile(KernelContext& ctx, IndexMapParams* p) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 2, 2, 1));
  const Tensor& in = *ctx.input(0);
  LABELITE_RETURN_IF_ERROR(CheckMovable(ctx, in, *ctx.output(0)));
  std::vector<int64_t> multiples;
  LABELITE_RETURN_IF_ERROR(ReadConstInts(ctx, ctx.input(1), "multiples", &multiples));
  if (multiples.size() != in.dims.size())
    return ctx.Error("multiples must have " + Str(in.rank()) + " values");
  std::vector<int64_t> in_dims(in.dims.begin(), in.dims.end()), out_dims;
  for (size_t d = 0; d < in_dims.size(); ++d) {
    if (multiples[d] < 0) return ctx.Error("negative multiple " + Str(multiples[d]));
    if (multiples[d] > 0 && in_dims[d] > INT32_MAX / multiples[d])
      return ctx.Error("tiled shape is too large");
    out_dims.push_back(in_dims[d] * multiples[d]);
  }
  return PrepareIndexMap(ctx, in, std::move(in_dims), std::move(out_dims), p);
}

Status PrepareBroadcastTo(KernelContext& ctx, IndexMapParams* p) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 2, 2, 1));
  const Tensor& in = *ctx.input(0);
  LABELITE_RETURN_IF_ERROR(CheckMovable(ctx, in, *ctx.output(0)));
  std::vector<int64_t> shape;
  LABELITE_RETURN_IF_ERROR(ReadConstInts(ctx, ctx.input(1), "shape", &shape));
  if (shape.size() < in.dims.size() || shape.size() > 8)
    return ctx.Error("shape " + Str(static_cast<int64_t>(shape.size())) + "-D cannot hold input " +
                     ShapeString(in.dims));
  std::vector<int64_t> in_dims(shape.size() - in.dims.size(), 1);
  in_dims.insert(in_dims.end(), in.dims.begin(), in.dims.end());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0 || (in_dims[d] != shape[d] && in_dims[d] != 1))
      return ctx.Error("input " + ShapeString(in.dims) + " cannot be broadcast to the shape");
  }
  return PrepareIndexMap(ctx, in, std::move(in_dims), std::move(shape), p);
}

Status PrepareSplit(KernelContext& ctx, SplitParams* p) {
  if (ctx.inputs.size() != 2 || ctx.input(0) == nullptr || ctx.input(1) == nullptr)
    return ctx.Error("expects 2 inputs (axis, input)");
  const Tensor& in = *ctx.input(1);
  const int n = static_cast<int>(ctx.outputs.size());
  if (ctx.options().num_splits != n)
    return ctx.Error("num_splits " + Str(ctx.options().num_splits) + " but " + Str(n) + " outputs");
  int axis = 0;
  LABELITE_RETURN_IF_ERROR(ReadAxis(ctx, ctx.input(0), in.rank(), &axis));
  if (n <= 0 || in.dim(axis) % n != 0)
    return ctx.Error("dimension " + Str(in.dim(axis)) + " does not split into " + Str(n) + " parts");
  p->view = View(in, axis);
  p->sizes.assign(static_cast<size_t>(n), in.dim(axis) / n);
  for (int i = 0; i < n; ++i) {
    Tensor& out = *ctx.output(i);
    LABELITE_RETURN_IF_ERROR(CheckMovable(ctx, in, out));
    std::vector<int32_t> dims = in.dims;
    dims[static_cast<size_t>(axis)] = static_cast<int32_t>(p->sizes[0]);
    LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, out, dims));
  }
  return Status::Ok();
}

Status PrepareSplitV(KernelContext& ctx, SplitParams* p) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 3, 3, static_cast<int>(ctx.outputs.size())));
  const Tensor& in = *ctx.input(0);
  int axis = 0;
  LABELITE_RETURN_IF_ERROR(ReadAxis(ctx, ctx.input(2), in.rank(), &axis));
  std::vector<int64_t> sizes;
  LABELITE_RETURN_IF_ERROR(ReadConstInts(ctx, ctx.input(1), "size_splits", &sizes));
  if (sizes.size() != ctx.outputs.size() || sizes.empty())
    return ctx.Error(Str(static_cast<int64_t>(sizes.size())) + " split sizes for " +
                     Str(static_cast<int64_t>(ctx.outputs.size())) + " outputs");
  int64_t known = 0;
  int unknown = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1 && unknown < 0) {
      unknown = static_cast<int>(i);
    } else if (sizes[i] < 0) {
      return ctx.Error("invalid split size " + Str(sizes[i]));
    } else {
      known += sizes[i];
    }
  }
  if (unknown >= 0 && known <= in.dim(axis)) sizes[static_cast<size_t>(unknown)] = in.dim(axis) - known;
  else if (unknown >= 0 || known != in.dim(axis))
    return ctx.Error("split sizes do not add up to dimension " + Str(in.dim(axis)));
  p->view = View(in, axis);
  p->sizes = sizes;
  for (size_t i = 0; i < sizes.size(); ++i) {
    Tensor& out = *ctx.output(static_cast<int>(i));
    LABELITE_RETURN_IF_ERROR(CheckMovable(ctx, in, out));
    std::vector<int32_t> dims = in.dims;
    dims[static_cast<size_t>(axis)] = static_cast<int32_t>(sizes[i]);
    LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, out, dims));
  }
  return Status::Ok();
}

Status PrepareUnpack(KernelContext& ctx, SplitParams* p) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 1, 1, static_cast<int>(ctx.outputs.size())));
  const Tensor& in = *ctx.input(0);
  int axis = 0;
  LABELITE_RETURN_IF_ERROR(internal::NormalizeAxis(ctx, ctx.options().axis, in.rank(), &axis));
  const int n = static_cast<int>(ctx.outputs.size());
  if (in.dim(axis) != n || (ctx.options().num != 0 && ctx.options().num != n))
    return ctx.Error("dimension " + Str(in.dim(axis)) + " does not unpack into " + Str(n) + " outputs");
  p->view = View(in, axis);
  p->sizes.assign(static_cast<size_t>(n), 1);
  std::vector<int32_t> dims = in.dims;
  dims.erase(dims.begin() + axis);
  for (int i = 0; i < n; ++i) {
    LABELITE_RETURN_IF_ERROR(CheckMovable(ctx, in, *ctx.output(i)));
    LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, *ctx.output(i), dims));
  }
  return Status::Ok();
}

Status PreparePack(KernelContext& ctx, SplitParams* p) {
  const int n = static_cast<int>(ctx.inputs.size());
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, n, n, 1));
  if (n < 1 || (ctx.options().values_count != 0 && ctx.options().values_count != n))
    return ctx.Error("values_count " + Str(ctx.options().values_count) + " but " + Str(n) + " inputs");
  const Tensor& first = *ctx.input(0);
  for (int i = 0; i < n; ++i) {
    LABELITE_RETURN_IF_ERROR(CheckMovable(ctx, *ctx.input(i), *ctx.output(0)));
    if (ctx.input(i)->dims != first.dims)
      return ctx.Error("input " + Str(i) + " has shape " + ShapeString(ctx.input(i)->dims) +
                       ", input 0 " + ShapeString(first.dims));
  }
  int axis = 0;
  LABELITE_RETURN_IF_ERROR(internal::NormalizeAxis(ctx, ctx.options().axis, first.rank() + 1, &axis));
  std::vector<int32_t> dims = first.dims;
  dims.insert(dims.begin() + axis, n);
  LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, *ctx.output(0), dims));
  p->view = View(*ctx.output(0), axis);
  p->sizes.assign(static_cast<size_t>(n), 1);
  return Status::Ok();
}

namespace {
Status PrepareSpaceDepth(KernelContext& ctx, SpaceDepthParams* p) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 1, 1, 1));
  const Tensor& in = *ctx.input(0);
  LABELITE_RETURN_IF_ERROR(CheckMovable(ctx, in, *ctx.output(0)));
  LABELITE_RETURN_IF_ERROR(internal::CheckRank(ctx, in, "input", 4));
  p->block = ctx.options().block_size;
  if (p->block < 1) return ctx.Error("block_size must be positive, got " + Str(p->block));
  p->batch = in.dim(0);
  p->in_h = in.dim(1);
  p->in_w = in.dim(2);
  p->in_c = in.dim(3);
  p->element_size = DataTypeSize(in.type);
  return Status::Ok();
}
}  // namespace

Status PrepareSpaceToDepth(KernelContext& ctx, SpaceDepthParams* p) {
  LABELITE_RETURN_IF_ERROR(PrepareSpaceDepth(ctx, p));
  const int32_t b = p->block;
  if (p->in_h % b != 0 || p->in_w % b != 0)
    return ctx.Error("height and width of " + ShapeString(ctx.input(0)->dims) +
                     " are not multiples of block_size " + Str(b));
  if (static_cast<int64_t>(p->in_c) * b * b > INT32_MAX) return ctx.Error("output depth is too large");
  return internal::SetOutputDims(ctx, *ctx.output(0),
                                 {p->batch, p->in_h / b, p->in_w / b, p->in_c * b * b});
}

Status PrepareDepthToSpace(KernelContext& ctx, SpaceDepthParams* p) {
  LABELITE_RETURN_IF_ERROR(PrepareSpaceDepth(ctx, p));
  const int32_t b = p->block;
  if (p->in_c % (b * b) != 0)
    return ctx.Error("depth " + Str(p->in_c) + " is not a multiple of block_size^2");
  if (static_cast<int64_t>(p->in_h) * b > INT32_MAX || static_cast<int64_t>(p->in_w) * b > INT32_MAX)
    return ctx.Error("output is too large");
  return internal::SetOutputDims(ctx, *ctx.output(0),
                                 {p->batch, p->in_h * b, p->in_w * b, p->in_c / (b * b)});
}

Status PrepareExpandDims(KernelContext& ctx) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 2, 2, 1));
  const Tensor& in = *ctx.input(0);
  LABELITE_RETURN_IF_ERROR(CheckMovable(ctx, in, *ctx.output(0)));
  int axis = 0;
  LABELITE_RETURN_IF_ERROR(ReadAxis(ctx, ctx.input(1), in.rank() + 1, &axis));
  std::vector<int32_t> dims = in.dims;
  dims.insert(dims.begin() + axis, 1);
  return internal::SetOutputDims(ctx, *ctx.output(0), dims);
}

Status PrepareCast(KernelContext& ctx) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 1, 1, 1));
  const Tensor& in = *ctx.input(0);
  const Tensor& out = *ctx.output(0);
  for (const Tensor* t : {&in, &out}) {
    if (!IsMovableType(t->type) || t->type == DataType::kFloat16)
      return ctx.UnsupportedError("type " + std::string(DataTypeName(t->type)) + " is not supported");
  }
  return internal::SetOutputDims(ctx, *ctx.output(0), in.dims);
}

Status PrepareShape(KernelContext& ctx) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 1, 1, 1));
  const Tensor& out = *ctx.output(0);
  if (out.type != DataType::kInt32 && out.type != DataType::kInt64)
    return ctx.Error("output must be int32 or int64, got " + std::string(DataTypeName(out.type)));
  return internal::SetOutputDims(ctx, *ctx.output(0), {ctx.input(0)->rank()});
}

Status PrepareArgMinMax(KernelContext& ctx, ArgParams* p) {
  LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 2, 2, 1));
  const Tensor& in = *ctx.input(0);
  const Tensor& out = *ctx.output(0);
  switch (in.type) {
    case DataType::kFloat32: case DataType::kUInt8: case DataType::kInt8: case DataType::kInt32:
    case DataType::kBool:
      break;
    default:
      return ctx.UnsupportedError("input type " + std::string(DataTypeName(in.type)) + " is not supported");
  }
  if (out.type != DataType::kInt32 && out.type != DataType::kInt64)
    return ctx.Error("output must be int32 or int64, got " + std::string(DataTypeName(out.type)));
  int axis = 0;
  LABELITE_RETURN_IF_ERROR(ReadAxis(ctx, ctx.input(1), in.rank(), &axis));
  if (in.dim(axis) == 0) return ctx.Error("the reduced dimension is empty");
  p->view = View(in, axis);
  p->out_type = out.type;
  std::vector<int32_t> dims = in.dims;
  dims.erase(dims.begin() + axis);
  return internal::SetOutputDims(ctx, *ctx.output(0), dims);
}

Status PrepareConcatenation(KernelContext& ctx, ConcatParams* p) {
  Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
  if (ctx.inputs.empty() || !ctx.input(0) || !out) return ctx.Error("expects inputs and 1 output");
  if (ctx.options().activation != Activation::kNone)
    return ctx.UnsupportedError("fused activation on CONCATENATION");
  const Tensor& t0 = *ctx.input(0);
  const int rank = t0.rank();
  int axis = ctx.options().axis;
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank)
    return ctx.Error("axis " + std::to_string(ctx.options().axis) + " outside rank " +
                     std::to_string(rank));
  if (DataTypeSize(t0.type) == 0)
    return ctx.UnsupportedError("element type " + shape::TypeName(t0.type));
  std::vector<int32_t> dims = t0.dims;
  dims[static_cast<size_t>(axis)] = 0;
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    const Tensor* t = ctx.inputs[i];
    if (!t) return ctx.Error("input " + std::to_string(i) + " is absent");
    if (t->type != t0.type)
      return ctx.Error("input " + std::to_string(i) + " has type " + shape::TypeName(t->type) +
                       ", input 0 has " + shape::TypeName(t0.type));
    if (t->rank() != rank)
      return ctx.Error("input " + std::to_string(i) + " shape " + shape::ToString(t->dims) +
                       " and input 0 shape " + shape::ToString(t0.dims) + " differ in rank");
    for (int d = 0; d < rank; ++d)
      if (d != axis && t->dim(d) != t0.dim(d))
        return ctx.Error("input " + std::to_string(i) + " shape " + shape::ToString(t->dims) +
                         " does not match input 0 shape " + shape::ToString(t0.dims) +
                         " outside axis " + std::to_string(axis));
    dims[static_cast<size_t>(axis)] += t->dim(axis);
  }
  if (out->type != t0.type)
    return ctx.Error("output type " + shape::TypeName(out->type) + " differs from input type " +
                     shape::TypeName(t0.type));
  p->requantize.assign(ctx.inputs.size(), false);
  if (t0.type == DataType::kUInt8 || t0.type == DataType::kInt8) {
    for (size_t i = 0; i < ctx.inputs.size(); ++i) {
      const Tensor* t = ctx.inputs[i];
      p->requantize[i] = t->scale != out->scale || t->zero_point != out->zero_point;
      if (p->requantize[i] && (!(t->scale > 0.0f) || !(out->scale > 0.0f)))
        return ctx.Error("quantized inputs and output need positive scales");
    }
  }
  p->outer = 1;
  for (int d = 0; d < axis; ++d) p->outer *= t0.dim(d);
  p->inner_bytes = static_cast<int64_t>(DataTypeSize(t0.type));
  for (int d = axis + 1; d < rank; ++d) p->inner_bytes *= t0.dim(d);
  p->axis = axis;
  out->dims = std::move(dims);
  return Status::Ok();
}

}  // namespace labelite::common
