#include "kernels/fast/strided_copy.h"

#include <cstring>

namespace labelite::xnn {
namespace {

template <typename T>
void GatherRow(const uint8_t* in, uint8_t* out, int64_t n, int64_t step) {
  const T* src = reinterpret_cast<const T*>(in);
  T* dst = reinterpret_cast<T*>(out);
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i * step];
}

// Copies one innermost run of n elements (input step `step`) from `in` to `out`.
void CopyRun(const StridedCopyPlan& p, const uint8_t* in, uint8_t* out, int64_t n, int64_t step) {
  const size_t es = p.element_size;
  if (step == 1) {
    std::memcpy(out, in, static_cast<size_t>(n) * es);
    return;
  }
  // Byte buffers of tensors are aligned to their element type.
  switch (es) {
    case 1: GatherRow<uint8_t>(in, out, n, step); return;
    case 2: GatherRow<uint16_t>(in, out, n, step); return;
    case 4: GatherRow<uint32_t>(in, out, n, step); return;
    case 8: GatherRow<uint64_t>(in, out, n, step); return;
    default:
      for (int64_t i = 0; i < n; ++i) std::memcpy(out + i * static_cast<int64_t>(es), in + i * step * static_cast<int64_t>(es), es);
  }
}

}  // namespace

StridedCopyPlan PlanStridedCopy(size_t element_size, int dims, const int64_t* count,
                                const int64_t* step, int64_t base) {
  StridedCopyPlan p;
  p.element_size = element_size;
  p.base = base;
  for (int d = 0; d < dims; ++d) {
    if (count[d] == 0) p.empty = true;
    if (count[d] == 1) continue;  // contributes no offset beyond base
    // Merge with the previous kept dimension when it steps over exactly this one.
    if (p.dims > 0 && p.step[p.dims - 1] == step[d] * count[d]) {
      p.count[p.dims - 1] *= count[d];
      p.step[p.dims - 1] = step[d];
      continue;
    }
    p.count[p.dims] = count[d];
    p.step[p.dims] = step[d];
    ++p.dims;
  }
  return p;
}

void RunStridedCopy(const StridedCopyPlan& p, const uint8_t* in, uint8_t* out) {
  if (p.empty) return;
  const int64_t es = static_cast<int64_t>(p.element_size);
  in += p.base * es;
  if (p.dims == 0) {
    std::memcpy(out, in, p.element_size);
    return;
  }
  const int last = p.dims - 1;
  const int64_t run = p.count[last], run_step = p.step[last];
  const int64_t run_bytes = run * es;
  std::array<int64_t, StridedCopyPlan::kMaxDims> idx{};
  int64_t src = 0;  // in elements
  while (true) {
    CopyRun(p, in + src * es, out, run, run_step);
    out += run_bytes;
    int d = last - 1;
    for (; d >= 0; --d) {  // odometer over the outer dimensions
      src += p.step[d];
      if (++idx[d] < p.count[d]) break;
      src -= p.step[d] * p.count[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace labelite::xnn
