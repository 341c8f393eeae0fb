// BATCH_MATMUL's fast kernel: int8 x int8 (to int8 or int32) on labelite's AVX2 int8 matrix
// product (kernels/x86/avx2/matmul_s8_avx2.h), bit-identical to the reference kernel: the same
// int32 accumulators (exact, in any order) and the reference's own requantization
// (MultiplyByQuantizedMultiplier, + zero point, clamp). The shared Prepare
// (kernels/common/batch_matmul.h) validates the op and computes shapes, broadcast offsets and
// multipliers; float32 and CPUs below AVX2 return Unsupported (the reference runs).
// Both operands are computed at run time, so each invoke widens them (no packing at Prepare).
#include <algorithm>
#include <memory>
#include <vector>

#include "kernels/common/batch_matmul.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"
#if defined(__x86_64__)
#include "kernels/x86/avx2/matmul_s8_avx2.h"
#endif

namespace labelite {
namespace {

#if defined(__x86_64__)
class BatchMatMulKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(common::PrepareBatchMatMul(ctx, &p_));
    if (p_.type != DataType::kInt8) return ctx.UnsupportedError("float32 runs on the reference");
    if (!xnn::MatMulS8Supported()) return ctx.UnsupportedError("needs AVX2");
    const bool offsets = p_.out_type != DataType::kInt32;  // TFLite ignores them for int32
    shape_.rows = static_cast<size_t>(p_.rows);
    shape_.cols = static_cast<size_t>(p_.cols);
    shape_.depth = static_cast<size_t>(p_.depth);
    shape_.lhs_row_stride = p_.lhs_row_stride;
    shape_.lhs_k_stride = p_.lhs_k_stride;
    shape_.rhs_k_stride = p_.rhs_k_stride;
    shape_.rhs_col_stride = p_.rhs_col_stride;
    shape_.lhs_offset = offsets ? p_.lhs_offset : 0;
    shape_.rhs_offset = offsets ? p_.rhs_offset : 0;
    scratch_.assign(xnn::MatMulS8ScratchSize(shape_), 0);
    acc_.assign(offsets ? shape_.rows * shape_.cols : 0, 0);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const int8_t* lhs = ctx.input(0)->data_as<int8_t>();
    const int8_t* rhs = ctx.input(1)->data_as<int8_t>();
    const size_t matrix = shape_.rows * shape_.cols;
    for (int64_t b = 0; b < p_.batches; ++b) {
      const int8_t* l = lhs + p_.lhs_batch_offset[static_cast<size_t>(b)];
      const int8_t* r = rhs + p_.rhs_batch_offset[static_cast<size_t>(b)];
      if (p_.out_type == DataType::kInt32) {
        xnn::MatMulS8Avx2(shape_, l, r, scratch_.data(),
                          ctx.output(0)->data_as<int32_t>() + static_cast<size_t>(b) * matrix);
        continue;
      }
      xnn::MatMulS8Avx2(shape_, l, r, scratch_.data(), acc_.data());
      int8_t* out = ctx.output(0)->data_as<int8_t>() + static_cast<size_t>(b) * matrix;
      for (size_t i = 0; i < matrix; ++i) {
        const int32_t v =
            quant::MultiplyByQuantizedMultiplier(acc_[i], p_.multiplier, p_.shift) + p_.out_zp;
        out[i] = static_cast<int8_t>(std::clamp(v, -128, 127));
      }
    }
    return Status::Ok();
  }

  const char* path() const override { return "avx2"; }

 private:
  common::BatchMatMulParams p_;
  xnn::MatMulS8Shape shape_;
  std::vector<int16_t> scratch_;  // both operands widened (MatMulS8Avx2's step 1)
  std::vector<int32_t> acc_;      // one output matrix's accumulators (int8 output)
};
#else
// No own kernel on this architecture: the reference runs BATCH_MATMUL.
class BatchMatMulKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    return ctx.UnsupportedError("no fast kernel on this architecture");
  }
  Status Eval(KernelContext&) override { return Status::Ok(); }
};
#endif

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackBatchMatMul() {
  return std::make_unique<BatchMatMulKernel>();
}

}  // namespace labelite
