// ConvAvx2: any quantized CONV_2D (1x1 and KxK, strides, dilations, paddings; qs8, qc8, qu8)
// on AVX2, bit-identical to XNNPACK 2022's convolution operators. The arithmetic is Avx2Gemm's
// (gemm_avx2.h); this file feeds it rows.
//
// How it computes (steps):
//   1. Pack (once): the filter [cout][kh][kw][cin] is a [cout][K] matrix, K = kh * kw * cin.
//   2. Run:
//      - 1x1, stride 1, no padding ("direct"): the input's own pixel rows, converted to int16
//        by Avx2Gemm::Run. Threads split the rows when there are at least as many pixels as
//        output channels, else the column blocks (each thread streams its share of the
//        weights: the 7x7 layers and the logits of a classifier).
//      - otherwise, per task (a chunk of up to 96 output pixels of one image): im2col into a
//        stack buffer of int16 a - a_zp rows, positions outside the image 0 (XNNPACK reads its
//        zero buffer of input zero points there: (zp - zp) * w = 0 too), then the GEMM.
// Ownership: owns its packed weights. Thread safety: Run is const and may be called
// concurrently on different buffers.
// Usage (the interpreter reaches it through MakeFastConv, fast_conv.h):
//   std::unique_ptr<FastConv> conv = MakeConvAvx2(spec);  // nullptr: not handled
//   if (conv != nullptr) conv->Run(input, output, batch, pool);
#ifndef LABELITE_KERNELS_X86_AVX2_CONV_AVX2_H_
#define LABELITE_KERNELS_X86_AVX2_CONV_AVX2_H_

#include <cstddef>
#include <cstdint>

#include "kernels/fast/fast_conv.h"
#include "kernels/x86/avx2/gemm_avx2.h"

namespace labelite::xnn {

class ConvAvx2 : public FastConv {
 public:
  void Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const override;
  const char* path() const override {
    return gemm_.dot() == Avx2Dot::kMaddwd ? "avx2" : "avx2 vnni";
  }

  // Direct: output rows [begin, end) of all pixels, column blocks [block_begin, block_end).
  void RunRows(const uint8_t* input, uint8_t* output, size_t begin, size_t end,
               size_t block_begin, size_t block_end) const;
  // im2col: output pixels [pixel, pixel + count) of one image, column blocks
  // [block_begin, block_end).
  void RunChunk(const uint8_t* image, uint8_t* out_image, size_t pixel, size_t count,
                size_t block_begin, size_t block_end) const;
  size_t chunk_rows() const { return chunk_rows_; }
  const Avx2Gemm& gemm() const { return gemm_; }
  bool rows_in_place() const { return padded_; }  // RunPadded (for tests)

 private:
  friend std::unique_ptr<FastConv> MakeConvAvx2(const FastConvSpec& spec);
  template <typename T>  // int16_t (VPMADDWD) or uint8_t (VNNI bytes)
  void Im2col(const uint8_t* image, size_t pixel, size_t count, T* rows) const;
  void RunDirect(const uint8_t* input, uint8_t* output, size_t pixels, pthreadpool_t pool) const;

  // Rows in place (im2col_walk.h; output rows of at least 16 pixels): a task copies the input
  // rows it needs, converted as im2col would (int16 a - a_zp, or VNNI bytes) and padded to
  // padded_w_ pixels (the padding value around the image), and the tiles read each output
  // pixel's kernel rows there (Avx2Gemm::Segments), one output row at a time, against
  // padded_gemm_: the weights with each kernel row zero-padded to whole pairs (VPMADDWD) or
  // quads (VNNI bytes), in RunChunk's buffer `storage`. False when the rows would not fit it.
  // LABELITE_AVX2_IM2COL=1 in the environment turns it off (A/B comparisons).
  template <typename T>
  bool RunPadded(const uint8_t* image, uint8_t* out_image, size_t pixel, size_t count,
                 size_t block_begin, size_t block_end, int16_t* storage) const;

  ConvGeometry g_;
  Avx2Gemm gemm_;
  bool direct_ = false;
  size_t chunk_rows_ = 0;  // im2col: output pixels per task
  bool padded_ = false;
  Avx2Gemm padded_gemm_;
  size_t padded_w_ = 0;
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_AVX2_CONV_AVX2_H_
