#include "kernels/x86/avx2/byte_table_avx2.h"

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)

#include <immintrin.h>

namespace labelite::xnn {
namespace {

#define LABELITE_AVX2 __attribute__((target("avx2")))

// table[x] for the 32 bytes of x by a chain of 16 VPSHUFBs whose results are XORed: lookup k
// indexes table d[k] with x - 16k (bytes), which VPSHUFB reads as "0" once bit 7 is set, so
// for x < 128 exactly lookups 0..x>>4 answer, and with d[0] = t[0], d[k] = t[k] ^ t[k-1] (t[k]:
// the table's row k of 16) their XOR telescopes to t[x >> 4][x & 15]. For x >= 128 the first
// 8 subtractions wrap and the last 7 saturate (signed): lookups (m>>4, (m>>4) + 8] answer for
// m = x - 128, which d[k] = t[k] ^ t[k-1] ^ t[k-8] ^ t[k-9] (k >= 8, t[-1] = 0) makes telescope
// to t[8 + (m>>4)]. 16 lookups, 15 XORs and 15 subtractions, all single-cycle, where the blend
// tree before took 16 lookups, 15 VPBLENDVBs and 7 mask operations (efficientnet_b0 int8's
// LOGISTIC over 48x48x96 bytes under AVX-VNNI on Zen 5: 26.5 us, LiteRT 20.1).
LABELITE_AVX2 inline __m256i Lookup(const __m256i d[16], __m256i x) {
  const __m256i sixteen = _mm256_set1_epi8(16);
  __m256i y = _mm256_shuffle_epi8(d[0], x);
  for (int k = 1; k <= 8; ++k) {
    x = _mm256_sub_epi8(x, sixteen);
    y = _mm256_xor_si256(y, _mm256_shuffle_epi8(d[k], x));
  }
  for (int k = 9; k < 16; ++k) {
    x = _mm256_subs_epi8(x, sixteen);
    y = _mm256_xor_si256(y, _mm256_shuffle_epi8(d[k], x));
  }
  return y;
}

// Lookup for 4 vectors at once, each table row loaded once for the 4: 4 inputs, 4 results, one
// row and the constant fit AVX2's 16 registers, where one vector at a time kept 16 rows live
// (GCC spilled them and reloaded every row for every 32 bytes).
LABELITE_AVX2 inline void Lookup4(const __m256i* d, __m256i x[4]) {
  const __m256i sixteen = _mm256_set1_epi8(16);
  __m256i y[4];
  {
    const __m256i row = _mm256_load_si256(d);
    for (int v = 0; v < 4; ++v) y[v] = _mm256_shuffle_epi8(row, x[v]);
  }
#pragma GCC unroll 16
  for (int k = 1; k < 16; ++k) {
    const __m256i row = _mm256_load_si256(d + k);
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) {
      x[v] = k <= 8 ? _mm256_sub_epi8(x[v], sixteen) : _mm256_subs_epi8(x[v], sixteen);
      // Keeps the chain: GCC would otherwise rewrite x - 16k as x + constant k, keep 16
      // constants live and spill.
      asm("" : "+x"(x[v]));
      y[v] = _mm256_xor_si256(y[v], _mm256_shuffle_epi8(row, x[v]));
      asm("" : "+x"(y[v]));  // and the XORs in order (no spilled lookups to reassociate)
    }
  }
  for (int v = 0; v < 4; ++v) x[v] = y[v];
}

}  // namespace

LABELITE_AVX2 void ApplyByteTableAvx2(const std::array<uint8_t, 256>& table, const uint8_t* in,
                                      uint8_t* out, size_t n) {
  __m256i t[16];
  alignas(32) __m256i rows[16];  // the XOR tables d of Lookup
  for (int k = 0; k < 16; ++k) {
    t[k] = _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(table.data() + 16 * k)));
  }
  rows[0] = t[0];
  for (int k = 1; k < 16; ++k) {
    rows[k] = _mm256_xor_si256(t[k], t[k - 1]);
    if (k >= 8) rows[k] = _mm256_xor_si256(rows[k], k >= 9 ? _mm256_xor_si256(t[k - 8], t[k - 9]) : t[0]);
  }
  size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    __m256i x[4];
    for (int v = 0; v < 4; ++v)
      x[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i + 32 * v));
    Lookup4(rows, x);
    for (int v = 0; v < 4; ++v)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + 32 * v), x[v]);
  }
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
