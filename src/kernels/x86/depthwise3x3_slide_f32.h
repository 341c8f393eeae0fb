// One output row of a float32 DEPTHWISE_CONV_2D 3x3 (stride 1 or 2, depth multiplier 1) for one
// vector of channels, as a window sliding along the row, bit-identical to XNNPACK's operator.
// Shared by the AVX2 (avx2/conv_f32_avx2.cc) and AVX-512 (avx512/conv_f32_direct.cc) kernels:
// each defines LABELITE_SLIDE_TARGET (its target attribute) and then includes this file, so
// each gets its own copy compiled for its ISA (the templates live in an unnamed namespace).
//
// How it computes (steps), per output row and channel vector:
//   1. The 9 weight vectors and the bias stay in registers.
//   2. Step s loads input column s - pad_left of the 3 window rows once (a zero vector outside
//      the image, as XNNPACK's zero buffer: the same FMAs) and adds it to every pixel whose
//      window holds it:
//      - stride 1: tap kx = 2 of pixel s - 2 (whose sum is then complete: clamped and stored),
//        kx = 1 of pixel s - 1 and kx = 0 of pixel s (which starts from the bias): one load
//        per 3 FMAs where blocks of pixels load one input per FMA;
//      - stride 2: column 2o - pad_left is tap kx = 2 of pixel o - 1 and kx = 0 of pixel o,
//        column 2o + 1 - pad_left tap kx = 1 of pixel o: two column loads per pixel.
//      Each pixel gets its taps in XNNPACK's order (kx outer, ky inner: its packed taps are
//      column by column), one FMA each from the bias, so the same bits.
//   3. The accumulators rotate between 3 (stride 1) or 2 (stride 2) registers; the steps at
//      the ends of the row check which pixels exist and whether the column is inside the
//      image, the others do not.
// Ops (the including file's): `V`, `V Load(const float*) const` (the row's channels, masked as
// the Ops says), `void Store(float*, V, V lo, V hi) const` (clamp, then store),
// `static V Full(const float*)` (a whole vector: packed weights and bias), `static V Zero()`,
// `static V Set1(float)`, `static V Fma(V a, V b, V c)` (a * b + c).
#ifndef LABELITE_SLIDE_TARGET
#error "define LABELITE_SLIDE_TARGET (the including kernel's target attribute) first"
#endif

#include <algorithm>
#include <cstddef>
#include <type_traits>

// The steps' lambdas: inlined, so the accumulators they rotate stay in registers.
#define LABELITE_SLIDE_INLINE __attribute__((always_inline)) LABELITE_SLIDE_TARGET

namespace labelite::xnn {
namespace {

// The row's geometry and data for one channel vector.
struct SlideRow {
  const float* r0;  // window rows 0-2 at the vector's first channel (the zero row outside)
  const float* r1;
  const float* r2;
  float* out;       // output row at the vector's first channel
  const float* w;   // tap 0's weights at the vector's first channel: tap t at w + t * cpad
  size_t cpad;      // floats between taps in w
  const float* bias;
  size_t c;         // channels: floats between pixels
  size_t out_w, in_w, pad_left;
  float min, max;
};

// What both strides keep in registers, and their two pieces of arithmetic.
template <class Ops>
struct SlideKernel {
  using V = typename Ops::V;
  const Ops& ops;
  const SlideRow& a;
  V w[9];  // [ky * 3 + kx]
  V b, lo, hi;

  LABELITE_SLIDE_INLINE SlideKernel(const Ops& o, const SlideRow& row) : ops(o), a(row) {
#pragma GCC unroll 9
    for (int t = 0; t < 9; ++t) w[t] = Ops::Full(a.w + t * a.cpad);
    b = Ops::Full(a.bias);
    lo = Ops::Set1(a.min), hi = Ops::Set1(a.max);
  }
  // Input column ic of the 3 window rows; kChecked: a zero vector when ic is outside the image
  // (ic wraps below 0: then >= in_w).
  template <bool kChecked>
  LABELITE_SLIDE_INLINE void Column(size_t ic, V* x) const {
    if (!kChecked || ic < a.in_w) {
      x[0] = ops.Load(a.r0 + ic * a.c), x[1] = ops.Load(a.r1 + ic * a.c);
      x[2] = ops.Load(a.r2 + ic * a.c);
    } else {
      x[0] = x[1] = x[2] = Ops::Zero();
    }
  }
  // acc plus window column kx (taps ky = 0, 1, 2 in turn, one FMA each).
  LABELITE_SLIDE_INLINE V Tap(const V* x, int kx, V acc) const {
    acc = Ops::Fma(x[0], w[kx], acc);
    acc = Ops::Fma(x[1], w[3 + kx], acc);
    return Ops::Fma(x[2], w[6 + kx], acc);
  }
  LABELITE_SLIDE_INLINE void Store(size_t pixel, V acc) const {
    ops.Store(a.out + pixel * a.c, acc, lo, hi);
  }
};

template <class Ops>
LABELITE_SLIDE_TARGET void SlideStride1(const Ops& ops, const SlideRow& a) {
  using V = typename Ops::V;
  const SlideKernel<Ops> k(ops, a);
  const size_t ow = a.out_w, pad = a.pad_left;
  // One step: n is pixel s, m pixel s - 1, o pixel s - 2. kChecked: the column and the pixels
  // may be outside (the first and last steps).
  auto step = [&](auto checked, size_t s, V& n, V& m, V& o) LABELITE_SLIDE_INLINE {
    constexpr bool kChecked = decltype(checked)::value;
    V x[3];
    k.template Column<kChecked>(s - pad, x);
    if (!kChecked || (s >= 2 && s - 2 < ow)) k.Store(s - 2, o = k.Tap(x, 2, o));
    if (!kChecked || (s >= 1 && s - 1 < ow)) m = k.Tap(x, 1, m);
    if (!kChecked || s < ow) n = k.Tap(x, 0, k.b);
  };
  using Checked = std::true_type;
  using Unchecked = std::false_type;
  V x = k.b, y = k.b, z = k.b;  // the roles rotate: steps 3k, 3k + 1, 3k + 2
  auto checked_step = [&](size_t s) LABELITE_SLIDE_INLINE {
    switch (s % 3) {
      case 0: step(Checked{}, s, x, y, z); break;
      case 1: step(Checked{}, s, z, x, y); break;
      default: step(Checked{}, s, y, z, x); break;
    }
  };
  // Unchecked steps: all three pixels exist and the column is inside the image.
  const size_t first = std::max<size_t>(2, pad);
  const size_t last = std::min(ow - 1, a.in_w - 1 + pad);  // inclusive
  size_t s = 0;
  for (; s < first || s % 3 != 0; ++s) checked_step(s);
  for (; s + 2 <= last; s += 3) {
    step(Unchecked{}, s, x, y, z);
    step(Unchecked{}, s + 1, z, x, y);
    step(Unchecked{}, s + 2, y, z, x);
  }
  for (; s < ow + 2; ++s) checked_step(s);
}

template <class Ops>
LABELITE_SLIDE_TARGET void SlideStride2(const Ops& ops, const SlideRow& a) {
  using V = typename Ops::V;
  const SlideKernel<Ops> k(ops, a);
  const size_t ow = a.out_w, in_w = a.in_w, pad = a.pad_left;
  // Step o: prev is pixel o - 1, n pixel o.
  auto step = [&](auto checked, size_t o, V& prev, V& n) LABELITE_SLIDE_INLINE {
    constexpr bool kChecked = decltype(checked)::value;
    V x[3];
    k.template Column<kChecked>(2 * o - pad, x);
    if (!kChecked || (o >= 1 && o - 1 < ow)) k.Store(o - 1, prev = k.Tap(x, 2, prev));
    if (!kChecked || o < ow) {
      n = k.Tap(x, 0, k.b);
      k.template Column<kChecked>(2 * o + 1 - pad, x);
      n = k.Tap(x, 1, n);
    }
  };
  using Checked = std::true_type;
  using Unchecked = std::false_type;
  V x = k.b, y = k.b;  // the roles alternate: step 2k (prev x, new y), 2k + 1 (prev y, new x)
  auto checked_step = [&](size_t o) LABELITE_SLIDE_INLINE {
    if (o % 2 == 0) {
      step(Checked{}, o, x, y);
    } else {
      step(Checked{}, o, y, x);
    }
  };
  // Unchecked steps: pixels o - 1 and o exist, columns 2o - pad and 2o + 1 - pad are inside.
  const size_t first = std::max<size_t>(1, (pad + 1) / 2);
  size_t o = 0;
  for (; o < first || o % 2 != 0; ++o) checked_step(o);
  if (in_w + pad >= 2) {
    // The last o with 2o + 1 - pad < in_w and o < ow.
    const size_t last = std::min(ow - 1, (in_w + pad - 2) / 2);
    for (; o + 1 <= last; o += 2) {
      step(Unchecked{}, o, x, y);
      step(Unchecked{}, o + 1, y, x);
    }
  }
  for (; o <= ow; ++o) checked_step(o);
}

}  // namespace
}  // namespace labelite::xnn

#undef LABELITE_SLIDE_INLINE
#undef LABELITE_SLIDE_TARGET
