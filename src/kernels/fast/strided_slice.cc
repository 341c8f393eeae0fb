// STRIDED_SLICE on the fast path: common::PrepareStridedSlice's strided walk (every mask) run
// as a StridedCopy (strided_copy.h): a slice of whole rows becomes a few long memcpys.
// Bit-identical to the reference (pure data movement).
#include <memory>

#include "kernels/common/strided_slice.h"
#include "kernels/fast/strided_copy.h"

namespace labelite {
namespace {

xnn::StridedCopyPlan PlanSlice(const common::StridedSliceParams& p) {
  return xnn::PlanStridedCopy(p.element_size, p.dims, p.count.data(), p.step.data(), p.base);
}

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackStridedSlice() {
  return std::make_unique<xnn::StridedCopyKernel<common::StridedSliceParams,
                                                 &common::PrepareStridedSlice, &PlanSlice>>();
}

}  // namespace labelite
