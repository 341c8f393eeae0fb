// SQRT, reference implementation. float32: std::sqrt (as TFLite).
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

class SqrtKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareSqrt(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    common::MapUnary<float, float>(ctx, p_.size, [](float x) { return std::sqrt(x); });
    return Status::Ok();
  }

 private:
  common::UnaryParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceSqrt() { return std::make_unique<SqrtKernel>(); }

}  // namespace labelite
