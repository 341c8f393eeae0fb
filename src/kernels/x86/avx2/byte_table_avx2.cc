#include "kernels/x86/avx2/byte_table_avx2.h"

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <immintrin.h>

namespace labelite::xnn {
namespace {

#define LABELITE_AVX2 __attribute__((target("avx2")))

// table[x] for the 32 bytes of x (see the header for the saturating-add row selection).
LABELITE_AVX2 inline __m256i Lookup(const __m256i rows[16], __m256i x) {
  const __m256i bias = _mm256_set1_epi8(0x70);
  const __m256i step = _mm256_set1_epi8(16);
  __m256i r = _mm256_shuffle_epi8(rows[0], _mm256_adds_epu8(x, bias));
  for (int k = 1; k < 16; ++k) {
    x = _mm256_sub_epi8(x, step);
    r = _mm256_or_si256(r, _mm256_shuffle_epi8(rows[k], _mm256_adds_epu8(x, bias)));
  }
  return r;
}

}  // namespace

LABELITE_AVX2 void ApplyByteTableAvx2(const std::array<uint8_t, 256>& table, const uint8_t* in,
                                      uint8_t* out, size_t n) {
  __m256i rows[16];
  for (int k = 0; k < 16; ++k) {
    rows[k] = _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(table.data() + 16 * k)));
  }
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), Lookup(rows, x));
  }
  if (i < n) {  // the last 1..31 bytes through a stack buffer
    alignas(32) uint8_t buf[32] = {};
    for (size_t j = i; j < n; ++j) buf[j - i] = in[j];
    _mm256_store_si256(reinterpret_cast<__m256i*>(buf),
                       Lookup(rows, _mm256_load_si256(reinterpret_cast<const __m256i*>(buf))));
    for (size_t j = i; j < n; ++j) out[j] = buf[j - i];
  }
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
