#include "kernels/x86/avx2/matmul_s8_avx2.h"

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <immintrin.h>

#include "kernels/fast/isa.h"
#include "kernels/x86/avx2/requant_avx2.h"  // LABELITE_AVX2

namespace labelite::xnn {
namespace {

size_t PaddedDepth(size_t depth) { return (depth + 15) / 16 * 16; }

// Step 1: `count` vectors of `depth` int8 (element (v, k) at src[v * v_stride + k * k_stride])
// to int16 + offset, each padded with zeros to `padded`.
void Widen(const int8_t* src, size_t count, size_t depth, int64_t v_stride, int64_t k_stride,
           int32_t offset, size_t padded, int16_t* dst) {
  for (size_t v = 0; v < count; ++v, dst += padded) {
    const int8_t* s = src + static_cast<int64_t>(v) * v_stride;
    size_t k = 0;
    for (; k < depth; ++k)
      dst[k] = static_cast<int16_t>(s[static_cast<int64_t>(k) * k_stride] + offset);
    for (; k < padded; ++k) dst[k] = 0;
  }
}

LABELITE_AVX2 inline int32_t HorizontalSum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

// Step 2 for one widened row against kCols (1 or 4) widened columns.
template <size_t kCols>
LABELITE_AVX2 inline void Dot(const int16_t* row, const int16_t* cols, size_t padded,
                              int32_t* out) {
  __m256i acc[kCols];
  for (size_t c = 0; c < kCols; ++c) acc[c] = _mm256_setzero_si256();
  for (size_t k = 0; k < padded; k += 16) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + k));
    for (size_t c = 0; c < kCols; ++c) {
      const __m256i b =
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cols + c * padded + k));
      acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(a, b));
    }
  }
  for (size_t c = 0; c < kCols; ++c) out[c] = HorizontalSum(acc[c]);
}

LABELITE_AVX2 void Products(const MatMulS8Shape& s, const int16_t* rows, const int16_t* cols,
                            int32_t* acc) {
  const size_t padded = PaddedDepth(s.depth);
  for (size_t i = 0; i < s.rows; ++i, acc += s.cols) {
    const int16_t* row = rows + i * padded;
    size_t j = 0;
    for (; j + 4 <= s.cols; j += 4) Dot<4>(row, cols + j * padded, padded, acc + j);
    for (; j < s.cols; ++j) Dot<1>(row, cols + j * padded, padded, acc + j);
  }
}

}  // namespace

bool MatMulS8Supported() { return ActiveIsa() >= IsaLevel::kAvx2; }

size_t MatMulS8ScratchSize(const MatMulS8Shape& s) {
  return (s.rows + s.cols) * PaddedDepth(s.depth);
}

void MatMulS8Avx2(const MatMulS8Shape& s, const int8_t* lhs, const int8_t* rhs, int16_t* scratch,
                  int32_t* acc) {
  const size_t padded = PaddedDepth(s.depth);
  int16_t* rows = scratch;
  int16_t* cols = scratch + s.rows * padded;
  Widen(lhs, s.rows, s.depth, s.lhs_row_stride, s.lhs_k_stride, s.lhs_offset, padded, rows);
  Widen(rhs, s.cols, s.depth, s.rhs_col_stride, s.rhs_k_stride, s.rhs_offset, padded, cols);
  Products(s, rows, cols, acc);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
