// MINIMUM: reference kernel (see kernels/internal/max_min.h).
#include <memory>

#include "kernels/internal/max_min.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceMinimum() { return std::make_unique<MaxMinKernel<false>>(); }

}  // namespace labelite
