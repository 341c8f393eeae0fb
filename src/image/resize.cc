// Bilinear resize with half-pixel centers; crop and letterbox geometry. See image.h for the
// exact sampling convention.
//
// Steps: (1) per output column and row, precompute the two source indices and the 11-bit
// weight of the second one, in exact integer arithmetic; (2) for each output row, filter the
// (at most two) source rows it needs horizontally into int32 buffers, reusing a buffer when
// the next output row needs the same source row; (3) blend the two buffers vertically and
// round. Values stay exact until the single final rounding (max 255 * 2^22 < 2^31).
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "labelite/image.h"

namespace labelite {
namespace {

constexpr int kBits = 11;
constexpr int32_t kOne = 1 << kBits;
constexpr uint64_t kMaxOutputPixels = 1ull << 28;

struct Rect {
  int x, y, w, h;
};

// For out_n outputs over n inputs: first index, second index and weight of the second.
struct Taps {
  std::vector<int32_t> i0, i1, w;
};

Taps MakeTaps(int n, int out_n) {
  Taps t;
  t.i0.resize(out_n);
  t.i1.resize(out_n);
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
    t.i0[o] = static_cast<int32_t>(i);
    t.i1[o] = static_cast<int32_t>(std::min<int64_t>(i + 1, n - 1));
    t.w[o] = w;
  }
  return t;
}

template <int C>
void FilterRow(const uint8_t* src, const Taps& tx, int out_w, int32_t* out) {
  for (int x = 0; x < out_w; ++x) {
    const uint8_t* a = src + tx.i0[x] * C;
    const uint8_t* b = src + tx.i1[x] * C;
    const int32_t w1 = tx.w[x], w0 = kOne - w1;
    for (int c = 0; c < C; ++c) out[x * C + c] = a[c] * w0 + b[c] * w1;
  }
}

void FilterRowAny(int channels, const uint8_t* src, const Taps& tx, int out_w, int32_t* out) {
  switch (channels) {
    case 1: return FilterRow<1>(src, tx, out_w, out);
    case 2: return FilterRow<2>(src, tx, out_w, out);
    case 3: return FilterRow<3>(src, tx, out_w, out);
    default: return FilterRow<4>(src, tx, out_w, out);
  }
}

void BlendRows(const int32_t* r0, const int32_t* r1, int32_t w1, size_t n, uint8_t* out) {
  const int32_t w0 = kOne - w1;
  constexpr int32_t kHalf = 1 << (2 * kBits - 1);
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<uint8_t>((r0[i] * w0 + r1[i] * w1 + kHalf) >> (2 * kBits));
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
  const Taps tx = MakeTaps(from.w, to.w), ty = MakeTaps(from.h, to.h);
  std::vector<int32_t> buffers[2] = {std::vector<int32_t>(row_values), std::vector<int32_t>(row_values)};
  int cached[2] = {-1, -1};  // source row held by each buffer
  auto row = [&](int sy) -> const int32_t* {
    for (int k = 0; k < 2; ++k) {
      if (cached[k] == sy) return buffers[k].data();
    }
    // Evict the buffer holding the smaller row (rows only move downwards).
    int k = cached[0] < cached[1] ? 0 : 1;
    const uint8_t* s = src.pixels.data() + (from.y + sy) * src_stride + static_cast<size_t>(from.x) * c;
    FilterRowAny(c, s, tx, to.w, buffers[k].data());
    cached[k] = sy;
    return buffers[k].data();
  };
  for (int y = 0; y < to.h; ++y) {
    const int32_t* r0 = row(ty.i0[y]);
    const int32_t* r1 = row(ty.i1[y]);
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
