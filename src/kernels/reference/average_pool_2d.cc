// AVERAGE_POOL_2D, reference implementation: float32, uint8, int8.
//
// The average counts only the in-bounds elements of each window (padding is not averaged in).
// Quantized rounding, as TFLite's builtin kernels:
//   uint8: (sum + count / 2) / count
//   int8:  sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count  (ties away from 0)
// then the fused activation's clamp; no requantization.
#include <algorithm>
#include <memory>
#include <type_traits>

#include "kernels/common/pooling.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class AveragePool2DKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PreparePool(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    switch (p_.type) {
      case DataType::kFloat32: Run<float>(ctx); break;
      case DataType::kUInt8: Run<uint8_t>(ctx); break;
      case DataType::kInt8: Run<int8_t>(ctx); break;
      default: return Internal("AVERAGE_POOL_2D: unexpected type");
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  void Run(KernelContext& ctx) const {
    const T* in = ctx.input(0)->data_as<T>();
    T* out = ctx.output(0)->data_as<T>();
    const internal::Window2D& w = p_.window;
    for (int32_t b = 0; b < w.batches; ++b)
      for (int32_t oy = 0; oy < w.out_h; ++oy)
        for (int32_t ox = 0; ox < w.out_w; ++ox)
          for (int32_t c = 0; c < p_.channels; ++c) {
            if constexpr (std::is_same_v<T, float>) {
              float sum = 0.0f;
              const int32_t n =
                  common::ForEachPoolTap(p_, b, oy, ox, c, [&](size_t at) { sum += in[at]; });
              const float avg = n > 0 ? sum / static_cast<float>(n) : 0.0f;
              *out++ = std::min(std::max(avg, p_.float_min), p_.float_max);
            } else {
              int32_t sum = 0;
              const int32_t n =
                  common::ForEachPoolTap(p_, b, oy, ox, c, [&](size_t at) { sum += in[at]; });
              int32_t avg = 0;
              if (n > 0) {
                if constexpr (std::is_same_v<T, uint8_t>) {
                  avg = (sum + n / 2) / n;
                } else {
                  avg = sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n;
                }
              }
              *out++ = static_cast<T>(std::clamp(avg, p_.act_min, p_.act_max));
            }
          }
  }

  common::PoolParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceAveragePool2D() {
  return std::make_unique<AveragePool2DKernel>();
}

}  // namespace labelite
