// LOGISTIC (sigmoid) on the fast path: float32 on XNNPACK; uint8/int8 (per-tensor) through a
// 256-entry table built from the reference kernel (table_unary.h), so the fast path equals
// LiteRT's builtin LOGISTIC byte for byte (XNNPACK's own quantized sigmoid rounds its table
// from float math and differs from it by 1 on some inputs).
#include <memory>

#include "kernels/fast/table_unary.h"
#include "kernels/xnnpack/unary.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceLogistic();

namespace {

class LogisticKernel : public xnn::UnaryKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(PrepareShape(ctx));
    const Tensor& in = *ctx.input(0);
    const Tensor& out = *ctx.output(0);
    if (in.type != out.type) return ctx.UnsupportedError("input and output types differ");
    xnn_operator_t op = nullptr;
    const size_t c = channels_;
    if (in.type == DataType::kFloat32)
      return Finish(ctx, xnn_create_sigmoid_nc_f32(c, c, c, 0, &op), &op,
                    &xnn::SetupAs<float, float, xnn_setup_sigmoid_nc_f32>,
                    "xnn_create_sigmoid_nc_f32");
    if (!xnn::IsPerTensorQuantized(in) || !xnn::IsPerTensorQuantized(out))  // tests only
      return ctx.UnsupportedError("needs per-tensor quantization");
    if (in.type == DataType::kUInt8)
      return Finish(ctx,
                    xnn_create_sigmoid_nc_qu8(c, c, c, static_cast<uint8_t>(in.zero_point),
                                              in.scale, static_cast<uint8_t>(out.zero_point),
                                              out.scale, 0, 255, 0, &op),
                    &op, &xnn::SetupAs<uint8_t, uint8_t, xnn_setup_sigmoid_nc_qu8>,
                    "xnn_create_sigmoid_nc_qu8");
    if (in.type == DataType::kInt8)
      return Finish(ctx,
                    xnn_create_sigmoid_nc_qs8(c, c, c, static_cast<int8_t>(in.zero_point),
                                              in.scale, static_cast<int8_t>(out.zero_point),
                                              out.scale, -128, 127, 0, &op),
                    &op, &xnn::SetupAs<int8_t, int8_t, xnn_setup_sigmoid_nc_qs8>,
                    "xnn_create_sigmoid_nc_qs8");
    return ctx.UnsupportedError("type is not float32, uint8 or int8");
  }
};

std::unique_ptr<Kernel> CreateXnnpackLogisticOperator() { return std::make_unique<LogisticKernel>(); }

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackLogistic() {
  return std::make_unique<xnn::TableUnaryKernel>(&CreateReferenceLogistic,
                                                 &CreateXnnpackLogisticOperator);
}

}  // namespace labelite
