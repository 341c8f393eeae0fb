#include "kernels/common/strided_slice.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/internal/shape_helpers.h"

namespace labelite::common {
namespace {

Status Resolve(KernelContext& ctx, const Tensor& in, Tensor& out, const int32_t* begin,
               const int32_t* end, const int32_t* strides, int count, StridedSliceParams* p) {
  const OpOptions& o = ctx.options();
  const int in_rank = in.rank();
  // Step 1: effective dimensions.
  int num_add_axis = 0;
  for (int i = 0; i < count; ++i)
    if (!((1 << i) & o.ellipsis_mask) && ((1 << i) & o.new_axis_mask)) ++num_add_axis;
  const int eff = in_rank + num_add_axis;
  if (eff > StridedSliceParams::kMaxDims) return ctx.UnsupportedError("more than 8 effective dimensions");
  int ellipsis_bits = 0, new_axis_bits = 0, ellipsis_start = eff, expanded = 0;
  for (int i = 0; i < eff;) {
    if ((1 << i) & o.ellipsis_mask) {
      ellipsis_start = i;
      const int ellipsis_end = std::max(i + 1, std::min(i + 1 + num_add_axis + in_rank - count, eff));
      expanded = ellipsis_end - ellipsis_start - 1;
      for (; i < ellipsis_end; ++i) ellipsis_bits |= 1 << i;
      continue;
    }
    if ((1 << (i - expanded)) & o.new_axis_mask) new_axis_bits |= 1 << i;
    ++i;
  }
  // Steps 2 and 3, per effective dimension.
  const std::vector<int64_t> in_strides = shape::Strides(in.dims);
  std::vector<int32_t> out_dims;
  int added_ellipsis = 0, added_axes = 0;
  p->base = 0;
  for (int i = 0; i < eff; ++i) {
    int32_t b = 0, s = 1, st = 0;
    bool bmask = false, emask = false, shrink = false;
    int32_t size = 1;
    int64_t in_stride = 0;
    if ((1 << i) & ellipsis_bits) {
      added_ellipsis = std::max(0, i - ellipsis_start);
      bmask = emask = true;
    } else if ((1 << i) & new_axis_bits) {
      b = 0;
      st = 1;
      ++added_axes;
    } else if (i >= count + expanded) {
      bmask = emask = true;
    } else {
      const int k = i - added_ellipsis;
      b = begin[k];
      st = o.offset ? begin[k] + end[k] : end[k];
      s = strides[k];
      bmask = o.begin_mask & (1 << k);
      emask = o.end_mask & (1 << k);
      shrink = o.shrink_axis_mask & (1 << k);
    }
    if (!((1 << i) & new_axis_bits)) {
      const int d = i - added_axes;
      size = in.dim(d);
      in_stride = in_strides[static_cast<size_t>(d)];
    }
    if (s == 0) return ctx.Error("stride of dimension " + std::to_string(i) + " is 0");
    int32_t start = 0, stop = 0;
    if (size > 0) {
      start = bmask ? (s > 0 ? std::numeric_limits<int32_t>::lowest() : std::numeric_limits<int32_t>::max()) : b;
      if (start < 0) start += size;
      start = s > 0 ? std::clamp(start, 0, size) : std::clamp(start, -1, size - 1);
      if (shrink) {
        if (start < 0 || start >= size)
          return ctx.Error("shrink index " + std::to_string(b) + " outside dimension of size " +
                           std::to_string(size));
        stop = start + 1;
      } else {
        stop = emask ? (s > 0 ? std::numeric_limits<int32_t>::max() : std::numeric_limits<int32_t>::lowest()) : st;
        if (stop < 0) stop += size;
        stop = s > 0 ? std::clamp(stop, 0, size) : std::clamp(stop, -1, size - 1);
      }
    }
    int32_t len = static_cast<int32_t>(std::ceil(static_cast<float>(stop - start) / static_cast<float>(s)));
    if (len < 0) len = 0;
    if (shrink) len = size > 0 ? 1 : 0;
    if (!shrink) out_dims.push_back(len);
    p->count[static_cast<size_t>(i)] = len;
    p->step[static_cast<size_t>(i)] = in_stride * s;
    if (len > 0) p->base += in_stride * start;
  }
  p->dims = eff;
  out.dims = std::move(out_dims);
  return Status::Ok();
}

}  // namespace

Status PrepareStridedSlice(KernelContext& ctx, StridedSliceParams* p) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
  if (!in || !ctx.input(1) || !ctx.input(2) || !ctx.input(3) || !out)
    return ctx.Error("expects input, begin, end, strides and 1 output");
  if (out->type != in->type)
    return ctx.Error("output type " + shape::TypeName(out->type) + " differs from input type " +
                     shape::TypeName(in->type));
  p->element_size = DataTypeSize(in->type);
  if (p->element_size == 0) return ctx.UnsupportedError("element type " + shape::TypeName(in->type));
  const int32_t* spec[3];
  const int count = ctx.input(1)->rank() == 1 ? ctx.input(1)->dim(0) : -1;
  for (int k = 0; k < 3; ++k) {
    const Tensor* t = ctx.input(k + 1);
    static const char* kNames[3] = {"begin", "end", "strides"};
    if (t->type != DataType::kInt32)
      return ctx.Error(std::string(kNames[k]) + " type " + shape::TypeName(t->type) + " (int32 expected)");
    if (t->rank() != 1 || t->dim(0) != count)
      return ctx.Error("begin, end and strides must be 1-D of one length; " + std::string(kNames[k]) +
                       " has shape " + shape::ToString(t->dims));
    if (!t->is_constant || !t->data) return ctx.UnsupportedError(std::string(kNames[k]) + " is not constant");
    spec[k] = t->data_as<int32_t>();
  }
  if (count > StridedSliceParams::kMaxDims || in->rank() > StridedSliceParams::kMaxDims)
    return ctx.UnsupportedError("more than " + std::to_string(StridedSliceParams::kMaxDims) + " dimensions");
  return Resolve(ctx, *in, *out, spec[0], spec[1], spec[2], count, p);
}

}  // namespace labelite::common
