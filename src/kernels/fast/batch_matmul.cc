// BATCH_MATMUL on the fast path, mapping common::PrepareBatchMatMul's parameters (the op's one
// Prepare). float32: per batch, batch_matmul_f32.h's row-times-matrix loop (bit-identical to
// the reference: the same k-ordered sums), AVX-512 or AVX2 by ActiveIsa(); an rhs whose
// columns are not contiguous (adj_y) is first copied into a [depth, cols] scratch buffer sized
// at Prepare. int8 goes first to kernels/xnnpack/batch_matmul.cc (FirstSupportedKernel); other
// types are Unsupported here (the interpreter runs the reference kernel).
#include <memory>
#include <vector>

#include "kernels/common/batch_matmul.h"
#include "kernels/fast/batch_matmul_f32.h"
#include "kernels/fast/first_supported.h"
#include "kernels/fast/isa.h"
#if defined(__x86_64__)
#include "kernels/x86/batch_matmul_f32_x86.h"
#endif

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackBatchMatMulInt8();  // kernels/xnnpack/batch_matmul.cc

namespace {

void MatMulF32(const xnn::MatMulF32Args& args) {
#if defined(__x86_64__)
  if (xnn::ActiveIsa() >= xnn::IsaLevel::kAvx512) return xnn::MatMulF32Avx512(args);
  if (xnn::ActiveIsa() >= xnn::IsaLevel::kAvx2) return xnn::MatMulF32Avx2(args);
#endif
  xnn::matmul_internal::MatMulF32Loop(args);
}

class FastBatchMatMulKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    if (common::IsHybridBatchMatMul(ctx) || ctx.input(0) == nullptr ||
        ctx.input(0)->type != DataType::kFloat32)
      return ctx.UnsupportedError("the fast BATCH_MATMUL is float32 only");
    LABELITE_RETURN_IF_ERROR(common::PrepareBatchMatMul(ctx, &p_));
    const bool packed = p_.rhs_col_stride == 1 && p_.rhs_k_stride == p_.cols;
    rhs_scratch_.assign(packed ? 0 : static_cast<size_t>(p_.depth) * static_cast<size_t>(p_.cols),
                        0.0f);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const float* lhs = ctx.input(0)->data_as<float>();
    const float* rhs = ctx.input(1)->data_as<float>();
    float* out = ctx.output(0)->data_as<float>();
    const int64_t out_size = static_cast<int64_t>(p_.rows) * p_.cols;
    for (int64_t b = 0; b < p_.batches; ++b) {
      const float* r = rhs + p_.rhs_batch_offset[static_cast<size_t>(b)];
      if (!rhs_scratch_.empty()) r = PackRhs(r);
      MatMulF32({lhs + p_.lhs_batch_offset[static_cast<size_t>(b)], r, out + b * out_size,
                 p_.lhs_row_stride, p_.lhs_k_stride, p_.rows, p_.cols, p_.depth});
    }
    return Status::Ok();
  }

  const char* path() const override { return "fast"; }

 private:
  // rhs (k, j) -> scratch[k * cols + j].
  const float* PackRhs(const float* r) {
    float* s = rhs_scratch_.data();
    for (int32_t k = 0; k < p_.depth; ++k)
      for (int32_t j = 0; j < p_.cols; ++j)
        *s++ = r[k * p_.rhs_k_stride + j * p_.rhs_col_stride];
    return rhs_scratch_.data();
  }

  common::BatchMatMulParams p_;
  std::vector<float> rhs_scratch_;
};

std::unique_ptr<Kernel> CreateFloatBatchMatMul() { return std::make_unique<FastBatchMatMulKernel>(); }

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackBatchMatMul() {
  return std::make_unique<xnn::FirstSupportedKernel>(&CreateXnnpackBatchMatMulInt8,
                                                     &CreateFloatBatchMatMul);
}

}  // namespace labelite
