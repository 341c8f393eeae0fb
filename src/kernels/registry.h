// The builtin op registry, generated from kernels/kernel_list.inc.
#ifndef LABELITE_KERNELS_REGISTRY_H_
#define LABELITE_KERNELS_REGISTRY_H_

#include <span>

#include "runtime/op_resolver.h"

namespace labelite {

// All registered ops, in kernel_list.inc order.
std::span<const KernelRegistration> RegisteredKernels();
// The resolver over RegisteredKernels() (a process-wide immutable object).
const OpResolver& BuiltinOpResolver();

}  // namespace labelite

#endif  // LABELITE_KERNELS_REGISTRY_H_
