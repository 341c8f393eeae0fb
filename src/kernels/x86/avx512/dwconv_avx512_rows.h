// Internal to DwConvAvx512 (dwconv_avx512.h): the AVX-512 row functions its driver calls, so
// that only dwconv_avx512_rows.cc is compiled for AVX-512.
#ifndef LABELITE_KERNELS_X86_AVX512_DWCONV_AVX512_ROWS_H_
#define LABELITE_KERNELS_X86_AVX512_DWCONV_AVX512_ROWS_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace labelite::xnn::dwconv {

constexpr size_t kMaxKernel = 16;
constexpr size_t kMaxStackedRows = 4 * ((kMaxKernel + 3) / 4);
constexpr size_t kGroupChannels = 64;  // channels stacked together: 4 blocks of 16

// Stacking of one group of up to 64 channels over positions [p0, p1) of the padded row: for
// every group of 4 input rows and position, one 64-byte T vector per block of 16 channels,
// [channel][row], int8 flipped to unsigned; padding positions get the stacked padding byte.
struct StackArgs {
  std::array<const uint8_t*, kMaxStackedRows> rows;  // pixel 0, channel c0 of each input row
  std::array<size_t, kMaxStackedRows> steps;         // bytes per pixel; 0 for padding rows
  size_t groups;                  // groups of 4 rows
  size_t p0, p1, x_begin, x_end;  // positions; [x_begin, x_end) lie inside the image
  size_t pad_left;
  size_t blocks;                  // valid blocks of 16 channels (1-4)
  uint64_t mask;                  // valid channels of the 64
  uint8_t pad, flip;              // stacked padding byte; 0x80 for int8 inputs
  uint8_t* t;                     // [block][group][position - p0][64], 64-byte aligned
  size_t t_group, t_block;        // bytes between groups, between blocks
};
void StackRows(const StackArgs& s);

// One output row of one phase and one 16-channel block: multiply-accumulate the stacked rows,
// requantize, store.
struct RowArgs {
  const uint8_t* t;       // stacked rows of the row's first pixel (group 0, tap 0)
  size_t t_pixel;         // bytes between consecutive output pixels' T (stride_w * 64)
  size_t t_group;         // bytes between row groups
  const int8_t* w;        // [group][kw][64] of this phase and block
  size_t group_begin, group_end, kw;
  const int8_t* extra_w;  // [extras][64]: uint8 remainders (usually none)
  const uint32_t* extra_taps;  // [extras]: row group * kw + kx
  size_t extras;
  const int32_t* bias;    // 16 corrected biases of the block
  const float* scale;     // 16 requantization scales
  uint8_t* out;           // first output pixel, first channel of the block
  size_t out_pixel;       // bytes between output pixels
  size_t pixels;
  uint16_t mask;          // valid channels of the block
  int32_t zero_point, lo;  // lo = output_min - zero point
  float hi;                // output_max - zero point
  // MultiplyRowPair only: the second output row's weights, extras and output.
  const int8_t* w1;
  const int8_t* extra_w1;
  const uint32_t* extra_taps1;
  size_t extras1;
  uint8_t* out1;
};
using RowFn = void (*)(const RowArgs&);

// The row function for a kernel width and stride: specialized for 3 and 5 wide kernels at
// stride 1 and 2 (each T vector loaded once for all its taps), else generic.
RowFn SelectRow(size_t kernel_w, size_t stride_w);

// 3 wide, stride 1, one group of stacked rows: both output rows of a row set at once (taps
// (w0, w1, w2, 0) and (0, w0, w1, w2) of the same stacked rows).
void MultiplyRowPair(const RowArgs& a);

// 3x3 stride 2: one output row of one group of up to 64 channels, stacking in registers (the
// stacked rows of a stride-2 row serve about 1.5 taps each, too few to pay for a store and a
// load): per input position, 3 row loads, VPERMT2B and VPUNPCK[LH]WD give T for 4 blocks, which
// go straight into the accumulators of the output pixels that read them.
struct RowS2Args {
  std::array<const uint8_t*, 3> rows;  // input rows 2y - pad_top + 0..2: pixel 0, channel c0
  std::array<size_t, 3> steps;         // bytes per pixel; 0 for padding rows
  const uint8_t* pad;                  // 64 bytes of the input zero point (padding columns)
  size_t in_w, pad_left, out_w, channel_stride;
  size_t blocks;                       // valid blocks of 16 channels (1-4)
  uint64_t mask;                       // valid channels of the 64
  uint8_t flip;                        // 0x80 for int8 inputs
  const int8_t* w;                     // [block][kx][64], row slots 0-2
  const int32_t* bias;                 // [64]
  const float* scale;                  // [64]
  std::array<const int8_t*, 4> extra_w;        // per block, as in RowArgs
  std::array<const uint32_t*, 4> extra_taps;   // kx of each extra vector
  std::array<size_t, 4> extras;
  uint8_t* out;                        // output row, channel c0
  int32_t zero_point, lo;
  float hi;
};
void MultiplyRowS2(const RowS2Args& a);

}  // namespace labelite::xnn::dwconv

#endif  // LABELITE_KERNELS_X86_AVX512_DWCONV_AVX512_ROWS_H_
