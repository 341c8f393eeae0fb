// QUANTIZE on XNNPACK: float32 -> uint8/int8 (convert operators). Requantization between
// quantized types stays on the reference kernel (Debian 12's XNNPACK has no such convert).
#include <memory>

#include "kernels/xnnpack/unary.h"

namespace labelite {
namespace {

class QuantizeKernel : public xnn::UnaryKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(PrepareShape(ctx));
    const Tensor& in = *ctx.input(0);
    const Tensor& out = *ctx.output(0);
    if (in.type != DataType::kFloat32 || !xnn::IsPerTensorQuantized(out))
      return ctx.UnsupportedError("only float32 -> per-tensor uint8/int8 runs on XNNPACK");
    xnn_operator_t op = nullptr;
    const size_t c = channels_;
    if (out.type == DataType::kUInt8)
      return Finish(ctx,
                    xnn_create_convert_nc_f32_qu8(c, c, c, out.scale,
                                                  static_cast<uint8_t>(out.zero_point), 0, 255,
                                                  0, &op),
                    &op, &xnn::SetupAs<float, uint8_t, xnn_setup_convert_nc_f32_qu8>,
                    "xnn_create_convert_nc_f32_qu8");
    if (out.type == DataType::kInt8)
      return Finish(ctx,
                    xnn_create_convert_nc_f32_qs8(c, c, c, out.scale,
                                                  static_cast<int8_t>(out.zero_point), -128,
                                                  127, 0, &op),
                    &op, &xnn::SetupAs<float, int8_t, xnn_setup_convert_nc_f32_qs8>,
                    "xnn_create_convert_nc_f32_qs8");
    return ctx.UnsupportedError("output type is not uint8 or int8");
  }
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackQuantize() { return std::make_unique<QuantizeKernel>(); }

}  // namespace labelite
