// Conv1x1Vnni: a 1x1, stride-1, unpadded quantized convolution (a GEMM of the [pixels x Cin]
// input by the [Cin x Cout] filter) on AVX-512 VNNI, bit-identical to XNNPACK 2022's qs8, qc8
// and qu8 convolutions.
//
// How it computes (steps):
//   1. Pack (once): the filter becomes, per block of 16 output channels and per group of 4
//      input channels, 64 bytes [channel][4 inputs], int8. VPDPBUSD multiplies unsigned bytes
//      by signed bytes, so int8 activations are flipped to uint8 (a + 128) and uint8 weights to
//      int8 (w - 128); the bias absorbs the constant terms (zero points, the 128 shifts).
//   2. Run: tiles of up to 8 pixels x 64 channels accumulate int32 with VPDPBUSD; for uint8 a
//      per-pixel input sum corrects the weight shift: acc += (128 - kernel_zp) * sum(a).
//   3. Requantize as XNNPACK's "fp32" kernels: float(acc) * scale, clamped to
//      [out_min - zp, out_max - zp] as floats, rounded to nearest even (VCVTPS2DQ), + zp.
//      scale = input_scale * kernel_scale / output_scale, in float, as XNNPACK computes it.
//      (XNNPACK clamps only the top in float and the bottom after rounding; rounding is
//      monotonic and keeps integers, so clamping before it gives the same bytes.)
// Ownership: the object owns its packed weights. Thread safety: Run is const and may be called
// concurrently on different buffers.
// Usage (the interpreter reaches it through MakeFastConv, fast_conv.h):
//   Conv1x1Vnni conv;
//   if (Conv1x1Vnni::Supported() && conv.Pack(q, cin, cout, weights, bias)) conv.RunPixels(in, out, hw, pool);
#ifndef LABELITE_KERNELS_XNNPACK_CONV1X1_VNNI_H_
#define LABELITE_KERNELS_XNNPACK_CONV1X1_VNNI_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/xnnpack/fast_conv.h"

namespace labelite::xnn {

using Conv1x1Quant = ConvQuant;

class Conv1x1Vnni : public FastConv {
 public:
  // True when the CPU has AVX512F, BW, VL and VNNI.
  static bool Supported();
  // Packs `weights` ([cout][cin], int8 or uint8 as q.is_signed says) and `bias` (cout int32 or
  // nullptr). False when a requantization scale is outside XNNPACK's range [2^-32, 256).
  bool Pack(const Conv1x1Quant& q, size_t cin, size_t cout, const void* weights,
            const int32_t* bias);
  // output[pixels][cout] = conv(input[pixels][cin]); rows are split over `pool` (may be null).
  void RunPixels(const void* input, void* output, size_t pixels, pthreadpool_t pool) const;
  // FastConv: `batch` images of the spec's in_h x in_w pixels.
  void Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const override {
    RunPixels(input, output, batch * pixels_per_image_, pool);
  }
  const char* path() const override { return "vnni"; }
  // Runs pixels [begin, end) on the calling thread.
  void RunRows(const void* input, void* output, size_t begin, size_t end) const;

 private:
  bool is_signed_ = true;
  size_t pixels_per_image_ = 0;  // set by MakeConv1x1Vnni
  friend std::unique_ptr<FastConv> MakeConv1x1Vnni(const FastConvSpec& spec);
  size_t cin_ = 0, cout_ = 0, k_groups_ = 0;
  int32_t input_factor_ = 0;   // uint8: 128 - kernel_zp, times each pixel's input sum
  int32_t output_zero_point_ = 0;
  float out_lo_ = 0.0f, out_hi_ = 0.0f;  // output_min/max - zero point
  std::vector<int8_t> weights_;   // [cout/16][k_groups][16][4]
  std::vector<int32_t> bias_;     // [cout rounded up to 16]
  std::vector<float> scales_;     // [cout rounded up to 16]
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_XNNPACK_CONV1X1_VNNI_H_
