// Float32 sigmoid on labelite's own rows (kernels/x86/sigmoid_f32_x86.h), bit-identical to the
// XNNPACK sigmoid the fast path ran before, the swish MUL(x, LOGISTIC(x)) as one pass, and
// HARD_SWISH on labelite's hard-swish rows (kernels/x86/hard_swish_f32_x86.h).
//
// The rows reproduce the micro-kernel Debian's XNNPACK picks for this CPU (cpuinfo: AVX-512F,
// else AVX2), so a kernel runs only where labelite's level allows that kernel's instructions:
// XNNPACK's AVX-512F sigmoid needs IsaLevel::kAvx512, its AVX2 one kAvx2. Elsewhere (other
// CPUs, lower LABELITE_ISA levels, AVX-512F without labelite's AVX-512 level) Prepare returns
// Unsupported and the next candidate (XNNPACK, the unfused MUL) takes the operator.
//
// CreateFastLogisticF32: float32 LOGISTIC, out = sigmoid(x).
// CreateFastSwishF32: float32 MUL whose one input g is written by a LOGISTIC of its other input
//   x, both of one shape (recognized through KernelContext::producers, as
//   fast/self_gated_mul.h does for 8-bit tensors):
//     out = min(max(x * sigmoid(x), lo), hi)
//   with the MUL's fused activation as fast/binary_f32.h clamps it, so out equals the LOGISTIC
//   followed by the MUL rows bit for bit. It never reads g (reads_input), so the interpreter
//   skips the LOGISTIC when nothing else reads its output.
// CreateFastHardSwishF32: float32 HARD_SWISH in XNNPACK's arithmetic, whose FMA3 and AVX-512F
//   kernels give the same bits: it runs from IsaLevel::kAvx2 on, whatever the CPU.
// The swish and the hard-swish offer their rows to the convolution that writes x
// (Kernel::OutputFunction), which then applies them as it writes; most of them run there.
// Eval (all): tasks of contiguous elements over the thread pool, as binary_f32.cc splits them
// (a chain of operators stays in each core's cache), denormals flushed as XNNPACK does.
//
// Ownership and threads: one kernel per operator, not thread-safe (as every Kernel).
//
//   std::unique_ptr<Kernel> CreateXnnpackMul() {
//     return std::make_unique<xnn::FirstSupportedKernel>(&xnn::CreateFastSwishF32,
//                                                        &xnn::CreateFastMulF32);
//   }
#ifndef LABELITE_KERNELS_FAST_SWISH_F32_H_
#define LABELITE_KERNELS_FAST_SWISH_F32_H_

#include <memory>

#include "runtime/kernel.h"

namespace labelite::xnn {

std::unique_ptr<Kernel> CreateFastLogisticF32();
std::unique_ptr<Kernel> CreateFastSwishF32();
std::unique_ptr<Kernel> CreateFastHardSwishF32();

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_SWISH_F32_H_
