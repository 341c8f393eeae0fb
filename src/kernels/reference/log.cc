// LOG, reference implementation. float32: std::log; int8: the 256-entry table of log, x <= 0 giving the lowest
// output (TFLite's LUT).
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

class LogKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareLog(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    if (p_.type != DataType::kFloat32) {
      internal::ApplyLut(p_.lut, *ctx.input(0), *ctx.output(0));
      return Status::Ok();
    }
    common::MapUnary<float, float>(ctx, p_.size, [](float x) { return std::log(x); });
    return Status::Ok();
  }

 private:
  common::UnaryParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceLog() { return std::make_unique<LogKernel>(); }

}  // namespace labelite
