// Float32 HARD_SWISH in XNNPACK's arithmetic: the f32 vhswish micro-kernels that Debian's
// XNNPACK runs on FMA3 and AVX-512F CPUs (and that LiteRT's delegate matches, tensor for
// tensor, on MobileNet v3), per element
//   y = x * min(max(fma(x, 1/6, 1/2), 0), 1)
// with MAXPS / MINPS's operand order: max(a, 0) is a > 0 ? a : 0, so a NaN x gives 0 there and
// 0 * NaN = NaN out; -0 gives +0 * -0 = -0. Both levels run the same operations, so they give
// the same bits. Callers flush denormals (DenormalsFlushed) as XNNPACK runs its operators.
// x86-64 only (kernels/x86).
//
// Used by the HARD_SWISH kernel (kernels/fast/swish_f32.cc), which also offers them to the
// convolution before it (Kernel::OutputFunction).
#ifndef LABELITE_KERNELS_X86_HARD_SWISH_F32_X86_H_
#define LABELITE_KERNELS_X86_HARD_SWISH_F32_X86_H_

#include <cstddef>

namespace labelite::xnn {

// out[i] = hswish(in[i]) for i < n; out may be in.
using HardSwishF32Fn = void (*)(const float* in, float* out, size_t n);
void HardSwishF32Avx2(const float* in, float* out, size_t n);
void HardSwishF32Avx512(const float* in, float* out, size_t n);

// The function of the best level ActiveIsa() allows, or null below IsaLevel::kAvx2.
HardSwishF32Fn HardSwishF32ForActiveIsa();

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_HARD_SWISH_F32_X86_H_
