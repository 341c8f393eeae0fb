// EXPAND_DIMS, reference implementation: the input's bytes under a shape with a 1 inserted at
// the constant axis.
#include <cstdint>
#include <cstring>
#include <memory>

#include "kernels/common/data_movement.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class ExpandDimsKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareExpandDims(ctx); }
  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    if (in.bytes && ctx.output(0)->data != in.data) std::memmove(ctx.output(0)->data, in.data, in.bytes);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceExpandDims() { return std::make_unique<ExpandDimsKernel>(); }

}  // namespace labelite
