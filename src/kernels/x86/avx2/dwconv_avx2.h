// DwConvAvx2: quantized depthwise convolution (depth multiplier 1, KxK up to 7x7, any stride
// and padding, no dilation; qs8, qc8, qu8) on AVX2, bit-identical to XNNPACK 2022's depthwise
// operators.
//
// How it computes (steps):
//   1. Pack (once): per tap, per channel (padded to blocks of 16), one int32 lane holding
//      w - w_zp in its low 16 bits and 0 in the high ones; the bias absorbs the input zero
//      point, b' = b - a_zp * sum(w - w_zp) (wrapping like XNNPACK's), so that positions
//      outside the image, read from a row of input zero points, add exactly 0.
//   2. Run, per task (one output row of one image, a range of 64-channel groups), per tile of up
//      to 4 output pixels, per block of 16 channels (so the tile's input lines serve every
//      block while they are in L1): per tap, VPMOVZXBD / VPMOVSXBD load 8
//      input bytes into int32 lanes, VPMADDWD against the tap's weight lanes gives the exact
//      products (the weight lane's high half is 0, whatever the input's is), VPADDD
//      accumulates. Interior pixels address their taps by arithmetic. A window that leaves the
//      image runs only its taps inside it: the zero-point taps it skips would add
//      a_zp * (w - w_zp) each, so its bias is b' plus a_zp times the skipped weights' sum,
//      precomputed per clipping class (the kernel rows that fall inside for the output row,
//      times the kernel columns for the output column), which gives the same int32 sums
//      (small images under 5x5 kernels, EfficientNet's, skip up to 64% of the taps).
//   3. Requantize as XNNPACK's "fp32" kernels (requant_avx2.h), two pixels per pack.
// 3x3 windows with stride 1 or 2 over a multiple of 8 channels (MobileNet's) take a row kernel
// with fewer instructions per output instead (dwconv3x3_avx2.cc).
// Ownership: owns its packed weights. Thread safety: Run is const and may be called
// concurrently on different buffers.
// Usage (the interpreter reaches it through MakeFastConv, fast_conv.h):
//   std::unique_ptr<FastConv> conv = MakeDwConvAvx2(spec);  // nullptr: not handled here
//   if (conv != nullptr) conv->Run(input, output, batch, pool);
#ifndef LABELITE_KERNELS_X86_AVX2_DWCONV_AVX2_H_
#define LABELITE_KERNELS_X86_AVX2_DWCONV_AVX2_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "kernels/fast/fast_conv.h"

namespace labelite::xnn {

class DwConvAvx2 : public FastConv {
 public:
  static constexpr size_t kMaxKernel = 7;

  // False when the spec is not one this kernel handles (see above) or a requantization scale
  // is outside XNNPACK's range [2^-32, 256).
  bool Pack(const FastConvSpec& spec);
  void Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const override;
  const char* path() const override { return "avx2"; }
  // Output row y of one image, 16-channel blocks [block_begin, block_end).
  void RunRow(const uint8_t* image, uint8_t* out_image, size_t y, size_t block_begin,
              size_t block_end) const;
  size_t blocks() const { return (channels_ + 15) / 16; }
  bool rows3x3() const { return !weights3_.empty(); }
  size_t out_h() const { return out_h_; }
  size_t in_image() const { return in_h_ * in_w_ * channels_; }
  size_t out_image() const { return out_h_ * out_w_ * channels_; }

 private:
  // dwconv3x3_avx2.cc: the 3x3 stride 1/2 row kernel for channels % 8 == 0 (false: not used).
  bool PackRows3x3();
  void PackClasses(const FastConvSpec& spec);
  void RunRow3x3(const uint8_t* const* rows, uint8_t* out_row, size_t block_begin,
                 size_t block_end) const;

  size_t in_h_ = 0, in_w_ = 0, channels_ = 0, out_h_ = 0, out_w_ = 0;
  size_t kernel_h_ = 0, kernel_w_ = 0, stride_h_ = 0, stride_w_ = 0;
  size_t pad_top_ = 0, pad_left_ = 0;
  size_t x_lo_ = 0, x_hi_ = 0;  // output columns whose windows lie inside the image's columns
  int32_t output_zero_point_ = 0, output_min_ = 0, output_max_ = 0;
  bool is_signed_ = true;
  std::vector<int32_t> weights_;  // [tap][blocks * 16]
  std::vector<int32_t> bias_;     // [blocks * 16]
  std::vector<float> scales_;     // [blocks * 16]
  std::vector<uint8_t> pad_row_;  // in_w * channels + 16 input zero points
  // Clipping classes: the valid kernel rows [first, second) of output row y are
  // row_range_[row_class_[y]], the valid kernel columns of output column x
  // col_range_[col_class_[x]]; class_bias_[(row class * columns classes + column class) *
  // blocks * 16 + channel] is the bias of that window (bias_ for the whole window).
  std::vector<std::pair<uint8_t, uint8_t>> row_range_, col_range_;
  std::vector<uint16_t> row_class_, col_class_;
  std::vector<int32_t> class_bias_;
  std::vector<int16_t> weights3_;  // PackRows3x3's layout, or empty
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_AVX2_DWCONV_AVX2_H_
