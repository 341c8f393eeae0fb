// RELU6: reference kernel (see kernels/internal/relu_x.h for the arithmetic).
#include <limits>
#include <memory>

#include "kernels/internal/relu_x.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceRelu6() {
  return std::make_unique<ReluXKernel>(0.0f, 6.0f);
}

}  // namespace labelite
