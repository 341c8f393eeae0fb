// ARG_MAX / ARG_MIN's shared loop (their Prepare is common::PrepareArgMinMax): for every
// (outer, inner) position, the index along the axis of the first value that `better` prefers
// to all others (TFLite's ArgMinMax).
#ifndef LABELITE_KERNELS_COMMON_ARG_MIN_MAX_H_
#define LABELITE_KERNELS_COMMON_ARG_MIN_MAX_H_

#include <cstdint>

#include "kernels/common/data_movement.h"
#include "runtime/kernel.h"

namespace labelite::common {

template <typename T, typename Index, typename Better>
void ArgMinMaxLoop(const T* in, Index* out, const AxisView& v, Better better) {
  for (int64_t o = 0; o < v.outer; ++o) {
    for (int64_t i = 0; i < v.inner; ++i) {
      const T* p = in + o * v.axis * v.inner + i;
      T best = p[0];
      Index index = 0;
      for (int64_t a = 1; a < v.axis; ++a) {
        if (better(p[a * v.inner], best)) {
          best = p[a * v.inner];
          index = static_cast<Index>(a);
        }
      }
      out[o * v.inner + i] = index;
    }
  }
}

template <typename T, typename Better>
void ArgMinMaxTyped(const KernelContext& ctx, const ArgParams& p, Better better) {
  const T* in = ctx.input(0)->data_as<T>();
  if (p.out_type == DataType::kInt32)
    ArgMinMaxLoop(in, ctx.output(0)->data_as<int32_t>(), p.view, better);
  else
    ArgMinMaxLoop(in, ctx.output(0)->data_as<int64_t>(), p.view, better);
}

template <typename Better>
void RunArgMinMax(const KernelContext& ctx, const ArgParams& p, Better better) {
  switch (ctx.input(0)->type) {
    case DataType::kFloat32: ArgMinMaxTyped<float>(ctx, p, better); break;
    case DataType::kUInt8: ArgMinMaxTyped<uint8_t>(ctx, p, better); break;
    case DataType::kInt8: ArgMinMaxTyped<int8_t>(ctx, p, better); break;
    case DataType::kInt32: ArgMinMaxTyped<int32_t>(ctx, p, better); break;
    default: ArgMinMaxTyped<bool>(ctx, p, better); break;
  }
}

}  // namespace labelite::common

#endif  // LABELITE_KERNELS_COMMON_ARG_MIN_MAX_H_
