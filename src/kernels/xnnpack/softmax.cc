// SOFTMAX on XNNPACK: float32 with beta = 1 only, as TFLite's delegate (quantized softmax
// stays on TFLite's builtin kernel there, so here it stays on the reference kernel).
#include <memory>

#include "kernels/xnnpack/unary.h"

namespace labelite {
namespace {

class SoftmaxKernel : public xnn::UnaryKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(PrepareShape(ctx));
    if (ctx.input(0)->type != DataType::kFloat32 || ctx.output(0)->type != DataType::kFloat32)
      return ctx.UnsupportedError("only float32 softmax runs on XNNPACK");
    if (ctx.options().beta != 1.0f) return ctx.UnsupportedError("beta != 1");
    xnn_operator_t op = nullptr;
    const size_t c = channels_;
    return Finish(ctx, xnn_create_softmax_nc_f32(c, c, c, 0, &op), &op,
                  &xnn::SetupAs<float, float, xnn_setup_softmax_nc_f32>,
                  "xnn_create_softmax_nc_f32");
  }
};

}  // namespace

// The fast SOFTMAX (kernels/fast/softmax.cc) falls back to this operator.
std::unique_ptr<Kernel> CreateXnnpackSoftmaxOperator() { return std::make_unique<SoftmaxKernel>(); }

}  // namespace labelite
