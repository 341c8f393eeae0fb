// The frame shared by labelite's direct float32 convolutions (kernels/x86/avx512/
// conv_f32_direct.cc, kernels/x86/avx2/conv_f32_avx2.cc): geometry, clamp, packed weights and
// bias, a zero row, and the row-parallel Run. Each ISA's file derives from DirectConvF32 and
// implements RunRow with its own vectors; nothing here uses SIMD, so one copy serves all levels.
//   1. The rows of the window above and below the image point at a zero row (TFLite pads float
//      convolutions with 0), so no tap of a row needs a bounds check.
//   2. InteriorColumns gives the output columns whose window lies inside the image's columns;
//      the others are the edge path of each kernel (at most a few pixels per side).
// Ownership and thread safety as FastConv (fast_conv.h): the kernel owns its packed weights and
// the zero row; Run is const. Internal to kernels/x86/.
// Denormals: flushed while the kernels run (MXCSR FTZ + DAZ), as XNNPACK runs its operators.
#ifndef LABELITE_KERNELS_X86_DIRECT_CONV_F32_H_
#define LABELITE_KERNELS_X86_DIRECT_CONV_F32_H_

#include <pthreadpool.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/fast/fast_conv.h"
#include "kernels/x86/denormals.h"
#include "runtime/work_pool.h"

namespace labelite::xnn::direct_f32 {

inline size_t RoundUp(size_t n, size_t m) { return (n + m - 1) / m * m; }

inline bool Dilated(const ConvGeometry& g) { return g.dilation_h != 1 || g.dilation_w != 1; }

// The first column ox whose window lies inside [0, in) and the end of that run of columns.
inline void InteriorColumns(const ConvGeometry& g, size_t* begin, size_t* end) {
  size_t ox = 0;
  auto inside = [&](size_t o) {
    const int64_t ix = static_cast<int64_t>(o * g.stride_w) - g.pad_left;
    return ix >= 0 && ix + g.kernel_w <= static_cast<int64_t>(g.in_w);
  };
  while (ox < g.out_w && !inside(ox)) ++ox;
  *begin = ox;
  while (ox < g.out_w && inside(ox)) ++ox;
  *end = ox;
}

class DirectConvF32 : public FastConv {
 public:
  explicit DirectConvF32(const FastConvF32Spec& s)
      : g_(s), min_(s.output_min), max_(s.output_max), zeros_(s.in_w * s.cin + 16, 0.0f) {
    InteriorColumns(g_, &x_begin_, &x_end_);
  }

  // Threads take (output row, group of channels) tasks, about kTasksPerThread per thread: late
  // layers (7x7 or 6x6 outputs, 128-1152 channels) have too few rows to balance two threads,
  // and tasks of one row and 64 channels there cost as much to hand out as to run
  // (EfficientNet-B0's 6x6x672 5x5 layer: 16.7 us on 1 thread, 13-15 on 2).
  void Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const override {
    const size_t rows = batch * g_.out_h;
    const size_t threads = ParallelThreads(pool);
    Context c{this, static_cast<const float*>(input), static_cast<float*>(output), g_.cout};
    if (threads <= 1) {
      const DenormalsFlushed flushed;
      for (size_t r = 0; r < rows; ++r) Task(&c, r, 0, g_.cout);
      return;
    }
    const size_t blocks = (g_.cout + 15) / 16;  // the depthwise blocks of 16 channels
    const size_t want = (kTasksPerThread * threads + rows - 1) / rows;
    const size_t groups = std::clamp<size_t>(want, 1, blocks);
    c.group_channels = (blocks + groups - 1) / groups * 16;
    Parallelize2D(
        pool,
        [](void* p, size_t r, size_t group) {
          const auto* ctx = static_cast<Context*>(p);
          const size_t cout = ctx->self->g_.cout, step = ctx->group_channels;
          const DenormalsFlushed flushed;
          Task(p, r, group * step, std::min(cout, (group + 1) * step));
        },
        &c, rows, (g_.cout + c.group_channels - 1) / c.group_channels, 0);
  }

  // Each task applies f to the pixels of its row and channels once written.
  bool FuseOutputFunction(const FloatOutputFunction& f) override {
    output_function_ = f;
    return true;
  }

 protected:
  static constexpr size_t kTasksPerThread = 8;
  static constexpr size_t kMaxKernel = 7;       // the tallest window (rows of RunRow)

  // Output channels [c_begin, c_end) of one output row; rows[ky] is input row ky of the
  // window (the zero row outside the image).
  virtual void RunRow(const float* const* rows, float* out_row, size_t c_begin,
                      size_t c_end) const = 0;

  // Padding a kernel may skip for all P pixels of a call (fma(0, w, acc) == acc, so the same
  // bits as XNNPACK's zero buffer): a window row that is the zero row, and a window column
  // whose input column ix + p * S lies outside the image for every pixel p.
  bool RowOutside(const float* row) const { return row == zeros_.data(); }
  template <int P, int S>
  bool ColumnOutside(int64_t ix) const {
    for (int p = 0; p < P; ++p)
      if (ix + p * S >= 0 && ix + p * S < static_cast<int64_t>(g_.in_w)) return false;
    return true;
  }

  ConvGeometry g_;
  float min_, max_;
  std::vector<float> zeros_;
  size_t x_begin_ = 0, x_end_ = 0;  // interior columns (InteriorColumns)
  std::vector<float> weights_;       // padded with zero channels, see the factories
  std::vector<float> bias_;
  FloatOutputFunction output_function_;  // FuseOutputFunction

 private:
  struct Context {
    const DirectConvF32* self;
    const float* in;
    float* out;
    size_t group_channels;  // channels per task, a multiple of 16
  };

  // Output row `row` (of all images), channels [c_begin, c_end).
  static void Task(const void* p, size_t row, size_t c_begin, size_t c_end) {
    auto* ctx = static_cast<const Context*>(p);
    const ConvGeometry& g = ctx->self->g_;
    const float* image = ctx->in + row / g.out_h * g.in_h * g.in_w * g.cin;
    const float* rows[kMaxKernel];  // kernel_h <= kMaxKernel (the factories check)
    const int64_t iy0 = static_cast<int64_t>(row % g.out_h * g.stride_h) - g.pad_top;
    for (int64_t ky = 0; ky < static_cast<int64_t>(g.kernel_h); ++ky) {
      const int64_t iy = iy0 + ky;
      rows[ky] = iy >= 0 && iy < static_cast<int64_t>(g.in_h)
                     ? image + static_cast<size_t>(iy) * g.in_w * g.cin
                     : ctx->self->zeros_.data();
    }
    float* out_row = ctx->out + row * g.out_w * g.cout;
    ctx->self->RunRow(rows, out_row, c_begin, c_end);
    if (ctx->self->output_function_)
      ctx->self->output_function_.ApplyToBlock(out_row + c_begin, g.out_w, c_end - c_begin,
                                               g.cout);
  }
};

}  // namespace labelite::xnn::direct_f32

#endif  // LABELITE_KERNELS_X86_DIRECT_CONV_F32_H_
