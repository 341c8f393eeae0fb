#include "kernels/xnnpack/binary.h"

#include <string>

namespace labelite::xnn {
namespace {

const char* Name(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "add";
    case BinaryOp::kSubtract: return "subtract";
    case BinaryOp::kMultiply: return "multiply";
  }
  return "?";
}

}  // namespace

Status BinaryKernel::CheckScales(const KernelContext& ctx) const {
  const Tensor& a = *ctx.input(0);
  const Tensor& b = *ctx.input(1);
  const Tensor& out = *ctx.output(0);
  if (!IsPerTensorQuantized(a) || !IsPerTensorQuantized(b) || !IsPerTensorQuantized(out))
    return ctx.UnsupportedError("needs per-tensor quantization");
  auto in_range = [](double ratio, double lo, double hi) { return ratio >= lo && ratio < hi; };
  bool ok;
  if (kind_ == BinaryOp::kMultiply) {
    ok = in_range(double{a.scale} * b.scale / out.scale, 1.0 / 65536.0, 256.0);
  } else {
    ok = in_range(double{a.scale} / out.scale, 1.0 / 1024.0, 256.0) &&
         in_range(double{b.scale} / out.scale, 1.0 / 1024.0, 256.0);
  }
  if (!ok) return ctx.UnsupportedError("scale ratio outside XNNPACK's range");
  return Status::Ok();
}

Status BinaryKernel::Prepare(KernelContext& ctx) {
  LABELITE_RETURN_IF_ERROR(EnsureInitialized(ctx));
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  Tensor* out = ctx.output(0);
  if (a == nullptr || b == nullptr || a->type != b->type || a->type != out->type)
    return ctx.UnsupportedError("inputs and output need one type");
  type_ = a->type;
  std::vector<int32_t> out_dims;
  if (!BroadcastShapes(a->dims, b->dims, &out_dims))
    return ctx.UnsupportedError("shapes do not broadcast within 4 dims");
  out->dims = out_dims;
  shape1_ = ToSizes(a->dims);
  shape2_ = ToSizes(b->dims);
  xnn_operator_t op = nullptr;
  xnn_status s;
  if (type_ == DataType::kFloat32) {
    float min = 0.0f, max = 0.0f;
    if (!ActivationRange(ctx.options().activation, &min, &max))
      return ctx.UnsupportedError("fused activation has no XNNPACK form");
    s = CreateF32(min, max, &op);
  } else if (type_ == DataType::kUInt8 || type_ == DataType::kInt8) {
    LABELITE_RETURN_IF_ERROR(CheckScales(ctx));
    int32_t min = 0, max = 0;
    LABELITE_RETURN_IF_ERROR(QuantizedBounds(ctx, ctx.options().activation, *out, &min, &max));
    s = CreateQuantized(ctx, min, max, &op);
  } else {
    return ctx.UnsupportedError("type is not float32, uint8 or int8");
  }
  op_.reset(op);
  return Check(ctx, s, (std::string("xnn_create_") + Name(kind_) + "_nd").c_str());
}

xnn_status BinaryKernel::CreateF32(float min, float max, xnn_operator_t* op) const {
  switch (kind_) {
    case BinaryOp::kAdd: return xnn_create_add_nd_f32(min, max, 0, op);
    case BinaryOp::kSubtract: return xnn_create_subtract_nd_f32(min, max, 0, op);
    case BinaryOp::kMultiply: return xnn_create_multiply_nd_f32(min, max, 0, op);
  }
  return xnn_status_invalid_parameter;
}

xnn_status BinaryKernel::CreateQuantized(const KernelContext& ctx, int32_t min, int32_t max,
                                         xnn_operator_t* op) const {
  const Tensor& a = *ctx.input(0);
  const Tensor& b = *ctx.input(1);
  const Tensor& o = *ctx.output(0);
  if (type_ == DataType::kUInt8) {
    const auto za = static_cast<uint8_t>(a.zero_point), zb = static_cast<uint8_t>(b.zero_point),
               zo = static_cast<uint8_t>(o.zero_point);
    const auto lo = static_cast<uint8_t>(min), hi = static_cast<uint8_t>(max);
    switch (kind_) {
      case BinaryOp::kAdd:
        return xnn_create_add_nd_qu8(za, a.scale, zb, b.scale, zo, o.scale, lo, hi, 0, op);
      case BinaryOp::kSubtract:
        return xnn_create_subtract_nd_qu8(za, a.scale, zb, b.scale, zo, o.scale, lo, hi, 0, op);
      case BinaryOp::kMultiply:
        return xnn_create_multiply_nd_qu8(za, a.scale, zb, b.scale, zo, o.scale, lo, hi, 0, op);
    }
  }
  const auto za = static_cast<int8_t>(a.zero_point), zb = static_cast<int8_t>(b.zero_point),
             zo = static_cast<int8_t>(o.zero_point);
  const auto lo = static_cast<int8_t>(min), hi = static_cast<int8_t>(max);
  switch (kind_) {
    case BinaryOp::kAdd:
      return xnn_create_add_nd_qs8(za, a.scale, zb, b.scale, zo, o.scale, lo, hi, 0, op);
    case BinaryOp::kSubtract:
      return xnn_create_subtract_nd_qs8(za, a.scale, zb, b.scale, zo, o.scale, lo, hi, 0, op);
    case BinaryOp::kMultiply:
      return xnn_create_multiply_nd_qs8(za, a.scale, zb, b.scale, zo, o.scale, lo, hi, 0, op);
  }
  return xnn_status_invalid_parameter;
}

Status BinaryKernel::Bind(KernelContext& ctx) {
  const void* a = ctx.input(0)->data;
  const void* b = ctx.input(1)->data;
  void* out = ctx.output(0)->data;
  const size_t n1 = shape1_.size(), n2 = shape2_.size();
  const size_t* s1 = shape1_.data();
  const size_t* s2 = shape2_.data();
  pthreadpool_t tp = ctx.threadpool;
  xnn_status s = xnn_status_invalid_parameter;
  if (type_ == DataType::kFloat32) {
    auto pa = static_cast<const float*>(a), pb = static_cast<const float*>(b);
    auto po = static_cast<float*>(out);
    switch (kind_) {
      case BinaryOp::kAdd: s = xnn_setup_add_nd_f32(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
      case BinaryOp::kSubtract: s = xnn_setup_subtract_nd_f32(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
      case BinaryOp::kMultiply: s = xnn_setup_multiply_nd_f32(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
    }
  } else if (type_ == DataType::kUInt8) {
    auto pa = static_cast<const uint8_t*>(a), pb = static_cast<const uint8_t*>(b);
    auto po = static_cast<uint8_t*>(out);
    switch (kind_) {
      case BinaryOp::kAdd: s = xnn_setup_add_nd_qu8(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
      case BinaryOp::kSubtract: s = xnn_setup_subtract_nd_qu8(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
      case BinaryOp::kMultiply: s = xnn_setup_multiply_nd_qu8(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
    }
  } else {
    auto pa = static_cast<const int8_t*>(a), pb = static_cast<const int8_t*>(b);
    auto po = static_cast<int8_t*>(out);
    switch (kind_) {
      case BinaryOp::kAdd: s = xnn_setup_add_nd_qs8(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
      case BinaryOp::kSubtract: s = xnn_setup_subtract_nd_qs8(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
      case BinaryOp::kMultiply: s = xnn_setup_multiply_nd_qs8(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
    }
  }
  return Check(ctx, s, "xnn_setup_binary_nd");
}

}  // namespace labelite::xnn
