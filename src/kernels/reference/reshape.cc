// RESHAPE: copies the bytes under a new shape. The new shape comes from the second input when
// it is a 1-D int32 tensor (which must be constant here), else from the options (TFLite's
// order); a legacy [0] in the options means a scalar; one -1 is inferred.
#include <cstring>
#include <memory>

#include "kernels/internal/shape_helpers.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class ReshapeKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    const Tensor* in = ctx.input(0);
    Tensor* out = ctx.outputs.empty() ? nullptr : ctx.output(0);
    if (!in || !out) return ctx.Error("expects an input and 1 output");
    if (out->type != in->type)
      return ctx.Error("output type " + shape::TypeName(out->type) + " differs from input type " +
                       shape::TypeName(in->type));
    std::vector<int32_t> requested;
    const Tensor* shape_in = ctx.input(1);
    if (shape_in && shape_in->rank() == 1 && shape_in->type == DataType::kInt32) {
      if (!shape_in->is_constant || !shape_in->data)
        return ctx.UnsupportedError("the shape input is not constant");
      const int32_t* s = shape_in->data_as<int32_t>();
      requested.assign(s, s + shape_in->dim(0));
    } else {
      requested = ctx.options().new_shape;
      if (requested.size() == 1 && requested[0] == 0) requested.clear();
    }
    int stretch = -1;
    int64_t known = 1;
    for (size_t i = 0; i < requested.size(); ++i) {
      if (requested[i] == -1) {
        if (stretch >= 0) return ctx.Error("new shape " + shape::ToString(requested) + " has two -1");
        stretch = static_cast<int>(i);
      } else if (requested[i] < 0) {
        return ctx.Error("new shape " + shape::ToString(requested) + " has a negative dimension");
      } else {
        known *= requested[i];
        if (known > (int64_t{1} << 40)) return ctx.Error("new shape is too large");
      }
    }
    const int64_t count = in->NumElements();
    if (stretch >= 0) {
      if (known == 0 || count % known != 0)
        return ctx.Error("cannot infer -1 in " + shape::ToString(requested) + " for " +
                         std::to_string(count) + " elements");
      requested[static_cast<size_t>(stretch)] = static_cast<int32_t>(count / known);
      known = count;
    }
    if (known != count)
      return ctx.Error("new shape " + shape::ToString(requested) + " has " + std::to_string(known) +
                       " elements, input " + shape::ToString(in->dims) + " has " +
                       std::to_string(count));
    out->dims = std::move(requested);
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

std::unique_ptr<Kernel> CreateReferenceReshape() { return std::make_unique<ReshapeKernel>(); }

}  // namespace labelite
