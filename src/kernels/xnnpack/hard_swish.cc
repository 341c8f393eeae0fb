// HARD_SWISH on the fast path: float32 on labelite's rows (fast/swish_f32.h, AVX2 and up)
// or XNNPACK; uint8/int8 (per-tensor) through a 256-entry table built from the reference kernel
// (table_unary.h; Debian 12's XNNPACK has no quantized hardswish).
#include <memory>

#include "kernels/fast/first_supported.h"
#include "kernels/fast/swish_f32.h"  // CreateFastHardSwishF32
#include "kernels/fast/table_unary.h"
#include "kernels/xnnpack/unary.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceHardSwish();

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

std::unique_ptr<Kernel> CreateXnnpackFloatHardSwish() { return std::make_unique<HardSwishKernel>(); }

std::unique_ptr<Kernel> CreateFloatHardSwish() {
  return std::make_unique<xnn::FirstSupportedKernel>(&xnn::CreateFastHardSwishF32,
                                                     &CreateXnnpackFloatHardSwish);
}

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackHardSwish() {
  return std::make_unique<xnn::TableUnaryKernel>(&CreateReferenceHardSwish, &CreateFloatHardSwish);
}

}  // namespace labelite
