// The one Prepare of TRANSPOSE: output dimension i is input dimension perm[i] (perm: constant
// int32 or int64, a permutation of 0..rank-1, rank <= 6). Any element type is moved by bytes,
// unchanged (quantized values keep their parameters, as in TFLite). The result is a strided
// walk: output element (i0, ..., ik) is input element sum_d i_d * in_stride[d].
#ifndef LABELITE_KERNELS_COMMON_TRANSPOSE_H_
#define LABELITE_KERNELS_COMMON_TRANSPOSE_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "labelite/status.h"
#include "runtime/kernel.h"

namespace labelite::common {

struct TransposeParams {
  static constexpr int kMaxRank = 6;
  size_t element_size = 1;
  int rank = 0;
  std::array<int64_t, kMaxRank> out_dims{};
  std::array<int64_t, kMaxRank> in_strides{};  // in elements, per output dimension
};

Status PrepareTranspose(KernelContext& ctx, TransposeParams* p);

}  // namespace labelite::common

#endif  // LABELITE_KERNELS_COMMON_TRANSPOSE_H_
