// PAD: reference kernel (see kernels/internal/pad_impl.h).
#include <memory>

#include "kernels/internal/pad_impl.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferencePad() { return std::make_unique<PadKernel>(false); }

}  // namespace labelite
