// RELU_N1_TO_1: reference kernel (see kernels/internal/relu_x.h for the arithmetic).
#include <limits>
#include <memory>

#include "kernels/internal/relu_x.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceReluN1To1() {
  return std::make_unique<ReluXKernel>(-1.0f, 1.0f);
}

}  // namespace labelite
