// LEAKY_RELU on the fast path: float32 on XNNPACK's leaky_relu_nc_f32 (x < 0 ? x * alpha : x,
// the reference's arithmetic); uint8/int8 (per-tensor) through a 256-entry table built from
// the reference kernel (table_unary.h), exact by construction.
#include <memory>

#include "kernels/fast/table_unary.h"
#include "kernels/xnnpack/unary.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceLeakyRelu();

namespace {

class LeakyReluKernel : public xnn::UnaryKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(PrepareShape(ctx));
    if (ctx.input(0)->type != DataType::kFloat32 || ctx.output(0)->type != DataType::kFloat32)
      return ctx.UnsupportedError("only float32 leaky ReLU runs on XNNPACK");
    xnn_operator_t op = nullptr;
    const size_t c = channels_;
    return Finish(ctx, xnn_create_leaky_relu_nc_f32(c, c, c, ctx.options().alpha, 0, &op), &op,
                  &xnn::SetupAs<float, float, xnn_setup_leaky_relu_nc_f32>,
                  "xnn_create_leaky_relu_nc_f32");
  }
};

std::unique_ptr<Kernel> CreateFloatLeakyRelu() { return std::make_unique<LeakyReluKernel>(); }

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackLeakyRelu() {
  return std::make_unique<xnn::TableUnaryKernel>(&CreateReferenceLeakyRelu, &CreateFloatLeakyRelu);
}

}  // namespace labelite
