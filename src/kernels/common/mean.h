// The one Prepare of MEAN: float32, uint8, int8; any axes (constant int32 tensor,
// negative values count from the end, repeats ignored), keep_dims.
//
// TFLite's builtin kernel takes one of three quantized paths, and so does this one:
//   1. keep_dims, rank 4, axis exactly {1, 2} or {2, 1} (the global average pool of
//      classifiers): sum, then multiply by real = float(in_scale / (float(H * W) * out_scale))
//      as a Q31 multiplier, plus bias = out_zp - int(round-half-away(float(in_zp * in_scale /
//      out_scale))), clamped. TFLite's optimized kernel (optimized_integer_ops::Mean, which
//      LiteRT's builtin resolver runs) multiplies the channels in blocks of 16 with its NEON
//      code, on x86 too (NEON_2_SSE): ties round toward +infinity there
//      (MultiplyByQuantizedMultiplierTiesUp), and away from zero in the scalar loop that takes
//      the last C mod 16 channels (MultiplyByQuantizedMultiplier). The two differ only on
//      negative sums, so uint8 is the same either way.
//   2. otherwise, also for equal input and output parameters (TFLite's integer
//      QuantizedMeanOrSum): M * 2^S = in_scale / out_scale (double),
//      folded with 1 / count: k = min(floor(log2(count)), 32, 31 + S),
//      M' = (M << k) / count, S' = S - k;
//      out = MultiplyByQuantizedMultiplier(sum - in_zp * count, M', S') + out_zp, clamped.
// Float: path 1 sums over (h, w) in float and divides by H * W; a mean over trailing
// dimensions sums each row as Eigen does (TFLite's optimized MeanLastDim, see EigenRowSum);
// otherwise sums in float in input order and divides by the count.
#ifndef LABELITE_KERNELS_COMMON_MEAN_H_
#define LABELITE_KERNELS_COMMON_MEAN_H_

#include <cstdint>
#include <vector>

#include "labelite/status.h"
#include "runtime/kernel.h"

namespace labelite::common {

struct MeanParams {
  // kSpatial: path 1 (float or quantized); kFloat: other float means; kRescale: path 2.
  enum class Path { kSpatial, kFloat, kRescale };
  Path path = Path::kFloat;
  std::vector<bool> reduced;        // per input dimension
  std::vector<int64_t> out_stride;  // output stride of every input dimension (0 where reduced)
  int64_t count = 1;                // input elements per output element
  // Float, not spatial: the reduced dimensions (size-1 ones aside) are a trailing block after a
  // non-empty leading block, i.e. last_rows contiguous rows of last_size elements; else 0.
  int64_t last_rows = 0, last_size = 0;
  // Quantized.
  int32_t in_zp = 0, out_zp = 0;
  int32_t multiplier = 0, bias = 0;  // bias: kSpatial only
  int shift = 0;
};

Status PrepareMean(KernelContext& ctx, MeanParams* p);

}  // namespace labelite::common

#endif  // LABELITE_KERNELS_COMMON_MEAN_H_
