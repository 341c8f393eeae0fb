// SPLIT, reference implementation: the input (second input; the first is the constant axis)
// cut into num_splits equal parts along the axis; any element type.
#include <cstdint>
#include <cstring>
#include <memory>

#include "kernels/common/data_movement.h"
#include "kernels/reference/split_like.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class SplitKernel : public reference_internal::SplitLikeKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    whole_input_ = 1;
    return common::PrepareSplit(ctx, &p_);
  }
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceSplit() { return std::make_unique<SplitKernel>(); }

}  // namespace labelite
