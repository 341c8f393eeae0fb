// RELU on XNNPACK: a clamp to [0, +inf) (see unary.h).
#include <limits>
#include <memory>

#include "kernels/xnnpack/unary.h"

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackRelu() { return xnn::MakeClampKernel(0.0f, std::numeric_limits<float>::infinity()); }

}  // namespace labelite
