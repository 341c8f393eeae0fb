// SPLIT_V, reference implementation: the input cut along the axis into parts of the constant
// size_splits (one may be -1: the rest); any element type.
#include <cstdint>
#include <cstring>
#include <memory>

#include "kernels/common/data_movement.h"
#include "kernels/reference/split_like.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class SplitVKernel : public reference_internal::SplitLikeKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    
    return common::PrepareSplitV(ctx, &p_);
  }
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceSplitV() { return std::make_unique<SplitVKernel>(); }

}  // namespace labelite
