// FULLY_CONNECTED, reference implementation: float32, uint8 (per-tensor) and int8 (per-tensor
// or per-channel weights); filter [units, depth], optional bias, keep_num_dims, fused
// activations; hybrid float32 input with int8 weights (fully_connected_hybrid.cc). The input
// is read as [batch, depth] with batch = elements / depth.
//
// Quantized arithmetic as TFLite's builtin kernel (a GEMM):
//   acc = bias[u] + sum (input + input_offset) * (filter + filter_offset)
//   out = clamp(RequantizeGemmOutput(acc, m[u], s[u]) + output_zero_point)
// with TFLite's double rounding: gemmlowp's output stage for uint8 (as the raw-builtin goldens
// show), ruy's for int8 (the GEMM backend CONV_2D's int8 goldens confirm).
#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>

#include "kernels/internal/conv_util.h"
#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"
#include "kernels/reference/hybrid_ops.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class FullyConnectedKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 2, 3, 1));
    const Tensor& input = *ctx.input(0);
    const Tensor& filter = *ctx.input(1);
    const Tensor* bias = ctx.input(2);
    Tensor& output = *ctx.output(0);
    const OpOptions& o = ctx.options();
    if (o.weights_format != 0) {
      return ctx.UnsupportedError("shuffled weights format " +
                                  std::to_string(o.weights_format) + " is not supported");
    }
    LABELITE_RETURN_IF_ERROR(internal::CheckRank(ctx, filter, "filter", 2));
    units_ = filter.dim(0);
    depth_ = filter.dim(1);
    if (input.rank() < 1 || depth_ <= 0 || input.NumElements() % depth_ != 0) {
      return ctx.Error("input " + internal::ShapeString(input.dims) + " cannot be read as rows of " +
                       std::to_string(depth_) + " (the filter's depth)");
    }
    batches_ = static_cast<int32_t>(input.NumElements() / depth_);
    std::vector<int32_t> out_dims;
    if (o.keep_num_dims) {
      if (input.dims.back() != depth_) {
        return ctx.Error("keep_num_dims needs the input's last dimension (" +
                         std::to_string(input.dims.back()) + ") to equal the filter's depth (" +
                         std::to_string(depth_) + ")");
      }
      out_dims = input.dims;
      out_dims.back() = units_;
    } else {
      out_dims = {batches_, units_};
    }
    LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, output, std::move(out_dims)));

    switch (input.type) {
      case DataType::kFloat32:
        hybrid_ = hybrid::IsHybrid(input, filter);
        if (hybrid_) {
          scratch_.Resize(input.NumElements(), batches_, units_);
          return hybrid::PrepareHybridWeights(ctx, filter, units_, /*channel_axis=*/0, bias,
                                              output, o.activation, &hw_);
        }
        LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, filter, "filter", DataType::kFloat32));
        LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, output, "output", DataType::kFloat32));
        LABELITE_RETURN_IF_ERROR(internal::CheckFloatBias(ctx, bias, units_));
        if (o.activation == Activation::kTanh || o.activation == Activation::kSignBit) {
          return internal::UnsupportedActivation(ctx, o.activation);
        }
        quant::ActivationRangeFloat(o.activation, &float_min_, &float_max_);
        return Status::Ok();
      case DataType::kUInt8:
      case DataType::kInt8:
        return internal::PrepareConvQuant(ctx, input, filter, bias, output, units_,
                                          /*channel_axis=*/0, o.activation,
                                          internal::MultiplierSource::kFullyConnected, &q_);
      default:
        return ctx.UnsupportedError("input type " + std::string(DataTypeName(input.type)) +
                                    " is not supported");
    }
  }

  Status Eval(KernelContext& ctx) override {
    if (hybrid_) {
      hybrid::FullyConnectedHybrid(batches_, depth_, units_,
                                   ctx.options().asymmetric_quantize_inputs, hw_,
                                   ctx.input(0)->data_as<float>(), ctx.input(1)->data_as<int8_t>(),
                                   ctx.input(2) ? ctx.input(2)->data_as<float>() : nullptr,
                                   ctx.output(0)->data_as<float>(), &scratch_);
      return Status::Ok();
    }
    switch (ctx.input(0)->type) {
      case DataType::kFloat32: Run<float, float>(ctx); break;
      case DataType::kUInt8: Run<uint8_t, int32_t>(ctx); break;
      case DataType::kInt8: Run<int8_t, int32_t>(ctx); break;
      default: return Internal("FULLY_CONNECTED: unexpected type");
    }
    return Status::Ok();
  }

 private:
  template <typename T, typename Acc>
  void Run(KernelContext& ctx) const {
    const T* in = ctx.input(0)->data_as<T>();
    const T* filter = ctx.input(1)->data_as<T>();
    const Acc* bias = ctx.input(2) ? ctx.input(2)->data_as<Acc>() : nullptr;
    T* out = ctx.output(0)->data_as<T>();
    for (int32_t b = 0; b < batches_; ++b) {
      const T* row = in + static_cast<size_t>(b) * static_cast<size_t>(depth_);
      for (int32_t u = 0; u < units_; ++u) {
        const T* w = filter + static_cast<size_t>(u) * static_cast<size_t>(depth_);
        Acc acc = 0;
        for (int32_t d = 0; d < depth_; ++d) {
          if constexpr (std::is_same_v<Acc, float>) {
            acc += row[d] * w[d];
          } else {
            acc = quant::WrappingAdd(acc, (static_cast<int32_t>(row[d]) + q_.input_offset) *
                                              (static_cast<int32_t>(w[d]) + q_.filter_offset));
          }
        }
        if (bias) {
          if constexpr (std::is_same_v<Acc, float>) acc += bias[u];
          else acc = quant::WrappingAdd(acc, bias[u]);
        }
        if constexpr (std::is_same_v<Acc, float>) {
          *out++ = std::min(std::max(acc, float_min_), float_max_);
        } else {
          int64_t v = internal::RequantizeGemmOutput<T>(
              acc, q_.multiplier[static_cast<size_t>(u)], q_.shift[static_cast<size_t>(u)]);
          v += q_.output_offset;
          *out++ = static_cast<T>(std::clamp<int64_t>(v, q_.act_min, q_.act_max));
        }
      }
    }
  }

  int32_t batches_ = 0, units_ = 0, depth_ = 0;
  float float_min_ = 0.0f, float_max_ = 0.0f;
  internal::ConvQuantParams q_;
  bool hybrid_ = false;  // float32 input, int8 weights (dynamic-range model)
  hybrid::HybridWeights hw_;
  hybrid::HybridScratch scratch_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceFullyConnected() {
  return std::make_unique<FullyConnectedKernel>();
}

}  // namespace labelite
