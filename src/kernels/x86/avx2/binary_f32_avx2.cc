// Float32 ADD / SUB / MUL rows on AVX2: kernels/fast/binary_f32.h's loops compiled for 8 lanes.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include "kernels/x86/binary_f32_x86.h"

namespace labelite::xnn {

__attribute__((target("avx2"))) void BinaryRowF32Avx2(BinaryF32Op op, const float* x,
                                                   const float* y, bool scalar_y, float* out,
                                                   size_t n, float lo, float hi) {
  binary_f32_internal::AnyRow(op, x, y, scalar_y, out, n, lo, hi);
}

__attribute__((target("avx2"))) void ChainRowF32Avx2(BinaryF32Op op, const float* x,
                                                   const float* s, const float* y, float* out,
                                                   size_t n, binary_f32_internal::ChainBounds b) {
  binary_f32_internal::AnyChainRow(op, x, s, y, out, n, b);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
