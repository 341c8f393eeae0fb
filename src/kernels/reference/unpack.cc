// UNPACK, reference implementation: one output per index along the axis, that axis removed;
// any element type.
#include <cstdint>
#include <cstring>
#include <memory>

#include "kernels/common/data_movement.h"
#include "kernels/reference/split_like.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class UnpackKernel : public reference_internal::SplitLikeKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    return common::PrepareUnpack(ctx, &p_);
  }
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceUnpack() { return std::make_unique<UnpackKernel>(); }

}  // namespace labelite
