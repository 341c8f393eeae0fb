// FastConv: labelite's own kernels for convolutions where Debian's XNNPACK (2022) is slow.
// Quantized ones are bit-identical to the XNNPACK operator they replace (XNNPACK's "fp32"
// requantization, which is what TFLite's XNNPACK delegate computes: golden/raw); float ones
// differ from it only by the order of float additions.
//
// ConvolutionKernel (convolution.cc) maps the parameters of the shared Prepare
// (kernels/common/conv.h) of every CONV_2D / DEPTHWISE_CONV_2D to a FastConvSpec (quantized) or
// FastConvF32Spec and asks MakeFastConv for a kernel;
// the first factory of that kind in fast_conv_list.inc that accepts the spec wins, otherwise
// XNNPACK runs the op.
// Adding a kernel: one file defining `std::unique_ptr<FastConv> Make<Name>(const FastConvSpec&)`
// (or const FastConvF32Spec&), returning nullptr unless it handles the spec and the CPU has what
// it needs, plus one line (FAST_CONV or FAST_CONV_F32) in fast_conv_list.inc.
//
// Ownership: a FastConv owns its packed weights; the spec's pointers are only read during the
// factory call. Thread safety: Run is const and may run concurrently on different buffers.
#ifndef LABELITE_KERNELS_FAST_FAST_CONV_H_
#define LABELITE_KERNELS_FAST_FAST_CONV_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/kernel.h"  // FloatOutputFunction

struct pthreadpool;
typedef struct pthreadpool* pthreadpool_t;

namespace labelite::xnn {

// Quantization of one convolution. kernel_scales has 1 (per-tensor) or cout entries.
struct ConvQuant {
  bool is_signed = true;  // int8 (qs8/qc8) or uint8 (qu8)
  int32_t input_zero_point = 0;
  int32_t kernel_zero_point = 0;  // uint8 only; int8 weights have 0
  int32_t output_zero_point = 0;
  int32_t output_min = -128, output_max = 127;  // quantized clamp (fused activation)
  float input_scale = 1.0f, output_scale = 1.0f;
  std::vector<float> kernel_scales;

  // True when kernel_scales has 1 or `channels` entries.
  bool ScalesFit(size_t channels) const {
    return kernel_scales.size() == 1 ||
           (!kernel_scales.empty() && kernel_scales.size() == channels);
  }
  // XNNPACK's "fp32" requantization scale of output `channel` (a per-tensor kernel scale serves
  // every channel): input_scale * kernel_scale / output_scale in float, as XNNPACK computes it.
  float RequantizationScale(size_t channel) const {
    return input_scale * kernel_scales[kernel_scales.size() == 1 ? 0 : channel] / output_scale;
  }
};

// XNNPACK's range of requantization scales, [2^-32, 256): kernels decline specs outside it.
inline bool SupportedRequantizationScale(float scale) {
  return scale >= 0x1.0p-32f && scale < 256.0f;
}

// The shape of one convolution, NHWC.
struct ConvGeometry {
  bool depthwise = false;  // DEPTHWISE_CONV_2D (cout = cin * depth_multiplier)
  size_t in_h = 0, in_w = 0, cin = 0;
  size_t out_h = 0, out_w = 0, cout = 0;
  uint32_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  uint32_t dilation_h = 1, dilation_w = 1;
  uint32_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

// One quantized convolution as TFLite stores it.
struct FastConvSpec : ConvGeometry {
  ConvQuant quant;
  // CONV_2D: [cout][kernel_h][kernel_w][cin]; DEPTHWISE_CONV_2D: [1][kernel_h][kernel_w][cout].
  // int8 or uint8 as quant.is_signed says.
  const void* weights = nullptr;
  const int32_t* bias = nullptr;  // cout values, or nullptr
};

// One float32 convolution (same weight layouts), its fused activation as a clamp.
struct FastConvF32Spec : ConvGeometry {
  float output_min = -INFINITY, output_max = INFINITY;
  // The input comes from a ReLU (InputMayHoldZeros, fast/zero_inputs.h): F32Gemm skips the
  // k steps zero in a whole tile (F32Steps).
  bool input_zeros = false;
  // The graph's weights fit in half the last-level cache (WeightsStayCached): with input_zeros,
  // the tiles that stream the weights skip those steps too.
  bool weights_cached = false;
  const float* weights = nullptr;
  const float* bias = nullptr;  // cout values, or nullptr
};

class FastConv {
 public:
  virtual ~FastConv() = default;
  // input [batch][in_h][in_w][cin] -> output [batch][out_h][out_w][cout]; work is split over
  // `pool` (may be null: the calling thread does everything).
  virtual void Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const = 0;
  // The path name shown by `labelite bench --profile`, e.g. "vnni".
  virtual const char* path() const = 0;
  // Float kernels: makes Run apply f to each block of output once written (the block is still
  // in the core's cache; Kernel::FuseOutputFunction); false when this kernel cannot. Call
  // before the first Run.
  virtual bool FuseOutputFunction(const FloatOutputFunction& /*f*/) { return false; }
};

// The first kernel of fast_conv_list.inc that handles `spec`, or nullptr.
std::unique_ptr<FastConv> MakeFastConv(const FastConvSpec& spec);
std::unique_ptr<FastConv> MakeFastConv(const FastConvF32Spec& spec);

// Declarations of the factories (one per line of fast_conv_list.inc).
#define FAST_CONV(factory) std::unique_ptr<FastConv> factory(const FastConvSpec& spec);
#define FAST_CONV_F32(factory) std::unique_ptr<FastConv> factory(const FastConvF32Spec& spec);
#include "kernels/fast/fast_conv_list.inc"
#undef FAST_CONV
#undef FAST_CONV_F32

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_FAST_CONV_H_
