// MAX_POOL_2D, reference implementation: float32, uint8, int8. The maximum over the in-bounds
// elements of each window, then the fused activation's clamp (no requantization, as TFLite).
#include <algorithm>
#include <limits>
#include <memory>

#include "kernels/common/pooling.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class MaxPool2DKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PreparePool(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    switch (p_.type) {
      case DataType::kFloat32: Run<float>(ctx, p_.float_min, p_.float_max); break;
      case DataType::kUInt8: Run<uint8_t>(ctx, p_.act_min, p_.act_max); break;
      case DataType::kInt8: Run<int8_t>(ctx, p_.act_min, p_.act_max); break;
      default: return Internal("MAX_POOL_2D: unexpected type");
    }
    return Status::Ok();
  }

 private:
  template <typename T, typename Bound>
  void Run(KernelContext& ctx, Bound lo, Bound hi) const {
    const T* in = ctx.input(0)->data_as<T>();
    T* out = ctx.output(0)->data_as<T>();
    const internal::Window2D& w = p_.window;
    for (int32_t b = 0; b < w.batches; ++b)
      for (int32_t oy = 0; oy < w.out_h; ++oy)
        for (int32_t ox = 0; ox < w.out_w; ++ox)
          for (int32_t c = 0; c < p_.channels; ++c) {
            Bound max = std::numeric_limits<Bound>::lowest();
            common::ForEachPoolTap(p_, b, oy, ox, c, [&](size_t at) {
              max = std::max(max, static_cast<Bound>(in[at]));
            });
            *out++ = static_cast<T>(std::min(std::max(max, lo), hi));
          }
  }

  common::PoolParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceMaxPool2D() { return std::make_unique<MaxPool2DKernel>(); }

}  // namespace labelite
