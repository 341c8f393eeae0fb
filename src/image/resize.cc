// Bilinear resize with half-pixel centers; crop and letterbox geometry. See image.h for the
// exact sampling convention.
//
// Steps: (1) per output column and row, precompute the two source indices and the 11-bit
// weight of the second one, in exact integer arithmetic; (2) for each output row, filter the
// (at most two) source rows it needs horizontally into int32 buffers, reusing a buffer when
// the next output row needs the same source row (with SSE2 for 3 and 4 channels, the same
// integers); (3) blend the two buffers vertically and round. Values stay exact until the
// single final rounding (max 255 * 2^22 < 2^31).
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "labelite/image.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace labelite {
namespace {

constexpr int kBits = 11;
constexpr int32_t kOne = 1 << kBits;
constexpr uint64_t kMaxOutputPixels = 1ull << 28;

struct Rect {
  int x, y, w, h;
};

// For out_n outputs over n inputs: the offset (index * channels) of the first input, the
// offset of the second, and the weight of the second.
struct Taps {
  std::vector<int32_t> first, second, w;
};

Taps MakeTaps(int n, int out_n, int channels) {
  Taps t;
  t.first.resize(out_n);
  t.second.resize(out_n);
  t.w.resize(out_n);
  for (int o = 0; o < out_n; ++o) {
    // s = (o + 0.5) * n / out_n - 0.5 = ((2o + 1) n - out_n) / (2 out_n), in units of 2^-kBits.
    int64_t num = (2 * static_cast<int64_t>(o) + 1) * n - out_n;
    int64_t s = num <= 0 ? 0 : (num << kBits) / (2 * static_cast<int64_t>(out_n));
    int64_t i = s >> kBits;
    int32_t w = static_cast<int32_t>(s & (kOne - 1));
    if (i >= n - 1) {
      i = n - 1;
      w = 0;
    }
    t.first[o] = static_cast<int32_t>(i) * channels;
    t.second[o] = static_cast<int32_t>(std::min<int64_t>(i + 1, n - 1)) * channels;
    t.w[o] = w;
  }
  return t;
}

// Output pixels x0.. of a row: out = a * (kOne - w) + b * w, written as a * kOne + (b - a) * w
// (the same integer, one multiply fewer). __restrict: the taps are int32 like `out`, and
// without it the compiler must reload them after every store.
template <int C>
void FilterRow(const uint8_t* __restrict src, const int32_t* __restrict first,
               const int32_t* __restrict second, const int32_t* __restrict weight, int x0,
               int out_w, int32_t* __restrict out) {
  for (int x = x0; x < out_w; ++x) {
    const uint8_t* a = src + first[x];
    const uint8_t* b = src + second[x];
    const int32_t w = weight[x];
    for (int c = 0; c < C; ++c) out[x * C + c] = (a[c] << kBits) + (b[c] - a[c]) * w;
  }
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
// FilterRow for 3 or 4 channels, one pixel per step: the two source pixels interleaved as
// 16-bit pairs (a_c, b_c) and one pmaddwd with (kOne - w, w) give a_c * (kOne - w) + b_c * w,
// exactly FilterRow's integers, for four channels at once. With 3 channels a step reads one
// byte past each source pixel and writes one value past the output pixel (which the next
// step overwrites; `out` has a spare value at the end). Returns how many leading outputs it
// did: those whose 4-byte reads stay within the `avail` bytes from src.
template <int C>
int FilterRowSse2(const uint8_t* src, size_t avail, const int32_t* first, const int32_t* second,
                  const int32_t* weight, int out_w, int32_t* out) {
  static_assert(C == 3 || C == 4);
  int n = out_w;
  while (n > 0 && static_cast<size_t>(second[n - 1]) + 4 > avail) --n;  // taps only grow
  const __m128i zero = _mm_setzero_si128();
  for (int x = 0; x < n; ++x) {
    int32_t a, b;
    std::memcpy(&a, src + first[x], 4);
    std::memcpy(&b, src + second[x], 4);
    const __m128i pairs =
        _mm_unpacklo_epi8(_mm_unpacklo_epi8(_mm_cvtsi32_si128(a), _mm_cvtsi32_si128(b)), zero);
    const __m128i w = _mm_set1_epi32(weight[x] << 16 | (kOne - weight[x]));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + x * C), _mm_madd_epi16(pairs, w));
  }
  return n;
}
#endif

// Filters one source row (src, with `avail` bytes readable from it) into out (row values + 1).
void FilterRowAny(int channels, const uint8_t* src, size_t avail, const Taps& tx, int out_w,
                  int32_t* out) {
  const int32_t *first = tx.first.data(), *second = tx.second.data(), *w = tx.w.data();
#if !((defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__))
  (void)avail;  // only the SSE2 loads need to know how far they may read
#endif
  switch (channels) {
    case 1: return FilterRow<1>(src, first, second, w, 0, out_w, out);
    case 2: return FilterRow<2>(src, first, second, w, 0, out_w, out);
#if (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
    case 3: {
      const int done = FilterRowSse2<3>(src, avail, first, second, w, out_w, out);
      return FilterRow<3>(src, first, second, w, done, out_w, out);
    }
    default: {
      const int done = FilterRowSse2<4>(src, avail, first, second, w, out_w, out);
      return FilterRow<4>(src, first, second, w, done, out_w, out);
    }
#else
    case 3: return FilterRow<3>(src, first, second, w, 0, out_w, out);
    default: return FilterRow<4>(src, first, second, w, 0, out_w, out);
#endif
  }
}

// |r1 - r0| < 2^19 and w <= 2^11, so (r1 - r0) * w and the sum stay below 2^31.
void BlendRows(const int32_t* __restrict r0, const int32_t* __restrict r1, int32_t w, size_t n,
               uint8_t* __restrict out) {
  constexpr int32_t kHalf = 1 << (2 * kBits - 1);
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<uint8_t>(((r0[i] << kBits) + (r1[i] - r0[i]) * w + kHalf) >> (2 * kBits));
  }
}

// Resizes the `from` rectangle of src onto the `to` rectangle of dst.
void ResizeRect(const Image& src, Rect from, Image& dst, Rect to) {
  const int c = src.channels;
  const size_t src_stride = static_cast<size_t>(src.width) * c;
  const size_t dst_stride = static_cast<size_t>(dst.width) * c;
  const size_t row_values = static_cast<size_t>(to.w) * c;
  if (from.w == to.w && from.h == to.h) {  // identity sampling: copy
    for (int y = 0; y < to.h; ++y) {
      std::memcpy(dst.pixels.data() + (to.y + y) * dst_stride + static_cast<size_t>(to.x) * c,
                  src.pixels.data() + (from.y + y) * src_stride + static_cast<size_t>(from.x) * c,
                  row_values);
    }
    return;
  }
  const Taps tx = MakeTaps(from.w, to.w, c), ty = MakeTaps(from.h, to.h, 1);
  std::vector<int32_t> buffers(2 * (row_values + 1));
  int32_t* buffer[2] = {buffers.data(), buffers.data() + row_values + 1};
  int cached[2] = {-1, -1};  // source row held by each buffer
  auto row = [&](int sy) -> const int32_t* {
    for (int k = 0; k < 2; ++k) {
      if (cached[k] == sy) return buffer[k];
    }
    // Evict the buffer holding the smaller row (rows only move downwards).
    int k = cached[0] < cached[1] ? 0 : 1;
    const size_t at = (from.y + sy) * src_stride + static_cast<size_t>(from.x) * c;
    FilterRowAny(c, src.pixels.data() + at, src.pixels.size() - at, tx, to.w, buffer[k]);
    cached[k] = sy;
    return buffer[k];
  };
  for (int y = 0; y < to.h; ++y) {
    const int32_t* r0 = row(ty.first[y]);
    const int32_t* r1 = row(ty.second[y]);
    BlendRows(r0, r1, ty.w[y], row_values,
              dst.pixels.data() + (to.y + y) * dst_stride + static_cast<size_t>(to.x) * c);
  }
}

// round(a * b / d) for positive values.
int64_t RoundDiv(int64_t a, int64_t b, int64_t d) { return (2 * a * b + d) / (2 * d); }

}  // namespace

Result<Image> ResizeImage(const Image& src, int width, int height, ResizeMode mode,
                          const uint8_t pad_color[3]) {
  if (src.channels < 1 || src.channels > 4) {
    return InvalidArgument("resize: image has " + std::to_string(src.channels) +
                           " channels, expected 1 to 4");
  }
  if (src.width < 1 || src.height < 1 ||
      src.pixels.size() != static_cast<size_t>(src.width) * src.height * src.channels) {
    return InvalidArgument("resize: malformed source image " + std::to_string(src.width) + "x" +
                           std::to_string(src.height) + "x" + std::to_string(src.channels) +
                           " with " + std::to_string(src.pixels.size()) + " bytes");
  }
  if (width < 1 || height < 1 ||
      static_cast<uint64_t>(width) * static_cast<uint64_t>(height) > kMaxOutputPixels) {
    return InvalidArgument("resize: invalid output size " + std::to_string(width) + "x" +
                           std::to_string(height));
  }
  Image dst;
  dst.width = width;
  dst.height = height;
  dst.channels = src.channels;
  dst.pixels.resize(static_cast<size_t>(width) * height * src.channels);
  const int64_t sw = src.width, sh = src.height;
  Rect from{0, 0, src.width, src.height}, to{0, 0, width, height};
  if (mode == ResizeMode::kCrop) {
    if (sw * height > width * sh) {  // source is wider: crop columns
      from.w = static_cast<int>(std::clamp<int64_t>(RoundDiv(sh, width, height), 1, sw));
      from.x = (src.width - from.w) / 2;
    } else {
      from.h = static_cast<int>(std::clamp<int64_t>(RoundDiv(sw, height, width), 1, sh));
      from.y = (src.height - from.h) / 2;
    }
  } else if (mode == ResizeMode::kPad) {
    if (width * sh <= height * sw) {  // width limits the scale
      to.h = static_cast<int>(std::clamp<int64_t>(RoundDiv(sh, width, sw), 1, height));
      to.y = (height - to.h) / 2;
    } else {
      to.w = static_cast<int>(std::clamp<int64_t>(RoundDiv(sw, height, sh), 1, width));
      to.x = (width - to.w) / 2;
    }
    uint8_t fill[4] = {0, 0, 0, 255};
    if (pad_color != nullptr) std::memcpy(fill, pad_color, 3);
    for (size_t i = 0; i < dst.pixels.size(); i += dst.channels) {
      std::memcpy(&dst.pixels[i], fill, dst.channels);
    }
  }
  ResizeRect(src, from, dst, to);
  return dst;
}

}  // namespace labelite
