// Two float32 convolutions that Debian's XNNPACK (2022) runs slowly on MobileNet-style models,
// computed directly (no indirection buffer, no im2col) with AVX-512 (F + VL) vectors:
//   - MakeDepthwiseF32: DEPTHWISE_CONV_2D 3x3, 5x5 or 7x7, depth multiplier 1, dilation 1,
//     stride 1 or 2, bit-identical to XNNPACK's operator (5x5 and 7x7: DepthwiseWideF32).
//   - MakeSmallConvF32: the first layer of small image models: CONV_2D 3x3 over 3 channels,
//     dilation 1, stride 1 or 2, cout <= 8 (MobileNet v1 0.25: 224x224x3 -> 112x112x8).
// How they compute, per output row (rows of all images are split over the pthreadpool; the
// frame, with the zero rows above and below the image, is direct_conv_f32.h):
//   1. (the frame) Window rows outside the image are a zero row.
//   2. Depthwise 3x3: per block of channels (16 lanes, or 8 lanes when at most 8 are left, so
//      8-channel layers waste no lanes), a window sliding along the row, the 9 weight vectors
//      in registers (depthwise3x3_slide_f32.h, shared with the AVX2 kernel).
//   3. Otherwise columns whose window crosses the left or right border run one pixel at a time
//      with per-tap checks (the edge path: at most a few pixels per side), and interior columns
//      run in blocks of P pixels with P independent accumulators (P FMA chains in flight
//      instead of one latency-bound chain):
//      - depthwise 5x5 and 7x7: see DepthwiseWideF32;
//      - small conv: per tap (ky, kx, ci) one vector of 8 output-channel weights is loaded and
//        multiplied by the broadcast input value of each of P = 8 pixels (27 x 8 FMAs).
//   4. bias first, clamp to [output_min, output_max] (the fused activation) at the store.
// The depthwise results are bit-identical to XNNPACK's convolution operator (the taps in its
// order, column by column for 3x3); the small conv's differ only in the order of the additions.
// Ownership and thread safety as FastConv (fast_conv.h): the kernel owns its packed weights and
// a zero row; Run is const.
#include <immintrin.h>

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <pthreadpool.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "kernels/fast/isa.h"
#include "kernels/fast/fast_conv.h"
#include "kernels/x86/direct_conv_f32.h"

// GCC 12 reports operands inside its own AVX-512 intrinsics as uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning group
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#define LABELITE_AVX512 __attribute__((target("avx512f,avx512vl,fma")))
#define LABELITE_SLIDE_TARGET LABELITE_AVX512
#include "kernels/x86/depthwise3x3_slide_f32.h"

namespace labelite::xnn {
namespace {

bool HasAvx512() { return ActiveIsa() >= IsaLevel::kAvx512; }

using direct_f32::DirectConvF32;
using direct_f32::Dilated;
using direct_f32::RoundUp;

// 16 float lanes (zmm) and 8 float lanes (ymm), masked loads and stores.
struct Zmm {
  using V = __m512;
  using M = __mmask16;
  static constexpr size_t kLanes = 16;
  LABELITE_AVX512 static M Mask(size_t n) { return n >= kLanes ? M(0xFFFF) : M((1u << n) - 1); }
  LABELITE_AVX512 static V Load(const float* p) { return _mm512_loadu_ps(p); }
  LABELITE_AVX512 static V Load(const float* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  LABELITE_AVX512 static V Set1(float x) { return _mm512_set1_ps(x); }
  LABELITE_AVX512 static V Zero() { return _mm512_setzero_ps(); }
  LABELITE_AVX512 static V Fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  LABELITE_AVX512 static void Store(float* p, M m, V v, V lo, V hi) {
    _mm512_mask_storeu_ps(p, m, _mm512_min_ps(_mm512_max_ps(v, lo), hi));
  }
};
struct Ymm {
  using V = __m256;
  using M = __mmask8;
  static constexpr size_t kLanes = 8;
  LABELITE_AVX512 static M Mask(size_t n) { return n >= kLanes ? M(0xFF) : M((1u << n) - 1); }
  LABELITE_AVX512 static V Load(const float* p) { return _mm256_loadu_ps(p); }
  LABELITE_AVX512 static V Load(const float* p, M m) { return _mm256_maskz_loadu_ps(m, p); }
  LABELITE_AVX512 static V Set1(float x) { return _mm256_set1_ps(x); }
  LABELITE_AVX512 static V Zero() { return _mm256_setzero_ps(); }
  LABELITE_AVX512 static V Fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  LABELITE_AVX512 static void Store(float* p, M m, V v, V lo, V hi) {
    _mm256_mask_storeu_ps(p, m, _mm256_min_ps(_mm256_max_ps(v, lo), hi));
  }
};

// depthwise3x3_slide_f32.h's vector operations: T's lanes, loads and stores under the mask m.
template <class T>
struct SlideOps {
  using V = typename T::V;
  typename T::M m;
  LABELITE_AVX512 V Load(const float* p) const { return T::Load(p, m); }
  LABELITE_AVX512 void Store(float* p, V v, V lo, V hi) const { T::Store(p, m, v, lo, hi); }
  LABELITE_AVX512 static V Full(const float* p) { return T::Load(p); }
  LABELITE_AVX512 static V Zero() { return T::Zero(); }
  LABELITE_AVX512 static V Set1(float x) { return T::Set1(x); }
  LABELITE_AVX512 static V Fma(V a, V b, V c) { return T::Fma(a, b, c); }
};

class DepthwiseF32 final : public DirectConvF32 {
 public:
  explicit DepthwiseF32(const FastConvF32Spec& s) : DirectConvF32(s), cpad_(RoundUp(s.cout, 16)) {
    weights_.assign(9 * cpad_, 0.0f);  // [tap][channel]
    for (size_t t = 0; t < 9; ++t)
      std::copy_n(s.weights + t * s.cout, s.cout, weights_.begin() + ptrdiff_t(t * cpad_));
    bias_.assign(cpad_, 0.0f);
    if (s.bias != nullptr) std::copy_n(s.bias, s.cout, bias_.begin());
  }
  const char* path() const override { return "direct f32"; }

 private:
  // Per block of 16 channels (8 when at most 8 are left, so 8-channel layers waste no lanes),
  // a window sliding along the row (depthwise3x3_slide_f32.h), as the AVX2 kernel. Here, with
  // 32 registers, blocks of 8 pixels (one load per FMA) were as fast: MobileNet v1, v2, v3
  // float at 0.99-1.01x of them (Zen 4, 1 thread).
  LABELITE_AVX512 void RunRow(const float* const* rows, float* out_row, size_t c_begin,
                              size_t c_end) const override {
    for (size_t cb = c_begin; cb < c_end;) {
      const size_t left = c_end - cb;
      const SlideRow a{rows[0] + cb, rows[1] + cb, rows[2] + cb, out_row + cb,
                       weights_.data() + cb, cpad_, bias_.data() + cb, g_.cout, g_.out_w,
                       g_.in_w, g_.pad_left, min_, max_};
      if (left > 8) {
        const SlideOps<Zmm> ops{Zmm::Mask(left)};
        g_.stride_w == 1 ? SlideStride1(ops, a) : SlideStride2(ops, a);
        cb += 16;
      } else {
        const SlideOps<Ymm> ops{Ymm::Mask(left)};
        g_.stride_w == 1 ? SlideStride1(ops, a) : SlideStride2(ops, a);
        cb += 8;
      }
    }
  }

  size_t cpad_;
};

// DEPTHWISE_CONV_2D KxK (K = 5 or 7), stride 1 or 2, bit-identical to XNNPACK's f32
// convolution operator: each output starts from the bias and adds one FMA per tap in XNNPACK's
// order, except the taps outside the image for every pixel of a call (XNNPACK multiplies its
// zero buffer there: fma(0, w, acc) == acc, so skipping them keeps the bits; on 3x3 and 6x6
// maps a 5x5 window is mostly padding: MobileNet v3's 6x6x192 layer 4.7 -> 3.4 us, LiteRT
// 3.6). That order (kTapsByColumn):
//   - 25 taps (5x5): XNNPACK's up16x25 / up8x25 dwconv micro-kernels, whose packed weights and
//     indirection buffer hold the taps column by column (kx outer, ky inner);
//   - 49 taps (7x7): no dwconv micro-kernel has 49 taps, so XNNPACK runs an IGEMM with a group
//     per channel, whose indirection buffer holds the taps row by row (ky outer, kx inner).
// Each call of Pixels computes P pixels x NB channel vectors, P * NB independent FMA chains
// (8 to 12, or 4 for a single pixel): runs of 8 pixels one vector at a time, the last 4, 3, 2
// or 1 pixels of a run (narrow late layers: 3x3 to 7x7 outputs are mostly edge) over 2 or 4
// vectors of a full 64-channel group. Per tap one weight vector per channel vector is loaded and multiplied
// into the P accumulators (the input vectors are memory operands of the FMAs).
template <int K>
class DepthwiseWideF32 final : public DirectConvF32 {
 public:
  static constexpr bool kTapsByColumn = K * K == 25;
  explicit DepthwiseWideF32(const FastConvF32Spec& s)
      : DirectConvF32(s), cpad_(RoundUp(s.cout, 16)) {
    weights_.assign(K * K * cpad_, 0.0f);  // [ky][kx][channel], as TFLite's
    for (size_t t = 0; t < K * K; ++t)
      std::copy_n(s.weights + t * s.cout, s.cout, weights_.begin() + ptrdiff_t(t * cpad_));
    bias_.assign(cpad_, 0.0f);
    if (s.bias != nullptr) std::copy_n(s.bias, s.cout, bias_.begin());
  }
  const char* path() const override { return "direct f32"; }

 private:
  LABELITE_AVX512 void RunRow(const float* const* rows, float* out_row, size_t c_begin,
                              size_t c_end) const override {
    for (size_t cb = c_begin; cb < c_end;) {
      const size_t left = c_end - cb;
      if (left >= 64) {
        g_.stride_w == 1 ? Block<Zmm, 1, 4>(rows, out_row, cb, Zmm::Mask(left))
                         : Block<Zmm, 2, 4>(rows, out_row, cb, Zmm::Mask(left));
        cb += 64;
      } else if (left > 8) {
        g_.stride_w == 1 ? Block<Zmm, 1, 1>(rows, out_row, cb, Zmm::Mask(left))
                         : Block<Zmm, 2, 1>(rows, out_row, cb, Zmm::Mask(left));
        cb += 16;
      } else {
        g_.stride_w == 1 ? Block<Ymm, 1, 1>(rows, out_row, cb, Ymm::Mask(left))
                         : Block<Ymm, 2, 1>(rows, out_row, cb, Ymm::Mask(left));
        cb += 8;
      }
    }
  }

  // Channels [cb, cb + NB * lanes) (mask m for each vector: NB > 1 only for full vectors) of
  // one output row: left edge, interior, right edge.
  template <class T, int S, int NB>
  LABELITE_AVX512 void Block(const float* const* rows, float* out, size_t cb,
                             typename T::M m) const {
    if (x_end_ - x_begin_ < 8) {  // narrow rows: all columns in as few calls as possible
      Columns<T, S, NB, true>(rows, out, 0, g_.out_w, cb, m);
      return;
    }
    Columns<T, S, NB, true>(rows, out, 0, x_begin_, cb, m);
    Columns<T, S, NB, false>(rows, out, x_begin_, x_end_, cb, m);
    Columns<T, S, NB, true>(rows, out, std::max(x_end_, x_begin_), g_.out_w, cb, m);
  }

  template <class T, int S, int NB, bool kEdge>
  LABELITE_AVX512 void Columns(const float* const* r, float* out, size_t from, size_t to,
                               size_t cb, typename T::M m) const {
    constexpr size_t kL = T::kLanes;
    size_t ox = from;
    for (; ox + 8 <= to; ox += 8)
      for (int n = 0; n < NB; ++n) Pixels<T, S, 8, 1, kEdge>(r, out, ox, cb + n * kL, m);
    if (ox + 4 <= to) {
      constexpr int kNB = NB < 2 ? NB : 2;
      for (int n = 0; n < NB; n += kNB) Pixels<T, S, 4, kNB, kEdge>(r, out, ox, cb + n * kL, m);
      ox += 4;
    }
    switch (to - ox) {  // 0 to 3 left: one call, so each weight vector is loaded once
      case 3: Pixels<T, S, 3, NB, kEdge>(r, out, ox, cb, m); break;
      case 2: Pixels<T, S, 2, NB, kEdge>(r, out, ox, cb, m); break;
      case 1: Pixels<T, S, 1, NB, kEdge>(r, out, ox, cb, m); break;
      default: break;
    }
  }

  // P pixels from column ox, channels [c0, c0 + NB * lanes): K * K * P * NB FMAs. kEdge:
  // windows may cross the left or right border; those taps read the zero row.
  template <class T, int S, int P, int NB, bool kEdge>
  LABELITE_AVX512 void Pixels(const float* const* r, float* out, size_t ox, size_t c0,
                              typename T::M m) const {
    const size_t c = g_.cout;
    const int64_t ix0 = static_cast<int64_t>(ox * S) - g_.pad_left;
    const float* w = weights_.data() + c0;
    typename T::V acc[P][NB];
#pragma GCC unroll 4
    for (int n = 0; n < NB; ++n) {
      const typename T::V b = T::Load(bias_.data() + c0 + n * T::kLanes);
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) acc[p][n] = b;
    }
    // Taps that are padding for all P pixels are skipped (DirectConvF32::RowOutside,
    // ColumnOutside; columns only at the edges).
    auto column_outside = [&](int kx) { return kEdge && ColumnOutside<P, S>(ix0 + kx); };
#pragma GCC unroll 1
    for (int outer = 0; outer < K; ++outer) {
      if (kTapsByColumn ? column_outside(outer) : RowOutside(r[outer])) continue;
#pragma GCC unroll 7
      for (int inner = 0; inner < K; ++inner) {
        const int ky = kTapsByColumn ? inner : outer, kx = kTapsByColumn ? outer : inner;
        if (kTapsByColumn ? RowOutside(r[ky]) : column_outside(kx)) continue;
        typename T::V wv[NB];
#pragma GCC unroll 4
        for (int n = 0; n < NB; ++n) wv[n] = T::Load(w + (ky * K + kx) * cpad_ + n * T::kLanes);
#pragma GCC unroll 8
        for (int p = 0; p < P; ++p) {
          const int64_t ix = ix0 + p * S + kx;
          const float* x = !kEdge || (ix >= 0 && ix < static_cast<int64_t>(g_.in_w))
                               ? r[ky] + c0 + ix * static_cast<int64_t>(c)
                               : zeros_.data();
#pragma GCC unroll 4
          for (int n = 0; n < NB; ++n)
            acc[p][n] = T::Fma(T::Load(x + n * T::kLanes, m), wv[n], acc[p][n]);
        }
      }
    }
    const typename T::V lo = T::Set1(min_), hi = T::Set1(max_);
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
      for (int n = 0; n < NB; ++n)
        T::Store(out + (ox + p) * c + c0 + n * T::kLanes, m, acc[p][n], lo, hi);
  }

  size_t cpad_;  // cout rounded up to 16: the weights' row length
};

// CONV_2D 3x3 over 3 input channels (RGB first layers), stride 1 or 2, cout <= 8.
class SmallConvF32 final : public DirectConvF32 {
 public:
  static constexpr size_t kWindow = 27;  // [ky][kx][ci]
  explicit SmallConvF32(const FastConvF32Spec& s) : DirectConvF32(s), cpad_(RoundUp(s.cout, 8)) {
    weights_.assign(kWindow * cpad_, 0.0f);  // [ky][kx][ci][cout]
    for (size_t o = 0; o < s.cout; ++o)
      for (size_t k = 0; k < kWindow; ++k) weights_[k * cpad_ + o] = s.weights[o * kWindow + k];
    bias_.assign(cpad_, 0.0f);
    if (s.bias != nullptr) std::copy_n(s.bias, s.cout, bias_.begin());
  }
  const char* path() const override { return "direct f32"; }

 private:
  LABELITE_AVX512 void RunRow(const float* const* rows, float* out_row, size_t,
                              size_t) const override {
    // One vector of 8 channels: with 16-32 channels (NB 2-4) this design measured no faster
    // than XNNPACK at 1 thread (the FMAs are the bound), so the factory declines cout > 8.
    g_.stride_w == 1 ? Row<1, 8, 1>(rows, out_row) : Row<1, 8, 2>(rows, out_row);
  }

  // NB vectors of 8 output channels; interior pixels in blocks of P; stride S.
  template <int NB, int P, int S>
  LABELITE_AVX512 void Row(const float* const* rows, float* out) const {
    size_t ox = 0;
    for (; ox < x_begin_; ++ox) Pixels<NB, 1, S, true>(rows, out, ox);
    for (; ox + P <= x_end_; ox += P) Pixels<NB, P, S, false>(rows, out, ox);
    for (; ox < g_.out_w; ++ox) Pixels<NB, 1, S, true>(rows, out, ox);
  }

  // P pixels from column ox; kEdge skips the window columns outside the image.
  template <int NB, int P, int S, bool kEdge>
  LABELITE_AVX512 void Pixels(const float* const* rows, float* out, size_t ox) const {
    const int64_t ix0 = static_cast<int64_t>(ox * S) - g_.pad_left;
    __m256 acc[P][NB];
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
      for (int b = 0; b < NB; ++b) acc[p][b] = _mm256_loadu_ps(bias_.data() + 8 * b);
#pragma GCC unroll 3
    for (int ky = 0; ky < 3; ++ky) {
      const float* x = rows[ky] + ix0 * 3;  // the window row: 9 contiguous floats per pixel
      const float* w = weights_.data() + ky * 9 * (8 * NB);
#pragma GCC unroll 9
      for (int j = 0; j < 9; ++j) {
        if (kEdge && (ix0 + j / 3 < 0 || ix0 + j / 3 >= static_cast<int64_t>(g_.in_w))) continue;
        __m256 wv[NB];
#pragma GCC unroll 4
        for (int b = 0; b < NB; ++b) wv[b] = _mm256_loadu_ps(w + j * (8 * NB) + 8 * b);
#pragma GCC unroll 16
        for (int p = 0; p < P; ++p) {
          const __m256 xv = _mm256_set1_ps(x[p * S * 3 + j]);
#pragma GCC unroll 4
          for (int b = 0; b < NB; ++b) acc[p][b] = _mm256_fmadd_ps(xv, wv[b], acc[p][b]);
        }
      }
    }
    const __m256 lo = _mm256_set1_ps(min_), hi = _mm256_set1_ps(max_);
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
      for (int b = 0; b < NB; ++b)
        Ymm::Store(out + (ox + p) * g_.cout + 8 * b, Ymm::Mask(g_.cout - 8 * b), acc[p][b], lo, hi);
  }

  size_t cpad_;  // cout rounded up to 8: the weights' row length
};

}  // namespace

std::unique_ptr<FastConv> MakeDepthwiseF32(const FastConvF32Spec& s) {
  if (!s.depthwise || s.cout != s.cin || s.cin == 0 || s.kernel_h != s.kernel_w ||
      s.stride_h > 2 || (s.stride_w != 1 && s.stride_w != 2) || Dilated(s) || !HasAvx512())
    return nullptr;
  switch (s.kernel_w) {
    case 3: return std::make_unique<DepthwiseF32>(s);
    case 5: return std::make_unique<DepthwiseWideF32<5>>(s);
    case 7: return std::make_unique<DepthwiseWideF32<7>>(s);
    default: return nullptr;
  }
}

std::unique_ptr<FastConv> MakeSmallConvF32(const FastConvF32Spec& s) {
  if (s.depthwise || s.cin != 3 || s.cout == 0 || s.cout > 8 || s.kernel_h != 3 ||
      s.kernel_w != 3 || (s.stride_w != 1 && s.stride_w != 2) || Dilated(s) || !HasAvx512())
    return nullptr;
  return std::make_unique<SmallConvF32>(s);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
