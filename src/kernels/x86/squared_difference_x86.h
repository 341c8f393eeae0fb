// int8 SQUARED_DIFFERENCE rows on AVX-512 (kernels/fast/squared_difference.cc): the same integer
// arithmetic as the reference, 16 elements per step. x86-64 only.
#ifndef LABELITE_KERNELS_X86_SQUARED_DIFFERENCE_X86_H_
#define LABELITE_KERNELS_X86_SQUARED_DIFFERENCE_X86_H_

#include <cstdint>

namespace labelite::xnn {

// The prepared arithmetic: scaled1/scaled2 map an input byte to its rescaled value (256 int32
// each); out = clamp(MultiplyByQuantizedMultiplier(d * d, multiplier, shift) + offset) with
// d = scaled1[a] - scaled2[b], multiplier > 0 and shift <= 0 (the real multiplier is below 1).
struct SquaredDifferenceInt8Params {
  const int32_t* scaled1;
  const int32_t* scaled2;
  int32_t multiplier, offset;
  int shift;
};

// out[i] for i < n with a[i] and b[i * b_step], b_step 0 or 1. Returns the number of elements
// done (a multiple of 16); the caller finishes the rest.
int64_t SquaredDifferenceInt8RowAvx512(const SquaredDifferenceInt8Params& p, const int8_t* a,
                                       const int8_t* b, int64_t b_step, int8_t* out, int64_t n);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_SQUARED_DIFFERENCE_X86_H_
