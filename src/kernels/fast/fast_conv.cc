#include "kernels/fast/fast_conv.h"

namespace labelite::xnn {

std::unique_ptr<FastConv> MakeFastConv(const FastConvSpec& spec) {
  (void)spec;  // unused on architectures without own kernels
#define FAST_CONV(factory) \
  if (std::unique_ptr<FastConv> conv = factory(spec)) return conv;
#define FAST_CONV_F32(factory)
#include "kernels/fast/fast_conv_list.inc"
#undef FAST_CONV
#undef FAST_CONV_F32
  return nullptr;
}

std::unique_ptr<FastConv> MakeFastConv(const FastConvF32Spec& spec) {
  (void)spec;
#define FAST_CONV(factory)
#define FAST_CONV_F32(factory) \
  if (std::unique_ptr<FastConv> conv = factory(spec)) return conv;
#include "kernels/fast/fast_conv_list.inc"
#undef FAST_CONV
#undef FAST_CONV_F32
  return nullptr;
}

}  // namespace labelite::xnn
