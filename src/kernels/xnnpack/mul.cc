// MUL on XNNPACK (see binary.h for the types, broadcasting and scale limits).
#include <memory>

#include "kernels/xnnpack/binary.h"

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackMul() {
  return std::make_unique<xnn::BinaryKernel>(common::ArithOp::kMul);
}

}  // namespace labelite
