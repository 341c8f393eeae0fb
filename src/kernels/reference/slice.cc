// SLICE, reference implementation: output = input[begin : begin + size] (size -1: to the end);
// constant begin and size, any element type.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "kernels/common/data_movement.h"
#include "kernels/reference/index_map.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class SliceKernel : public reference_internal::IndexMapKernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareSlice(ctx, &p_); }
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceSlice() { return std::make_unique<SliceKernel>(); }

}  // namespace labelite
