// PACK, reference implementation: the inputs stacked along a new axis; any element type.
#include <cstdint>
#include <cstring>
#include <memory>

#include "kernels/common/data_movement.h"
#include "kernels/reference/split_like.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class PackKernel : public reference_internal::SplitLikeKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    to_whole_ = true;
    return common::PreparePack(ctx, &p_);
  }
};

}  // namespace

std::unique_ptr<Kernel> CreateReferencePack() { return std::make_unique<PackKernel>(); }

}  // namespace labelite
