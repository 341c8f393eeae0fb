#include "kernels/xnnpack/unary.h"

#include <memory>

namespace labelite::xnn {

Status UnaryKernel::PrepareShape(KernelContext& ctx) {
  LABELITE_RETURN_IF_ERROR(EnsureInitialized(ctx));
  const Tensor* in = ctx.input(0);
  if (in == nullptr || ctx.outputs.size() != 1) return ctx.Error("needs one input and one output");
  const int64_t n = in->NumElements();
  channels_ = in->rank() == 0 ? 1 : static_cast<size_t>(in->dims.back());
  if (n == 0 || channels_ == 0) return ctx.UnsupportedError("empty tensor");
  batch_ = static_cast<size_t>(n) / channels_;
  ctx.output(0)->dims = in->dims;
  return Status::Ok();
}

Status UnaryKernel::Finish(const KernelContext& ctx, xnn_status status, xnn_operator_t* op,
                           SetupFn setup, const char* what) {
  op_.reset(*op);
  setup_ = setup;
  return Check(ctx, status, what);
}

Status UnaryKernel::Bind(KernelContext& ctx) {
  return Check(ctx, setup_(op_.get(), batch_, ctx.input(0)->data, ctx.output(0)->data,
                           ctx.threadpool),
               "xnn_setup_*_nc");
}

namespace {

class ClampKernel : public UnaryKernel {
 public:
  ClampKernel(float min, float max) : min_(min), max_(max) {}

  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(PrepareShape(ctx));
    const Tensor& in = *ctx.input(0);
    const Tensor& out = *ctx.output(0);
    if (in.type != out.type) return ctx.UnsupportedError("input and output types differ");
    xnn_operator_t op = nullptr;
    const size_t c = channels_;
    if (in.type == DataType::kFloat32) {
      return Finish(ctx, xnn_create_clamp_nc_f32(c, c, c, min_, max_, 0, &op), &op,
                    &SetupAs<float, float, xnn_setup_clamp_nc_f32>, "xnn_create_clamp_nc_f32");
    }
    if (in.type != DataType::kUInt8 && in.type != DataType::kInt8)
      return ctx.UnsupportedError("type is not float32, uint8 or int8");
    if (!IsPerTensorQuantized(in) || in.scale != out.scale || in.zero_point != out.zero_point)
      return ctx.UnsupportedError("quantized clamp needs equal input and output quantization");
    if (in.type == DataType::kUInt8) {
      const uint8_t lo = QuantizeBoundU8(min_, out.scale, out.zero_point);
      const uint8_t hi = QuantizeBoundU8(max_, out.scale, out.zero_point);
      return Finish(ctx, xnn_create_clamp_nc_u8(c, c, c, lo, hi, 0, &op), &op,
                    &SetupAs<uint8_t, uint8_t, xnn_setup_clamp_nc_u8>, "xnn_create_clamp_nc_u8");
    }
    const int8_t lo = QuantizeBoundS8(min_, out.scale, out.zero_point);
    const int8_t hi = QuantizeBoundS8(max_, out.scale, out.zero_point);
    return Finish(ctx, xnn_create_clamp_nc_s8(c, c, c, lo, hi, 0, &op), &op,
                  &SetupAs<int8_t, int8_t, xnn_setup_clamp_nc_s8>, "xnn_create_clamp_nc_s8");
  }

 private:
  float min_, max_;
};

}  // namespace

std::unique_ptr<Kernel> MakeClampKernel(float min, float max) {
  return std::make_unique<ClampKernel>(min, max);
}

}  // namespace labelite::xnn
