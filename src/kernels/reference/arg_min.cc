// ARG_MIN, reference implementation: the index of the first smallest value along the constant
// axis (TFLite's ArgMinMax with std::less), as int32 or int64; float32, uint8, int8, int32,
// bool inputs (quantized values compare raw).
#include <cstdint>
#include <functional>
#include <memory>

#include "kernels/common/arg_min_max.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class ArgMinKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareArgMinMax(ctx, &p_); }
  Status Eval(KernelContext& ctx) override {
    common::RunArgMinMax(ctx, p_, std::less<>());
    return Status::Ok();
  }

 private:
  common::ArgParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceArgMin() { return std::make_unique<ArgMinKernel>(); }

}  // namespace labelite
