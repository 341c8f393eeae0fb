// Two float32 convolutions that Debian's XNNPACK (2022) runs slowly on MobileNet-style models,
// computed directly (no indirection buffer, no im2col) on AVX-512:
//   - MakeDepthwiseF32: DEPTHWISE_CONV_2D with depth multiplier 1, any kernel size, stride,
//     dilation and padding. Per output pixel and 16-channel block: bias + sum over the taps
//     inside the image of input * weight (FMA), clamped. XNNPACK's version walks an
//     indirection buffer and loses most of its time on the narrow layers (8-32 channels).
//   - MakeSmallConvF32: CONV_2D larger than 1x1 whose filter window holds few inputs
//     (kernel_h * kernel_w * cin <= 64, e.g. the 3x3x3 first layer) and cout <= 64: per output pixel, each input value
//     of the window is broadcast and multiplies a row of up to 64 output-channel weights.
// Padding contributes nothing (TFLite pads float convolutions with 0). Results differ from
// XNNPACK's only in the order of the float additions (about 1e-7 relative).
// Work is split over output rows (all images of the batch) with pthreadpool.
#include <immintrin.h>
#include <pthreadpool.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "kernels/xnnpack/fast_conv.h"

// GCC 12 reports operands inside its own AVX-512 intrinsics as uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define LABELITE_AVX512 __attribute__((target("avx512f")))

namespace labelite::xnn {
namespace {

bool HasAvx512() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return has;
}

size_t RoundUp16(size_t n) { return (n + 15) / 16 * 16; }

// The range of kernel taps k (0 <= k < kernel) whose input coordinate
// o * stride - pad + k * dilation lies in [0, in).
void ValidTaps(size_t o, uint32_t stride, uint32_t pad, uint32_t dilation, uint32_t kernel,
               size_t in, uint32_t* first, uint32_t* last) {
  const int64_t base = static_cast<int64_t>(o) * stride - pad;
  uint32_t k = 0;
  while (k < kernel && base + static_cast<int64_t>(k) * dilation < 0) ++k;
  *first = k;
  while (k < kernel && base + static_cast<int64_t>(k) * dilation < static_cast<int64_t>(in)) ++k;
  *last = k;  // exclusive
}

// The common frame: geometry, clamp, packed weights and bias, row-parallel Run.
class DirectConvF32 : public FastConv {
 public:
  DirectConvF32(const FastConvF32Spec& s) : g_(s), min_(s.output_min), max_(s.output_max) {}

  void Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const override {
    struct Context {
      const DirectConvF32* self;
      const float* in;
      float* out;
    } c{this, static_cast<const float*>(input), static_cast<float*>(output)};
    const size_t rows = batch * g_.out_h;
    auto task = [](void* p, size_t row) {
      auto* ctx = static_cast<const Context*>(p);
      const ConvGeometry& g = ctx->self->g_;
      const size_t image = row / g.out_h;
      ctx->self->RunRow(ctx->in + image * g.in_h * g.in_w * g.cin, row % g.out_h,
                        ctx->out + row * g.out_w * g.cout);
    };
    if (pool == nullptr || pthreadpool_get_threads_count(pool) <= 1) {
      for (size_t r = 0; r < rows; ++r) task(&c, r);
    } else {
      pthreadpool_parallelize_1d(pool, task, &c, rows, 0);
    }
  }

 protected:
  // One output row `oy` of one image.
  virtual void RunRow(const float* image, size_t oy, float* out_row) const = 0;

  ConvGeometry g_;
  float min_, max_;
  std::vector<float> weights_;
  std::vector<float> bias_;
};

class DepthwiseF32 final : public DirectConvF32 {
 public:
  explicit DepthwiseF32(const FastConvF32Spec& s) : DirectConvF32(s) {
    const size_t cpad = RoundUp16(s.cout);
    const size_t taps = size_t{s.kernel_h} * s.kernel_w;
    weights_.assign(taps * cpad, 0.0f);  // [tap][channel], padded channels 0
    for (size_t t = 0; t < taps; ++t)
      std::copy_n(s.weights + t * s.cout, s.cout, weights_.begin() + static_cast<ptrdiff_t>(t * cpad));
    bias_.assign(cpad, 0.0f);
    if (s.bias != nullptr) std::copy_n(s.bias, s.cout, bias_.begin());
  }
  const char* path() const override { return "direct f32"; }

 private:
  LABELITE_AVX512 void RunRow(const float* image, size_t oy, float* out_row) const override {
    const size_t c = g_.cout, cpad = RoundUp16(c);
    uint32_t ky0, ky1;
    ValidTaps(oy, g_.stride_h, g_.pad_top, g_.dilation_h, g_.kernel_h, g_.in_h, &ky0, &ky1);
    const __m512 lo = _mm512_set1_ps(min_), hi = _mm512_set1_ps(max_);
    for (size_t ox = 0; ox < g_.out_w; ++ox) {
      uint32_t kx0, kx1;
      ValidTaps(ox, g_.stride_w, g_.pad_left, g_.dilation_w, g_.kernel_w, g_.in_w, &kx0, &kx1);
      const int64_t iy0 = static_cast<int64_t>(oy) * g_.stride_h - g_.pad_top;
      const int64_t ix0 = static_cast<int64_t>(ox) * g_.stride_w - g_.pad_left;
      for (size_t cb = 0; cb < c; cb += 16) {
        const __mmask16 m = c - cb >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (c - cb)) - 1);
        __m512 acc = _mm512_loadu_ps(bias_.data() + cb);
        for (uint32_t ky = ky0; ky < ky1; ++ky) {
          const float* in_row = image + static_cast<size_t>(iy0 + ky * g_.dilation_h) * g_.in_w * c;
          const float* w_row = weights_.data() + size_t{ky} * g_.kernel_w * cpad + cb;
          for (uint32_t kx = kx0; kx < kx1; ++kx) {
            const float* x = in_row + static_cast<size_t>(ix0 + kx * g_.dilation_w) * c + cb;
            acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x), _mm512_loadu_ps(w_row + kx * cpad), acc);
          }
        }
        acc = _mm512_min_ps(_mm512_max_ps(acc, lo), hi);
        _mm512_mask_storeu_ps(out_row + ox * c + cb, m, acc);
      }
    }
  }
};

class SmallConvF32 final : public DirectConvF32 {
 public:
  explicit SmallConvF32(const FastConvF32Spec& s) : DirectConvF32(s) {
    const size_t cpad = RoundUp16(s.cout);
    const size_t window = size_t{s.kernel_h} * s.kernel_w * s.cin;
    weights_.assign(window * cpad, 0.0f);  // [ky][kx][ci][cout], padded channels 0
    for (size_t o = 0; o < s.cout; ++o)
      for (size_t k = 0; k < window; ++k) weights_[k * cpad + o] = s.weights[o * window + k];
    bias_.assign(cpad, 0.0f);
    if (s.bias != nullptr) std::copy_n(s.bias, s.cout, bias_.begin());
  }
  const char* path() const override { return "direct f32"; }

 private:
  LABELITE_AVX512 void RunRow(const float* image, size_t oy, float* out_row) const override {
    const size_t cin = g_.cin, cout = g_.cout, cpad = RoundUp16(cout);
    const size_t blocks = cpad / 16;  // <= 4
    uint32_t ky0, ky1;
    ValidTaps(oy, g_.stride_h, g_.pad_top, g_.dilation_h, g_.kernel_h, g_.in_h, &ky0, &ky1);
    const __m512 lo = _mm512_set1_ps(min_), hi = _mm512_set1_ps(max_);
    for (size_t ox = 0; ox < g_.out_w; ++ox) {
      uint32_t kx0, kx1;
      ValidTaps(ox, g_.stride_w, g_.pad_left, g_.dilation_w, g_.kernel_w, g_.in_w, &kx0, &kx1);
      const int64_t iy0 = static_cast<int64_t>(oy) * g_.stride_h - g_.pad_top;
      const int64_t ix0 = static_cast<int64_t>(ox) * g_.stride_w - g_.pad_left;
      __m512 acc[4];
      for (size_t b = 0; b < 4; ++b)
        acc[b] = b < blocks ? _mm512_loadu_ps(bias_.data() + 16 * b) : _mm512_setzero_ps();
      for (uint32_t ky = ky0; ky < ky1; ++ky) {
        const float* in_row = image + static_cast<size_t>(iy0 + ky * g_.dilation_h) * g_.in_w * cin;
        for (uint32_t kx = kx0; kx < kx1; ++kx) {
          const float* x = in_row + static_cast<size_t>(ix0 + kx * g_.dilation_w) * cin;
          const float* w = weights_.data() + ((size_t{ky} * g_.kernel_w + kx) * cin) * cpad;
          for (size_t ci = 0; ci < cin; ++ci, w += cpad) {
            const __m512 xv = _mm512_set1_ps(x[ci]);
            acc[0] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w), acc[0]);
            if (blocks > 1) acc[1] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w + 16), acc[1]);
            if (blocks > 2) acc[2] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w + 32), acc[2]);
            if (blocks > 3) acc[3] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w + 48), acc[3]);
          }
        }
      }
      for (size_t b = 0; b < blocks; ++b) {
        const size_t left = cout - 16 * b;
        const __mmask16 m = left >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << left) - 1);
        _mm512_mask_storeu_ps(out_row + ox * cout + 16 * b, m,
                              _mm512_min_ps(_mm512_max_ps(acc[b], lo), hi));
      }
    }
  }
};

}  // namespace

std::unique_ptr<FastConv> MakeDepthwiseF32(const FastConvF32Spec& s) {
  if (!s.depthwise || s.cout != s.cin || s.cin == 0 || !HasAvx512()) return nullptr;
  return std::make_unique<DepthwiseF32>(s);
}

std::unique_ptr<FastConv> MakeSmallConvF32(const FastConvF32Spec& s) {
  // 1x1 convolutions stay on XNNPACK's GEMM, which blocks several pixels per weight load.
  if (s.depthwise || s.cin == 0 || s.cout == 0 || s.cout > 64 ||
      size_t{s.kernel_h} * s.kernel_w == 1 ||
      size_t{s.kernel_h} * s.kernel_w * s.cin > 64 || !HasAvx512())
    return nullptr;
  return std::make_unique<SmallConvF32>(s);
}

}  // namespace labelite::xnn
