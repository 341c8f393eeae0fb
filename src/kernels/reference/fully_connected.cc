// FULLY_CONNECTED, reference implementation: float32, uint8 (per-tensor) and int8 (per-tensor
// or per-channel weights); filter [units, depth], optional bias, keep_num_dims, fused
// activations; hybrid float32 input with int8 weights (fully_connected_hybrid.cc). The input
// is read as [batch, depth] with batch = elements / depth. Validation and parameters come from
// the shared Prepare (kernels/common/fully_connected.h).
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

#include "kernels/common/fully_connected.h"
#include "kernels/internal/quantization.h"
#include "kernels/reference/hybrid_ops.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class FullyConnectedKernel : public Kernel {
 public:
  // Everything is validated and computed by the shared Prepare (kernels/common/).
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(common::PrepareFullyConnected(ctx, &p_));
    if (p_.hybrid) scratch_.Resize(ctx.input(0)->NumElements(), p_.batches, p_.units);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    if (p_.hybrid) {
      hybrid::FullyConnectedHybrid(p_.batches, p_.depth, p_.units,
                                   ctx.options().asymmetric_quantize_inputs, p_.hybrid_weights,
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
    const internal::ConvQuantParams& q = p_.quant;
    const size_t depth = static_cast<size_t>(p_.depth);
    for (int32_t b = 0; b < p_.batches; ++b) {
      const T* row = in + static_cast<size_t>(b) * depth;
      for (int32_t u = 0; u < p_.units; ++u) {
        const T* w = filter + static_cast<size_t>(u) * depth;
        Acc acc = 0;
        for (int32_t d = 0; d < p_.depth; ++d) {
          if constexpr (std::is_same_v<Acc, float>) {
            acc += row[d] * w[d];
          } else {
            acc = quant::WrappingAdd(acc, (static_cast<int32_t>(row[d]) + q.input_offset) *
                                              (static_cast<int32_t>(w[d]) + q.filter_offset));
          }
        }
        if (bias) {
          if constexpr (std::is_same_v<Acc, float>) acc += bias[u];
          else acc = quant::WrappingAdd(acc, bias[u]);
        }
        if constexpr (std::is_same_v<Acc, float>) {
          *out++ = std::min(std::max(acc, p_.float_min), p_.float_max);
        } else {
          int64_t v = internal::RequantizeGemmOutput<T>(
              acc, q.multiplier[static_cast<size_t>(u)], q.shift[static_cast<size_t>(u)]);
          v += q.output_offset;
          *out++ = static_cast<T>(std::clamp<int64_t>(v, q.act_min, q.act_max));
        }
      }
    }
  }

  common::FullyConnectedParams p_;
  hybrid::HybridScratch scratch_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceFullyConnected() {
  return std::make_unique<FullyConnectedKernel>();
}

}  // namespace labelite
