// The one Prepare of AVERAGE_POOL_2D and MAX_POOL_2D, shared by every implementation: the
// reference kernels (kernels/reference/average_pool_2d.cc, max_pool_2d.cc), the XNNPACK kernel
// (kernels/xnnpack/pooling.cc) and the fast quantized average pool
// (kernels/xnnpack/average_pool_2d.cc), so all accept the same models and refuse bad ones with
// the same message.
//
// PreparePool, in steps:
//   1. One 4-D NHWC input and one output of the same type; positive filter and strides.
//   2. The window geometry by TFLite's SAME/VALID rules (kernels/internal/conv_util.h): the
//      window must fit the padded input; the output is [batches, out_h, out_w, channels].
//   3. The fused activation's clamp range: float, or for uint8/int8 (whose output needs a valid
//      scale) TFLite's quantized range. Quantized pools do not requantize (as TFLite's): the
//      output is read with the input's scale and zero point.
#ifndef LABELITE_KERNELS_COMMON_POOLING_H_
#define LABELITE_KERNELS_COMMON_POOLING_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels/internal/conv_util.h"
#include "labelite/status.h"
#include "runtime/kernel.h"

namespace labelite::common {

struct PoolParams {
  DataType type = DataType::kFloat32;
  Activation activation = Activation::kNone;
  internal::Window2D window;  // pad_h / pad_w: padding before the first row / column
  int32_t pad_bottom = 0, pad_right = 0;  // padding after the last row / column (SAME)
  int32_t channels = 0;
  float float_min = 0.0f, float_max = 0.0f;  // float32
  int32_t act_min = 0, act_max = 0;          // uint8 / int8
  // uint8 / int8: the quantization of the output (the XNNPACK path needs the input's equal).
  float out_scale = 0.0f;
  int32_t out_zero_point = 0;
};

Status PreparePool(KernelContext& ctx, PoolParams* p);

// Calls body(input_index) for every in-bounds input element of output (b, oy, ox, c);
// returns how many there were.
template <typename Body>
inline int32_t ForEachPoolTap(const PoolParams& p, int32_t b, int32_t oy, int32_t ox, int32_t c,
                              Body&& body) {
  const internal::Window2D& w = p.window;
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

}  // namespace labelite::common

#endif  // LABELITE_KERNELS_COMMON_POOLING_H_
