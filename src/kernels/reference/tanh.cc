// TANH, reference implementation: float32 (tanh), uint8 and int8 through a 256-entry
// table built as TFLite's builtin (generic optimized) kernel builds it.
#include <cmath>
#include <memory>
#include <string>

#include "kernels/internal/lut_util.h"
#include "kernels/internal/op_checks.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class TanhKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 1, 1, 1));
    const Tensor& input = *ctx.input(0);
    Tensor& output = *ctx.output(0);
    LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, output, "output", input.type));
    LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, output, input.dims));
    const auto tanh_f = [](float x) { return std::tanh(x); };
    switch (input.type) {
      case DataType::kFloat32:
        return Status::Ok();
      case DataType::kUInt8:
      case DataType::kInt8:
        LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, input, "input"));
        if (input.type == DataType::kUInt8) {
          internal::PopulateLut<uint8_t>(input.scale, input.zero_point, output.scale,
                                         output.zero_point, tanh_f, &lut_);
        } else {
          internal::PopulateLut<int8_t>(input.scale, input.zero_point, output.scale,
                                        output.zero_point, tanh_f, &lut_);
        }
        return Status::Ok();
      default:
        return ctx.UnsupportedError("input type " + std::string(DataTypeName(input.type)) +
                                    " is not supported");
    }
  }

  Status Eval(KernelContext& ctx) override {
    const Tensor& input = *ctx.input(0);
    Tensor& output = *ctx.output(0);
    if (input.type != DataType::kFloat32) {
      internal::ApplyLut(lut_, input, output);
      return Status::Ok();
    }
    const float* in = input.data_as<float>();
    float* out = output.data_as<float>();
    const int64_t n = input.NumElements();
    for (int64_t i = 0; i < n; ++i) out[i] = std::tanh(in[i]);
    return Status::Ok();
  }

 private:
  std::array<uint8_t, 256> lut_{};
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceTanh() { return std::make_unique<TanhKernel>(); }

}  // namespace labelite
