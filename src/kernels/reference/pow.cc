// POW, reference implementation with broadcasting: float32 std::pow(a, b); int32 by repeated
// multiplication (TFLite's IntegerPow; a negative exponent is an error, as in TFLite).
#include <cmath>
#include <cstdint>
#include <memory>

#include "kernels/common/binary_math.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

int32_t IntegerPow(int32_t base, int32_t exponent) {
  uint32_t result = 1, b = static_cast<uint32_t>(base);
  while (exponent > 0) {  // square and multiply, wrapping like TFLite's int arithmetic
    if (exponent & 1) result *= b;
    b *= b;
    exponent >>= 1;
  }
  return static_cast<int32_t>(result);
}

class PowKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PreparePow(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    if (p_.type == DataType::kFloat32) {
      const float* a = ctx.input(0)->data_as<float>();
      const float* b = ctx.input(1)->data_as<float>();
      float* out = ctx.output(0)->data_as<float>();
      p_.broadcast.ForEach(
          [&](int64_t i, int64_t ia, int64_t ib) { out[i] = std::pow(a[ia], b[ib]); });
      return Status::Ok();
    }
    const int32_t* a = ctx.input(0)->data_as<int32_t>();
    const int32_t* b = ctx.input(1)->data_as<int32_t>();
    int32_t* out = ctx.output(0)->data_as<int32_t>();
    bool negative = false;
    p_.broadcast.ForEach([&](int64_t i, int64_t ia, int64_t ib) {
      negative = negative || b[ib] < 0;
      out[i] = IntegerPow(a[ia], b[ib]);
    });
    return negative ? ctx.Error("int32 POW with a negative exponent") : Status::Ok();
  }

 private:
  common::BinaryMathParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferencePow() { return std::make_unique<PowKernel>(); }

}  // namespace labelite
