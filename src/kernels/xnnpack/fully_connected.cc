// FULLY_CONNECTED's fast kernel. The shared Prepare (kernels/common/fully_connected.h)
// validates the op and computes its shape and parameters; this kernel maps them, first choice
// first:
//   1. uint8 / int8 (per-tensor or per-channel int8 weights): labelite's own GEMMs. A fully
//      connected layer is a 1x1 convolution of `batches` one-pixel images (rows of depth K
//      against TFLite's [units, K] filter, which is already a 1x1 filter [cout][cin]), so it is
//      offered to MakeFastConv (kernels/fast/fast_conv.h), the one dispatch point by ISA level:
//      Conv1x1Vnni on AVX-512 VNNI, ConvAvx2's direct GEMM on AVX2. Both split the columns over
//      the threads when there are fewer rows than units (a classifier's logits: one row) and
//      are bit-identical to XNNPACK's qs8 / qc8 / qu8 operators ("fp32" requantization).
//   2. XNNPACK's fully_connected_nc operators: f32, qu8, and qs8 with per-tensor int8 weights
//      (Debian 12's XNNPACK has no per-channel fully connected operator).
//   3. Anything else (hybrid weights, non-constant weights, per-channel weights below AVX2)
//      returns Unsupported: the interpreter runs the reference kernel.
// Fused activations become clamp bounds as in TFLite's XNNPACK delegate (xnn_common.h).
#include <memory>
#include <string>

#include "kernels/common/fully_connected.h"
#include "kernels/fast/fast_conv.h"
#include "kernels/fast/zero_inputs.h"
#include "kernels/internal/op_checks.h"
#include "kernels/xnnpack/xnn_common.h"

namespace labelite {
namespace {

class FullyConnectedKernel : public xnn::XnnKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    fast_.reset();
    op_.reset();
    LABELITE_RETURN_IF_ERROR(common::PrepareFullyConnected(ctx, &p_));
    if (p_.hybrid) return ctx.UnsupportedError("hybrid (float32 x int8) runs on the reference");
    const Tensor* bias = ctx.input(2);
    if (!IsConstant(ctx.input(1)) || (bias != nullptr && !IsConstant(bias)))
      return ctx.UnsupportedError("needs constant weights and bias");
    if (p_.type == DataType::kFloat32) return CreateF32(ctx);
    if (!xnn::IsPerTensorQuantized(*ctx.input(0)) || !xnn::IsPerTensorQuantized(*ctx.output(0)))
      return ctx.UnsupportedError("input and output need per-tensor quantization");
    int32_t min = 0, max = 0;
    LABELITE_RETURN_IF_ERROR(xnn::QuantizedBounds(ctx, p_.activation, *ctx.output(0), &min, &max));
    if ((fast_ = xnn::MakeFastConv(FastSpec(ctx, min, max))) != nullptr) return Status::Ok();
    return CreateQuantized(ctx, min, max);
  }

  Status Bind(KernelContext& ctx) override {
    if (fast_ != nullptr) return Status::Ok();
    const void* in = ctx.input(0)->data;
    void* out = ctx.output(0)->data;
    const size_t batch = static_cast<size_t>(p_.batches);
    xnn_status s;
    if (p_.type == DataType::kFloat32)
      s = xnn_setup_fully_connected_nc_f32(op_.get(), batch, static_cast<const float*>(in),
                                           static_cast<float*>(out), ctx.threadpool);
    else if (p_.type == DataType::kUInt8)
      s = xnn_setup_fully_connected_nc_qu8(op_.get(), batch, static_cast<const uint8_t*>(in),
                                           static_cast<uint8_t*>(out), ctx.threadpool);
    else
      s = xnn_setup_fully_connected_nc_qs8(op_.get(), batch, static_cast<const int8_t*>(in),
                                           static_cast<int8_t*>(out), ctx.threadpool);
    return xnn::Check(ctx, s, "xnn_setup_fully_connected_nc");
  }

  Status Eval(KernelContext& ctx) override {
    if (fast_ == nullptr) return XnnKernel::Eval(ctx);
    if (p_.batches == 0) return Status::Ok();
    fast_->Run(ctx.input(0)->data, ctx.output(0)->data, static_cast<size_t>(p_.batches),
               ctx.threadpool);
    return Status::Ok();
  }

  // The own GEMM's name (e.g. "vnni", "avx2") when it runs the op, else "xnnpack".
  const char* path() const override { return fast_ != nullptr ? fast_->path() : "xnnpack"; }
  // Every implementation packs the weights and bias at Prepare.
  bool packed_constant_inputs() const override { return true; }

 private:
  // The op as a 1x1 convolution over one-pixel images (one per row).
  xnn::FastConvSpec FastSpec(const KernelContext& ctx, int32_t min, int32_t max) const {
    const Tensor& input = *ctx.input(0);
    const Tensor& filter = *ctx.input(1);
    const Tensor& output = *ctx.output(0);
    xnn::FastConvSpec s;
    s.in_h = s.in_w = s.out_h = s.out_w = 1;
    s.cin = static_cast<size_t>(p_.depth);
    s.cout = static_cast<size_t>(p_.units);
    xnn::ConvQuant& q = s.quant;
    q.is_signed = p_.type == DataType::kInt8;
    q.input_zero_point = input.zero_point;
    q.kernel_zero_point = q.is_signed ? 0 : filter.zero_point;
    q.output_zero_point = output.zero_point;
    q.output_min = min;
    q.output_max = max;
    q.input_scale = input.scale;
    q.output_scale = output.scale;
    q.kernel_scales = internal::WeightScales(filter);
    s.weights = filter.data;
    s.bias = ctx.input(2) != nullptr ? ctx.input(2)->data_as<int32_t>() : nullptr;
    return s;
  }

  // Float: labelite's own GEMM when the ISA level has one for a 1x1 convolution (F32Gemm at
  // AVX2 and AVX-512, bit-identical to XNNPACK's operator), else XNNPACK's
  // fully_connected_nc_f32.
  Status CreateF32(KernelContext& ctx) {
    const Tensor* bias = ctx.input(2);
    float min = 0.0f, max = 0.0f;  // the shared Prepare refused TANH and SIGN_BIT
    if (!xnn::ActivationRange(p_.activation, &min, &max))
      return ctx.UnsupportedError("fused activation has no XNNPACK form");
    xnn::FastConvF32Spec spec;
    spec.in_h = spec.in_w = spec.out_h = spec.out_w = 1;
    spec.cin = static_cast<size_t>(p_.depth);
    spec.cout = static_cast<size_t>(p_.units);
    spec.output_min = min;
    spec.output_max = max;
    spec.weights = ctx.input(1)->data_as<float>();
    spec.bias = bias != nullptr ? bias->data_as<float>() : nullptr;
    spec.input_zeros = xnn::InputMayHoldZeros(ctx, 0);
    spec.weights_cached = xnn::WeightsStayCached(ctx);
    if ((fast_ = xnn::MakeFastConv(spec)) != nullptr) return Status::Ok();
    LABELITE_RETURN_IF_ERROR(xnn::EnsureInitialized(ctx));
    const size_t k = static_cast<size_t>(p_.depth), n = static_cast<size_t>(p_.units);
    xnn_operator_t op = nullptr;
    const xnn_status s = xnn_create_fully_connected_nc_f32(
        k, n, k, n, ctx.input(1)->data_as<float>(),
        bias != nullptr ? bias->data_as<float>() : nullptr, min, max, 0, &op);
    op_.reset(op);
    return xnn::Check(ctx, s, "xnn_create_fully_connected_nc_f32");
  }

  // qu8, or qs8 with per-tensor weights (the shared Prepare checked types, scales and zero
  // points).
  Status CreateQuantized(KernelContext& ctx, int32_t min, int32_t max) {
    if (p_.per_channel) return ctx.UnsupportedError("XNNPACK has no per-channel fully connected");
    LABELITE_RETURN_IF_ERROR(xnn::EnsureInitialized(ctx));
    const Tensor& input = *ctx.input(0);
    const Tensor& filter = *ctx.input(1);
    const Tensor& output = *ctx.output(0);
    const Tensor* bias = ctx.input(2);
    const size_t k = static_cast<size_t>(p_.depth), n = static_cast<size_t>(p_.units);
    const int32_t* b = bias != nullptr ? bias->data_as<int32_t>() : nullptr;
    xnn_operator_t op = nullptr;
    xnn_status s;
    if (p_.type == DataType::kUInt8) {
      s = xnn_create_fully_connected_nc_qu8(
          k, n, k, n, static_cast<uint8_t>(input.zero_point), input.scale,
          static_cast<uint8_t>(filter.zero_point), filter.scale, filter.data_as<uint8_t>(), b,
          static_cast<uint8_t>(output.zero_point), output.scale, static_cast<uint8_t>(min),
          static_cast<uint8_t>(max), 0, &op);
    } else {
      s = xnn_create_fully_connected_nc_qs8(
          k, n, k, n, static_cast<int8_t>(input.zero_point), input.scale, filter.scale,
          filter.data_as<int8_t>(), b, static_cast<int8_t>(output.zero_point), output.scale,
          static_cast<int8_t>(min), static_cast<int8_t>(max), 0, &op);
    }
    op_.reset(op);
    return xnn::Check(ctx, s, "xnn_create_fully_connected_nc");
  }

  common::FullyConnectedParams p_;
  std::unique_ptr<xnn::FastConv> fast_;  // replaces op_ when set
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackFullyConnected() {
  return std::make_unique<FullyConnectedKernel>();
}

}  // namespace labelite
