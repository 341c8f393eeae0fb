// Float32 LOGISTIC, swish MUL and HARD_SWISH on labelite's rows (swish_f32.h), in steps:
//   1. Prepare: the op's shape and type checks (LOGISTIC, HARD_SWISH: as the XNNPACK kernel's;
//      MUL: the pattern, then common::PrepareArith); then the rows: those of XNNPACK's sigmoid
//      on this CPU when labelite's level allows them, the hard-swish rows from AVX2 on (else
//      Unsupported).
//   2. Eval: tasks of kTaskElements contiguous elements over the thread pool, each with
//      denormals flushed.
#include "kernels/fast/swish_f32.h"

#include <algorithm>

#include "kernels/common/add_sub_mul.h"
#include "kernels/fast/isa.h"
#include "kernels/fast/self_gated_mul.h"  // SelfGateInput
#include "runtime/work_pool.h"
#if defined(__x86_64__)
#include <cpuinfo.h>

#include "kernels/x86/denormals.h"
#include "kernels/x86/hard_swish_f32_x86.h"
#include "kernels/x86/sigmoid_f32_x86.h"
#endif

namespace labelite::xnn {
namespace {

constexpr size_t kTaskElements = 8192;  // 32 KB of input per task, as binary_f32.cc

using UnaryRow = void (*)(const float* in, float* out, size_t n);
using SwishRow = void (*)(const float* x, float* out, size_t n, float lo, float hi);

enum class Function { kLogistic, kSwish, kHardSwish };

class RowsF32Kernel final : public Kernel {
 public:
  explicit RowsF32Kernel(Function f) : function_(f) {}

  Status Prepare(KernelContext& ctx) override {
    if (function_ == Function::kSwish) {
      LABELITE_RETURN_IF_ERROR(PrepareSwish(ctx));
      return ChooseSigmoidRows(ctx);
    }
    LABELITE_RETURN_IF_ERROR(PrepareUnary(ctx));
    return function_ == Function::kLogistic ? ChooseSigmoidRows(ctx) : ChooseHardSwishRows(ctx);
  }

  Status Eval(KernelContext& ctx) override {
    if (n_ == 0) return Status::Ok();
    Job job{this, ctx.input(x_)->data_as<float>(), ctx.output(0)->data_as<float>()};
    Parallelize1D(ctx.threadpool, &Task, &job, (n_ + kTaskElements - 1) / kTaskElements, 0);
    return Status::Ok();
  }

  const char* path() const override {
    return function_ == Function::kSwish ? "fast (swish)" : "fast";
  }
  // The swish never reads the LOGISTIC's output (the interpreter may skip the LOGISTIC).
  bool reads_input(int i) const override { return function_ != Function::kSwish || i == x_; }
  // The swish and hard-swish rows, for the convolution that writes x (the rows read each
  // vector before they write it, so in place is safe).
  FloatOutputFunction OutputFunction() const override {
    if (function_ == Function::kLogistic) return {};
    const char* name = function_ == Function::kSwish ? "swish" : "hard-swish";
    return {&InPlace, this, name, x_};
  }

 private:
  struct Job {
    const RowsF32Kernel* k;
    const float* x;
    float* out;
  };

  // LOGISTIC, HARD_SWISH: one float32 input, an output of its shape.
  Status PrepareUnary(KernelContext& ctx) {
    const Tensor* in = ctx.input(0);
    if (ctx.inputs.size() != 1 || in == nullptr || ctx.outputs.size() != 1)
      return ctx.Error("needs one input and one output");
    if (in->type != DataType::kFloat32 || ctx.output(0)->type != DataType::kFloat32)
      return ctx.UnsupportedError("float32 only");
    ctx.output(0)->dims = in->dims;
    x_ = 0;
    n_ = static_cast<size_t>(in->NumElements());
    if (n_ == 0) return ctx.UnsupportedError("empty tensor");
    return Status::Ok();
  }

  Status PrepareSwish(KernelContext& ctx) {
    if (ctx.inputs.size() != 2 || ctx.outputs.size() != 1 || !ctx.input(0) || !ctx.input(1))
      return ctx.UnsupportedError("not a two-input MUL");
    const int g = SelfGateInput(ctx);
    if (g < 0) return ctx.UnsupportedError("no input is LOGISTIC of the other");
    x_ = 1 - g;
    common::ArithParams p;
    LABELITE_RETURN_IF_ERROR(common::PrepareArith(ctx, common::ArithOp::kMul, &p));
    if (p.type != DataType::kFloat32) return ctx.UnsupportedError("float32 only");
    const Tensor& x = *ctx.input(x_);
    if (ctx.input(g)->dims != x.dims || ctx.output(0)->dims != x.dims)
      return ctx.UnsupportedError("the inputs and the output differ in shape");
    lo_ = p.float_min;
    hi_ = p.float_max;
    n_ = static_cast<size_t>(x.NumElements());
    return Status::Ok();
  }

  // XNNPACK's hard-swish: the same bits from its FMA3 and AVX-512F kernels
  // (hard_swish_f32_x86.h), so the best row the level allows.
  Status ChooseHardSwishRows(const KernelContext& ctx) {
#if defined(__x86_64__)
    unary_row_ = HardSwishF32ForActiveIsa();
    if (unary_row_ == nullptr) return ctx.UnsupportedError("below AVX2");
    return Status::Ok();
#else
    return ctx.UnsupportedError("x86-64 only");
#endif
  }

  // The rows of the sigmoid kernel XNNPACK's init picks on this CPU (cpuinfo: AVX-512F, else
  // AVX2), when labelite's level allows their instructions.
  Status ChooseSigmoidRows(const KernelContext& ctx) {
#if defined(__x86_64__)
    if (ActiveIsa() < IsaLevel::kAvx2) return ctx.UnsupportedError("below AVX2");
    if (!cpuinfo_initialize()) return ctx.UnsupportedError("cpuinfo cannot read this CPU");
    if (cpuinfo_has_x86_avx512f()) {
      if (ActiveIsa() < IsaLevel::kAvx512)
        return ctx.UnsupportedError("XNNPACK's sigmoid on this CPU is its AVX-512F kernel, "
                                    "above the active level");
      unary_row_ = &SigmoidRowF32Avx512;
      swish_row_ = &SwishRowF32Avx512;
    } else if (cpuinfo_has_x86_avx2()) {
      unary_row_ = &SigmoidRowF32Avx2;
      swish_row_ = &SwishRowF32Avx2;
    } else {
      return ctx.UnsupportedError("XNNPACK's sigmoid on this CPU is not an AVX2 kernel");
    }
    return Status::Ok();
#else
    return ctx.UnsupportedError("x86-64 only");
#endif
  }

  static void Task(void* context, size_t index) {
#if defined(__x86_64__)
    const Job& j = *static_cast<const Job*>(context);
    const size_t begin = index * kTaskElements, end = std::min(j.k->n_, begin + kTaskElements);
    DenormalsFlushed flushed;
    j.k->Row(j.x + begin, j.out + begin, end - begin);
#else
    (void)context, (void)index;
#endif
  }

  void Row(const float* x, float* out, size_t n) const {
    if (function_ == Function::kSwish) swish_row_(x, out, n, lo_, hi_);
    else unary_row_(x, out, n);
  }
  static void InPlace(const void* self, float* data, size_t n) {
    static_cast<const RowsF32Kernel*>(self)->Row(data, data, n);
  }

  Function function_;
  int x_ = 0;  // the input read (the swish: the LOGISTIC's input)
  size_t n_ = 0;
  float lo_ = 0.0f, hi_ = 0.0f;
  UnaryRow unary_row_ = nullptr;  // sigmoid or hard-swish
  SwishRow swish_row_ = nullptr;
};

}  // namespace

std::unique_ptr<Kernel> CreateFastLogisticF32() {
  return std::make_unique<RowsF32Kernel>(Function::kLogistic);
}
std::unique_ptr<Kernel> CreateFastSwishF32() {
  return std::make_unique<RowsF32Kernel>(Function::kSwish);
}
std::unique_ptr<Kernel> CreateFastHardSwishF32() {
  return std::make_unique<RowsF32Kernel>(Function::kHardSwish);
}

}  // namespace labelite::xnn
