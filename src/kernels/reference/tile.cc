// TILE, reference implementation: output[idx] = input[idx mod input dims]; constant multiples,
// any element type.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "kernels/common/data_movement.h"
#include "kernels/reference/index_map.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class TileKernel : public reference_internal::IndexMapKernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareTile(ctx, &p_); }
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceTile() { return std::make_unique<TileKernel>(); }

}  // namespace labelite
