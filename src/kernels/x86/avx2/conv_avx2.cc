#include "kernels/x86/avx2/conv_avx2.h"

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <pthreadpool.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "kernels/x86/im2col_walk.h"
#include "runtime/work_pool.h"

namespace labelite::xnn {
namespace {

constexpr size_t kBufferValues = 32768;  // the per-task im2col buffer: 64 KB of int16
constexpr size_t kMaxChunkRows = 96;
constexpr size_t kMinPaddedRun = 16;  // output row pixels for rows in place (RunPadded)
constexpr size_t kMinRowsPerPart = 24;  // direct: smaller row ranges waste most of a tile

struct DirectContext {
  const ConvAvx2* conv;
  const uint8_t* input;
  uint8_t* output;
  size_t pixels, row_parts, column_groups;
};

// Task (i, j): row range i of row_parts, column-block range j of column_groups.
void DirectTask(void* context, size_t i, size_t j) {
  const auto* dc = static_cast<const DirectContext*>(context);
  const size_t blocks = dc->conv->gemm().blocks();
  dc->conv->RunRows(dc->input, dc->output, i * dc->pixels / dc->row_parts,
                    (i + 1) * dc->pixels / dc->row_parts, j * blocks / dc->column_groups,
                    (j + 1) * blocks / dc->column_groups);
}
// The grid transposed: pthreadpool gives each thread a contiguous range of the first index.
void DirectTaskByColumns(void* context, size_t j, size_t i) { DirectTask(context, i, j); }

struct ChunkContext {
  const ConvAvx2* conv;
  const uint8_t* input;
  uint8_t* output;
  size_t in_image, out_image;  // bytes per image
  size_t pixels, chunks;       // per image
  size_t chunk_rows;           // output pixels per chunk
  size_t groups;               // column-block groups per chunk
};

// Task (chunk of an image, column-block group).
void ChunkTask(void* context, size_t task, size_t group) {
  const auto* cc = static_cast<const ChunkContext*>(context);
  const size_t image = task / cc->chunks;
  const size_t pixel = (task % cc->chunks) * cc->chunk_rows;
  const size_t blocks = cc->conv->gemm().blocks();
  cc->conv->RunChunk(cc->input + image * cc->in_image, cc->output + image * cc->out_image, pixel,
                     std::min(cc->chunk_rows, cc->pixels - pixel), group * blocks / cc->groups,
                     (group + 1) * blocks / cc->groups);
}

}  // namespace

void ConvAvx2::RunRows(const uint8_t* input, uint8_t* output, size_t begin, size_t end,
                       size_t block_begin, size_t block_end) const {
  gemm_.Run(input + begin * g_.cin, g_.cin, end - begin, output + begin * g_.cout, g_.cout,
            block_begin, block_end);
}

// Row split when the input outweighs the weights (up to 4 ranges per thread, a multiple of the
// thread count, at least kMinRowsPerPart rows each); else column-block groups, 4 per thread:
// every task converts its rows (and sums them for uint8 weights) again, so one task per block
// of 16 columns spent more on that than on its products (MobileNet v2 uint8's 14x14x96 -> 576
// under AVX-VNNI: 49 us on 1 thread, 45 on 2).
void ConvAvx2::RunDirect(const uint8_t* input, uint8_t* output, size_t pixels,
                         pthreadpool_t pool) const {
  const size_t threads = ParallelThreads(pool);
  DirectContext dc{this, input, output, pixels, 1, 1};
  if (threads <= 1) return DirectTask(&dc, 0, 0);
  if (pixels >= gemm_.n() || gemm_.blocks() == 1) {
    dc.row_parts = std::min(4 * threads, std::max<size_t>(1, pixels / kMinRowsPerPart));
    if (dc.row_parts >= threads) dc.row_parts -= dc.row_parts % threads;
    if (dc.row_parts == 1) return DirectTask(&dc, 0, 0);
    Parallelize2D(pool, &DirectTask, &dc, dc.row_parts, 1, 0);
    return;
  }
  dc.column_groups = std::min(gemm_.blocks(), 4 * threads);
  dc.row_parts = std::clamp<size_t>(pixels / kMinRowsPerPart, 1, threads);
  Parallelize2D(pool, &DirectTaskByColumns, &dc, dc.column_groups, dc.row_parts, 0);
}

// Per output pixel and kernel row: the window row converted in one piece when it lies inside
// the image (no dilation; rows in 16-byte pieces whose stores may run up to 15 values past
// the span, overwritten by the next piece or landing in the buffer's slack, when every piece's
// 16 bytes are readable), else input pixel by input pixel; outside the image the value of an
// input zero point (int16: 0, VNNI bytes: pad_byte()); past k, 0. Im2colWalk finds the kernel
// rows' input rows once per output row.
template <typename T>
LABELITE_AVX2 void ConvAvx2::Im2col(const uint8_t* image, size_t pixel, size_t count, T* rows) const {
  constexpr bool kInt16 = std::is_same_v<T, int16_t>;
  const ConvGeometry g = g_;  // locals: the stores below may alias the members (VNNI bytes)
  const size_t cin = g.cin, span = g.kernel_w * cin, k = gemm_.k();
  const size_t stride = kInt16 ? gemm_.k_even() : gemm_.k_quad();
  const T pad = kInt16 ? T{0} : static_cast<T>(gemm_.pad_byte());
  auto convert = [&](const uint8_t* src, size_t n, T* dst) {
    if constexpr (kInt16) {
      gemm_.Convert(src, n, dst);
    } else {
      gemm_.ConvertBytes(src, n, dst);
    }
  };
  const uint8_t* const image_end = image + g.in_h * g.in_w * cin;
  const size_t pieces_end = (span + 15) / 16 * 16;  // bytes the 16-byte pieces read
  Im2colWalk walk(g, image, pixel);
  for (size_t p = 0; p < count; ++p, walk.Next(), rows += stride) {
    const ptrdiff_t x0 = walk.x0();
    const bool inside_x = walk.inside_x();
    T* dst = rows;
    for (size_t ky = 0; ky < g.kernel_h; ++ky, dst += span) {
      const uint8_t* src = walk.source(ky);
      if (src == nullptr) {
        std::fill_n(dst, span, pad);
        continue;
      }
      if (inside_x) {
        const uint8_t* first = src + static_cast<size_t>(x0) * cin;
        if (static_cast<size_t>(image_end - first) >= pieces_end) {
          for (size_t i = 0; i < span; i += 16) {
            if constexpr (kInt16) {
              gemm_.Convert16(first + i, dst + i);
            } else {
              gemm_.ConvertBytes16(first + i, dst + i);
            }
          }
          continue;
        }
        convert(first, span, dst);
        continue;
      }
      for (size_t kx = 0; kx < g.kernel_w; ++kx) {
        const ptrdiff_t ix = x0 + static_cast<ptrdiff_t>(kx * g.dilation_w);
        if (ix < 0 || static_cast<size_t>(ix) >= g.in_w)
          std::fill_n(dst + kx * cin, cin, pad);
        else
          convert(src + static_cast<size_t>(ix) * cin, cin, dst + kx * cin);
      }
    }
    std::fill(rows + k, rows + stride, T{0});
  }
}

template <typename T>
LABELITE_AVX2 bool ConvAvx2::RunPadded(const uint8_t* image, uint8_t* out_image, size_t pixel,
                                       size_t count, size_t block_begin, size_t block_end,
                                       int16_t* storage) const {
  constexpr bool kInt16 = std::is_same_v<T, int16_t>;
  const PaddedRows pr(g_, padded_w_, pixel, count);
  const size_t row = pr.row_values(), left = pr.left(), inside = pr.inside();
  // + the tiles' reads past the last kernel row (up to 3 values)
  if (pr.rows() * row * sizeof(T) > kBufferValues * sizeof(int16_t)) return false;
  T* const buffer = reinterpret_cast<T*>(storage);
  const T pad = kInt16 ? T{0} : static_cast<T>(gemm_.pad_byte());
  for (size_t i = 0, rows = pr.rows(); i < rows; ++i) {
    T* dst = buffer + i * row;
    const uint8_t* src = pr.source(image, i);
    if (src == nullptr) {
      std::fill_n(dst, row, pad);
      continue;
    }
    std::fill_n(dst, left, pad);
    if constexpr (kInt16) {
      gemm_.Convert(src, inside, dst + left);
    } else {
      gemm_.ConvertBytes(src, inside, dst + left);
    }
    std::fill(dst + left + inside, dst + row, pad);
  }
  std::fill_n(buffer + pr.rows() * row, 4, T{0});  // what the last pixel's last group reads past
  const Avx2Gemm::Segments seg{g_.kernel_h, g_.dilation_h * row};
  const size_t a_stride = g_.stride_w * g_.cin;
  pr.ForEachRun([&](size_t offset, size_t pixels, size_t first) {
    uint8_t* c = out_image + first * g_.cout;
    if constexpr (kInt16) {
      padded_gemm_.RunPrepared(buffer + offset, a_stride, pixels, c, g_.cout, block_begin,
                               block_end, seg);
    } else {
      padded_gemm_.RunPreparedBytes(buffer + offset, a_stride, pixels, c, g_.cout, block_begin,
                                    block_end, seg);
    }
  });
  return true;
}

void ConvAvx2::RunChunk(const uint8_t* image, uint8_t* out_image, size_t pixel, size_t count,
                        size_t block_begin, size_t block_end) const {
  // The im2col rows, or the padded rows of RunPadded; + the 16-byte pieces' overhang (and the
  // tiles' reads past a padded kernel row)
  alignas(32) int16_t buffer[kBufferValues + 16];
  if (padded_) {
    const bool done =
        gemm_.dot() == Avx2Dot::kMaddwd
            ? RunPadded<int16_t>(image, out_image, pixel, count, block_begin, block_end, buffer)
            : RunPadded<uint8_t>(image, out_image, pixel, count, block_begin, block_end, buffer);
    if (done) return;
  }
  if (gemm_.dot() != Avx2Dot::kMaddwd) {
    auto* bytes = reinterpret_cast<uint8_t*>(buffer);
    Im2col(image, pixel, count, bytes);
    gemm_.RunPreparedBytes(bytes, gemm_.k_quad(), count, out_image + pixel * g_.cout, g_.cout,
                           block_begin, block_end);
    return;
  }
  Im2col(image, pixel, count, buffer);
  gemm_.RunPrepared(buffer, gemm_.k_even(), count, out_image + pixel * g_.cout, g_.cout,
                    block_begin, block_end);
}

void ConvAvx2::Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const {
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  if (direct_) return RunDirect(in, out, batch * g_.in_h * g_.in_w, pool);
  ChunkContext cc{this, in, out, g_.in_h * g_.in_w * g_.cin, g_.out_h * g_.out_w * g_.cout,
                  g_.out_h * g_.out_w, 0, chunk_rows_, 1};
  cc.chunks = (cc.pixels + chunk_rows_ - 1) / chunk_rows_;
  const size_t threads = ParallelThreads(pool);
  if (threads <= 1) {
    for (size_t t = 0; t < batch * cc.chunks; ++t) ChunkTask(&cc, t, 0);
    return;
  }
  // Even chunks of whole tiles, then column groups when the chunks are too few to keep every
  // thread busy (as ConvVnni::Run).
  const size_t even = (cc.pixels + cc.chunks - 1) / cc.chunks;
  const size_t tile = Avx2Gemm::kTileRows;
  if (chunk_rows_ > tile) cc.chunk_rows = std::min(chunk_rows_, (even + tile - 1) / tile * tile);
  cc.chunks = (cc.pixels + cc.chunk_rows - 1) / cc.chunk_rows;
  const size_t tasks = batch * cc.chunks;
  if (tasks < 4 * threads) cc.groups = std::min(gemm_.blocks(), (4 * threads + tasks - 1) / tasks);
  Parallelize2D(pool, &ChunkTask, &cc, tasks, cc.groups, 0);
}

std::unique_ptr<FastConv> MakeConvAvx2(const FastConvSpec& s) {
  if (s.depthwise || s.cin == 0 || s.out_h == 0 || s.out_w == 0 || s.kernel_h == 0 ||
      s.kernel_w == 0 || s.stride_h == 0 || s.stride_w == 0 || s.dilation_h == 0 ||
      s.dilation_w == 0 || !Avx2Gemm::Supported())
    return nullptr;
  const size_t k = size_t{s.kernel_h} * s.kernel_w * s.cin;
  if ((k + 1) / 2 * 2 > kBufferValues / Avx2Gemm::kTileRows || s.kernel_h > kMaxIm2colKernelRows)
    return nullptr;  // XNNPACK runs it
  auto conv = std::make_unique<ConvAvx2>();
  if (!conv->gemm_.Pack(s.quant, k, s.cout, s.weights, s.bias)) return nullptr;
  conv->g_ = s;
  conv->direct_ = s.kernel_h == 1 && s.kernel_w == 1 && s.stride_h == 1 && s.stride_w == 1 &&
                  s.pad_top == 0 && s.pad_left == 0 && s.pad_bottom == 0 && s.pad_right == 0 &&
                  s.in_h == s.out_h && s.in_w == s.out_w;
  size_t chunk = conv->gemm_.dot() == Avx2Dot::kMaddwd
                     ? std::min(kMaxChunkRows, kBufferValues / conv->gemm_.k_even())
                     : std::min(kMaxChunkRows, 2 * kBufferValues / conv->gemm_.k_quad());
  if (chunk > Avx2Gemm::kTileRows) chunk -= chunk % Avx2Gemm::kTileRows;
  conv->chunk_rows_ = chunk;
  // Rows in place: the weights again, each kernel row zero-padded to whole pairs (quads).
  const size_t group = conv->gemm_.dot() == Avx2Dot::kMaddwd ? 2 : 4;
  const size_t span_pad = (size_t{s.kernel_w} * s.cin + group - 1) / group * group;
  if (!conv->direct_ && RowsInPlaceFit(s, kMinPaddedRun) &&
      std::getenv("LABELITE_AVX2_IM2COL") == nullptr &&
      conv->padded_gemm_.Pack(s.quant, s.kernel_h * span_pad, s.cout,
                              PadKernelRows(s, span_pad).data(), s.bias)) {
    conv->padded_ = true;
    conv->padded_w_ = RowsInPlaceWidth(s);
  }
  return conv;
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
