// DIV, reference implementation with broadcasting: float32 a / b clamped to the fused
// activation's range; int32 a / b (truncating, as C++ and TFLite's reference kernel; a zero
// divisor is an error, where TFLite would crash).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>

#include "kernels/common/binary_math.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class DivKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareDiv(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    if (p_.type == DataType::kFloat32) {
      const float* a = ctx.input(0)->data_as<float>();
      const float* b = ctx.input(1)->data_as<float>();
      float* out = ctx.output(0)->data_as<float>();
      p_.broadcast.ForEach([&](int64_t i, int64_t ia, int64_t ib) {
        out[i] = std::min(std::max(a[ia] / b[ib], p_.act_min), p_.act_max);
      });
      return Status::Ok();
    }
    const int32_t* a = ctx.input(0)->data_as<int32_t>();
    const int32_t* b = ctx.input(1)->data_as<int32_t>();
    int32_t* out = ctx.output(0)->data_as<int32_t>();
    bool bad = false;
    p_.broadcast.ForEach([&](int64_t i, int64_t ia, int64_t ib) {
      const int32_t d = b[ib];
      if (d == 0 || (d == -1 && a[ia] == std::numeric_limits<int32_t>::min())) {
        bad = true;
        out[i] = 0;
      } else {
        out[i] = a[ia] / d;
      }
    });
    return bad ? ctx.Error("int32 division by zero or overflow") : Status::Ok();
  }

 private:
  common::BinaryMathParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceDiv() { return std::make_unique<DivKernel>(); }

}  // namespace labelite
