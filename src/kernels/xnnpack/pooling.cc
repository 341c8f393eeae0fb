#include "kernels/xnnpack/pooling.h"

namespace labelite::xnn {

Status PoolingKernel::Prepare(KernelContext& ctx) {
  common::PoolParams p;
  LABELITE_RETURN_IF_ERROR(common::PreparePool(ctx, &p));
  return Create(ctx, p);
}

Status PoolingKernel::Create(const KernelContext& ctx, const common::PoolParams& p) {
  LABELITE_RETURN_IF_ERROR(EnsureInitialized(ctx));
  p_ = p;
  const internal::Window2D& w = p.window;
  if (w.filter_h == 1 && w.filter_w == 1) return ctx.UnsupportedError("1x1 pooling window");
  const bool quantized = p.type == DataType::kUInt8 || p.type == DataType::kInt8;
  if (quantized && !max_)
    return ctx.UnsupportedError("only float32 average pooling runs on XNNPACK");
  const Tensor& in = *ctx.input(0);
  if (quantized && (!IsPerTensorQuantized(in) || in.scale != p.out_scale ||
                    in.zero_point != p.out_zero_point))
    return ctx.UnsupportedError("quantized max pooling needs equal in/out quantization");
  const auto top = static_cast<uint32_t>(w.pad_h), left = static_cast<uint32_t>(w.pad_w);
  const auto bottom = static_cast<uint32_t>(p.pad_bottom);
  const auto right = static_cast<uint32_t>(p.pad_right);
  const auto fh = static_cast<uint32_t>(w.filter_h), fw = static_cast<uint32_t>(w.filter_w);
  const auto sh = static_cast<uint32_t>(w.stride_h), sw = static_cast<uint32_t>(w.stride_w);
  const auto c = static_cast<size_t>(p.channels);
  float fmin = 0.0f, fmax = 0.0f;  // PreparePool refused TANH and SIGN_BIT
  if (!ActivationRange(p.activation, &fmin, &fmax))
    return ctx.UnsupportedError("fused activation has no XNNPACK form");
  xnn_operator_t op = nullptr;
  xnn_status s;
  if (p.type == DataType::kFloat32) {
    s = max_ ? xnn_create_max_pooling2d_nhwc_f32(top, right, bottom, left, fh, fw, sh, sw, 1, 1,
                                                 c, c, c, fmin, fmax, 0, &op)
             : xnn_create_average_pooling2d_nhwc_f32(top, right, bottom, left, fh, fw, sh, sw,
                                                     c, c, c, fmin, fmax, 0, &op);
  } else if (p.type == DataType::kUInt8) {
    // XNNPACK's quantization of the float bounds (as TFLite's delegate), not p.act_min/max.
    s = xnn_create_max_pooling2d_nhwc_u8(top, right, bottom, left, fh, fw, sh, sw, 1, 1, c, c, c,
                                         QuantizeBoundU8(fmin, p.out_scale, p.out_zero_point),
                                         QuantizeBoundU8(fmax, p.out_scale, p.out_zero_point),
                                         0, &op);
  } else {
    s = xnn_create_max_pooling2d_nhwc_s8(top, right, bottom, left, fh, fw, sh, sw, 1, 1, c, c, c,
                                         QuantizeBoundS8(fmin, p.out_scale, p.out_zero_point),
                                         QuantizeBoundS8(fmax, p.out_scale, p.out_zero_point),
                                         0, &op);
  }
  op_.reset(op);
  return Check(ctx, s, max_ ? "xnn_create_max_pooling2d_nhwc" : "xnn_create_average_pooling2d");
}

Status PoolingKernel::Bind(KernelContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const internal::Window2D& w = p_.window;
  const auto n = static_cast<size_t>(w.batches), h = static_cast<size_t>(w.in_h),
             wd = static_cast<size_t>(w.in_w);
  xnn_status s;
  if (p_.type == DataType::kFloat32) {
    s = max_ ? xnn_setup_max_pooling2d_nhwc_f32(op_.get(), n, h, wd, in->data_as<float>(),
                                                out->data_as<float>(), ctx.threadpool)
             : xnn_setup_average_pooling2d_nhwc_f32(op_.get(), n, h, wd, in->data_as<float>(),
                                                    out->data_as<float>(), ctx.threadpool);
  } else if (p_.type == DataType::kUInt8) {
    s = xnn_setup_max_pooling2d_nhwc_u8(op_.get(), n, h, wd, in->data_as<uint8_t>(),
                                        out->data_as<uint8_t>(), ctx.threadpool);
  } else {
    s = xnn_setup_max_pooling2d_nhwc_s8(op_.get(), n, h, wd, in->data_as<int8_t>(),
                                        out->data_as<int8_t>(), ctx.threadpool);
  }
  return Check(ctx, s, "xnn_setup_pooling2d_nhwc");
}

}  // namespace labelite::xnn
