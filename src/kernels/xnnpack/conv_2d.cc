// CONV_2D on XNNPACK (see convolution.h for the types and the mapping).
#include <memory>

#include "kernels/xnnpack/convolution.h"

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackConv2D() {
  return std::make_unique<xnn::ConvolutionKernel>(/*depthwise=*/false);
}

}  // namespace labelite
