// SQUEEZE: removes the size-1 dimensions listed in squeeze_dims (negative values count from
// the end), or every size-1 dimension when the list is empty; copies the bytes.
#include <cstring>
#include <memory>

#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class SqueezeKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    const Tensor* in = ctx.input(0);
    Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
    if (!in || !out) return ctx.Error("expects 1 input and 1 output");
    if (out->type != in->type)
      return ctx.Error("output type " + shape::TypeName(out->type) + " differs from input type " +
                       shape::TypeName(in->type));
    const int rank = in->rank();
    std::vector<bool> drop(static_cast<size_t>(rank), false);
    const std::vector<int32_t>& axes = ctx.options().squeeze_dims;
    if (axes.empty()) {
      for (int d = 0; d < rank; ++d) drop[static_cast<size_t>(d)] = in->dim(d) == 1;
    }
    for (int32_t axis : axes) {
      const int32_t a = axis < 0 ? axis + rank : axis;
      if (a < 0 || a >= rank)
        return ctx.Error("squeeze dimension " + std::to_string(axis) + " outside rank " +
                         std::to_string(rank));
      if (in->dim(a) != 1)
        return ctx.Error("dimension " + std::to_string(axis) + " of " + shape::ToString(in->dims) +
                         " is not 1");
      drop[static_cast<size_t>(a)] = true;
    }
    std::vector<int32_t> dims;
    for (int d = 0; d < rank; ++d)
      if (!drop[static_cast<size_t>(d)]) dims.push_back(in->dim(d));
    out->dims = std::move(dims);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    Tensor& out = *ctx.output(0);
    if (out.data != in.data && in.bytes) std::memmove(out.data, in.data, in.bytes);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceSqueeze() { return std::make_unique<SqueezeKernel>(); }

}  // namespace labelite
