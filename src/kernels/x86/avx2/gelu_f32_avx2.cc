// Float GELU on AVX2: kernels/fast/gelu_f32.h's loops compiled for 8 lanes.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include "kernels/fast/gelu_f32.h"
#include "kernels/x86/gelu_f32_x86.h"

namespace labelite::xnn {

__attribute__((target("avx2"))) void GeluF32Avx2(const float* in, float* out, size_t n,
                                                  bool approximate) {
  if (approximate) gelu_internal::GeluTanhLoop(in, out, n);
  else gelu_internal::GeluErfLoop(in, out, n);
}

__attribute__((target("avx2,fma"))) void GeluErfXnnpackAvx2(const float* in, float* out,
                                                             size_t n) {
  gelu_internal::GeluErfRationalLoop(in, out, n);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
