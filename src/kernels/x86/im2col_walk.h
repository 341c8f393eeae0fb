// The output-pixel walk shared by labelite's quantized im2col convolutions (ConvVnni, ConvAvx2):
// output pixels in order, each kernel row's input row found once per output row. Plain inline
// code, inlined into each ISA's im2col function, which writes the rows:
//   Im2colWalk walk(g, image, pixel);
//   for (size_t p = 0; p < count; ++p, walk.Next()) { ... walk.source(ky), walk.x0() ... }
#ifndef LABELITE_KERNELS_X86_IM2COL_WALK_H_
#define LABELITE_KERNELS_X86_IM2COL_WALK_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/fast/fast_conv.h"

namespace labelite::xnn {

// Rows in place, the alternative to im2col (ConvVnni's step 2', ConvAvx2::RunPadded): a task
// copies the input rows it needs into a buffer padded to RowsInPlaceWidth(g) pixels, and the
// GEMM reads each output pixel's kernel rows there, against weights whose kernel rows are
// zero-padded to whole groups of the dot product. For int8 layers (kernel zero point 0, so the
// padding adds 0) without horizontal dilation, of more than one tap, with output rows of at
// least `min_run` pixels (the GEMM runs one output row at a time).
inline bool RowsInPlaceFit(const FastConvSpec& s, size_t min_run) {
  return s.quant.is_signed && s.quant.kernel_zero_point == 0 && s.dilation_w == 1 &&
         s.kernel_h * s.kernel_w > 1 && s.out_w >= min_run;
}
inline size_t RowsInPlaceWidth(const ConvGeometry& g) {
  return (g.out_w - 1) * g.stride_w + g.kernel_w;
}
// One task's output pixels [pixel, pixel + count) read in place: the padded input rows it
// needs (padded row i of the task is padded row y_first * stride_h + i), each row_values()
// long: left() values of padding, inside() of the image, the rest padding; and the runs along
// its output rows, handed to fn(offset of the run's first window in the task's rows, pixels,
// first output pixel).
class PaddedRows {
 public:
  PaddedRows(const ConvGeometry& g, size_t padded_w, size_t pixel, size_t count)
      : g_(g),
        pixel_(pixel),
        end_(pixel + count),
        y_first_(pixel / g.out_w),
        y_last_((pixel + count - 1) / g.out_w),
        row_values_(padded_w * g.cin),
        left_(std::min<size_t>(g.pad_left, padded_w) * g.cin),
        inside_(std::min(g.in_w * g.cin, row_values_ - left_)) {}
  size_t rows() const {
    return (y_last_ - y_first_) * g_.stride_h + (g_.kernel_h - 1) * g_.dilation_h + 1;
  }
  size_t row_values() const { return row_values_; }
  size_t left() const { return left_; }
  size_t inside() const { return inside_; }
  // The image row that task row i holds, or nullptr for a padding row.
  const uint8_t* source(const uint8_t* image, size_t i) const {
    const ptrdiff_t iy = static_cast<ptrdiff_t>(y_first_ * g_.stride_h + i) -
                         static_cast<ptrdiff_t>(g_.pad_top);
    if (iy < 0 || static_cast<size_t>(iy) >= g_.in_h) return nullptr;
    return image + static_cast<size_t>(iy) * g_.in_w * g_.cin;
  }
  template <typename Fn>
  void ForEachRun(Fn fn) const {
    for (size_t y = y_first_; y <= y_last_; ++y) {
      const size_t first = std::max(pixel_, y * g_.out_w);
      const size_t last = std::min(end_, (y + 1) * g_.out_w);
      const size_t x0 = first - y * g_.out_w;
      fn((y - y_first_) * g_.stride_h * row_values_ + x0 * g_.stride_w * g_.cin, last - first,
         first);
    }
  }

 private:
  const ConvGeometry& g_;
  size_t pixel_, end_, y_first_, y_last_, row_values_, left_, inside_;
};

// The filter [cout][kh][kw * cin] as [cout][kh][span_pad], zero-padded.
inline std::vector<int8_t> PadKernelRows(const FastConvSpec& s, size_t span_pad) {
  const size_t span = size_t{s.kernel_w} * s.cin;
  std::vector<int8_t> padded(s.cout * s.kernel_h * span_pad, 0);
  const auto* w = static_cast<const int8_t*>(s.weights);
  for (size_t row = 0; row < s.cout * s.kernel_h; ++row)
    std::copy_n(w + row * span, span, padded.data() + row * span_pad);
  return padded;
}

// The tallest kernel the walk takes (MakeConvVnni / MakeConvAvx2 leave taller ones to XNNPACK).
constexpr size_t kMaxIm2colKernelRows = 32;

class Im2colWalk {
 public:
  // At output pixel `pixel` of one image of `g` whose input starts at `image`.
  Im2colWalk(const ConvGeometry& g, const uint8_t* image, size_t pixel)
      : g_(g), image_(image), oy_(pixel / g.out_w), ox_(pixel % g.out_w) {
    FindSources();
  }
  // Kernel row ky's input row; nullptr above or below the image.
  const uint8_t* source(size_t ky) const { return sources_[ky]; }
  // The window's first input column (negative in the left padding).
  ptrdiff_t x0() const { return static_cast<ptrdiff_t>(ox_ * g_.stride_w) - g_.pad_left; }
  // True when the whole window lies inside the image's columns (and there is no dilation).
  bool inside_x() const {
    const ptrdiff_t x = x0();
    return g_.dilation_w == 1 && x >= 0 && static_cast<size_t>(x) + g_.kernel_w <= g_.in_w;
  }
  void Next() {
    if (++ox_ < g_.out_w) return;
    ox_ = 0;
    ++oy_;
    FindSources();
  }

 private:
  void FindSources() {
    const size_t in_row = g_.in_w * g_.cin;
    for (size_t ky = 0; ky < g_.kernel_h && ky < kMaxIm2colKernelRows; ++ky) {
      const ptrdiff_t iy = static_cast<ptrdiff_t>(oy_ * g_.stride_h + ky * g_.dilation_h) -
                           static_cast<ptrdiff_t>(g_.pad_top);
      sources_[ky] = iy >= 0 && static_cast<size_t>(iy) < g_.in_h
                         ? image_ + static_cast<size_t>(iy) * in_row
                         : nullptr;
    }
  }

  const ConvGeometry g_;  // a copy: the callers' byte stores may alias their own members
  const uint8_t* image_;
  size_t oy_, ox_;
  const uint8_t* sources_[kMaxIm2colKernelRows];
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_IM2COL_WALK_H_
