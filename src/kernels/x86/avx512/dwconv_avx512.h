// DwConvAvx512: quantized depthwise convolution (depth multiplier 1, any KxK up to 16, any
// stride, padding, no dilation) on AVX-512 VNNI + VBMI, bit-identical to XNNPACK 2022's qs8, qc8
// and qu8 depthwise convolutions, without XNNPACK's indirection buffer.
//
// Idea: VPDPBUSD multiplies 4 unsigned bytes by 4 signed bytes per int32 lane and adds them. If
// each lane holds one channel's input from 4 consecutive input rows, one VPDPBUSD applies 4
// vertical taps to 16 channels. Such a stacked vector T[x] (64 bytes: [16 channels][4 rows]) is
// built once and used by every output that covers it: by KW horizontal taps, and by several
// output rows that read the same 4 input rows with their taps shifted down ("phases": for 3x3
// stride 1, output rows y and y+1 both read input rows y-1..y+2, with taps (w0,w1,w2,0) and
// (0,w0,w1,w2)). A 3x3 stride-1 output vector then costs 3 VPDPBUSD and half a stacked vector.
//
// How it computes (steps):
//   1. Pack (once): per phase, per block of 16 channels, per group of 4 stacked rows, per
//      horizontal tap: 64 bytes [channel][row slot] of signed weights, zero where no tap falls.
//      int8 inputs are flipped to unsigned (x ^ 0x80 = x + 128); uint8 weights become w - kzp,
//      which can leave int8: its clamp to int8 goes in the main vectors, the remainder into a
//      short list of extra vectors (only those not all zero: 0-6 per layer in the TF1 uint8
//      MobileNet v2). The bias absorbs the input zero point: b' = b - izp' * sum(w - kzp), so
//      padding (bytes izp) adds exactly 0.
//   2. Run, per task (a set of output rows sharing stacked rows, a range of 64-channel groups),
//      per chunk of output columns, per group (dwconv_avx512_rows.cc):
//      a. Stack: per padded position, 4 row loads of 64 channels, 4 VPERMT2B and 4
//         VPUNPCK[LH]WD give T for 4 blocks, stored to a 32 KB stack buffer. Rows and columns
//         outside the image read the input zero point, so the next step has no bounds checks.
//      b. Multiply: register tiles of up to 8 output pixels x 16 channels (x 2 rows for 3x3
//         stride 1) accumulate int32 with VPDPBUSD over row groups and taps; with the kernel
//         width and stride known at compile time each T vector is loaded once for all its taps.
//      c. Requantize as XNNPACK's "fp32" kernels: float(acc) * scale, clamped above to
//         out_max - zp as a float, rounded to nearest even (VCVTPS2DQ), clamped below to
//         out_min - zp, + zp, narrowed to bytes.
//      3x3 stride 2 skips the buffer: its T vectors serve only 1.5 taps each, so tiles of 4
//      output pixels x 64 channels stack in registers and multiply at once (MultiplyRowS2).
//   Tasks are spread over the pthreadpool by (image, row set) and, when those are few, channels.
// Ownership: the object owns its packed weights. Thread safety: Run is const and may be called
// concurrently on different buffers.
// Usage (the interpreter reaches it through MakeFastConv, fast_conv.h):
//   std::unique_ptr<FastConv> conv = MakeDwConvAvx512(spec);  // nullptr: not handled here
//   if (conv != nullptr) conv->Run(input, output, batch, pool);
#ifndef LABELITE_KERNELS_X86_AVX512_DWCONV_AVX512_H_
#define LABELITE_KERNELS_X86_AVX512_DWCONV_AVX512_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/x86/avx512/dwconv_avx512_rows.h"
#include "kernels/fast/fast_conv.h"

namespace labelite::xnn {

class DwConvAvx512 : public FastConv {
 public:
  // True when the CPU has AVX512F, BW, VL, VNNI and VBMI.
  static bool Supported();
  // Packs a depthwise spec. False when it is not one this kernel handles (depth multiplier,
  // dilation, kernel size, a requantization scale outside XNNPACK's [2^-32, 256), or uint8
  // weights 255 with kernel zero point 0).
  bool Pack(const FastConvSpec& spec);
  void Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const override;
  const char* path() const override { return "avx512"; }
  // One task: output rows [set * phases, (set + 1) * phases) of one image, channel groups
  // (64 channels) [group_begin, group_end).
  void RunSet(const uint8_t* input, uint8_t* output, size_t set, size_t group_begin,
              size_t group_end) const;
  size_t row_sets() const { return (out_h_ + phases_ - 1) / phases_; }
  size_t channel_groups() const { return (blocks_ + 3) / 4; }

 private:
  // Every phase (output row) of one 16-channel block over the stacked rows at a.t; `output` is
  // the image's output at the chunk's first column.
  void MultiplyBlock(size_t block, size_t y0, size_t rows, uint8_t* output,
                     dwconv::RowArgs& a) const;
  // 3x3 stride 2: output row y of channel groups [group_begin, group_end).
  void RunRowS2(const uint8_t* input, uint8_t* output, size_t y, size_t group_begin,
                size_t group_end) const;

  size_t in_h_ = 0, in_w_ = 0, channels_ = 0, out_h_ = 0, out_w_ = 0;
  size_t kernel_h_ = 0, kernel_w_ = 0, stride_h_ = 0, stride_w_ = 0;
  size_t pad_top_ = 0, pad_left_ = 0;
  size_t blocks_ = 0;      // 16-channel blocks
  size_t row_groups_ = 0;  // groups of 4 stacked rows per output row set
  size_t phases_ = 0;      // output rows per row set
  dwconv::RowFn row_fn_ = nullptr;  // SelectRow for the kernel width and stride
  bool is_signed_ = true;
  uint8_t pad_byte_ = 0;   // the input zero point as stored
  int32_t output_zero_point_ = 0;
  int32_t out_lo_ = 0, out_hi_ = 0;  // output_min/max - zero point
  std::vector<uint32_t> group_begin_, group_end_;  // per phase: row groups with taps
  std::vector<int8_t> weights_;   // [phase][block][row group][kw][16][4]
  // uint8 only: the parts of w - kzp beyond int8, per (phase, block) a list of vectors.
  std::vector<int8_t> extra_weights_;  // [extra][16][4]
  std::vector<uint32_t> extra_taps_;   // [extra]: row group * kernel_w + kx
  std::vector<uint32_t> extra_begin_;  // [phase * blocks + block], then the end
  std::vector<int32_t> bias_;     // [blocks * 16]
  std::vector<float> scales_;     // [blocks * 16]
  std::vector<uint8_t> pad_row_;  // 64 bytes of pad_byte_ (padding rows advance by 0)
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_AVX512_DWCONV_AVX512_H_
