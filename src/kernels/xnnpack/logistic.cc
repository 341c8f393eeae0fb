// LOGISTIC (sigmoid) on the fast path: float32 on labelite's rows, bit-identical to XNNPACK's
// sigmoid (fast/swish_f32.h), where the ISA level allows them, else on XNNPACK; uint8/int8
// (per-tensor) through a 256-entry table built from the reference kernel (table_unary.h), so
// the fast path equals LiteRT's builtin LOGISTIC byte for byte (XNNPACK's own quantized sigmoid
// rounds its table from float math and differs from it by 1 on some inputs).
#include <memory>

#include "kernels/fast/first_supported.h"
#include "kernels/fast/swish_f32.h"
#include "kernels/fast/table_unary.h"
#include "kernels/xnnpack/unary.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceLogistic();

namespace {

// Float32 only: TableUnaryKernel takes every uint8/int8 tensor before this is asked.
class LogisticKernel : public xnn::UnaryKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(PrepareShape(ctx));
    if (ctx.input(0)->type != DataType::kFloat32 || ctx.output(0)->type != DataType::kFloat32)
      return ctx.UnsupportedError("only float32 sigmoid runs on XNNPACK");
    xnn_operator_t op = nullptr;
    const size_t c = channels_;
    return Finish(ctx, xnn_create_sigmoid_nc_f32(c, c, c, 0, &op), &op,
                  &xnn::SetupAs<float, float, xnn_setup_sigmoid_nc_f32>,
                  "xnn_create_sigmoid_nc_f32");
  }
};

std::unique_ptr<Kernel> CreateXnnFloatLogistic() { return std::make_unique<LogisticKernel>(); }
std::unique_ptr<Kernel> CreateFloatLogistic() {
  return std::make_unique<xnn::FirstSupportedKernel>(&xnn::CreateFastLogisticF32,
                                                     &CreateXnnFloatLogistic);
}

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackLogistic() {
  return std::make_unique<xnn::TableUnaryKernel>(&CreateReferenceLogistic,
                                                 &CreateFloatLogistic);
}

}  // namespace labelite
