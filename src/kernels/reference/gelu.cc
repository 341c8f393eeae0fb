// GELU, reference implementation. float32: 0.5 x erfc(-x / sqrt 2), or the tanh approximation;
// uint8/int8: TFLite's 256-entry table of the same function.
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

class GeluKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareGelu(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    if (p_.type != DataType::kFloat32) {
      internal::ApplyLut(p_.lut, *ctx.input(0), *ctx.output(0));
      return Status::Ok();
    }
    if (ctx.options().approximate) {
      common::MapUnary<float, float>(ctx, p_.size, common::GeluApproximateFunction);
    } else {
      common::MapUnary<float, float>(ctx, p_.size, common::GeluFunction);
    }
    return Status::Ok();
  }

 private:
  common::UnaryParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceGelu() { return std::make_unique<GeluKernel>(); }

}  // namespace labelite
