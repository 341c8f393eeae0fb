#include "kernels/fast/byte_table.h"

#include <pthreadpool.h>

#include <algorithm>

#include "kernels/fast/isa.h"
#include "runtime/work_pool.h"
#if defined(__x86_64__)
#include "kernels/x86/avx2/byte_table_avx2.h"
#include "kernels/x86/avx512/byte_table_vbmi.h"
#endif

namespace labelite::xnn {
namespace {

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
#if defined(__x86_64__)
  if (ActiveIsa() >= IsaLevel::kAvx512) {
    ApplyByteTableVbmi(table, in, out, n);
    return;
  }
  if (ActiveIsa() >= IsaLevel::kAvx2) {
    ApplyByteTableAvx2(table, in, out, n);
    return;
  }
#endif
  ApplyByteTableScalar(table, in, out, n);
}

void ApplyByteTable(const std::array<uint8_t, 256>& table, const uint8_t* in, uint8_t* out,
                    size_t n, pthreadpool_t pool) {
  if (pool == nullptr || n < kMinParallelBytes) {
    ApplyByteTable(table, in, out, n);
    return;
  }
  Task task{&table, in, out, n};
  Parallelize1D(pool, &RunChunk, &task, (n + kChunkBytes - 1) / kChunkBytes, 0);
}

}  // namespace labelite::xnn
