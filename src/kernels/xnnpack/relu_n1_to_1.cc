// RELU_N1_TO_1 on XNNPACK: a clamp to [-1.0f, 1.0f] (see unary.h).
#include <limits>
#include <memory>

#include "kernels/xnnpack/unary.h"

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackReluN1To1() { return xnn::MakeClampKernel(-1.0f, 1.0f); }

}  // namespace labelite
