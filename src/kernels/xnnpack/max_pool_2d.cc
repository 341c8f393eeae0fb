// MAX_POOL_2D on XNNPACK (see pooling.h for the types handled).
#include <memory>

#include "kernels/xnnpack/pooling.h"

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackMaxPool2D() {
  return std::make_unique<xnn::PoolingKernel>(/*max=*/true);
}

}  // namespace labelite
