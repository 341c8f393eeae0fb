// The one Prepare of STRIDED_SLICE, every mask as TFLite 2.19 resolves them:
//   1. Expand the spec: the ellipsis covers the input dimensions the spec does not name;
//      new_axis bits (outside the ellipsis) insert size-1 dimensions. This gives "effective"
//      dimensions, each with begin/end/stride and begin/end/shrink bits.
//   2. Per effective dimension: begin_mask -> first element in the stride's direction,
//      end_mask -> past the last; negative indices count from the end; clamp (forward
//      [0, size], backward [-1, size-1]); shrink_axis takes one element at begin.
//      With `offset`, end is relative to begin.
//   3. Output length ceil((end - begin) / stride), at least 0; shrunk dimensions disappear.
// The result is a strided walk over the effective dimensions: output element (i0, ..., ik) is
// input element base + sum_d i_d * step[d]. Any element type is copied by bytes.
#ifndef LABELITE_KERNELS_COMMON_STRIDED_SLICE_H_
#define LABELITE_KERNELS_COMMON_STRIDED_SLICE_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "labelite/status.h"
#include "runtime/kernel.h"

namespace labelite::common {

struct StridedSliceParams {
  static constexpr int kMaxDims = 8;
  size_t element_size = 1;
  int dims = 0;                           // effective dimensions
  std::array<int64_t, kMaxDims> count{};  // elements taken per effective dimension
  std::array<int64_t, kMaxDims> step{};   // input element step per effective dimension
  int64_t base = 0;                       // input element of the first output element
};

Status PrepareStridedSlice(KernelContext& ctx, StridedSliceParams* p);

}  // namespace labelite::common

#endif  // LABELITE_KERNELS_COMMON_STRIDED_SLICE_H_
