// TRANSPOSE on the fast path: common::PrepareTranspose's strided walk run as a StridedCopy
// (strided_copy.h): whole runs with memcpy when the innermost axis stays innermost, a typed
// strided loop otherwise. Bit-identical to the reference (pure data movement).
#include <memory>

#include "kernels/common/transpose.h"
#include "kernels/fast/strided_copy.h"

namespace labelite {
namespace {

class FastTransposeKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(common::PrepareTranspose(ctx, &p_));
    plan_ = xnn::PlanStridedCopy(p_.element_size, p_.rank, p_.out_dims.data(),
                                 p_.in_strides.data(), 0);
    return Status::Ok();
  }
  Status Eval(KernelContext& ctx) override {
    xnn::RunStridedCopy(plan_, ctx.input(0)->data, ctx.output(0)->data);
    return Status::Ok();
  }
  const char* path() const override { return "fast"; }

 private:
  common::TransposeParams p_;
  xnn::StridedCopyPlan plan_;
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackTranspose() { return std::make_unique<FastTransposeKernel>(); }

}  // namespace labelite
