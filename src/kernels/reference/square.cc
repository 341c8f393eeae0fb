// SQUARE, reference implementation. float32: x * x (as TFLite).
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

class SquareKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareSquare(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    common::MapUnary<float, float>(ctx, p_.size, [](float x) { return x * x; });
    return Status::Ok();
  }

 private:
  common::UnaryParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceSquare() { return std::make_unique<SquareKernel>(); }

}  // namespace labelite
