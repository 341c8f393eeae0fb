// TRANSPOSE on the fast path: common::PrepareTranspose's strided walk run as a StridedCopy
// (strided_copy.h): whole runs with memcpy when the innermost axis stays innermost, a typed
// strided loop otherwise. Bit-identical to the reference (pure data movement).
#include <memory>

#include "kernels/common/transpose.h"
#include "kernels/fast/strided_copy.h"

namespace labelite {
namespace {

xnn::StridedCopyPlan PlanTranspose(const common::TransposeParams& p) {
  return xnn::PlanStridedCopy(p.element_size, p.rank, p.out_dims.data(), p.in_strides.data(), 0);
}

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackTranspose() {
  return std::make_unique<xnn::StridedCopyKernel<common::TransposeParams,
                                                 &common::PrepareTranspose, &PlanTranspose>>();
}

}  // namespace labelite
