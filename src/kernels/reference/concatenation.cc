// CONCATENATION: joins the inputs along `axis` (negative counts from the end). Any element type
// is copied by bytes. A uint8/int8 input whose scale or zero point differs from the output's is
// requantized as TFLite's ConcatenationWithScaling does, in float:
//   q_out = round(q_in * s + (-zp_in * s)) + zp_out,  s = in_scale * (1 / out_scale).
// (TFLite itself refuses int8 inputs with differing parameters; labelite accepts them.)
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "kernels/internal/quantization.h"
#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class ConcatenationKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
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
    requantize_.assign(ctx.inputs.size(), false);
    if (t0.type == DataType::kUInt8 || t0.type == DataType::kInt8) {
      for (size_t i = 0; i < ctx.inputs.size(); ++i) {
        const Tensor* t = ctx.inputs[i];
        requantize_[i] = t->scale != out->scale || t->zero_point != out->zero_point;
        if (requantize_[i] && (!(t->scale > 0.0f) || !(out->scale > 0.0f)))
          return ctx.Error("quantized inputs and output need positive scales");
      }
    }
    outer_ = 1;
    for (int d = 0; d < axis; ++d) outer_ *= t0.dim(d);
    inner_bytes_ = static_cast<int64_t>(DataTypeSize(t0.type));
    for (int d = axis + 1; d < rank; ++d) inner_bytes_ *= t0.dim(d);
    axis_ = axis;
    out->dims = std::move(dims);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    Tensor& out = *ctx.output(0);
    uint8_t* dst = out.data;
    for (int64_t k = 0; k < outer_; ++k) {
      for (size_t i = 0; i < ctx.inputs.size(); ++i) {
        const Tensor& t = *ctx.inputs[i];
        const int64_t n = t.dim(axis_) * inner_bytes_;
        const uint8_t* src = t.data + k * n;
        if (!requantize_[i]) {
          std::memcpy(dst, src, static_cast<size_t>(n));
        } else if (t.type == DataType::kUInt8) {
          Rescale<uint8_t>(t, out, src, dst, n);
        } else {
          Rescale<int8_t>(t, out, src, dst, n);
        }
        dst += n;
      }
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  static void Rescale(const Tensor& in, const Tensor& out, const uint8_t* src, uint8_t* dst,
                      int64_t n) {
    const T* x = reinterpret_cast<const T*>(src);
    T* y = reinterpret_cast<T*>(dst);
    const float scale = in.scale * (1.0f / out.scale);
    const float bias = static_cast<float>(-in.zero_point) * scale;
    const int32_t qmin = quant::QuantizedMin(out.type), qmax = quant::QuantizedMax(out.type);
    for (int64_t j = 0; j < n; ++j) {
      const int32_t v =
          static_cast<int32_t>(std::round(static_cast<float>(x[j]) * scale + bias)) + out.zero_point;
      y[j] = static_cast<T>(std::clamp(v, qmin, qmax));
    }
  }

  std::vector<bool> requantize_;
  int axis_ = 0;
  int64_t outer_ = 1, inner_bytes_ = 1;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceConcatenation() {
  return std::make_unique<ConcatenationKernel>();
}

}  // namespace labelite
