// ConvVnni: any quantized CONV_2D (KxK, strides, dilations, paddings; qs8, qc8, qu8) as an
// im2col GEMM on AVX-512 VNNI, bit-identical to XNNPACK 2022's convolution operators. Built for
// the first layer of image models (MobileNet's 3x3 stride-2 conv of 3 channels, which XNNPACK
// 2022 runs at a fraction of the GEMM's speed); MakeConv1x1Vnni takes the plain 1x1 convs first.
//
// How it computes (steps):
//   1. Pack (once): the filter [cout][kh][kw][cin] is already a [cout][K] matrix with
//      K = kh * kw * cin; VnniGemm packs it (vnni_gemm.h).
//   2. Run, per task (a chunk of up to 96 output pixels of one image):
//      a. im2col into a stack buffer: one row of K bytes per output pixel, the window's input
//         pixels in [ky][kx][cin] order; positions outside the image get the input zero point
//         (XNNPACK reads its zero buffer there, so both compute (zp - zp) * w = 0 for them).
//         int8 bytes are flipped to uint8 on the way (x ^ 0x80), as VnniGemm expects, and each
//         row is zero-padded to a multiple of 4 bytes.
//      b. VnniGemm::Run on those rows: tiles, requantization, stores into the output rows.
//   2'. For int8 layers with output rows of 16 pixels or more (stems, ResNet's and Inception's
//      early 3x3 layers), instead: the input rows the chunk needs are copied once, flipped,
//      with zero-point columns and rows around the image, and the tiles read each pixel's
//      kernel rows there in place (VnniGemm::Rows segments), one output row at a time, against
//      weights whose kernel rows are zero-padded to whole groups of 4 bytes: a copy of the input
//      instead of one of kh * kw copies of it (ResNet's 7x7 stem spent 58% of its time in
//      im2col on Zen 5). LABELITE_VNNI_IM2COL=1 in the environment turns step 2' off (A/B).
//   Tasks are spread over the pthreadpool; the buffer (at most 64 KB) bounds the memory. With
//   threads, the chunks are evened out (multiples of 8 rows), and when a layer has fewer than
//   4 chunks per thread (Inception's 17x17 and 8x8 layers: one to four chunks) each chunk's
//   output channels are split into column-block groups too, so both threads get work (each
//   task then builds its own im2col rows: a copy of K bytes per pixel against K x cout MACs).
// Ownership: owns its packed weights. Thread safety: Run is const and may be called
// concurrently on different buffers.
// Usage (the interpreter reaches it through MakeFastConv, fast_conv.h):
//   std::unique_ptr<FastConv> conv = MakeConvVnni(spec);  // nullptr: not handled
//   if (conv != nullptr) conv->Run(input, output, batch, pool);
#ifndef LABELITE_KERNELS_X86_AVX512_CONV_VNNI_H_
#define LABELITE_KERNELS_X86_AVX512_CONV_VNNI_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/fast/fast_conv.h"
#include "kernels/x86/avx512/vnni_gemm.h"

namespace labelite::xnn {

class ConvVnni : public FastConv {
 public:
  void Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const override;
  const char* path() const override { return "vnni"; }

  // Rows [pixel, pixel + count) of image's im2col matrix into `rows` (row_bytes() apart;
  // the narrow variant writes up to 16 bytes past the last row).
  void Im2colNarrow(const uint8_t* image, size_t pixel, size_t count, uint8_t* rows) const;
  void Im2colWide(const uint8_t* image, size_t pixel, size_t count, uint8_t* rows) const;
  // Runs output pixels [pixel, pixel + count) of one image on the calling thread.
  // Output pixels [pixel, pixel + count) of one image, output channels of VnniGemm column
  // blocks [block_begin, block_end).
  void RunChunk(const uint8_t* image, uint8_t* out_image, size_t pixel, size_t count,
                size_t block_begin, size_t block_end) const;
  size_t row_bytes() const { return row_bytes_; }
  size_t chunk_rows() const { return chunk_rows_; }
  size_t blocks() const { return gemm_.blocks(); }
  bool rows_in_place() const { return padded_; }  // step 2' (for tests)

 private:
  friend std::unique_ptr<FastConv> MakeConvVnni(const FastConvSpec& spec);
  ConvGeometry g_;
  VnniGemm gemm_;
  size_t row_bytes_ = 0;          // K rounded up to 4
  size_t chunk_rows_ = 0;         // output pixels per task
  uint8_t pad_byte_ = 0;          // the input zero point as the GEMM reads it
  uint8_t flip_ = 0;              // 0x80 for int8
  bool narrow_ = false;           // window rows of <= 13 bytes, no dilation: Im2colNarrow
  // Rows in place (step 2', im2col_walk.h): padded_gemm_ holds the weights with each kernel
  // row zero-padded to a multiple of 4 bytes; a task copies the input rows it needs, flipped
  // and padded to padded_w_ pixels (zero points around the image), and the tiles read each
  // output pixel's kernel rows there, one output row at a time.
  bool padded_ = false;
  VnniGemm padded_gemm_;
  size_t padded_w_ = 0;
  void RunIm2col(const uint8_t* image, uint8_t* out_image, size_t pixel, size_t count,
                 size_t block_begin, size_t block_end) const;
  // False when the task's padded rows would not fit the buffer (then RunIm2col runs it).
  bool RunPadded(const uint8_t* image, uint8_t* out_image, size_t pixel, size_t count,
                 size_t block_begin, size_t block_end) const;
  std::vector<uint8_t> pad_row_;  // Im2colNarrow: an input row of zero points
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_AVX512_CONV_VNNI_H_
