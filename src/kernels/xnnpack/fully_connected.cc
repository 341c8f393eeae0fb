// FULLY_CONNECTED on XNNPACK's fully_connected_nc operators: f32, qu8, and qs8 with per-tensor
// int8 weights (Debian 12's XNNPACK has no per-channel fully connected operator, so per-channel
// weights fall back to the reference kernel). TFLite's [N, K] weights are XNNPACK's default
// layout; the input is flattened to [batch, K].
#include <memory>
#include <string>

#include "kernels/xnnpack/xnn_common.h"

namespace labelite {
namespace {

class FullyConnectedKernel : public xnn::XnnKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(xnn::EnsureInitialized(ctx));
    const Tensor* input = ctx.input(0);
    const Tensor* filter = ctx.input(1);
    const Tensor* bias = ctx.input(2);
    Tensor* output = ctx.output(0);
    const OpOptions& o = ctx.options();
    if (input == nullptr || filter == nullptr || filter->rank() != 2 || !filter->is_constant ||
        (bias != nullptr && !bias->is_constant) || o.weights_format != 0)
      return ctx.UnsupportedError("needs constant 2-D weights in the default format");
    const int32_t k = filter->dim(1), n = filter->dim(0);
    if (input->rank() < 1 || k <= 0 || input->NumElements() % k != 0)
      return ctx.Error("input of " + std::to_string(input->NumElements()) +
                       " elements is not a multiple of " + std::to_string(k));
    if (bias != nullptr && bias->NumElements() != n)
      return ctx.Error("bias has " + std::to_string(bias->NumElements()) + " elements, want " +
                       std::to_string(n));
    batch_ = static_cast<size_t>(input->NumElements() / k);
    if (o.keep_num_dims) {
      output->dims = input->dims;
      output->dims.back() = n;
    } else {
      output->dims = {static_cast<int32_t>(batch_), n};
    }
    type_ = input->type;
    if (output->type != type_) return ctx.UnsupportedError("input and output types differ");
    return Create(ctx, static_cast<size_t>(k), static_cast<size_t>(n));
  }

  Status Bind(KernelContext& ctx) override {
    const void* in = ctx.input(0)->data;
    void* out = ctx.output(0)->data;
    xnn_status s;
    if (type_ == DataType::kFloat32)
      s = xnn_setup_fully_connected_nc_f32(op_.get(), batch_, static_cast<const float*>(in),
                                           static_cast<float*>(out), ctx.threadpool);
    else if (type_ == DataType::kUInt8)
      s = xnn_setup_fully_connected_nc_qu8(op_.get(), batch_, static_cast<const uint8_t*>(in),
                                           static_cast<uint8_t*>(out), ctx.threadpool);
    else
      s = xnn_setup_fully_connected_nc_qs8(op_.get(), batch_, static_cast<const int8_t*>(in),
                                           static_cast<int8_t*>(out), ctx.threadpool);
    return xnn::Check(ctx, s, "xnn_setup_fully_connected_nc");
  }

  // xnn_create_fully_connected_* packs the weights and bias into the operator.
  bool packed_constant_inputs() const override { return true; }

 private:
  Status Create(KernelContext& ctx, size_t k, size_t n) {
    const Tensor* input = ctx.input(0);
    const Tensor* filter = ctx.input(1);
    const Tensor* bias = ctx.input(2);
    const Tensor* output = ctx.output(0);
    xnn_operator_t op = nullptr;
    xnn_status s;
    if (type_ == DataType::kFloat32) {
      float min = 0.0f, max = 0.0f;
      if (filter->type != DataType::kFloat32 ||
          (bias != nullptr && bias->type != DataType::kFloat32) ||
          !xnn::ActivationRange(ctx.options().activation, &min, &max))
        return ctx.UnsupportedError("float FC needs float weights and a clamp activation");
      s = xnn_create_fully_connected_nc_f32(k, n, k, n, filter->data_as<float>(),
                                            bias != nullptr ? bias->data_as<float>() : nullptr,
                                            min, max, 0, &op);
      op_.reset(op);
      return xnn::Check(ctx, s, "xnn_create_fully_connected_nc_f32");
    }
    if ((type_ != DataType::kUInt8 && type_ != DataType::kInt8) || filter->type != type_ ||
        (bias != nullptr && bias->type != DataType::kInt32))
      return ctx.UnsupportedError("types are not float32, uint8 or int8 with int32 bias");
    if (!xnn::IsPerTensorQuantized(*input) || !xnn::IsPerTensorQuantized(*filter) ||
        !xnn::IsPerTensorQuantized(*output))
      return ctx.UnsupportedError("needs per-tensor quantization");
    int32_t min = 0, max = 0;
    LABELITE_RETURN_IF_ERROR(
        xnn::QuantizedBounds(ctx, ctx.options().activation, *output, &min, &max));
    const int32_t* b = bias != nullptr ? bias->data_as<int32_t>() : nullptr;
    if (type_ == DataType::kUInt8) {
      s = xnn_create_fully_connected_nc_qu8(
          k, n, k, n, static_cast<uint8_t>(input->zero_point), input->scale,
          static_cast<uint8_t>(filter->zero_point), filter->scale, filter->data_as<uint8_t>(), b,
          static_cast<uint8_t>(output->zero_point), output->scale, static_cast<uint8_t>(min),
          static_cast<uint8_t>(max), 0, &op);
    } else {
      if (filter->zero_point != 0) return ctx.UnsupportedError("int8 weights with zero point");
      s = xnn_create_fully_connected_nc_qs8(
          k, n, k, n, static_cast<int8_t>(input->zero_point), input->scale, filter->scale,
          filter->data_as<int8_t>(), b, static_cast<int8_t>(output->zero_point), output->scale,
          static_cast<int8_t>(min), static_cast<int8_t>(max), 0, &op);
    }
    op_.reset(op);
    return xnn::Check(ctx, s, "xnn_create_fully_connected_nc");
  }

  DataType type_ = DataType::kFloat32;
  size_t batch_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackFullyConnected() {
  return std::make_unique<FullyConnectedKernel>();
}

}  // namespace labelite
