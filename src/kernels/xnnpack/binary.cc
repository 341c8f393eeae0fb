#include "kernels/xnnpack/binary.h"

#include <string>

namespace labelite::xnn {
namespace {

using common::ArithOp;

const char* Name(ArithOp op) {
  switch (op) {
    case ArithOp::kAdd: return "add";
    case ArithOp::kSub: return "subtract";
    case ArithOp::kMul: return "multiply";
  }
  return "?";
}

// The fused activation's float bounds quantized as XNNPACK (and TFLite's delegate) do:
// lrintf(x / scale + zero point), which can round apart from TFLite's builtin clamp range
// (ArithParams::act_min/act_max: zero point + round(x / scale)).
void QuantizedActivationBounds(const common::ArithParams& p, float fmin, float fmax,
                               int32_t* min, int32_t* max) {
  if (p.type == DataType::kUInt8) {
    *min = QuantizeBoundU8(fmin, p.out_scale, p.out_offset);
    *max = QuantizeBoundU8(fmax, p.out_scale, p.out_offset);
  } else {
    *min = QuantizeBoundS8(fmin, p.out_scale, p.out_offset);
    *max = QuantizeBoundS8(fmax, p.out_scale, p.out_offset);
  }
}

}  // namespace

// What XNNPACK's quantized operators cannot take (PrepareArith checked everything else).
Status BinaryKernel::CheckQuantization(const KernelContext& ctx) const {
  if (!IsPerTensorQuantized(*ctx.input(0)) || !IsPerTensorQuantized(*ctx.input(1)) ||
      !IsPerTensorQuantized(*ctx.output(0)))
    return ctx.UnsupportedError("needs per-tensor quantization");
  auto in_range = [](double ratio, double lo, double hi) { return ratio >= lo && ratio < hi; };
  const double s1 = p_.in1_scale, s2 = p_.in2_scale, so = p_.out_scale;
  const bool ok = kind_ == ArithOp::kMul
                      ? in_range(s1 * s2 / so, 1.0 / 65536.0, 256.0)
                      : in_range(s1 / so, 1.0 / 1024.0, 256.0) &&
                            in_range(s2 / so, 1.0 / 1024.0, 256.0);
  if (!ok) return ctx.UnsupportedError("scale ratio outside XNNPACK's range");
  return Status::Ok();
}

Status BinaryKernel::Prepare(KernelContext& ctx) {
  LABELITE_RETURN_IF_ERROR(common::PrepareArith(ctx, kind_, &p_));
  LABELITE_RETURN_IF_ERROR(EnsureInitialized(ctx));
  if (p_.output_rank > 4) return ctx.UnsupportedError("XNNPACK broadcasts at most 4 dims");
  shape1_ = ToSizes(ctx.input(0)->dims);
  shape2_ = ToSizes(ctx.input(1)->dims);
  float fmin = 0.0f, fmax = 0.0f;  // PrepareArith refused TANH and SIGN_BIT
  if (!ActivationRange(p_.activation, &fmin, &fmax))
    return ctx.UnsupportedError("fused activation has no XNNPACK form");
  xnn_operator_t op = nullptr;
  xnn_status s;
  if (p_.type == DataType::kFloat32) {
    s = CreateF32(fmin, fmax, &op);
  } else {
    LABELITE_RETURN_IF_ERROR(CheckQuantization(ctx));
    int32_t min = 0, max = 0;
    QuantizedActivationBounds(p_, fmin, fmax, &min, &max);
    s = CreateQuantized(min, max, &op);
  }
  op_.reset(op);
  return Check(ctx, s, (std::string("xnn_create_") + Name(kind_) + "_nd").c_str());
}

xnn_status BinaryKernel::CreateF32(float min, float max, xnn_operator_t* op) const {
  switch (kind_) {
    case ArithOp::kAdd: return xnn_create_add_nd_f32(min, max, 0, op);
    case ArithOp::kSub: return xnn_create_subtract_nd_f32(min, max, 0, op);
    case ArithOp::kMul: return xnn_create_multiply_nd_f32(min, max, 0, op);
  }
  return xnn_status_invalid_parameter;
}

xnn_status BinaryKernel::CreateQuantized(int32_t min, int32_t max, xnn_operator_t* op) const {
  const float sa = p_.in1_scale, sb = p_.in2_scale, so = p_.out_scale;
  if (p_.type == DataType::kUInt8) {
    const auto za = static_cast<uint8_t>(-p_.in1_offset),
               zb = static_cast<uint8_t>(-p_.in2_offset), zo = static_cast<uint8_t>(p_.out_offset);
    const auto lo = static_cast<uint8_t>(min), hi = static_cast<uint8_t>(max);
    switch (kind_) {
      case ArithOp::kAdd:
        return xnn_create_add_nd_qu8(za, sa, zb, sb, zo, so, lo, hi, 0, op);
      case ArithOp::kSub:
        return xnn_create_subtract_nd_qu8(za, sa, zb, sb, zo, so, lo, hi, 0, op);
      case ArithOp::kMul:
        return xnn_create_multiply_nd_qu8(za, sa, zb, sb, zo, so, lo, hi, 0, op);
    }
  }
  const auto za = static_cast<int8_t>(-p_.in1_offset), zb = static_cast<int8_t>(-p_.in2_offset),
             zo = static_cast<int8_t>(p_.out_offset);
  const auto lo = static_cast<int8_t>(min), hi = static_cast<int8_t>(max);
  switch (kind_) {
    case ArithOp::kAdd:
      return xnn_create_add_nd_qs8(za, sa, zb, sb, zo, so, lo, hi, 0, op);
    case ArithOp::kSub:
      return xnn_create_subtract_nd_qs8(za, sa, zb, sb, zo, so, lo, hi, 0, op);
    case ArithOp::kMul:
      return xnn_create_multiply_nd_qs8(za, sa, zb, sb, zo, so, lo, hi, 0, op);
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
  if (p_.type == DataType::kFloat32) {
    auto pa = static_cast<const float*>(a), pb = static_cast<const float*>(b);
    auto po = static_cast<float*>(out);
    switch (kind_) {
      case ArithOp::kAdd: s = xnn_setup_add_nd_f32(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
      case ArithOp::kSub: s = xnn_setup_subtract_nd_f32(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
      case ArithOp::kMul: s = xnn_setup_multiply_nd_f32(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
    }
  } else if (p_.type == DataType::kUInt8) {
    auto pa = static_cast<const uint8_t*>(a), pb = static_cast<const uint8_t*>(b);
    auto po = static_cast<uint8_t*>(out);
    switch (kind_) {
      case ArithOp::kAdd: s = xnn_setup_add_nd_qu8(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
      case ArithOp::kSub: s = xnn_setup_subtract_nd_qu8(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
      case ArithOp::kMul: s = xnn_setup_multiply_nd_qu8(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
    }
  } else {
    auto pa = static_cast<const int8_t*>(a), pb = static_cast<const int8_t*>(b);
    auto po = static_cast<int8_t*>(out);
    switch (kind_) {
      case ArithOp::kAdd: s = xnn_setup_add_nd_qs8(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
      case ArithOp::kSub: s = xnn_setup_subtract_nd_qs8(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
      case ArithOp::kMul: s = xnn_setup_multiply_nd_qs8(op_.get(), n1, s1, n2, s2, pa, pb, po, tp); break;
    }
  }
  return Check(ctx, s, "xnn_setup_binary_nd");
}

}  // namespace labelite::xnn
