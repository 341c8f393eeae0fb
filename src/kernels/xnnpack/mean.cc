// MEAN over the spatial axes (1, 2) of a 4-D NHWC tensor on XNNPACK's global average pooling
// (f32, qu8, qs8). Any other reduction stays on the reference kernel.
#include <limits>
#include <memory>

#include "kernels/xnnpack/xnn_common.h"

namespace labelite {
namespace {

class MeanKernel : public xnn::XnnKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(xnn::EnsureInitialized(ctx));
    const Tensor* in = ctx.input(0);
    const Tensor* axes = ctx.input(1);
    Tensor* out = ctx.output(0);
    if (in == nullptr || axes == nullptr || in->rank() != 4 || !axes->is_constant ||
        axes->type != DataType::kInt32)
      return ctx.UnsupportedError("needs a 4-D input and constant int32 axes");
    int mask = 0;
    for (int64_t i = 0; i < axes->NumElements(); ++i) {
      int32_t a = axes->data_as<int32_t>()[i];
      if (a < 0) a += 4;
      mask |= 1 << a;
    }
    if (mask != 0b0110) return ctx.UnsupportedError("only a mean over H and W runs on XNNPACK");
    type_ = in->type;
    if (out->type != type_) return ctx.UnsupportedError("input and output types differ");
    batch_ = static_cast<size_t>(in->dim(0));
    width_ = static_cast<size_t>(in->dim(1)) * static_cast<size_t>(in->dim(2));
    const size_t c = static_cast<size_t>(in->dim(3));
    if (ctx.options().keep_dims)
      out->dims = {in->dim(0), 1, 1, in->dim(3)};
    else
      out->dims = {in->dim(0), in->dim(3)};
    xnn_operator_t op = nullptr;
    xnn_status s;
    constexpr float kInf = std::numeric_limits<float>::infinity();
    if (type_ == DataType::kFloat32) {
      s = xnn_create_global_average_pooling_nwc_f32(c, c, c, -kInf, kInf, 0, &op);
    } else if (type_ == DataType::kUInt8 || type_ == DataType::kInt8) {
      if (!xnn::IsPerTensorQuantized(*in) || !xnn::IsPerTensorQuantized(*out))
        return ctx.UnsupportedError("needs per-tensor quantization");
      s = type_ == DataType::kUInt8
              ? xnn_create_global_average_pooling_nwc_qu8(
                    c, c, c, static_cast<uint8_t>(in->zero_point), in->scale,
                    static_cast<uint8_t>(out->zero_point), out->scale, 0, 255, 0, &op)
              : xnn_create_global_average_pooling_nwc_qs8(
                    c, c, c, static_cast<int8_t>(in->zero_point), in->scale,
                    static_cast<int8_t>(out->zero_point), out->scale, -128, 127, 0, &op);
    } else {
      return ctx.UnsupportedError("type is not float32, uint8 or int8");
    }
    op_.reset(op);
    return xnn::Check(ctx, s, "xnn_create_global_average_pooling_nwc");
  }

  Status Bind(KernelContext& ctx) override {
    const void* in = ctx.input(0)->data;
    void* out = ctx.output(0)->data;
    xnn_status s;
    if (type_ == DataType::kFloat32)
      s = xnn_setup_global_average_pooling_nwc_f32(op_.get(), batch_, width_,
                                                   static_cast<const float*>(in),
                                                   static_cast<float*>(out), ctx.threadpool);
    else if (type_ == DataType::kUInt8)
      s = xnn_setup_global_average_pooling_nwc_qu8(op_.get(), batch_, width_,
                                                   static_cast<const uint8_t*>(in),
                                                   static_cast<uint8_t*>(out), ctx.threadpool);
    else
      s = xnn_setup_global_average_pooling_nwc_qs8(op_.get(), batch_, width_,
                                                   static_cast<const int8_t*>(in),
                                                   static_cast<int8_t*>(out), ctx.threadpool);
    return xnn::Check(ctx, s, "xnn_setup_global_average_pooling_nwc");
  }

 private:
  DataType type_ = DataType::kFloat32;
  size_t batch_ = 0, width_ = 0;
};

}  // namespace

// The fast MEAN (kernels/fast/mean.cc) tries this kernel first.
std::unique_ptr<Kernel> CreateXnnpackGlobalAveragePoolMean() { return std::make_unique<MeanKernel>(); }

}  // namespace labelite
