// NEG, reference implementation. float32, int32, int64: -x.
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

class NegKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareNeg(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    switch (p_.type) {
      case DataType::kFloat32:
        common::MapUnary<float, float>(ctx, p_.size, [](float x) { return -x; });
        break;
      case DataType::kInt32:
        common::MapUnary<int32_t, int32_t>(ctx, p_.size, [](int32_t x) {
          return static_cast<int32_t>(0u - static_cast<uint32_t>(x));
        });
        break;
      default:
        common::MapUnary<int64_t, int64_t>(ctx, p_.size, [](int64_t x) {
          return static_cast<int64_t>(0ull - static_cast<uint64_t>(x));
        });
        break;
    }
    return Status::Ok();
  }

 private:
  common::UnaryParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceNeg() { return std::make_unique<NegKernel>(); }

}  // namespace labelite
