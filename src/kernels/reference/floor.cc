// FLOOR, reference implementation. float32: std::floor (as TFLite).
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

class FloorKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareFloor(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    common::MapUnary<float, float>(ctx, p_.size, [](float x) { return std::floor(x); });
    return Status::Ok();
  }

 private:
  common::UnaryParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceFloor() { return std::make_unique<FloorKernel>(); }

}  // namespace labelite
