// The direct float32 convolutions of conv_f32_direct.cc (kernels/x86/avx512/) for CPUs with
// AVX2 + FMA and no AVX-512, on 8-lane vectors:
//   - MakeDepthwiseF32Avx2: DEPTHWISE_CONV_2D 3x3, 5x5 or 7x7, depth multiplier 1, dilation 1,
//     stride 1 or 2, bit-identical to XNNPACK's operator (5x5 and 7x7: DepthwiseWideF32Avx2).
//   - MakeSmallConvF32Avx2: CONV_2D 3x3 over 3 channels (RGB first layers), dilation 1, stride 1
//     or 2, cout <= 8.
// How they compute, per output row (the frame, with the zero rows above and below the image and
// the row-parallel Run, is direct_conv_f32.h):
//   1. Depthwise 3x3: per 8 channels, a window sliding along the row (depthwise3x3_slide_f32.h): each
//      input column is loaded once and added to the pixels that read it (3 at stride 1, 1 or
//      2 at stride 2), the 9 weight vectors in registers; columns outside the image are a zero
//      vector. Maps of at most 4 columns: one pixel of 32 channels at a time (Column4).
//   2. Otherwise columns whose window crosses the left or right border run one pixel at a time
//      with per-tap checks, and interior columns run in blocks of P = 8 pixels (then 4, 2, 1),
//      P independent FMA chains:
//      - depthwise: per block of 8 channels, the taps column by column (XNNPACK's order), one
//        weight vector per tap times the input vectors of the 8 pixels (memory operands of
//        the FMAs: 8 accumulators + 1 weight, no spills within AVX2's 16 registers);
//      - small conv: per tap (ky, kx, ci) one vector of 8 output-channel weights times the
//        broadcast input value of each of the 8 pixels.
//   3. bias first, clamp to [output_min, output_max] at the store. A last block of fewer than
//      8 channels loads and stores with VMASKMOVPS (the packed weights are zero-padded).
// The depthwise results are bit-identical to XNNPACK's convolution operator (the taps in its
// order, column by column for 3x3); the small conv's differ only in the order of the additions.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include <algorithm>
#include <memory>
#include <type_traits>

#include "kernels/fast/fast_conv.h"
#include "kernels/fast/isa.h"
#include "kernels/x86/avx2/requant_avx2.h"  // LABELITE_AVX2
#include "kernels/x86/direct_conv_f32.h"

#define LABELITE_SLIDE_TARGET LABELITE_AVX2
#include "kernels/x86/depthwise3x3_slide_f32.h"

namespace labelite::xnn {
namespace {

using direct_f32::DirectConvF32;
using direct_f32::Dilated;
using direct_f32::RoundUp;

bool HasAvx2() { return ActiveIsa() >= IsaLevel::kAvx2; }

LABELITE_AVX2 inline __m256i MaskOf(size_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::min<size_t>(n, 8))),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// 8 float lanes; kFull: all 8 channels valid, else the first n (VMASKMOVPS).
template <bool kFull>
struct Lanes {
  size_t n = 8;
  LABELITE_AVX2 __m256 Load(const float* p) const {
    if constexpr (kFull) return _mm256_loadu_ps(p);
    return _mm256_maskload_ps(p, MaskOf(n));
  }
  LABELITE_AVX2 void Store(float* p, __m256 v, __m256 lo, __m256 hi) const {
    v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
    if constexpr (kFull) {
      _mm256_storeu_ps(p, v);
    } else {
      _mm256_maskstore_ps(p, MaskOf(n), v);
    }
  }
};

// depthwise3x3_slide_f32.h's vector operations on 8 lanes (the first n when not kFull).
template <bool kFull>
struct SlideOps : Lanes<kFull> {
  using V = __m256;
  LABELITE_AVX2 static V Full(const float* p) { return _mm256_loadu_ps(p); }
  LABELITE_AVX2 static V Zero() { return _mm256_setzero_ps(); }
  LABELITE_AVX2 static V Set1(float x) { return _mm256_set1_ps(x); }
  LABELITE_AVX2 static V Fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};

class DepthwiseF32Avx2 final : public DirectConvF32 {
 public:
  explicit DepthwiseF32Avx2(const FastConvF32Spec& s)
      : DirectConvF32(s), cpad_(RoundUp(s.cout, 8)) {
    weights_.assign(9 * cpad_, 0.0f);  // [tap][channel]
    for (size_t t = 0; t < 9; ++t)
      std::copy_n(s.weights + t * s.cout, s.cout, weights_.begin() + ptrdiff_t(t * cpad_));
    bias_.assign(cpad_, 0.0f);
    if (s.bias != nullptr) std::copy_n(s.bias, s.cout, bias_.begin());
  }
  const char* path() const override { return "avx2 f32"; }

 private:
  LABELITE_AVX2 void RunRow(const float* const* rows, float* out_row, size_t c_begin,
                            size_t c_end) const override {
    size_t cb = c_begin;
    if (g_.out_w <= kColumnsMaxWidth) {  // tiny maps: 4 channel vectors per pixel
      for (; cb + 32 <= c_end; cb += 32)
        for (size_t ox = 0; ox < g_.out_w; ++ox) Column4(rows, out_row, ox, cb);
    }
    // The rest slides along the row 8 channels at a time (depthwise3x3_slide_f32.h). Zen 4, AVX2,
    // 1 thread,
    // against blocks of 8 pixels (9 loads per 8 FMAs) at stride 1: 48x48x16 7.6 / 13.1 us,
    // 24x24x48 6.6 / 12.1, 12x12x96 3.7 / 7.4 (AVX-512's 16 lanes: 7.6, 5.9, 3.2); against
    // blocks of 8 pixels over every 8 channels in turn at stride 2: 24x24x72 3.5 / 5.4,
    // 24x24x144 8.4 / 11.5, 112x112x16 16.9 / 19.4, 48x48x32 6.1 / 6.9, and 48x48x64 15.4 /
    // 15.0 (the one shape slower).
    for (; cb < c_end; cb += 8) {
      const size_t left = c_end - cb;
      const SlideRow a{rows[0] + cb, rows[1] + cb, rows[2] + cb, out_row + cb,
                       weights_.data() + cb, cpad_, bias_.data() + cb, g_.cout, g_.out_w,
                       g_.in_w, g_.pad_left, min_, max_};
      if (left >= 8) {
        g_.stride_w == 1 ? SlideStride1(SlideOps<true>{}, a) : SlideStride2(SlideOps<true>{}, a);
      } else {
        g_.stride_w == 1 ? SlideStride1(SlideOps<false>{{left}}, a)
                         : SlideStride2(SlideOps<false>{{left}}, a);
      }
    }
  }

  // Rows of at most kColumnsMaxWidth pixels, mostly edge: one pixel, channels [cb, cb + 32) as
  // 4 vectors, 4 FMA chains; a column outside the image reads the zero row (the same FMAs, in
  // the same order, as XNNPACK's zero buffer). MobileNet v2's 3x3x336: 2.3 -> 1.7 us against
  // one pixel of 8 channels at a time.
  static constexpr size_t kColumnsMaxWidth = 4;
  LABELITE_AVX2 void Column4(const float* const* rows, float* out_row, size_t ox,
                             size_t cb) const {
    const size_t c = g_.cout;
    const int64_t ix0 = static_cast<int64_t>(ox * g_.stride_w) - g_.pad_left;
    const float* w = weights_.data() + cb;
    __m256 acc[4];
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) acc[v] = _mm256_loadu_ps(bias_.data() + cb + 8 * v);
    for (int kx = 0; kx < 3; ++kx) {
      const int64_t ix = ix0 + kx;
      const bool inside = ix >= 0 && ix < static_cast<int64_t>(g_.in_w);
      for (int ky = 0; ky < 3; ++ky) {
        const float* x = inside ? rows[ky] + static_cast<size_t>(ix) * c + cb : zeros_.data();
        const float* wt = w + (3 * ky + kx) * cpad_;
#pragma GCC unroll 4
        for (int v = 0; v < 4; ++v)
          acc[v] = _mm256_fmadd_ps(_mm256_loadu_ps(x + 8 * v), _mm256_loadu_ps(wt + 8 * v), acc[v]);
      }
    }
    const __m256 lo = _mm256_set1_ps(min_), hi = _mm256_set1_ps(max_);
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v)
      _mm256_storeu_ps(out_row + ox * c + cb + 8 * v, _mm256_min_ps(_mm256_max_ps(acc[v], lo), hi));
  }

  size_t cpad_;  // cout rounded up to 8: the weights' row length
};

// DEPTHWISE_CONV_2D KxK (K = 5 or 7), stride 1 or 2, bit-identical to XNNPACK's f32
// convolution operator, as DepthwiseWideF32 in conv_f32_direct.cc (which explains XNNPACK's
// order of the taps, kTapsByColumn): from the bias, one FMA per tap, taps outside the image
// reading a zero vector. Each call of Pixels computes P pixels x NB vectors of 8 channels:
// runs of 8 pixels one vector at a time (8 accumulators + 1 weight + 1 input column fit AVX2's
// 16 registers), the last 4, 3, 2 or 1 pixels of a run over 2 or 4 vectors of a full
// 32-channel group (8, 6 or 4 independent FMA chains).
template <int K>
class DepthwiseWideF32Avx2 final : public DirectConvF32 {
 public:
  static constexpr bool kTapsByColumn = K * K == 25;
  explicit DepthwiseWideF32Avx2(const FastConvF32Spec& s)
      : DirectConvF32(s), cpad_(RoundUp(s.cout, 8)) {
    weights_.assign(K * K * cpad_, 0.0f);  // [ky][kx][channel], as TFLite's
    for (size_t t = 0; t < K * K; ++t)
      std::copy_n(s.weights + t * s.cout, s.cout, weights_.begin() + ptrdiff_t(t * cpad_));
    bias_.assign(cpad_, 0.0f);
    if (s.bias != nullptr) std::copy_n(s.bias, s.cout, bias_.begin());
  }
  const char* path() const override { return "avx2 f32"; }

 private:
  LABELITE_AVX2 void RunRow(const float* const* rows, float* out_row, size_t c_begin,
                            size_t c_end) const override {
    for (size_t cb = c_begin; cb < c_end;) {
      const size_t left = c_end - cb;
      if (left >= 32) {
        g_.stride_w == 1 ? Block<true, 1, 4>(rows, out_row, cb, {})
                         : Block<true, 2, 4>(rows, out_row, cb, {});
        cb += 32;
      } else if (left >= 8) {
        g_.stride_w == 1 ? Block<true, 1, 1>(rows, out_row, cb, {})
                         : Block<true, 2, 1>(rows, out_row, cb, {});
        cb += 8;
      } else {
        g_.stride_w == 1 ? Block<false, 1, 1>(rows, out_row, cb, {left})
                         : Block<false, 2, 1>(rows, out_row, cb, {left});
        cb += 8;
      }
    }
  }

  // Channels [cb, cb + 8 * NB) (NB > 1 only with kFull) of one output row: left edge,
  // interior, right edge.
  template <bool kFull, int S, int NB>
  LABELITE_AVX2 void Block(const float* const* rows, float* out, size_t cb,
                           Lanes<kFull> l) const {
    if (x_end_ - x_begin_ < 8) {  // narrow rows: all columns in as few calls as possible
      Columns<kFull, S, NB, true>(rows, out, 0, g_.out_w, cb, l);
      return;
    }
    Columns<kFull, S, NB, true>(rows, out, 0, x_begin_, cb, l);
    Columns<kFull, S, NB, false>(rows, out, x_begin_, x_end_, cb, l);
    Columns<kFull, S, NB, true>(rows, out, std::max(x_end_, x_begin_), g_.out_w, cb, l);
  }

  template <bool kFull, int S, int NB, bool kEdge>
  LABELITE_AVX2 void Columns(const float* const* r, float* out, size_t from, size_t to,
                             size_t cb, Lanes<kFull> l) const {
    size_t ox = from;
    for (; ox + 8 <= to; ox += 8)
      for (int n = 0; n < NB; ++n) Pixels<kFull, S, 8, 1, kEdge>(r, out, ox, cb + 8 * n, l);
    if (ox + 4 <= to) {
      constexpr int kNB = NB < 2 ? NB : 2;
      for (int n = 0; n < NB; n += kNB)
        Pixels<kFull, S, 4, kNB, kEdge>(r, out, ox, cb + 8 * n, l);
      ox += 4;
    }
    switch (to - ox) {  // 0 to 3 left
      case 3: {
        constexpr int kNB = NB < 2 ? NB : 2;  // 6 accumulators + 2 weights
        for (int n = 0; n < NB; n += kNB)
          Pixels<kFull, S, 3, kNB, kEdge>(r, out, ox, cb + 8 * n, l);
        break;
      }
      case 2: Pixels<kFull, S, 2, NB, kEdge>(r, out, ox, cb, l); break;
      case 1: Pixels<kFull, S, 1, NB, kEdge>(r, out, ox, cb, l); break;
      default: break;
    }
  }

  // P pixels from column ox, channels [c0, c0 + 8 * NB): K * K * P * NB FMAs. kEdge: windows
  // may cross the left or right border; those taps read the zero row.
  template <bool kFull, int S, int P, int NB, bool kEdge>
  LABELITE_AVX2 void Pixels(const float* const* r, float* out, size_t ox, size_t c0,
                            Lanes<kFull> l) const {
    const size_t c = g_.cout;
    const int64_t ix0 = static_cast<int64_t>(ox * S) - g_.pad_left;
    const float* w = weights_.data() + c0;
    __m256 acc[P][NB];
#pragma GCC unroll 4
    for (int n = 0; n < NB; ++n) {
      const __m256 b = _mm256_loadu_ps(bias_.data() + c0 + 8 * n);
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
        __m256 wv[NB];
#pragma GCC unroll 4
        for (int n = 0; n < NB; ++n) wv[n] = _mm256_loadu_ps(w + (ky * K + kx) * cpad_ + 8 * n);
#pragma GCC unroll 8
        for (int p = 0; p < P; ++p) {
          const int64_t ix = ix0 + p * S + kx;
          const float* x = !kEdge || (ix >= 0 && ix < static_cast<int64_t>(g_.in_w))
                               ? r[ky] + c0 + ix * static_cast<int64_t>(c)
                               : zeros_.data();
#pragma GCC unroll 4
          for (int n = 0; n < NB; ++n)
            acc[p][n] = _mm256_fmadd_ps(l.Load(x + 8 * n), wv[n], acc[p][n]);
        }
      }
    }
    const __m256 lo = _mm256_set1_ps(min_), hi = _mm256_set1_ps(max_);
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
      for (int n = 0; n < NB; ++n) l.Store(out + (ox + p) * c + c0 + 8 * n, acc[p][n], lo, hi);
  }

  size_t cpad_;  // cout rounded up to 8: the weights' row length
};

// CONV_2D 3x3 over 3 input channels (RGB first layers), stride 1 or 2, cout <= 8.
class SmallConvF32Avx2 final : public DirectConvF32 {
 public:
  static constexpr size_t kWindow = 27;  // [ky][kx][ci]
  explicit SmallConvF32Avx2(const FastConvF32Spec& s) : DirectConvF32(s) {
    weights_.assign(kWindow * 8, 0.0f);  // [ky][kx][ci][8 channels]
    for (size_t o = 0; o < s.cout; ++o)
      for (size_t k = 0; k < kWindow; ++k) weights_[k * 8 + o] = s.weights[o * kWindow + k];
    bias_.assign(8, 0.0f);
    if (s.bias != nullptr) std::copy_n(s.bias, s.cout, bias_.begin());
  }
  const char* path() const override { return "avx2 f32"; }

 private:
  LABELITE_AVX2 void RunRow(const float* const* rows, float* out_row, size_t,
                            size_t) const override {
    if (g_.cout == 8) {
      g_.stride_w == 1 ? Row<true, 1>(rows, out_row, {}) : Row<true, 2>(rows, out_row, {});
    } else {
      const Lanes<false> l{g_.cout};
      g_.stride_w == 1 ? Row<false, 1>(rows, out_row, l) : Row<false, 2>(rows, out_row, l);
    }
  }

  template <bool kFull, int S>
  LABELITE_AVX2 void Row(const float* const* rows, float* out, Lanes<kFull> l) const {
    size_t ox = 0;
    for (; ox < x_begin_; ++ox) Pixels<kFull, 1, S, true>(rows, out, ox, l);
    for (; ox + 8 <= x_end_; ox += 8) Pixels<kFull, 8, S, false>(rows, out, ox, l);
    for (; ox < g_.out_w; ++ox) Pixels<kFull, 1, S, true>(rows, out, ox, l);
  }

  // P pixels from column ox; kEdge skips the window columns outside the image.
  template <bool kFull, int P, int S, bool kEdge>
  LABELITE_AVX2 void Pixels(const float* const* rows, float* out, size_t ox,
                            Lanes<kFull> l) const {
    const int64_t ix0 = static_cast<int64_t>(ox * S) - g_.pad_left;
    __m256 acc[P];
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) acc[p] = _mm256_loadu_ps(bias_.data());
#pragma GCC unroll 3
    for (int ky = 0; ky < 3; ++ky) {
      const float* x = rows[ky] + ix0 * 3;  // the window row: 9 contiguous floats per pixel
      const float* w = weights_.data() + ky * 9 * 8;
#pragma GCC unroll 9
      for (int j = 0; j < 9; ++j) {
        if (kEdge && (ix0 + j / 3 < 0 || ix0 + j / 3 >= static_cast<int64_t>(g_.in_w))) continue;
        const __m256 wv = _mm256_loadu_ps(w + j * 8);
#pragma GCC unroll 8
        for (int p = 0; p < P; ++p)
          acc[p] = _mm256_fmadd_ps(_mm256_set1_ps(x[p * S * 3 + j]), wv, acc[p]);
      }
    }
    const __m256 lo = _mm256_set1_ps(min_), hi = _mm256_set1_ps(max_);
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) l.Store(out + (ox + p) * g_.cout, acc[p], lo, hi);
  }
};

}  // namespace

std::unique_ptr<FastConv> MakeDepthwiseF32Avx2(const FastConvF32Spec& s) {
  if (!s.depthwise || s.cout != s.cin || s.cin == 0 || s.kernel_h != s.kernel_w ||
      s.stride_h > 2 || (s.stride_w != 1 && s.stride_w != 2) || Dilated(s) || !HasAvx2())
    return nullptr;
  switch (s.kernel_w) {
    case 3: return std::make_unique<DepthwiseF32Avx2>(s);
    case 5: return std::make_unique<DepthwiseWideF32Avx2<5>>(s);
    case 7: return std::make_unique<DepthwiseWideF32Avx2<7>>(s);
    default: return nullptr;
  }
}

std::unique_ptr<FastConv> MakeSmallConvF32Avx2(const FastConvF32Spec& s) {
  if (s.depthwise || s.cin != 3 || s.cout == 0 || s.cout > 8 || s.kernel_h != 3 ||
      s.kernel_w != 3 || (s.stride_w != 1 && s.stride_w != 2) || Dilated(s) || !HasAvx2())
    return nullptr;
  return std::make_unique<SmallConvF32Avx2>(s);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
