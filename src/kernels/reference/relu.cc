// RELU: reference kernel (see kernels/internal/relu_x.h for the arithmetic).
#include <limits>
#include <memory>

#include "kernels/internal/relu_x.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceRelu() {
  return std::make_unique<ReluXKernel>(0.0f, std::numeric_limits<float>::infinity());
}

}  // namespace labelite
