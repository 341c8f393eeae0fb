// DEPTHWISE_CONV_2D on XNNPACK: a grouped convolution (see convolution.h).
#include <memory>

#include "kernels/xnnpack/convolution.h"

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackDepthwiseConv2D() {
  return std::make_unique<xnn::ConvolutionKernel>(/*depthwise=*/true);
}

}  // namespace labelite
