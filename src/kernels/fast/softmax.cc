// SOFTMAX on the fast path: float32 with beta 1 (what LiteRT's XNNPACK delegate takes; other
// softmaxes stay on TFLite's builtin kernel there, here on the reference kernel):
//   - x86-64 with AVX2 + FMA: labelite's rows (kernels/x86/softmax_f32_x86.h), bit-identical to
//     the softmax of the XNNPACK inside LiteRT 2.x on the same CPU level (AVX-512 or AVX2):
//     its exp, its order of additions, denormals flushed;
//   - otherwise Debian's XNNPACK operator (xnnpack/softmax.cc; its 2022 exp and sums).
// Rows are the last dimension; each row is computed on its own (batch x rows one after another).
#include <memory>

#include "kernels/fast/first_supported.h"
#include "kernels/fast/isa.h"
#include "kernels/internal/op_checks.h"
#if defined(__x86_64__)
#include "kernels/x86/denormals.h"
#include "kernels/x86/softmax_f32_x86.h"
#endif

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackSoftmaxOperator();

namespace {

#if defined(__x86_64__)
class FastSoftmaxF32Kernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 1, 1, 1));
    const Tensor& in = *ctx.input(0);
    if (in.type != DataType::kFloat32 || ctx.output(0)->type != DataType::kFloat32)
      return ctx.UnsupportedError("not a float32 softmax");
    if (ctx.options().beta != 1.0f) return ctx.UnsupportedError("beta != 1");
    if (in.rank() < 1) return ctx.UnsupportedError("a scalar input");
    avx512_ = xnn::ActiveIsa() >= xnn::IsaLevel::kAvx512;
    if (!avx512_ && xnn::ActiveIsa() < xnn::IsaLevel::kAvx2)
      return ctx.UnsupportedError("no AVX2 at this ISA level");
    row_ = static_cast<size_t>(in.dim(in.rank() - 1));
    const int64_t total = in.NumElements();
    rows_ = row_ == 0 ? 0 : static_cast<size_t>(total) / row_;
    return internal::SetOutputDims(ctx, *ctx.output(0), in.dims);
  }

  Status Eval(KernelContext& ctx) override {
    const float* in = ctx.input(0)->data_as<float>();
    float* out = ctx.output(0)->data_as<float>();
    if (row_ == 0) return Status::Ok();
    xnn::DenormalsFlushed flushed;
    for (size_t r = 0; r < rows_; ++r) {
      if (avx512_) xnn::SoftmaxRowF32Avx512(in + r * row_, out + r * row_, row_);
      else xnn::SoftmaxRowF32Avx2(in + r * row_, out + r * row_, row_);
    }
    return Status::Ok();
  }

  const char* path() const override { return "fast"; }

 private:
  bool avx512_ = false;
  size_t row_ = 0, rows_ = 0;
};

std::unique_ptr<Kernel> CreateFastSoftmaxF32() { return std::make_unique<FastSoftmaxF32Kernel>(); }
#endif

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackSoftmax() {
#if defined(__x86_64__)
  return std::make_unique<xnn::FirstSupportedKernel>(&CreateFastSoftmaxF32,
                                                     &CreateXnnpackSoftmaxOperator);
#else
  return CreateXnnpackSoftmaxOperator();
#endif
}

}  // namespace labelite
