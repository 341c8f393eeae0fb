// Shared Prepare of RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR: a 4-D NHWC float32/uint8/int8
// input, a constant int32 `size` tensor of 2 positive values (height, width), the output
// [batch, height, width, channels] of the input's type.
#ifndef LABELITE_KERNELS_INTERNAL_RESIZE_COMMON_H_
#define LABELITE_KERNELS_INTERNAL_RESIZE_COMMON_H_

#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {

inline Status PrepareResize(KernelContext& ctx, int32_t* out_h, int32_t* out_w) {
  const Tensor* in = ctx.input(0);
  const Tensor* size = ctx.input(1);
  Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
  if (!in || !size || !out) return ctx.Error("expects input, size and 1 output");
  if (!shape::IsFloatOrQuantized8(in->type))
    return ctx.UnsupportedError("input type " + shape::TypeName(in->type) +
                                " (float32, uint8, int8 supported)");
  if (out->type != in->type)
    return ctx.Error("output type " + shape::TypeName(out->type) + " differs from input type " +
                     shape::TypeName(in->type));
  if (in->rank() != 4) return ctx.Error("input shape " + shape::ToString(in->dims) + " is not 4-D");
  if (size->type != DataType::kInt32 || size->NumElements() != 2)
    return ctx.Error("size must be 2 int32 values, is " + shape::TypeName(size->type) + " " +
                     shape::ToString(size->dims));
  if (!size->is_constant || !size->data) return ctx.UnsupportedError("size is not constant");
  *out_h = size->data_as<int32_t>()[0];
  *out_w = size->data_as<int32_t>()[1];
  if (*out_h <= 0 || *out_w <= 0)
    return ctx.Error("output size " + std::to_string(*out_h) + "x" + std::to_string(*out_w) +
                     " is not positive");
  if (in->dim(1) <= 0 || in->dim(2) <= 0) return ctx.Error("input has an empty spatial dimension");
  out->dims = {in->dim(0), *out_h, *out_w, in->dim(3)};
  return Status::Ok();
}

}  // namespace labelite

#endif  // LABELITE_KERNELS_INTERNAL_RESIZE_COMMON_H_
