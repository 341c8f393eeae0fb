// StridedCopy: the fast Eval of TRANSPOSE and STRIDED_SLICE (and any op that is a strided
// walk): out, dense in row-major order over `count`, gets the input elements at
//   base + sum_d i_d * step[d]      (0 <= i_d < count[d], in elements of `element_size` bytes).
// The plan (made once, at Prepare) drops size-1 dimensions and merges neighbours the input
// holds contiguously, so a slice of whole rows becomes a few long memcpys. Eval then walks the
// outer dimensions as an odometer and copies the innermost run with memcpy when its step is 1,
// else with a typed strided loop (1, 2, 4 or 8-byte elements; others by memcpy). The bytes
// equal the reference kernels' element-by-element walk trivially (the same source element for
// every output element).
//
//   StridedCopyPlan plan = PlanStridedCopy(4, rank, dims, strides, 0);  // at Prepare
//   RunStridedCopy(plan, in_bytes, out_bytes);                          // at Eval
#ifndef LABELITE_KERNELS_FAST_STRIDED_COPY_H_
#define LABELITE_KERNELS_FAST_STRIDED_COPY_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "runtime/kernel.h"

namespace labelite::xnn {

struct StridedCopyPlan {
  static constexpr int kMaxDims = 8;
  bool empty = false;    // some count is 0: nothing to copy
  size_t element_size = 1;
  int dims = 0;          // after simplification; 0 means one element
  std::array<int64_t, kMaxDims> count{};
  std::array<int64_t, kMaxDims> step{};  // in elements
  int64_t base = 0;                      // in elements
};

// `dims` <= kMaxDims.
StridedCopyPlan PlanStridedCopy(size_t element_size, int dims, const int64_t* count,
                                const int64_t* step, int64_t base);

void RunStridedCopy(const StridedCopyPlan& plan, const uint8_t* in, uint8_t* out);

// The fast kernel of a pure data-movement op: its shared Prepare (`prepare`, kernels/common),
// then one StridedCopy planned from the prepared parameters (`plan`) and run at every Eval.
// Bit-identical to the reference kernel. TRANSPOSE and STRIDED_SLICE use it.
template <typename Params, Status (*prepare)(KernelContext&, Params*),
          StridedCopyPlan (*plan)(const Params&)>
class StridedCopyKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(prepare(ctx, &p_));
    plan_ = plan(p_);
    return Status::Ok();
  }
  Status Eval(KernelContext& ctx) override {
    RunStridedCopy(plan_, ctx.input(0)->data, ctx.output(0)->data);
    return Status::Ok();
  }
  const char* path() const override { return "fast"; }

 private:
  Params p_;
  StridedCopyPlan plan_;
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_STRIDED_COPY_H_
