// The op registry, generated from kernels/kernel_list.inc.
#ifndef LABELITE_KERNELS_REGISTRY_H_
#define LABELITE_KERNELS_REGISTRY_H_

#include <cstdint>
#include <span>

#include "runtime/kernel.h"

namespace labelite {

struct KernelRegistration {
  int32_t builtin_code;
  const char* name;        // "CONV_2D"
  KernelFactory reference; // always set
  KernelFactory xnnpack;   // nullptr when the op has no fast path
};

// All registered ops, in kernel_list.inc order.
std::span<const KernelRegistration> RegisteredKernels();
// nullptr when labelite does not implement the op.
const KernelRegistration* FindKernel(int32_t builtin_code);

}  // namespace labelite

#endif  // LABELITE_KERNELS_REGISTRY_H_
