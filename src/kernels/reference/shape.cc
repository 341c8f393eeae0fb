// SHAPE, reference implementation: the input's dimensions as an int32 or int64 vector.
#include <cstdint>
#include <cstring>
#include <memory>

#include "kernels/common/data_movement.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class ShapeKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareShape(ctx); }
  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    Tensor& out = *ctx.output(0);
    for (int i = 0; i < in.rank(); ++i) {
      if (out.type == DataType::kInt32) out.data_as<int32_t>()[i] = in.dim(i);
      else out.data_as<int64_t>()[i] = in.dim(i);
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceShape() { return std::make_unique<ShapeKernel>(); }

}  // namespace labelite
