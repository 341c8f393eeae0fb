// Shared Prepare of AVERAGE_POOL_2D and MAX_POOL_2D: NHWC input, window geometry (TFLite's
// SAME/VALID rules), output shape, and the fused activation's clamp range. Quantized pools do
// not requantize (as TFLite's): the output is read with the input's scale and zero point.
#ifndef LABELITE_KERNELS_INTERNAL_POOL_UTIL_H_
#define LABELITE_KERNELS_INTERNAL_POOL_UTIL_H_

#include <algorithm>
#include <string>

#include "kernels/internal/conv_util.h"
#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite::internal {

struct PoolParams {
  Window2D window;
  int32_t channels = 0;
  float float_min = 0.0f, float_max = 0.0f;  // float32
  int32_t act_min = 0, act_max = 0;          // uint8 / int8
};

inline Status PreparePool(KernelContext& ctx, PoolParams* p) {
  LABELITE_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor& input = *ctx.input(0);
  Tensor& output = *ctx.output(0);
  const OpOptions& o = ctx.options();
  LABELITE_RETURN_IF_ERROR(CheckRank(ctx, input, "input", 4));
  LABELITE_RETURN_IF_ERROR(CheckType(ctx, output, "output", input.type));
  if (o.stride_h < 1 || o.stride_w < 1 || o.filter_h < 1 || o.filter_w < 1) {
    return ctx.Error("filter " + std::to_string(o.filter_h) + "x" + std::to_string(o.filter_w) +
                     " and strides " + std::to_string(o.stride_h) + "x" +
                     std::to_string(o.stride_w) + " must be positive");
  }
  Window2D& w = p->window;
  w.batches = input.dim(0);
  w.in_h = input.dim(1);
  w.in_w = input.dim(2);
  w.filter_h = o.filter_h;
  w.filter_w = o.filter_w;
  w.stride_h = o.stride_h;
  w.stride_w = o.stride_w;
  w.dilation_h = w.dilation_w = 1;
  p->channels = input.dim(3);
  if (!ComputeWindow(o.padding, &w)) {
    return ctx.Error("a " + std::to_string(w.filter_h) + "x" + std::to_string(w.filter_w) +
                     " window does not fit the " + std::to_string(w.in_h) + "x" +
                     std::to_string(w.in_w) + " input");
  }
  LABELITE_RETURN_IF_ERROR(SetOutputDims(ctx, output, {w.batches, w.out_h, w.out_w, p->channels}));
  switch (input.type) {
    case DataType::kFloat32:
      if (o.activation == Activation::kTanh || o.activation == Activation::kSignBit) break;
      quant::ActivationRangeFloat(o.activation, &p->float_min, &p->float_max);
      return Status::Ok();
    case DataType::kUInt8:
    case DataType::kInt8:
      LABELITE_RETURN_IF_ERROR(CheckQuantized(ctx, output, "output"));
      if (quant::ActivationRangeQuantized(o.activation, output.type, output.scale,
                                          output.zero_point, &p->act_min, &p->act_max)) {
        return Status::Ok();
      }
      break;
    default:
      return ctx.UnsupportedError("input type " + std::string(DataTypeName(input.type)) +
                                  " is not supported");
  }
  return ctx.UnsupportedError("fused activation " + std::to_string(static_cast<int>(o.activation)) +
                              " is not supported");
}

// Calls body(input_index) for every in-bounds input element of output (b, oy, ox, c);
// returns how many there were.
template <typename Body>
inline int32_t ForEachPoolTap(const PoolParams& p, int32_t b, int32_t oy, int32_t ox, int32_t c,
                              Body&& body) {
  const Window2D& w = p.window;
  const int32_t y0 = oy * w.stride_h - w.pad_h;
  const int32_t x0 = ox * w.stride_w - w.pad_w;
  const int32_t y_begin = std::max(0, -y0), y_end = std::min(w.filter_h, w.in_h - y0);
  const int32_t x_begin = std::max(0, -x0), x_end = std::min(w.filter_w, w.in_w - x0);
  int32_t count = 0;
  for (int32_t fy = y_begin; fy < y_end; ++fy) {
    for (int32_t fx = x_begin; fx < x_end; ++fx) {
      const size_t at = ((static_cast<size_t>(b) * w.in_h + (y0 + fy)) * w.in_w + (x0 + fx)) *
                            static_cast<size_t>(p.channels) + static_cast<size_t>(c);
      body(at);
      ++count;
    }
  }
  return count;
}

}  // namespace labelite::internal

#endif  // LABELITE_KERNELS_INTERNAL_POOL_UTIL_H_
