// uint8 / int8 AVERAGE_POOL_2D, one output row at a time, in TFLite's builtin arithmetic (which
// TFLite's own XNNPACK delegate leaves to that builtin kernel too): per output pixel the sum of
// its in-bounds taps, divided by their count n rounding half away from zero, clamped to the fused
// activation's range:
//   avg = acc > 0 ? (acc + n/2) / n : (acc - n/2) / n   (C division, truncating toward zero)
// Steps per output pixel, channels in chunks of kChunk on the stack:
//   1. Sum the taps over whole channel rows: int16 lanes when the window has at most
//      kMaxInt16Taps taps (|sum| <= 255 * 128 < 2^15 for 8-bit values), else int32.
//   2. Divide: floor((|acc| + n/2) / n) is (x * m) >> 32 with m = ceil(2^32 / n) for
//      0 <= x < 256 n and n < 4096 (the error x (m n - 2^32) / (n 2^32) stays below 1/n), a
//      32 x 32 -> 64-bit product that vectorizes where integer division does not; the sign back.
// Both loops are written for the compiler to vectorize; the row is compiled per ISA level
// (kernels/x86/avx2/avg_pool_q8_avx2.cc, x86/avx512/avg_pool_q8_avx512.cc) and once for the
// baseline (kernels/xnnpack/average_pool_2d.cc, which also runs it). Every level computes the
// same integers. Inception v3's 3x3 pool over 7x7x288 int8 at AVX-512: 18.2 us with the
// baseline build in int32 lanes (SSE2 on x86-64), 4 us here (LiteRT's builtin kernel: 46).
#ifndef LABELITE_KERNELS_FAST_AVG_POOL_Q8_H_
#define LABELITE_KERNELS_FAST_AVG_POOL_Q8_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels/common/pooling.h"

namespace labelite::xnn {

namespace avg_pool_internal {

constexpr int32_t kChunk = 512;                // channels summed per pass
constexpr int32_t kMaxInt16Taps = 128;         // windows summed in int16 lanes
constexpr int32_t kMaxReciprocalCount = 4096;  // step 2's exact range

template <typename T, typename Acc>
[[gnu::always_inline]] inline void Divide(const Acc* acc, int32_t cn, int32_t n, int32_t lo,
                                          int32_t hi, T* out) {
  if (n == 1) {  // 1x1 windows (NASNet's strided 1x1 pools): the value itself
    for (int32_t c = 0; c < cn; ++c)
      out[c] = static_cast<T>(std::min(std::max(static_cast<int32_t>(acc[c]), lo), hi));
    return;
  }
  // n >= 2: m <= 2^31 fits 32 bits, so the product is a widening 32 x 32 multiply.
  const auto m = static_cast<uint32_t>(((uint64_t{1} << 32) + static_cast<uint64_t>(n) - 1) /
                                       static_cast<uint64_t>(n));
  const auto half = static_cast<uint32_t>(n / 2);
  for (int32_t c = 0; c < cn; ++c) {
    const int32_t a = acc[c];
    const uint32_t x = static_cast<uint32_t>(a < 0 ? -a : a) + half;
    const auto q = static_cast<int32_t>((static_cast<uint64_t>(x) * m) >> 32);
    const int32_t avg = a < 0 ? -q : q;
    out[c] = static_cast<T>(std::min(std::max(avg, lo), hi));
  }
}

template <typename T, typename Acc>
[[gnu::always_inline]] inline void Row(const common::PoolParams& p, const T* in, T* out,
                                       int32_t b, int32_t oy) {
  const internal::Window2D& w = p.window;
  const int32_t y0 = oy * w.stride_h - w.pad_h;
  const int32_t y_begin = std::max(0, -y0), y_end = std::min(w.filter_h, w.in_h - y0);
  Acc acc[kChunk];
  for (int32_t ox = 0; ox < w.out_w; ++ox) {
    const int32_t x0 = ox * w.stride_w - w.pad_w;
    const int32_t x_begin = std::max(0, -x0), x_end = std::min(w.filter_w, w.in_w - x0);
    const int32_t n = std::max(0, y_end - y_begin) * std::max(0, x_end - x_begin);
    T* o = out + ((static_cast<size_t>(b) * w.out_h + oy) * w.out_w + ox) * p.channels;
    for (int32_t c0 = 0; c0 < p.channels; c0 += kChunk) {
      const int32_t cn = std::min(kChunk, p.channels - c0);
      std::fill(acc, acc + cn, Acc{0});
      for (int32_t fy = y_begin; fy < y_end; ++fy)
        for (int32_t fx = x_begin; fx < x_end; ++fx) {
          const T* row = in +
                         ((static_cast<size_t>(b) * w.in_h + (y0 + fy)) * w.in_w + (x0 + fx)) *
                             p.channels +
                         c0;
          for (int32_t c = 0; c < cn; ++c) acc[c] = static_cast<Acc>(acc[c] + row[c]);
        }
      if (n > 0 && n < kMaxReciprocalCount) {
        Divide(acc, cn, n, p.act_min, p.act_max, o + c0);
        continue;
      }
      for (int32_t c = 0; c < cn; ++c) {  // n == 0 (no tap in the image) or huge windows
        const int32_t a = acc[c];
        int32_t avg = 0;
        if (n > 0) avg = a > 0 ? (a + n / 2) / n : (a - n / 2) / n;
        o[c0 + c] = static_cast<T>(std::min(std::max(avg, p.act_min), p.act_max));
      }
    }
  }
}

// Output row oy of image b; in / out are uint8 (is_signed false) or int8 tensors.
[[gnu::always_inline]] inline void AnyRow(const common::PoolParams& p, bool is_signed,
                                          const void* in, void* out, int32_t b, int32_t oy) {
  const bool narrow = int64_t{p.window.filter_h} * p.window.filter_w <= kMaxInt16Taps;
  if (is_signed) {
    const auto* i = static_cast<const int8_t*>(in);
    auto* o = static_cast<int8_t*>(out);
    if (narrow) return Row<int8_t, int16_t>(p, i, o, b, oy);
    return Row<int8_t, int32_t>(p, i, o, b, oy);
  }
  const auto* i = static_cast<const uint8_t*>(in);
  auto* o = static_cast<uint8_t*>(out);
  if (narrow) return Row<uint8_t, int16_t>(p, i, o, b, oy);
  return Row<uint8_t, int32_t>(p, i, o, b, oy);
}

}  // namespace avg_pool_internal

using AvgPoolRowQ8Fn = void (*)(const common::PoolParams& p, bool is_signed, const void* in,
                                void* out, int32_t b, int32_t oy);
void AvgPoolRowQ8Baseline(const common::PoolParams& p, bool is_signed, const void* in, void* out,
                          int32_t b, int32_t oy);
#if defined(__x86_64__)
void AvgPoolRowQ8Avx2(const common::PoolParams& p, bool is_signed, const void* in, void* out,
                      int32_t b, int32_t oy);
void AvgPoolRowQ8Avx512(const common::PoolParams& p, bool is_signed, const void* in, void* out,
                        int32_t b, int32_t oy);
#endif
// The row of the best level ActiveIsa() allows.
AvgPoolRowQ8Fn SelectAvgPoolRowQ8();

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_AVG_POOL_Q8_H_
