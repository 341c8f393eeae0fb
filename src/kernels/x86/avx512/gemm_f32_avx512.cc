// F32Gemm's AVX-512 micro-kernel (see avx2/gemm_f32.h): 7 rows x one 32-column panel in 14 zmm
// accumulators (16 of a last panel of <= 16 columns in 7), so a step of k costs two weight
// loads from one sequential stream (the panel holds the 32 weights of each k together), 7
// broadcasts and 14 FMAs, and the tile's rows (7 x K floats) stay in L1 for K up to ~1000.
// Same operations in the same order as the AVX2 one (and XNNPACK's f32 gemm/igemm): bias, one
// FMA per k, max(min), min(max).
// In fast_conv_list.inc for float CONV_2D and FULLY_CONNECTED at AVX-512 (MakeConvF32GemmAvx512):
// alone, a layer only matches XNNPACK's avx512f 7x16 kernels (bench/conv_f32_bench), but inside
// a model, where the weights come from L3 or memory, F32Gemm's 256 KB panel groups read them
// once while XNNPACK 2022 at one thread reads all of them again for every 7 rows: the late
// layers of EfficientNet (3x3 or 6x6 pixels, 0.1-1.5 MB of weights) take 0.4-0.55x the time
// (labelite bench --profile), whole float models 8-20% less (efficientnet_b0, _lite, densenet121).
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include <algorithm>
#include <memory>

#include "kernels/fast/fast_conv.h"
#include "kernels/x86/avx2/gemm_f32.h"

#define LABELITE_AVX512F __attribute__((target("avx512f,avx512vl,fma,popcnt")))

namespace labelite::xnn {
namespace {

constexpr size_t kPanel = 16;                 // columns of one zmm
constexpr size_t kWidth = kF32PanelAvx512;     // columns of one packed panel (32)
// The first tile of a group of panels prefetches their weights this far ahead (gemm_f32.h):
// inside a model they come from memory. On Zen 5 at 1 thread: inception_v3, densenet121 and
// efficientnet_b0 float 0.88-0.91x at 16 KB (4 KB 0.95-0.97x, 32 KB and 64 KB less).
constexpr size_t kPrefetchBytes = 16384;

inline __mmask16 MaskOf(size_t n) {
  return n >= kPanel ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1);
}

// max(min) then min(max); the maskz forms because GCC 12 warns about _mm512_max_ps's undefined.
LABELITE_AVX512F inline __m512 Clamp(__m512 v, __m512 lo, __m512 hi) {
  return _mm512_maskz_min_ps(0xFFFF, _mm512_maskz_max_ps(0xFFFF, v, lo), hi);
}

// Rows of one tile, one panel: its `kPanels` (1 or 2) halves of 16 columns: per step of k, one
// weight vector per half and one broadcast per row, 7 * kPanels accumulators.
// kSteps: the tile runs F32Steps (it skips some k); else every k of every tap in order.
template <int kPanels, int R, bool kSteps>
LABELITE_AVX512F void Panels7(const F32Tile& t, const float* w, float* c, size_t cols,
                              size_t panel, const F32Steps& s) {
#define LABELITE_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6)
  const size_t second = kPanels == 2 ? kPanel : 0;  // floats to the second half
  const __m512 bias0 = _mm512_load_ps(w), bias1 = _mm512_load_ps(w + second);
#define LABELITE_INIT(r) __m512 acc##r##a = bias0, acc##r##b = bias1;
  LABELITE_ROWS(LABELITE_INIT)
#undef LABELITE_INIT
  w += kWidth;
  const float* const taps_w = w;
#define LABELITE_STEP                                              \
  const __m512 w0 = _mm512_load_ps(w);                             \
  if constexpr (kPanels == 2) {                                    \
    const __m512 w1 = _mm512_load_ps(w + second);                  \
    LABELITE_ROWS(LABELITE_FMA2)                                   \
  } else {                                                         \
    LABELITE_ROWS(LABELITE_FMA1)                                   \
  }
#define LABELITE_FMA2(r)                            \
  if constexpr (r < R) {                            \
    const __m512 x = _mm512_set1_ps(a##r[i]);       \
    acc##r##a = _mm512_fmadd_ps(x, w0, acc##r##a);  \
    acc##r##b = _mm512_fmadd_ps(x, w1, acc##r##b);  \
  }
#define LABELITE_FMA1(r) \
  if constexpr (r < R) acc##r##a = _mm512_fmadd_ps(_mm512_set1_ps(a##r[i]), w0, acc##r##a);
#define LABELITE_PTR(r) const float* a##r = r < R ? p[r] : nullptr;
  if constexpr (kSteps) {
    const uint32_t* const ks = s.k.data();
#define LABELITE_RUN_STEPS(PREFETCH)                                   \
  for (size_t j = 0; j < s.runs; ++j) {                                \
    const size_t base = size_t{s.taps[j]} * t.cin;                     \
    const float* const* p = t.a + size_t{s.taps[j]} * kF32TileRowsAvx512; \
    LABELITE_ROWS(LABELITE_PTR)                                        \
    const uint32_t* const end = ks + s.begin[j + 1];                   \
    for (const uint32_t* e = ks + s.begin[j]; e != end; ++e) {         \
      const size_t i = *e - base;                                      \
      w = taps_w + size_t{*e} * kWidth;                                \
      PREFETCH                                                         \
      LABELITE_STEP                                                    \
    }                                                                  \
  }
    if (t.prefetch) {  // the prefetch follows the steps, so it skips what the tile skips
      F32StepPrefetch ahead(t, s, kWidth, panel, kPrefetchBytes / (kWidth * sizeof(float)));
      LABELITE_RUN_STEPS(if (const char* q = ahead.Next()) {
        _mm_prefetch(q, _MM_HINT_T0);
        _mm_prefetch(q + 64, _MM_HINT_T0);
      })
    } else {
      LABELITE_RUN_STEPS()
    }
#undef LABELITE_RUN_STEPS
  } else {
    for (size_t tap = 0; tap < t.taps; ++tap) {
      const float* const* p = t.a + tap * kF32TileRowsAvx512;
      LABELITE_ROWS(LABELITE_PTR)
      for (size_t i = 0; i < t.cin; ++i, w += kWidth) {
        if (t.prefetch) {
          _mm_prefetch(reinterpret_cast<const char*>(w) + kPrefetchBytes, _MM_HINT_T0);
          _mm_prefetch(reinterpret_cast<const char*>(w) + kPrefetchBytes + 64, _MM_HINT_T0);
        }
        LABELITE_STEP
      }
    }
  }
#undef LABELITE_PTR
#undef LABELITE_FMA1
#undef LABELITE_FMA2
#undef LABELITE_STEP
  const __m512 lo = _mm512_set1_ps(t.min), hi = _mm512_set1_ps(t.max);
  const __mmask16 mask_a = MaskOf(cols), mask_b = MaskOf(cols > kPanel ? cols - kPanel : 0);
#define LABELITE_STORE(r)                                                                 \
  if constexpr (r < R) {                                                                  \
    _mm512_mask_storeu_ps(c + r * t.c_stride, mask_a, Clamp(acc##r##a, lo, hi));          \
    if (kPanels == 2)                                                                     \
      _mm512_mask_storeu_ps(c + r * t.c_stride + kPanel, mask_b, Clamp(acc##r##b, lo, hi)); \
  }
  LABELITE_ROWS(LABELITE_STORE)
#undef LABELITE_STORE
#undef LABELITE_ROWS
}

// Rows [0, R) (R <= 3) of P full panels at once (P = 4 for one or three rows, 2 for two): 8-24
// accumulator chains where one panel has 2 * R, too few to hide the FMA latency (avx2/gemm_f32.cc's
// PanelsFew: a batch-1 FULLY_CONNECTED, squeeze-excite blocks, the last rows of a layer; Zen 4,
// 1 thread: 1280 -> 1000 at 1 row 71 -> 54 us, 1280 -> 128 at 2 rows 10.3 -> 7.0, 3 rows
// 15.9 -> 9.6). Each column's FMAs stay in order: same bits. No software prefetch (as AVX2's).
template <int R, int P, bool kSteps>
LABELITE_AVX512F void PanelsFew(const F32Tile& t, const float* w, float* c, const F32Steps& s) {
  const size_t stride = t.panel_stride;
  __m512 acc[R][P][2];
#pragma GCC unroll 4
  for (int q = 0; q < P; ++q) {
    const __m512 b0 = _mm512_load_ps(w + q * stride), b1 = _mm512_load_ps(w + q * stride + kPanel);
#pragma GCC unroll 3
    for (int r = 0; r < R; ++r) acc[r][q][0] = b0, acc[r][q][1] = b1;
  }
  const float* const taps_w = w + kWidth;
  // One step: input channel i of rows a[], weights of step k.
  const auto step = [&](const float* const* a, size_t i, size_t k) LABELITE_AVX512F {
    const float* wk = taps_w + k * kWidth;
    __m512 x[R];
#pragma GCC unroll 3
    for (int r = 0; r < R; ++r) x[r] = _mm512_set1_ps(a[r][i]);
#pragma GCC unroll 4
    for (int q = 0; q < P; ++q) {
      const __m512 w0 = _mm512_load_ps(wk + q * stride);
      const __m512 w1 = _mm512_load_ps(wk + q * stride + kPanel);
#pragma GCC unroll 3
      for (int r = 0; r < R; ++r) {
        acc[r][q][0] = _mm512_fmadd_ps(x[r], w0, acc[r][q][0]);
        acc[r][q][1] = _mm512_fmadd_ps(x[r], w1, acc[r][q][1]);
      }
    }
  };
  F32ForEachStep<kSteps>(t, kF32TileRowsAvx512, s, step);
  const __m512 lo = _mm512_set1_ps(t.min), hi = _mm512_set1_ps(t.max);
#pragma GCC unroll 3
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int q = 0; q < P; ++q) {
      float* o = c + r * t.c_stride + q * kWidth;
      _mm512_storeu_ps(o, Clamp(acc[r][q][0], lo, hi));
      _mm512_storeu_ps(o + kPanel, Clamp(acc[r][q][1], lo, hi));
    }
  }
}

template <int R, bool kSteps>
LABELITE_AVX512F void Rows7(const F32Tile& t, const F32Steps& s) {
  // 1-3 rows: the full panels several at once first.
  size_t p = F32RunFewPanels<R, R == 2 ? 2 : 4>(
      t, kWidth, [&](auto panels, const float* w, float* c) LABELITE_AVX512F {
        PanelsFew<R, decltype(panels)::value, kSteps>(t, w, c, s);
      });
  const float* w = t.w + p * t.panel_stride;
  float* c = t.c + p * kWidth;
  for (; p < t.panels; ++p, w += t.panel_stride, c += kWidth) {
    const size_t cols = t.cols - p * kWidth;
    if (cols > kPanel) {
      Panels7<2, R, kSteps>(t, w, c, cols, p, s);
    } else {
      Panels7<1, R, kSteps>(t, w, c, cols, p, s);
    }
  }
}

// F32BuildSteps' chunk: 16 channels of a tap, the OR of the tile's R rows' bits without the sign
// is zero where every row reads +0 or -0; the other channels' steps compressed. Only the R rows
// the tile computes are read.
template <int R>
struct Chunk16 {
  size_t cin;
  LABELITE_AVX512F size_t operator()(const float* const* p, size_t i, uint32_t step,
                                     uint32_t* out) const {
    const __mmask16 m = MaskOf(cin - i);
    __m512i bits = _mm512_maskz_loadu_epi32(m, p[0] + i);
    for (int r = 1; r < R; ++r)
      bits = _mm512_or_si512(bits, _mm512_maskz_loadu_epi32(m, p[r] + i));
    const __mmask16 nonzero = _mm512_test_epi32_mask(bits, _mm512_set1_epi32(0x7FFFFFFF));
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    // Compress in a register, then a plain store (out has room for 16): VPCOMPRESSD to memory
    // is microcoded on Zen 4, ~10x as slow; it took the tile's scan about as long as its steps
    // (DenseNet-121's 3x3 16x16x128 -> 32: 185 us with the scan, 165 without).
    _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(
                                 nonzero, _mm512_add_epi32(iota, _mm512_set1_epi32(
                                                                     static_cast<int>(step)))));
    return static_cast<size_t>(__builtin_popcount(nonzero));
  }
};

template <int R>
LABELITE_AVX512F void Rows7(const F32Tile& t) {
  const bool scan = F32ScanZeroSteps(t);
  if (scan || t.skip != nullptr) {
    F32Steps& steps = F32ThreadSteps();
    if (F32BuildSteps<kPanel>(t, kF32TileRowsAvx512, scan, steps, Chunk16<R>{t.cin}))
      return Rows7<R, true>(t, steps);
  }
  Rows7<R, false>(t, kF32NoSteps);
}

}  // namespace

void F32TileAvx512(const F32Tile& t) {
  switch (t.rows) {
    case 1: return Rows7<1>(t);
    case 2: return Rows7<2>(t);
    case 3: return Rows7<3>(t);
    case 4: return Rows7<4>(t);
    case 5: return Rows7<5>(t);
    case 6: return Rows7<6>(t);
    default: return Rows7<7>(t);
  }
}

std::unique_ptr<FastConv> MakeConvF32GemmAvx512(const FastConvF32Spec& spec) {
  // Fewer than 8 input channels: XNNPACK's avx512f kernels are faster on 3x3 RGB stems (a
  // merged kernel row of 9 floats: 20 against 23 us; MobileNet v2 and NASNet float 5% slower
  // on this tile), this tile once a merged kernel row is 7 x 3 floats or longer: 7x7 stems
  // (DenseNet-121's 70x70x3 -> 64: 99 -> 74 us, LiteRT 75; ResNet's -> 16: 56 -> 50 us,
  // LiteRT 65; Zen 5), ViT's 16x16 patches over 3 channels (48 floats: 27 -> 22 us).
  if (spec.cin < 8 && MergedConvRowFloats(spec) < 21) return nullptr;
  return MakeConvF32Gemm(spec, IsaLevel::kAvx512);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
