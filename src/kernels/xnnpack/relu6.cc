// RELU6 on XNNPACK: a clamp to [0.0f, 6.0f] (see unary.h).
#include <limits>
#include <memory>

#include "kernels/xnnpack/unary.h"

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackRelu6() { return xnn::MakeClampKernel(0.0f, 6.0f); }

}  // namespace labelite
