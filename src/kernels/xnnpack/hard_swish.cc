// HARD_SWISH on XNNPACK: float32 only (Debian 12's XNNPACK has no quantized hardswish, so
// uint8/int8 stay on the reference kernel).
#include <memory>

#include "kernels/xnnpack/unary.h"

namespace labelite {
namespace {

class HardSwishKernel : public xnn::UnaryKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(PrepareShape(ctx));
    if (ctx.input(0)->type != DataType::kFloat32 || ctx.output(0)->type != DataType::kFloat32)
      return ctx.UnsupportedError("only float32 hard-swish runs on XNNPACK");
    xnn_operator_t op = nullptr;
    const size_t c = channels_;
    return Finish(ctx, xnn_create_hardswish_nc_f32(c, c, c, 0, &op), &op,
                  &xnn::SetupAs<float, float, xnn_setup_hardswish_nc_f32>,
                  "xnn_create_hardswish_nc_f32");
  }
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackHardSwish() { return std::make_unique<HardSwishKernel>(); }

}  // namespace labelite
