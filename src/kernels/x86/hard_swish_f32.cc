// The level choice of kernels/x86/hard_swish_f32_x86.h.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include "kernels/fast/isa.h"
#include "kernels/x86/hard_swish_f32_x86.h"

namespace labelite::xnn {

HardSwishF32Fn HardSwishF32ForActiveIsa() {
  if (ActiveIsa() >= IsaLevel::kAvx512) return &HardSwishF32Avx512;
  if (ActiveIsa() >= IsaLevel::kAvx2) return &HardSwishF32Avx2;
  return nullptr;
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
