// STRIDED_SLICE on the fast path: common::PrepareStridedSlice's strided walk (every mask) run
// as a StridedCopy (strided_copy.h): a slice of whole rows becomes a few long memcpys.
// Bit-identical to the reference (pure data movement).
#include <memory>

#include "kernels/common/strided_slice.h"
#include "kernels/fast/strided_copy.h"

namespace labelite {
namespace {

class FastStridedSliceKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(common::PrepareStridedSlice(ctx, &p_));
    plan_ = xnn::PlanStridedCopy(p_.element_size, p_.dims, p_.count.data(), p_.step.data(),
                                 p_.base);
    return Status::Ok();
  }
  Status Eval(KernelContext& ctx) override {
    xnn::RunStridedCopy(plan_, ctx.input(0)->data, ctx.output(0)->data);
    return Status::Ok();
  }
  const char* path() const override { return "fast"; }

 private:
  common::StridedSliceParams p_;
  xnn::StridedCopyPlan plan_;
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackStridedSlice() {
  return std::make_unique<FastStridedSliceKernel>();
}

}  // namespace labelite
