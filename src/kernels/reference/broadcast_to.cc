// BROADCAST_TO, reference implementation: the input repeated along its size-1 (or missing
// leading) dimensions to a constant shape; any element type.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "kernels/common/data_movement.h"
#include "kernels/reference/index_map.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class BroadcastToKernel : public reference_internal::IndexMapKernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareBroadcastTo(ctx, &p_); }
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceBroadcastTo() { return std::make_unique<BroadcastToKernel>(); }

}  // namespace labelite
