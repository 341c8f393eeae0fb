// Float BATCH_MATMUL's matrix product on AVX2: blocks of up to 6 rows x 16 columns (two ymm;
// the last cols mod 16 columns in a masked block of one or two) keep their sums in registers
// (12 accumulators) while k runs 0, 1, ...; each step adds lhs[i, k] * rhs[k, j] with a
// separate multiply and add (no FMA: this file is built for avx2 without fma), so every output
// element is the same k-ordered sum from 0 as in kernels/fast/batch_matmul_f32.h and the
// reference kernel. ViT's attention products (17 x 32 by 32 x 17, 17 x 17 by 17 x 32): the
// auto-vectorized row loop of batch_matmul_f32.h stored and reloaded every output row once per
// k, 2.9x and 1.6x LiteRT's time at AVX2 (bench/layer_vs_litert.py --cpu avx2).
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include "kernels/x86/batch_matmul_f32_x86.h"

#define LABELITE_AVX2_ONLY __attribute__((target("avx2")))

namespace labelite::xnn {
namespace {

constexpr int kRows = 6;
constexpr int32_t kLanes = 8;

LABELITE_AVX2_ONLY inline __m256i MaskOf(int32_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Rows [i0, i0 + R) x kVectors * 8 columns from j0; kMasked: the last vector holds only the
// lanes of `mask` (loads zeros elsewhere, stores only those).
template <int R, int kVectors, bool kMasked>
LABELITE_AVX2_ONLY inline void Block(const MatMulF32Args& a, int32_t i0, int32_t j0,
                                     __m256i mask) {
  __m256 acc[R][kVectors];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < kVectors; ++v) acc[r][v] = _mm256_setzero_ps();
  const float* l = a.lhs + i0 * a.lhs_row_stride;
  const float* rk = a.rhs + j0;
  for (int32_t k = 0; k < a.depth; ++k, rk += a.cols) {
    __m256 w[kVectors];
    for (int v = 0; v < kVectors; ++v)
      w[v] = kMasked && v == kVectors - 1 ? _mm256_maskload_ps(rk + v * kLanes, mask)
                                          : _mm256_loadu_ps(rk + v * kLanes);
    const float* lk = l + k * a.lhs_k_stride;
    for (int r = 0; r < R; ++r) {
      const __m256 x = _mm256_broadcast_ss(lk + r * a.lhs_row_stride);
      for (int v = 0; v < kVectors; ++v)
        acc[r][v] = _mm256_add_ps(acc[r][v], _mm256_mul_ps(x, w[v]));
    }
  }
  for (int r = 0; r < R; ++r) {
    float* o = a.out + static_cast<int64_t>(i0 + r) * a.cols + j0;
    for (int v = 0; v < kVectors; ++v) {
      if (kMasked && v == kVectors - 1) {
        _mm256_maskstore_ps(o + v * kLanes, mask, acc[r][v]);
      } else {
        _mm256_storeu_ps(o + v * kLanes, acc[r][v]);
      }
    }
  }
}

// All rows for the columns [j0, j0 + kVectors * 8).
template <int kVectors, bool kMasked>
LABELITE_AVX2_ONLY inline void Columns(const MatMulF32Args& a, int32_t j0, __m256i mask) {
  int32_t i = 0;
  for (; i + kRows <= a.rows; i += kRows) Block<kRows, kVectors, kMasked>(a, i, j0, mask);
  switch (a.rows - i) {
    case 5: return Block<5, kVectors, kMasked>(a, i, j0, mask);
    case 4: return Block<4, kVectors, kMasked>(a, i, j0, mask);
    case 3: return Block<3, kVectors, kMasked>(a, i, j0, mask);
    case 2: return Block<2, kVectors, kMasked>(a, i, j0, mask);
    case 1: return Block<1, kVectors, kMasked>(a, i, j0, mask);
    default: return;
  }
}

}  // namespace

LABELITE_AVX2_ONLY void MatMulF32Avx2(const MatMulF32Args& a) {
  const __m256i all = _mm256_set1_epi32(-1);
  int32_t j0 = 0;
  for (; j0 + 2 * kLanes <= a.cols; j0 += 2 * kLanes) Columns<2, false>(a, j0, all);
  const int32_t rest = a.cols - j0;
  if (rest == kLanes) {
    Columns<1, false>(a, j0, all);
  } else if (rest > kLanes) {
    Columns<2, true>(a, j0, MaskOf(rest - kLanes));
  } else if (rest > 0) {
    Columns<1, true>(a, j0, MaskOf(rest));
  }
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
