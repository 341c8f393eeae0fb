// Float32 HARD_SWISH on labelite's rows (kernels/x86/hard_swish_f32_x86.h), bit-identical to
// the XNNPACK operator the fast path ran before: tasks of contiguous elements over the thread
// pool (as binary_f32.cc splits them), each with denormals flushed as XNNPACK does. Prepare
// returns Unsupported below IsaLevel::kAvx2 and off x86-64, where XNNPACK's operator runs.
// It offers its rows to the operator before it (Kernel::OutputFunction): most HARD_SWISH
// operators of a MobileNet v3 run inside the convolution that writes their input, and this
// kernel's Eval runs the others (a stem that XNNPACK runs, an input that something else reads).
//
//   std::unique_ptr<Kernel> k = xnn::CreateFastHardSwishF32();
#ifndef LABELITE_KERNELS_FAST_HARD_SWISH_F32_H_
#define LABELITE_KERNELS_FAST_HARD_SWISH_F32_H_

#include <memory>

#include "runtime/kernel.h"

namespace labelite::xnn {

std::unique_ptr<Kernel> CreateFastHardSwishF32();

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_HARD_SWISH_F32_H_
