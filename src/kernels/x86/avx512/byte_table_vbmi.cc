#include "kernels/x86/avx512/byte_table_vbmi.h"

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <immintrin.h>

namespace labelite::xnn {

#define LABELITE_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))

LABELITE_VBMI void ApplyByteTableVbmi(const std::array<uint8_t, 256>& table, const uint8_t* in,
                                      uint8_t* out, size_t n) {
  const __m512i t0 = _mm512_loadu_si512(table.data());
  const __m512i t1 = _mm512_loadu_si512(table.data() + 64);
  const __m512i t2 = _mm512_loadu_si512(table.data() + 128);
  const __m512i t3 = _mm512_loadu_si512(table.data() + 192);
  size_t i = 0;
  for (; i < n; i += 64) {
    const __mmask64 valid = n - i >= 64 ? ~0ULL : (1ULL << (n - i)) - 1;
    const __m512i x = _mm512_maskz_loadu_epi8(valid, in + i);
    // VPERMI2B uses the low 7 bits of each index: x picks from t0:t1 or from t2:t3.
    const __m512i low = _mm512_permutex2var_epi8(t0, x, t1);
    const __m512i high = _mm512_permutex2var_epi8(t2, x, t3);
    const __mmask64 top = _mm512_movepi8_mask(x);  // bit 7 of each byte
    _mm512_mask_storeu_epi8(out + i, valid, _mm512_mask_blend_epi8(top, low, high));
  }
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
