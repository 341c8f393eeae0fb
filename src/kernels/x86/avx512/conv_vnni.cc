#include "kernels/x86/avx512/conv_vnni.h"

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <immintrin.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cstdlib>

#include "kernels/x86/im2col_walk.h"
#include "runtime/work_pool.h"

#define LABELITE_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

namespace labelite::xnn {
namespace {

constexpr size_t kBufferBytes = 64 * 1024;  // the per-task im2col buffer, on the stack
constexpr size_t kMaxChunkRows = 96;        // two of VnniGemm's 48-row chunks
constexpr size_t kMinChunkRows = 8;         // whole 8-row tiles; larger K: XNNPACK runs it
constexpr size_t kMaxNarrowKernel = 16;     // kernel rows of Im2colNarrow
constexpr size_t kMinPaddedRun = 16;        // output row pixels for step 2' (one 16-row tile)

// dst[0, n) = src[0, n) ^ flip (n bytes), in whole 64-byte stores: up to 63 bytes after dst + n
// are overwritten with junk (the im2col buffer's later bytes, written afterwards, or its slack),
// as masked stores cost more. The source is read only where it exists: `end` ends it (a masked
// load for a tail that would cross it, else a plain one).
LABELITE_VNNI inline void CopyFlipOver(uint8_t* dst, const uint8_t* src, size_t n, __m512i flip,
                                       const uint8_t* end) {
  for (; n >= 64; n -= 64, src += 64, dst += 64)
    _mm512_storeu_si512(dst, _mm512_xor_si512(_mm512_loadu_si512(src), flip));
  if (n != 0) {
    const __m512i v = end - src >= 64 ? _mm512_loadu_si512(src)
                                      : _mm512_maskz_loadu_epi8((~0ULL) >> (64 - n), src);
    _mm512_storeu_si512(dst, _mm512_xor_si512(v, flip));
  }
}

// dst[0, n) = value, also in whole 64-byte stores (the same overhang).
LABELITE_VNNI inline void FillOver(uint8_t* dst, size_t n, __m512i value) {
  for (size_t i = 0; i < n; i += 64) _mm512_storeu_si512(dst + i, value);
}

// One narrow window row piece: (16 bytes & keep) ^ flip, a plain load when `plain` (it may read
// up to 16 bytes), else a masked one.
template <bool kPlain>
LABELITE_VNNI inline __m128i Piece(const uint8_t* src, __mmask16 mask, __m128i keep, __m128i flip) {
  const __m128i v = kPlain ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(src))
                           : _mm_maskz_loadu_epi8(mask, src);
  return _mm_ternarylogic_epi32(v, keep, flip, 0x6A);  // (v & keep) ^ flip
}

// Output pixels whose windows lie inside the image's columns: per kernel row, a 16-byte piece.
template <bool kPlain>
LABELITE_VNNI void NarrowInterior(const uint8_t* const* sources, size_t kernel_h, size_t offset,
                                  size_t step, size_t span, size_t count, uint8_t* rows,
                                  size_t row_bytes, __mmask16 mask, __m128i keep, __m128i flip) {
  for (size_t p = 0; p < count; ++p, offset += step, rows += row_bytes)
    for (size_t ky = 0; ky < kernel_h; ++ky)
      _mm_storeu_si128(reinterpret_cast<__m128i*>(rows + ky * span),
                       Piece<kPlain>(sources[ky] + offset, mask, keep, flip));
}

struct RunContext {
  const ConvVnni* conv;
  const uint8_t* input;
  uint8_t* output;
  size_t in_image, out_image;  // bytes per image
  size_t pixels, chunks;       // per image
  size_t chunk_rows;           // output pixels per chunk
  size_t groups;               // column-block groups per chunk
};

// Task (chunk of an image, column-block group).
void RunTask(void* context, size_t task, size_t group) {
  const auto* rc = static_cast<const RunContext*>(context);
  const size_t image = task / rc->chunks;
  const size_t pixel = (task % rc->chunks) * rc->chunk_rows;
  const size_t blocks = rc->conv->blocks();
  rc->conv->RunChunk(rc->input + image * rc->in_image, rc->output + image * rc->out_image, pixel,
                     std::min(rc->chunk_rows, rc->pixels - pixel), group * blocks / rc->groups,
                     (group + 1) * blocks / rc->groups);
}

}  // namespace

// Window rows of at most 13 bytes (small cin, e.g. the 3-channel image): each piece is a
// 16-byte store, zeros after the piece's bytes; the next piece overwrites those zeros, and the
// last one's (at least 3) pad the row to 4 bytes. Works output row by output row: kernel rows
// above or below the image read pad_row_ (input zero points), the columns outside the image
// (the first and last windows of a row) are filled input pixel by input pixel.
LABELITE_VNNI void ConvVnni::Im2colNarrow(const uint8_t* image, size_t pixel, size_t count,
                                          uint8_t* rows) const {
  const ConvGeometry g = g_;  // locals: the byte stores below may alias any member
  const size_t row_bytes = row_bytes_, cin = g.cin, span = g.kernel_w * cin;
  const size_t in_row = g.in_w * cin;
  const __mmask16 span_mask = static_cast<__mmask16>((1u << span) - 1);
  const __mmask16 cin_mask = static_cast<__mmask16>((1u << cin) - 1);
  const __m128i flip = _mm_maskz_set1_epi8(span_mask, static_cast<char>(flip_));
  const __m128i keep = _mm_maskz_set1_epi8(span_mask, static_cast<char>(0xFF));
  const __m128i cin_keep = _mm_maskz_set1_epi8(cin_mask, static_cast<char>(0xFF));
  const __m128i cin_flip = _mm_maskz_set1_epi8(cin_mask, static_cast<char>(flip_));
  const __m128i pad_cin = _mm_maskz_set1_epi8(cin_mask, static_cast<char>(pad_byte_));
  // Interior output columns: 0 <= ox * stride - pad_left and ox * stride - pad_left + kw <= w.
  const size_t pad_left = g.pad_left, stride = g.stride_w, kw = g.kernel_w;
  const size_t lo = std::min(g.out_w, (pad_left + stride - 1) / stride);
  const size_t hi =
      g.in_w + pad_left >= kw ? std::clamp((g.in_w + pad_left - kw) / stride + 1, lo, g.out_w) : lo;
  const uint8_t* sources[kMaxNarrowKernel];  // per kernel row: the input row, or pad_row_
  size_t oy = pixel / g.out_w, ox = pixel % g.out_w;
  while (count > 0) {
    const size_t n_row = std::min(count, g.out_w - ox), end = ox + n_row;
    bool plain = true;  // 16-byte loads stay inside the image (or the padded pad row)
    for (size_t ky = 0; ky < g.kernel_h; ++ky) {
      const ptrdiff_t iy = static_cast<ptrdiff_t>(oy * g.stride_h + ky * g.dilation_h) -
                           static_cast<ptrdiff_t>(g.pad_top);
      const bool valid = iy >= 0 && static_cast<size_t>(iy) < g.in_h;
      sources[ky] = valid ? image + static_cast<size_t>(iy) * in_row : pad_row_.data();
      // A 16-byte load starting in this row ends at most 16 bytes past it: plain loads need
      // that many bytes of later rows (rows narrower than 16 bytes need several).
      plain = plain && (!valid || (g.in_h - 1 - static_cast<size_t>(iy)) * in_row >= 16);
    }
    for (; ox < end; ++ox, rows += row_bytes) {
      if (ox >= lo && ox < hi) {  // the interior run
        const size_t n = std::min(end, hi) - ox;
        const size_t offset = (ox * g.stride_w - g.pad_left) * cin;
        (plain ? NarrowInterior<true> : NarrowInterior<false>)(sources, g.kernel_h, offset,
                                                               g.stride_w * cin, span, n, rows,
                                                               row_bytes, span_mask, keep, flip);
        ox += n - 1;
        rows += (n - 1) * row_bytes;
        continue;
      }
      const ptrdiff_t x0 = static_cast<ptrdiff_t>(ox * g.stride_w) - g.pad_left;
      for (size_t ky = 0; ky < g.kernel_h; ++ky)
        for (size_t kx = 0; kx < g.kernel_w; ++kx) {
          const ptrdiff_t ix = x0 + static_cast<ptrdiff_t>(kx);
          const __m128i v = ix >= 0 && static_cast<size_t>(ix) < g.in_w
                                ? Piece<false>(sources[ky] + static_cast<size_t>(ix) * cin,
                                               cin_mask, cin_keep, cin_flip)
                                : pad_cin;
          _mm_storeu_si128(reinterpret_cast<__m128i*>(rows + ky * span + kx * cin), v);
        }
    }
    count -= n_row;
    ox = 0;
    ++oy;
  }
}

// Per output pixel and kernel row: the whole window row in one copy when it lies inside the
// image (no dilation), else input pixel by input pixel (Im2colWalk finds the kernel rows' input
// rows once per output row). Everything is written in order, each piece's overhang overwritten by
// the next (the last one's lands in the buffer's slack).
LABELITE_VNNI void ConvVnni::Im2colWide(const uint8_t* image, size_t pixel, size_t count,
                                        uint8_t* rows) const {
  const ConvGeometry g = g_;  // locals: the byte stores below may alias any member
  const size_t row_bytes = row_bytes_;
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(flip_));
  const __m512i pad = _mm512_set1_epi8(static_cast<char>(pad_byte_));
  const size_t cin = g.cin, span = g.kernel_w * cin, k = g.kernel_h * span;
  const uint8_t* const end = image + g.in_h * g.in_w * cin;
  Im2colWalk walk(g, image, pixel);
  for (size_t p = 0; p < count; ++p, walk.Next(), rows += row_bytes) {
    const ptrdiff_t x0 = walk.x0();
    const bool inside_x = walk.inside_x();
    uint8_t* dst = rows;
    for (size_t ky = 0; ky < g.kernel_h; ++ky, dst += span) {
      const uint8_t* src = walk.source(ky);
      if (src == nullptr) {
        FillOver(dst, span, pad);
      } else if (inside_x) {
        CopyFlipOver(dst, src + static_cast<size_t>(x0) * cin, span, flip, end);
      } else {
        for (size_t kx = 0; kx < g.kernel_w; ++kx) {
          const ptrdiff_t ix = x0 + static_cast<ptrdiff_t>(kx * g.dilation_w);
          if (ix < 0 || static_cast<size_t>(ix) >= g.in_w)
            FillOver(dst + kx * cin, cin, pad);
          else
            CopyFlipOver(dst + kx * cin, src + static_cast<size_t>(ix) * cin, cin, flip, end);
        }
      }
    }
    if (row_bytes != k) FillOver(rows + k, row_bytes - k, _mm512_setzero_si512());
  }
}

void ConvVnni::RunChunk(const uint8_t* image, uint8_t* out_image, size_t pixel, size_t count,
                        size_t block_begin, size_t block_end) const {
  if (padded_ && RunPadded(image, out_image, pixel, count, block_begin, block_end)) return;
  RunIm2col(image, out_image, pixel, count, block_begin, block_end);
}

LABELITE_VNNI bool ConvVnni::RunPadded(const uint8_t* image, uint8_t* out_image, size_t pixel,
                                       size_t count, size_t block_begin, size_t block_end) const {
  const PaddedRows pr(g_, padded_w_, pixel, count);
  const size_t row_bytes = pr.row_values(), left = pr.left(), inside = pr.inside();
  // + the overhang of the last row's 64-byte stores (and the tiles' reads past a kernel row)
  alignas(64) uint8_t buffer[kBufferBytes + 64];
  if (pr.rows() * row_bytes > kBufferBytes) return false;
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(flip_));
  const __m512i pad = _mm512_set1_epi8(static_cast<char>(pad_byte_));
  const uint8_t* const end = image + g_.in_h * g_.in_w * g_.cin;
  // Rows in order, each piece's overhang overwritten by the next piece or row (or the slack).
  for (size_t i = 0, rows = pr.rows(); i < rows; ++i) {
    uint8_t* dst = buffer + i * row_bytes;
    const uint8_t* src = pr.source(image, i);
    if (src == nullptr) {
      FillOver(dst, row_bytes, pad);
      continue;
    }
    FillOver(dst, left, pad);
    CopyFlipOver(dst + left, src, inside, flip, end);
    FillOver(dst + left + inside, row_bytes - left - inside, pad);
  }
  VnniGemm::Rows r;
  r.a_stride = g_.stride_w * g_.cin;
  r.prepared = true;
  r.segments = g_.kernel_h;
  r.segment_stride = g_.dilation_h * row_bytes;
  r.c_stride = g_.cout;
  pr.ForEachRun([&](size_t offset, size_t pixels, size_t first) {
    r.a = buffer + offset;
    r.rows = pixels;
    r.c = out_image + first * g_.cout;
    padded_gemm_.Run(r, block_begin, block_end);
  });
  return true;
}

void ConvVnni::RunIm2col(const uint8_t* image, uint8_t* out_image, size_t pixel, size_t count,
                         size_t block_begin, size_t block_end) const {
  // + the overhang of the last row's pieces (16 bytes narrow, 63 wide)
  alignas(64) uint8_t buffer[kBufferBytes + 64];
  if (narrow_)
    Im2colNarrow(image, pixel, count, buffer);
  else
    Im2colWide(image, pixel, count, buffer);
  VnniGemm::Rows rows;
  rows.a = buffer;
  rows.a_stride = row_bytes_;
  rows.rows = count;
  rows.prepared = true;
  rows.c = out_image + pixel * g_.cout;
  rows.c_stride = g_.cout;
  gemm_.Run(rows, block_begin, block_end);
}

void ConvVnni::Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const {
  RunContext rc;
  rc.conv = this;
  rc.input = static_cast<const uint8_t*>(input);
  rc.output = static_cast<uint8_t*>(output);
  rc.in_image = g_.in_h * g_.in_w * g_.cin;
  rc.out_image = g_.out_h * g_.out_w * g_.cout;
  rc.pixels = g_.out_h * g_.out_w;
  rc.chunk_rows = chunk_rows_;
  rc.chunks = (rc.pixels + rc.chunk_rows - 1) / rc.chunk_rows;
  rc.groups = 1;
  const size_t threads = ParallelThreads(pool);
  if (threads <= 1) {
    for (size_t t = 0; t < batch * rc.chunks; ++t) RunTask(&rc, t, 0);
    return;
  }
  // Even chunks (289 pixels: 4 x 80 - 31, not 3 x 96 + 1), then column groups when the chunks
  // are too few to keep every thread busy.
  const size_t even = (rc.pixels + rc.chunks - 1) / rc.chunks;
  rc.chunk_rows = std::min(chunk_rows_, (even + kMinChunkRows - 1) / kMinChunkRows * kMinChunkRows);
  rc.chunks = (rc.pixels + rc.chunk_rows - 1) / rc.chunk_rows;
  const size_t tasks = batch * rc.chunks;
  if (tasks < 4 * threads)
    rc.groups = std::min(gemm_.blocks(), (4 * threads + tasks - 1) / tasks);
  Parallelize2D(pool, &RunTask, &rc, tasks, rc.groups, 0);
}

std::unique_ptr<FastConv> MakeConvVnni(const FastConvSpec& s) {
  if (s.depthwise || s.cin == 0 || s.out_h == 0 || s.out_w == 0 || s.kernel_h == 0 ||
      s.kernel_w == 0 || s.stride_h == 0 || s.stride_w == 0 || s.dilation_h == 0 ||
      s.dilation_w == 0 || !VnniGemm::Supported())
    return nullptr;
  const size_t k = size_t{s.kernel_h} * s.kernel_w * s.cin;
  const size_t row_bytes = (k + 3) / 4 * 4;
  if (row_bytes > kBufferBytes / kMinChunkRows || s.kernel_h > kMaxIm2colKernelRows) return nullptr;
  auto conv = std::make_unique<ConvVnni>();
  if (!conv->gemm_.Pack(s.quant, k, s.cout, s.weights, s.bias)) return nullptr;
  conv->g_ = s;
  conv->row_bytes_ = row_bytes;
  conv->chunk_rows_ = std::min(kMaxChunkRows, kBufferBytes / row_bytes);
  if (conv->chunk_rows_ < kMaxChunkRows) conv->chunk_rows_ -= conv->chunk_rows_ % kMinChunkRows;
  conv->flip_ = s.quant.is_signed ? 0x80 : 0;
  conv->narrow_ = s.kernel_w * s.cin <= 13 && s.dilation_w == 1 && s.kernel_h <= kMaxNarrowKernel;
  conv->pad_byte_ = static_cast<uint8_t>(s.quant.input_zero_point) ^ conv->flip_;
  if (conv->narrow_)  // + the 16-byte loads' overhang
    conv->pad_row_.assign(s.in_w * s.cin + 16, static_cast<uint8_t>(s.quant.input_zero_point));
  // Step 2': the weights again, each kernel row zero-padded to span4 bytes.
  const size_t span4 = (size_t{s.kernel_w} * s.cin + 3) / 4 * 4;
  // Narrow rows padded to 4 bytes: up to 1/3 more MACs, which only narrow outputs repay
  // (MobileNet v1's 3x3x3 stem to 8 channels 14.3 -> 12.9 us, v2's to 32 55 -> 58).
  if (RowsInPlaceFit(s, kMinPaddedRun) && (!conv->narrow_ || s.cout <= 16) &&
      std::getenv("LABELITE_VNNI_IM2COL") == nullptr &&
      conv->padded_gemm_.Pack(s.quant, s.kernel_h * span4, s.cout, PadKernelRows(s, span4).data(),
                              s.bias)) {
    conv->padded_ = true;
    conv->padded_w_ = RowsInPlaceWidth(s);
  }
  return conv;
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
