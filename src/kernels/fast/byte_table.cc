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

// Below this a table runs on one thread (the interpreter's timing keeps a small one on one
// thread anyway when two are not faster). Chunks: about 4 per thread, whole 128-byte steps,
// 4-16 KB (EfficientNet's 24x24x96 swish, 54 KB, took 5.3 us at AVX2 on one thread).
constexpr size_t kMinParallelBytes = size_t{16} << 10;
constexpr size_t kMinChunkBytes = size_t{4} << 10, kMaxChunkBytes = size_t{16} << 10;

struct Task {
  const std::array<uint8_t, 256>* table;
  const uint8_t* in;
  uint8_t* out;
  size_t n;
  size_t chunk;  // bytes per task, a multiple of 128
};

void RunChunk(void* context, size_t chunk) {
  const Task& t = *static_cast<const Task*>(context);
  const size_t begin = chunk * t.chunk;
  ApplyByteTable(*t.table, t.in + begin, t.out + begin, std::min(t.chunk, t.n - begin));
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
  const size_t threads = ParallelThreads(pool);
  if (threads <= 1 || n < kMinParallelBytes) {
    ApplyByteTable(table, in, out, n);
    return;
  }
  const size_t chunk =
      std::clamp((n / (4 * threads) + 127) / 128 * 128, kMinChunkBytes, kMaxChunkBytes);
  Task task{&table, in, out, n, chunk};
  Parallelize1D(pool, &RunChunk, &task, (n + chunk - 1) / chunk, 0);
}

}  // namespace labelite::xnn
