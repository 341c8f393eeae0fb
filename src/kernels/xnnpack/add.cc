// ADD on XNNPACK (see binary.h for the types, broadcasting and scale limits).
#include <memory>

#include "kernels/xnnpack/binary.h"

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackAdd() {
  return std::make_unique<xnn::BinaryKernel>(common::ArithOp::kAdd);
}

}  // namespace labelite
