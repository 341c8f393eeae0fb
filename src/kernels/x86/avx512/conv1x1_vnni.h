// Conv1x1Vnni: a 1x1, stride-1, unpadded quantized convolution (a GEMM of the [pixels x Cin]
// input by the [Cin x Cout] filter) on AVX-512 VNNI, bit-identical to XNNPACK 2022's qs8, qc8
// and qu8 convolutions. The arithmetic (packing, VPDPBUSD tiles, XNNPACK's "fp32"
// requantization) is VnniGemm's (vnni_gemm.h), run on the input tensor's own rows.
//
// Threads: when there are at least as many pixels as output channels, the pixels are cut into
// balanced row ranges, 1 to 4 per thread; otherwise (small images with many channels, the
// logits conv of a classifier with 1 pixel) each thread takes a contiguous range of column
// blocks, so that it streams only its share of the packed weights.
// Ownership: the object owns its packed weights. Thread safety: Run is const and may be called
// concurrently on different buffers.
// Usage (the interpreter reaches it through MakeFastConv, fast_conv.h):
//   Conv1x1Vnni conv;
//   if (VnniGemm::Supported() && conv.Pack(q, cin, cout, weights, bias))
//     conv.RunPixels(in, out, pixels, pool);
#ifndef LABELITE_KERNELS_X86_AVX512_CONV1X1_VNNI_H_
#define LABELITE_KERNELS_X86_AVX512_CONV1X1_VNNI_H_

#include <cstddef>
#include <cstdint>

#include "kernels/fast/fast_conv.h"
#include "kernels/x86/avx512/vnni_gemm.h"

namespace labelite::xnn {

class Conv1x1Vnni : public FastConv {
 public:
  // Packs `weights` ([cout][cin], int8 or uint8 as q.is_signed says) and `bias` (cout int32 or
  // nullptr). False when a requantization scale is outside XNNPACK's range [2^-32, 256).
  bool Pack(const ConvQuant& q, size_t cin, size_t cout, const void* weights, const int32_t* bias) {
    return gemm_.Pack(q, cin, cout, weights, bias);
  }
  // output[pixels][cout] = conv(input[pixels][cin]), split over `pool` (may be null).
  void RunPixels(const void* input, void* output, size_t pixels, pthreadpool_t pool) const;
  // FastConv: `batch` images of the spec's in_h x in_w pixels.
  void Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const override {
    RunPixels(input, output, batch * pixels_per_image_, pool);
  }
  const char* path() const override { return "vnni"; }

 private:
  friend std::unique_ptr<FastConv> MakeConv1x1Vnni(const FastConvSpec& spec);
  VnniGemm gemm_;
  size_t pixels_per_image_ = 0;  // set by MakeConv1x1Vnni
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_AVX512_CONV1X1_VNNI_H_
