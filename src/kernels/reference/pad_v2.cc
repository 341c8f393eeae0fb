// PADV2: reference kernel (see kernels/internal/pad_impl.h).
#include <memory>

#include "kernels/internal/pad_impl.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferencePadV2() { return std::make_unique<PadKernel>(true); }

}  // namespace labelite
