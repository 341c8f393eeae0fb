// SOFTMAX, reference implementation over the last axis: float32, uint8 -> uint8, int8 -> int8;
// any beta.
//
// Float, as TFLite: e = exp((x - max) * beta), out = e * (1 / sum(e)).
// Quantized, as TFLite's builtin (optimized) kernel on x86:
//   1. table[255 - d] = expf(-in_scale * beta * d) for d in [0, 255] (float);
//   2. per row: m = max(x); sum = sum of table[255 - m + x] (float, in order);
//      inv = 1 / (sum * out_scale);
//   3. p = table[255 - m + x] * inv; uint8: int(p + 0.5) (the zero point is 0);
//      int8: round(p) + zero_point; clamped to the type's range.
// TFLite requires int8 outputs to have zero point -128 and scale 1/256.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class SoftmaxKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 1, 1, 1));
    const Tensor& input = *ctx.input(0);
    Tensor& output = *ctx.output(0);
    if (input.rank() < 1) return ctx.Error("input must have rank 1 or more");
    LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, output, "output", input.type));
    LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, output, input.dims));
    depth_ = input.dims.back();
    rows_ = depth_ > 0 ? input.NumElements() / depth_ : 0;
    beta_ = ctx.options().beta;
    switch (input.type) {
      case DataType::kFloat32:
        return Status::Ok();
      case DataType::kUInt8:
      case DataType::kInt8:
        break;
      default:
        return ctx.UnsupportedError("input type " + std::string(DataTypeName(input.type)) +
                                    " is not supported");
    }
    LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, input, "input"));
    LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, output, "output"));
    if (input.type == DataType::kInt8 &&
        (output.zero_point != -128 || std::abs(output.scale - 1.f / 256) > 0.001f * 1.f / 256)) {
      return ctx.Error("int8 output must have zero point -128 and scale 1/256, got " +
                       std::to_string(output.zero_point) + " and " + std::to_string(output.scale));
    }
    const float scale = -input.scale * beta_;
    for (int32_t d = 0; d <= 255; ++d) table_[static_cast<size_t>(255 - d)] = std::exp(scale * d);
    out_scale_ = output.scale;
    out_zp_ = output.zero_point;
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    switch (ctx.input(0)->type) {
      case DataType::kFloat32: RunFloat(ctx); break;
      case DataType::kUInt8: RunQuantized<uint8_t>(ctx); break;
      case DataType::kInt8: RunQuantized<int8_t>(ctx); break;
      default: return Internal("SOFTMAX: unexpected type");
    }
    return Status::Ok();
  }

 private:
  void RunFloat(KernelContext& ctx) const {
    const float* in = ctx.input(0)->data_as<float>();
    float* out = ctx.output(0)->data_as<float>();
    for (int64_t r = 0; r < rows_; ++r, in += depth_, out += depth_) {
      const float max = *std::max_element(in, in + depth_);
      float sum = 0.0f;
      for (int32_t i = 0; i < depth_; ++i) {
        out[i] = std::exp((in[i] - max) * beta_);
        sum += out[i];
      }
      const float inv = 1.0f / sum;
      for (int32_t i = 0; i < depth_; ++i) out[i] *= inv;
    }
  }

  template <typename T>
  void RunQuantized(KernelContext& ctx) const {
    const T* in = ctx.input(0)->data_as<T>();
    T* out = ctx.output(0)->data_as<T>();
    constexpr int32_t kMin = std::numeric_limits<T>::min();
    constexpr int32_t kMax = std::numeric_limits<T>::max();
    for (int64_t r = 0; r < rows_; ++r, in += depth_, out += depth_) {
      int32_t max = kMin;
      for (int32_t i = 0; i < depth_; ++i) max = std::max(max, static_cast<int32_t>(in[i]));
      // table_offset[x] = exp(-in_scale * beta * (max - x)).
      const float* table_offset = table_.data() + (255 - max);
      float sum = 0.0f;
      for (int32_t i = 0; i < depth_; ++i) sum += table_offset[in[i]];
      const float inv = 1.0f / (sum * out_scale_);
      for (int32_t i = 0; i < depth_; ++i) {
        const float p = table_offset[in[i]] * inv;
        int32_t q;
        if constexpr (std::is_same_v<T, uint8_t>) {
          q = static_cast<int32_t>(p + 0.5f);
        } else {
          q = quant::RoundHalfAway(p) + out_zp_;  // std::round, inline
        }
        out[i] = static_cast<T>(std::clamp(q, kMin, kMax));
      }
    }
  }

  int32_t depth_ = 0;
  int64_t rows_ = 0;
  float beta_ = 1.0f;
  std::array<float, 256> table_{};
  float out_scale_ = 0.0f;
  int32_t out_zp_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceSoftmax() { return std::make_unique<SoftmaxKernel>(); }

}  // namespace labelite
