// F32Gemm's AVX-512 micro-kernel (see avx2/gemm_f32.h): 14 rows x one 16-column panel in 14 zmm
// accumulators; each FMA takes its input value as an embedded broadcast from memory, so a step
// of k costs one weight load and 14 FMAs. Same operations in the same order as the AVX2 one
// (and XNNPACK's f32 gemm/igemm): bias, one FMA per k, max(min), min(max).
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include <memory>

#include "kernels/fast/fast_conv.h"
#include "kernels/x86/avx2/gemm_f32.h"

#define LABELITE_AVX512F __attribute__((target("avx512f,avx512vl,fma")))

namespace labelite::xnn {
namespace {

constexpr size_t kPanel = 16;

LABELITE_AVX512F void Panel14x16(const F32Tile& t, const float* w, float* c, size_t cols) {
#define LABELITE_ROWS(X) \
  X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
  const __m512 bias = _mm512_load_ps(w);
#define LABELITE_INIT(r) __m512 acc##r = bias;
  LABELITE_ROWS(LABELITE_INIT)
#undef LABELITE_INIT
  w += kPanel;
  for (size_t tap = 0; tap < t.taps; ++tap) {
    const float* const* p = t.a + tap * kF32TileRowsAvx512;
#define LABELITE_PTR(r) const float* a##r = p[r];
    LABELITE_ROWS(LABELITE_PTR)
#undef LABELITE_PTR
    for (size_t i = 0; i < t.cin; ++i, w += kPanel) {
      const __m512 wv = _mm512_load_ps(w);
#define LABELITE_FMA(r) acc##r = _mm512_fmadd_ps(_mm512_set1_ps(a##r[i]), wv, acc##r);
      LABELITE_ROWS(LABELITE_FMA)
#undef LABELITE_FMA
    }
  }
  const __m512 lo = _mm512_set1_ps(t.min), hi = _mm512_set1_ps(t.max);
  const __mmask16 mask = cols >= kPanel ? __mmask16(0xFFFF) : __mmask16((1u << cols) - 1);
  const __mmask16 all = 0xFFFF;  // maskz forms: GCC 12 warns about _mm512_max_ps's undefined
#define LABELITE_STORE(r)                                                         \
  if (r < t.rows)                                                                 \
    _mm512_mask_storeu_ps(c + r * t.c_stride, mask,                               \
                          _mm512_maskz_min_ps(all, _mm512_maskz_max_ps(all, acc##r, lo), hi));
  LABELITE_ROWS(LABELITE_STORE)
#undef LABELITE_STORE
#undef LABELITE_ROWS
}

}  // namespace

LABELITE_AVX512F void F32TileAvx512(const F32Tile& t) {
  const float* w = t.w;
  float* c = t.c;
  for (size_t p = 0; p < t.panels; ++p, w += t.panel_stride, c += kPanel)
    Panel14x16(t, w, c, t.cols - p * kPanel);
}

std::unique_ptr<FastConv> MakeConvF32GemmAvx512(const FastConvF32Spec& spec) {
  return MakeConvF32Gemm(spec, IsaLevel::kAvx512);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
