#include "kernels/x86/denormals.h"

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

namespace labelite::xnn {

constexpr unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;

DenormalsFlushed::DenormalsFlushed() : saved_(_mm_getcsr()) {
  _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero);
}
DenormalsFlushed::~DenormalsFlushed() { _mm_setcsr(saved_); }

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
