// PadKernel: PAD and PADV2. Paddings are a constant int32/int64 [rank, 2] tensor of
// non-negative (before, after) counts. The pad value is 0 for float and integer tensors, the
// output zero point for uint8/int8/int16 (PAD), or PADV2's scalar constant_values, whose
// quantization must equal the output's (as TFLite requires). Any element size is copied by
// bytes, in one pass over the output: each contiguous input run is copied to its place, and the
// bytes between runs (and before the first, after the last) are filled with the pad value.
#ifndef LABELITE_KERNELS_INTERNAL_PAD_IMPL_H_
#define LABELITE_KERNELS_INTERNAL_PAD_IMPL_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "kernels/internal/quantization.h"
#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {

class PadKernel final : public Kernel {
 public:
  explicit PadKernel(bool v2) : v2_(v2) {}

  Status Prepare(KernelContext& ctx) override {
    const Tensor* in = ctx.input(0);
    const Tensor* pads = ctx.input(1);
    Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
    if (!in || !pads || !out) return ctx.Error("expects input, paddings and 1 output");
    if (out->type != in->type)
      return ctx.Error("output type " + shape::TypeName(out->type) + " differs from input type " +
                       shape::TypeName(in->type));
    elem_ = DataTypeSize(in->type);
    if (elem_ == 0 || elem_ > sizeof(pad_value_))
      return ctx.UnsupportedError("element type " + shape::TypeName(in->type));
    const int rank = in->rank();
    if (rank > kMaxRank) return ctx.UnsupportedError("rank " + std::to_string(rank) + " (at most 6)");
    if (pads->type != DataType::kInt32 && pads->type != DataType::kInt64)
      return ctx.Error("paddings type " + shape::TypeName(pads->type) + " (int32 or int64 expected)");
    if (pads->rank() != 2 || pads->dim(0) != rank || pads->dim(1) != 2)
      return ctx.Error("paddings shape " + shape::ToString(pads->dims) + " for input rank " +
                       std::to_string(rank) + " (expected [" + std::to_string(rank) + ", 2])");
    if (!pads->is_constant || !pads->data)
      return ctx.UnsupportedError("the paddings input is not constant");
    std::vector<int32_t> dims(static_cast<size_t>(rank));
    for (int d = 0; d < rank; ++d) {
      int64_t p[2];
      for (int j = 0; j < 2; ++j)
        p[j] = pads->type == DataType::kInt32 ? pads->data_as<int32_t>()[2 * d + j]
                                              : pads->data_as<int64_t>()[2 * d + j];
      if (p[0] < 0 || p[1] < 0 || p[0] + p[1] > (int64_t{1} << 30))
        return ctx.Error("paddings of dimension " + std::to_string(d) + " are " +
                         std::to_string(p[0]) + ", " + std::to_string(p[1]));
      before_[d] = p[0];
      dims[static_cast<size_t>(d)] = static_cast<int32_t>(in->dim(d) + p[0] + p[1]);
    }
    out->dims = std::move(dims);
    LABELITE_RETURN_IF_ERROR(PreparePadValue(ctx, *in, *out));
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    Tensor& out = *ctx.output(0);
    if (v2_ && ctx.input(2)) std::memcpy(pad_value_, ctx.input(2)->data, elem_);
    const int rank = in.rank();
    if (in.NumElements() == 0) {
      Fill(out.data, out.NumElements());
      return Status::Ok();
    }
    if (rank == 0) {
      std::memcpy(out.data, in.data, elem_);
      return Status::Ok();
    }
    // The contiguous run: the innermost axis and every axis outside it that has no padding
    // after it, so a [1,224,224,3] -> [1,230,230,3] pad copies 224 rows of 672 bytes, not
    // 50176 pixels of 3.
    int inner = rank - 1;
    while (inner > 0 && before_[inner] == 0 && in.dim(inner) == out.dim(inner)) --inner;
    const std::vector<int64_t> out_strides = shape::Strides(out.dims);
    int64_t run = 1;
    for (int d = inner; d < rank; ++d) run *= in.dim(d);
    const size_t run_bytes = static_cast<size_t>(run) * elem_;
    const int64_t runs = in.NumElements() / run;
    std::array<int32_t, kMaxRank> idx{};
    int64_t done = 0;  // output elements written: the runs land in increasing order
    for (int64_t r = 0; r < runs; ++r) {
      int64_t o = before_[inner] * out_strides[static_cast<size_t>(inner)];
      for (int d = 0; d < inner; ++d) o += (idx[d] + before_[d]) * out_strides[static_cast<size_t>(d)];
      Fill(out.data + done * static_cast<int64_t>(elem_), o - done);
      std::memcpy(out.data + o * static_cast<int64_t>(elem_), in.data + r * static_cast<int64_t>(run_bytes),
                  run_bytes);
      done = o + run;
      for (int d = inner - 1; d >= 0; --d) {
        if (++idx[d] < in.dim(d)) break;
        idx[d] = 0;
      }
    }
    Fill(out.data + done * static_cast<int64_t>(elem_), out.NumElements() - done);
    return Status::Ok();
  }

 private:
  static constexpr int kMaxRank = 6;

  Status PreparePadValue(KernelContext& ctx, const Tensor& in, const Tensor& out) {
    std::memset(pad_value_, 0, sizeof(pad_value_));
    const Tensor* cv = v2_ ? ctx.input(2) : nullptr;
    if (cv) {
      if (cv->type != in.type)
        return ctx.Error("constant_values type " + shape::TypeName(cv->type) +
                         " differs from input type " + shape::TypeName(in.type));
      if (cv->NumElements() != 1)
        return ctx.Error("constant_values has shape " + shape::ToString(cv->dims) + " (one value expected)");
      if (IsQuantizedType(in.type) && (cv->scale != out.scale || cv->zero_point != out.zero_point))
        return ctx.Error("constant_values quantization differs from the output's");
      if (cv->is_constant && cv->data) std::memcpy(pad_value_, cv->data, elem_);
      return Status::Ok();
    }
    if (IsQuantizedType(in.type)) {
      const int32_t zp = out.zero_point;
      if (zp < quant::QuantizedMin(in.type) || zp > quant::QuantizedMax(in.type))
        return ctx.Error("output zero point " + std::to_string(zp) + " outside the type's range");
      if (in.type == DataType::kUInt8) {
        pad_value_[0] = static_cast<uint8_t>(zp);
      } else if (in.type == DataType::kInt8) {
        const int8_t v = static_cast<int8_t>(zp);
        std::memcpy(pad_value_, &v, 1);
      } else {
        const int16_t v = static_cast<int16_t>(zp);
        std::memcpy(pad_value_, &v, 2);
      }
    }
    return Status::Ok();
  }

  // n elements of the pad value from `to`.
  void Fill(uint8_t* to, int64_t n) const {
    if (n <= 0) return;
    if (elem_ == 1) {
      std::memset(to, pad_value_[0], static_cast<size_t>(n));
      return;
    }
    if (elem_ == 4 && reinterpret_cast<uintptr_t>(to) % alignof(uint32_t) == 0) {
      uint32_t v;
      std::memcpy(&v, pad_value_, 4);
      uint32_t* p = reinterpret_cast<uint32_t*>(to);
      std::fill(p, p + n, v);
      return;
    }
    for (int64_t i = 0; i < n; ++i) std::memcpy(to + i * static_cast<int64_t>(elem_), pad_value_, elem_);
  }

  bool v2_;
  size_t elem_ = 1;
  std::array<int64_t, kMaxRank> before_{};
  uint8_t pad_value_[16];
};

}  // namespace labelite

#endif  // LABELITE_KERNELS_INTERNAL_PAD_IMPL_H_
