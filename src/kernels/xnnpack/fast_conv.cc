#include "kernels/xnnpack/fast_conv.h"

namespace labelite::xnn {

std::unique_ptr<FastConv> MakeFastConv(const FastConvSpec& spec) {
#define FAST_CONV(factory) \
  if (std::unique_ptr<FastConv> conv = factory(spec)) return conv;
#include "kernels/xnnpack/fast_conv_list.inc"
#undef FAST_CONV
  return nullptr;
}

}  // namespace labelite::xnn
