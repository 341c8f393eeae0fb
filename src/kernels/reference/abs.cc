// ABS, reference implementation. float32, int32: |x|; int8 as TFLite: v = |q - in_zp|, then
// v + out_zp (equal scales) or MultiplyByQuantizedMultiplier(v, in_scale / out_scale) + out_zp,
// clamped.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>

#include "kernels/common/unary.h"
#include "kernels/internal/lut_util.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class AbsKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareAbs(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    switch (p_.type) {
      case DataType::kFloat32:
        common::MapUnary<float, float>(ctx, p_.size, [](float x) { return std::abs(x); });
        break;
      case DataType::kInt32:
        common::MapUnary<int32_t, int32_t>(ctx, p_.size, [](int32_t x) {
          return x < 0 ? static_cast<int32_t>(0u - static_cast<uint32_t>(x)) : x;
        });
        break;
      default:
        common::MapUnary<int8_t, int8_t>(ctx, p_.size, [this](int8_t x) {
          const int32_t v = std::abs(x - p_.in_zp);
          const int32_t out = p_.needs_rescale
                                  ? quant::MultiplyByQuantizedMultiplier(v, p_.multiplier, p_.shift)
                                  : v;
          return static_cast<int8_t>(std::clamp(out + p_.out_zp, -128, 127));
        });
        break;
    }
    return Status::Ok();
  }

 private:
  common::UnaryParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceAbs() { return std::make_unique<AbsKernel>(); }

}  // namespace labelite
