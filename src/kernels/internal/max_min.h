// MaxMinKernel: MAXIMUM and MINIMUM with numpy broadcasting. Like TFLite, quantized inputs are
// compared as raw values, without requantization (the converter gives inputs and output the same
// parameters; TFLite does not check it, and neither do we).
#ifndef LABELITE_KERNELS_INTERNAL_MAX_MIN_H_
#define LABELITE_KERNELS_INTERNAL_MAX_MIN_H_

#include <algorithm>

#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {

template <bool kIsMax>
class MaxMinKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    const Tensor* a = ctx.input(0);
    const Tensor* b = ctx.input(1);
    Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
    if (!a || !b || !out) return ctx.Error("expects 2 inputs and 1 output");
    const DataType t = a->type;
    if (!(shape::IsFloatOrQuantized8(t) || t == DataType::kInt16 || t == DataType::kInt32 ||
          t == DataType::kInt64))
      return ctx.UnsupportedError("input type " + shape::TypeName(t));
    if (b->type != t || out->type != t)
      return ctx.Error("input and output types differ (" + shape::TypeName(t) + ", " +
                       shape::TypeName(b->type) + ", " + shape::TypeName(out->type) + ")");
    auto dims = shape::Broadcast(a->dims, b->dims);
    if (!dims)
      return ctx.Error("input shapes " + shape::ToString(a->dims) + " and " +
                       shape::ToString(b->dims) + " do not broadcast");
    if (dims->size() > static_cast<size_t>(shape::kMaxBroadcastRank))
      return ctx.UnsupportedError("rank " + std::to_string(dims->size()) + " (at most 6)");
    out->dims = *dims;
    a_strides_ = shape::BroadcastStrides(a->dims, out->dims);
    b_strides_ = shape::BroadcastStrides(b->dims, out->dims);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    switch (ctx.input(0)->type) {
      case DataType::kFloat32: Run<float>(ctx); break;
      case DataType::kUInt8: Run<uint8_t>(ctx); break;
      case DataType::kInt8: Run<int8_t>(ctx); break;
      case DataType::kInt16: Run<int16_t>(ctx); break;
      case DataType::kInt32: Run<int32_t>(ctx); break;
      case DataType::kInt64: Run<int64_t>(ctx); break;
      default: return Internal("MAXIMUM/MINIMUM: unexpected type");
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  void Run(KernelContext& ctx) const {
    const T* a = ctx.input(0)->data_as<T>();
    const T* b = ctx.input(1)->data_as<T>();
    T* y = ctx.output(0)->data_as<T>();
    shape::ForEachBroadcast(ctx.output(0)->dims, a_strides_, b_strides_,
                            [&](int64_t o, int64_t i, int64_t j) {
                              if constexpr (kIsMax) {
                                y[o] = a[i] > b[j] ? a[i] : b[j];
                              } else {
                                y[o] = a[i] < b[j] ? a[i] : b[j];
                              }
                            });
  }

  std::array<int64_t, shape::kMaxBroadcastRank> a_strides_{}, b_strides_{};
};

}  // namespace labelite

#endif  // LABELITE_KERNELS_INTERNAL_MAX_MIN_H_
