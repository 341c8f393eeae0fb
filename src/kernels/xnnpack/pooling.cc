#include "kernels/xnnpack/pooling.h"

namespace labelite::xnn {

Status PoolingKernel::Prepare(KernelContext& ctx) {
  LABELITE_RETURN_IF_ERROR(EnsureInitialized(ctx));
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const OpOptions& o = ctx.options();
  if (in == nullptr || in->rank() != 4) return ctx.Error("needs a 4-D input");
  if (in->type != out->type) return ctx.UnsupportedError("input and output types differ");
  type_ = in->type;
  if (o.filter_h == 1 && o.filter_w == 1) return ctx.UnsupportedError("1x1 pooling window");
  SpatialDim h, w;
  if (!ComputeSpatialDim(o.padding, in->dim(1), o.filter_h, o.stride_h, 1, &h) ||
      !ComputeSpatialDim(o.padding, in->dim(2), o.filter_w, o.stride_w, 1, &w))
    return ctx.Error("invalid pooling window or stride for the input size");
  const size_t c = static_cast<size_t>(in->dim(3));
  out->dims = {in->dim(0), h.out, w.out, in->dim(3)};
  const auto fh = static_cast<uint32_t>(o.filter_h), fw = static_cast<uint32_t>(o.filter_w);
  const auto sh = static_cast<uint32_t>(o.stride_h), sw = static_cast<uint32_t>(o.stride_w);
  xnn_operator_t op = nullptr;
  xnn_status s;
  if (type_ == DataType::kFloat32) {
    float min = 0.0f, max = 0.0f;
    if (!ActivationRange(o.activation, &min, &max))
      return ctx.UnsupportedError("fused activation has no XNNPACK form");
    s = max_ ? xnn_create_max_pooling2d_nhwc_f32(h.pad_before, w.pad_after, h.pad_after,
                                                 w.pad_before, fh, fw, sh, sw, 1, 1, c, c, c,
                                                 min, max, 0, &op)
             : xnn_create_average_pooling2d_nhwc_f32(h.pad_before, w.pad_after, h.pad_after,
                                                     w.pad_before, fh, fw, sh, sw, c, c, c, min,
                                                     max, 0, &op);
  } else if (max_ && (type_ == DataType::kUInt8 || type_ == DataType::kInt8)) {
    if (!IsPerTensorQuantized(*in) || in->scale != out->scale ||
        in->zero_point != out->zero_point)
      return ctx.UnsupportedError("quantized max pooling needs equal in/out quantization");
    int32_t min = 0, max = 0;
    LABELITE_RETURN_IF_ERROR(QuantizedBounds(ctx, o.activation, *out, &min, &max));
    s = type_ == DataType::kUInt8
            ? xnn_create_max_pooling2d_nhwc_u8(h.pad_before, w.pad_after, h.pad_after,
                                               w.pad_before, fh, fw, sh, sw, 1, 1, c, c, c,
                                               static_cast<uint8_t>(min),
                                               static_cast<uint8_t>(max), 0, &op)
            : xnn_create_max_pooling2d_nhwc_s8(h.pad_before, w.pad_after, h.pad_after,
                                               w.pad_before, fh, fw, sh, sw, 1, 1, c, c, c,
                                               static_cast<int8_t>(min),
                                               static_cast<int8_t>(max), 0, &op);
  } else {
    return ctx.UnsupportedError(max_ ? "type is not float32, uint8 or int8"
                                     : "only float32 average pooling runs on XNNPACK");
  }
  op_.reset(op);
  return Check(ctx, s, max_ ? "xnn_create_max_pooling2d_nhwc" : "xnn_create_average_pooling2d");
}

Status PoolingKernel::Bind(KernelContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const auto n = static_cast<size_t>(in->dim(0)), h = static_cast<size_t>(in->dim(1)),
             w = static_cast<size_t>(in->dim(2));
  xnn_status s;
  if (type_ == DataType::kFloat32) {
    s = max_ ? xnn_setup_max_pooling2d_nhwc_f32(op_.get(), n, h, w, in->data_as<float>(),
                                                out->data_as<float>(), ctx.threadpool)
             : xnn_setup_average_pooling2d_nhwc_f32(op_.get(), n, h, w, in->data_as<float>(),
                                                    out->data_as<float>(), ctx.threadpool);
  } else if (type_ == DataType::kUInt8) {
    s = xnn_setup_max_pooling2d_nhwc_u8(op_.get(), n, h, w, in->data_as<uint8_t>(),
                                        out->data_as<uint8_t>(), ctx.threadpool);
  } else {
    s = xnn_setup_max_pooling2d_nhwc_s8(op_.get(), n, h, w, in->data_as<int8_t>(),
                                        out->data_as<int8_t>(), ctx.threadpool);
  }
  return Check(ctx, s, "xnn_setup_pooling2d_nhwc");
}

}  // namespace labelite::xnn
