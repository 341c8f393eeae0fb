// DEQUANTIZE on XNNPACK: uint8/int8 (per-tensor) -> float32 (convert operators).
#include <memory>

#include "kernels/xnnpack/unary.h"

namespace labelite {
namespace {

class DequantizeKernel : public xnn::UnaryKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(PrepareShape(ctx));
    const Tensor& in = *ctx.input(0);
    const Tensor& out = *ctx.output(0);
    if (out.type != DataType::kFloat32 || !xnn::IsPerTensorQuantized(in))
      return ctx.UnsupportedError("only per-tensor uint8/int8 -> float32 runs on XNNPACK");
    xnn_operator_t op = nullptr;
    const size_t c = channels_;
    if (in.type == DataType::kUInt8)
      return Finish(ctx,
                    xnn_create_convert_nc_qu8_f32(c, c, c, in.scale,
                                                  static_cast<uint8_t>(in.zero_point), 0, &op),
                    &op, &xnn::SetupAs<uint8_t, float, xnn_setup_convert_nc_qu8_f32>,
                    "xnn_create_convert_nc_qu8_f32");
    if (in.type == DataType::kInt8)
      return Finish(ctx,
                    xnn_create_convert_nc_qs8_f32(c, c, c, in.scale,
                                                  static_cast<int8_t>(in.zero_point), 0, &op),
                    &op, &xnn::SetupAs<int8_t, float, xnn_setup_convert_nc_qs8_f32>,
                    "xnn_create_convert_nc_qs8_f32");
    return ctx.UnsupportedError("input type is not uint8 or int8");
  }
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackDequantize() { return std::make_unique<DequantizeKernel>(); }

}  // namespace labelite
