// GELU on the fast path, mapping common::PrepareGelu's parameters (the op's one Prepare):
//   float32: exact GELU at AVX2 + FMA or AVX-512: XNNPACK's rational interpolant
//            (gelu_f32.h GeluErfRationalLoop), bit-identical to LiteRT's XNNPACK delegate;
//            approximate GELU, and exact GELU below AVX2 (portable loops): the vectorizable
//            erfc / tanh formulas of gelu_f32.h (within a few 1e-7 of the reference kernel's
//            std::erfc / std::tanh), AVX-512 or AVX2 by ActiveIsa();
//   uint8/int8: the prepared 256-entry table (TFLite's LUT) through xnn::ApplyByteTable,
//            identical to the reference by construction.
#include <memory>

#include "kernels/common/unary.h"
#include "kernels/fast/byte_table.h"
#include "kernels/fast/gelu_f32.h"
#include "kernels/fast/isa.h"
#if defined(__x86_64__)
#include "kernels/x86/gelu_f32_x86.h"
#endif

namespace labelite {
namespace {

void GeluF32(const float* in, float* out, size_t n, bool approximate) {
#if defined(__x86_64__)
  if (!approximate && xnn::ActiveIsa() >= xnn::IsaLevel::kAvx512)
    return xnn::GeluErfXnnpackAvx512(in, out, n);
  if (!approximate && xnn::ActiveIsa() >= xnn::IsaLevel::kAvx2)
    return xnn::GeluErfXnnpackAvx2(in, out, n);
  if (xnn::ActiveIsa() >= xnn::IsaLevel::kAvx512) return xnn::GeluF32Avx512(in, out, n, approximate);
  if (xnn::ActiveIsa() >= xnn::IsaLevel::kAvx2) return xnn::GeluF32Avx2(in, out, n, approximate);
#endif
  if (approximate) xnn::gelu_internal::GeluTanhLoop(in, out, n);
  else xnn::gelu_internal::GeluErfLoop(in, out, n);
}

class FastGeluKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareGelu(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    const size_t n = static_cast<size_t>(p_.size);
    if (p_.type == DataType::kFloat32) {
      GeluF32(ctx.input(0)->data_as<float>(), ctx.output(0)->data_as<float>(), n,
              ctx.options().approximate);
    } else {
      xnn::ApplyByteTable(p_.lut, ctx.input(0)->data, ctx.output(0)->data, n, ctx.threadpool);
    }
    return Status::Ok();
  }

  const char* path() const override {
    return p_.type == DataType::kFloat32 ? "fast" : "fast (table)";
  }

 private:
  common::UnaryParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackGelu() { return std::make_unique<FastGeluKernel>(); }

}  // namespace labelite
