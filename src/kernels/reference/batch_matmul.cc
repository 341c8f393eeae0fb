// BATCH_MATMUL, reference implementation (shapes, broadcasting and types: common/batch_matmul.h).
// float32: sums in k order. int8, as TFLite's builtin kernels:
//   acc = sum_k (lhs + lhs_offset) * (rhs + rhs_offset)   (int32)
//   out = clamp(MultiplyByQuantizedMultiplier(acc, M, S) + out_zp, -128, 127);
// an int32 output is sum_k lhs * rhs of the raw values (TFLite ignores the zero points there).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "kernels/common/batch_matmul.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class BatchMatMulKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareBatchMatMul(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    if (p_.type == DataType::kFloat32) {
      Run<float, float>(ctx, [](float acc) { return acc; });
    } else if (p_.out_type == DataType::kInt32) {
      Run<int8_t, int32_t>(ctx, [](int32_t acc) { return acc; }, /*offsets=*/false);
    } else {
      Run<int8_t, int8_t>(ctx, [this](int32_t acc) {
        const int32_t v =
            quant::MultiplyByQuantizedMultiplier(acc, p_.multiplier, p_.shift) + p_.out_zp;
        return static_cast<int8_t>(std::clamp(v, -128, 127));
      });
    }
    return Status::Ok();
  }

 private:
  template <typename In, typename Out, typename F>
  void Run(KernelContext& ctx, F finish, bool offsets = true) const {
    using Acc = std::conditional_t<std::is_same_v<In, float>, float, int32_t>;
    const In* lhs = ctx.input(0)->data_as<In>();
    const In* rhs = ctx.input(1)->data_as<In>();
    Out* out = ctx.output(0)->data_as<Out>();
    const Acc lo = offsets ? static_cast<Acc>(p_.lhs_offset) : 0;
    const Acc ro = offsets ? static_cast<Acc>(p_.rhs_offset) : 0;
    for (int64_t b = 0; b < p_.batches; ++b) {
      const In* l = lhs + p_.lhs_batch_offset[static_cast<size_t>(b)];
      const In* r = rhs + p_.rhs_batch_offset[static_cast<size_t>(b)];
      for (int32_t i = 0; i < p_.rows; ++i) {
        for (int32_t j = 0; j < p_.cols; ++j) {
          Acc acc = 0;
          for (int32_t k = 0; k < p_.depth; ++k) {
            acc += (static_cast<Acc>(l[i * p_.lhs_row_stride + k * p_.lhs_k_stride]) + lo) *
                   (static_cast<Acc>(r[k * p_.rhs_k_stride + j * p_.rhs_col_stride]) + ro);
          }
          *out++ = finish(acc);
        }
      }
    }
  }

  common::BatchMatMulParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceBatchMatMul() { return std::make_unique<BatchMatMulKernel>(); }

}  // namespace labelite
