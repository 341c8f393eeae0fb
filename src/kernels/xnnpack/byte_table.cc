#include "kernels/xnnpack/byte_table.h"

#include <immintrin.h>
#include <pthreadpool.h>

#include <algorithm>

namespace labelite::xnn {
namespace {

#define LABELITE_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))

bool HasVbmi() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi");
  }();
  return has;
}

LABELITE_VBMI void ApplyVbmi(const std::array<uint8_t, 256>& table, const uint8_t* in,
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

constexpr size_t kMinParallelBytes = size_t{64} << 10;
constexpr size_t kChunkBytes = size_t{16} << 10;  // a multiple of the 64-byte vector step

struct Task {
  const std::array<uint8_t, 256>* table;
  const uint8_t* in;
  uint8_t* out;
  size_t n;
};

void RunChunk(void* context, size_t chunk) {
  const Task& t = *static_cast<const Task*>(context);
  const size_t begin = chunk * kChunkBytes;
  ApplyByteTable(*t.table, t.in + begin, t.out + begin, std::min(kChunkBytes, t.n - begin));
}

}  // namespace

void ApplyByteTableScalar(const std::array<uint8_t, 256>& table, const uint8_t* in, uint8_t* out,
                          size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = table[in[i]];
}

void ApplyByteTable(const std::array<uint8_t, 256>& table, const uint8_t* in, uint8_t* out,
                    size_t n) {
  if (HasVbmi())
    ApplyVbmi(table, in, out, n);
  else
    ApplyByteTableScalar(table, in, out, n);
}

void ApplyByteTable(const std::array<uint8_t, 256>& table, const uint8_t* in, uint8_t* out,
                    size_t n, pthreadpool_t pool) {
  if (pool == nullptr || n < kMinParallelBytes) {
    ApplyByteTable(table, in, out, n);
    return;
  }
  Task task{&table, in, out, n};
  pthreadpool_parallelize_1d(pool, &RunChunk, &task, (n + kChunkBytes - 1) / kChunkBytes, 0);
}

}  // namespace labelite::xnn
