// Float32 LOGISTIC and swish MUL on labelite's sigmoid rows (swish_f32.h), in steps:
//   1. Prepare: the op's shape and type checks (LOGISTIC: as the XNNPACK kernel's; MUL: the
//      pattern, then common::PrepareArith); then the rows of XNNPACK's sigmoid on this CPU,
//      when labelite's level allows them (else Unsupported).
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
#include "kernels/x86/sigmoid_f32_x86.h"
#endif

namespace labelite::xnn {
namespace {

constexpr size_t kTaskElements = 8192;  // 32 KB of input per task, as binary_f32.cc

using SigmoidRow = void (*)(const float* in, float* out, size_t n);
using SwishRow = void (*)(const float* x, float* out, size_t n, float lo, float hi);

class SigmoidF32Kernel final : public Kernel {
 public:
  explicit SigmoidF32Kernel(bool swish) : swish_(swish) {}

  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(swish_ ? PrepareSwish(ctx) : PrepareLogistic(ctx));
    return ChooseRows(ctx);
  }

  Status Eval(KernelContext& ctx) override {
    if (n_ == 0) return Status::Ok();
    Job job{this, ctx.input(x_)->data_as<float>(), ctx.output(0)->data_as<float>()};
    Parallelize1D(ctx.threadpool, &Task, &job, (n_ + kTaskElements - 1) / kTaskElements, 0);
    return Status::Ok();
  }

  const char* path() const override { return swish_ ? "fast (swish)" : "fast"; }
  // The swish never reads the LOGISTIC's output (the interpreter may skip the LOGISTIC).
  bool reads_input(int i) const override { return !swish_ || i == x_; }
  // The swish rows, for the convolution that writes x (the rows read each vector before they
  // write it, so in place is safe).
  FloatOutputFunction OutputFunction() const override {
    if (!swish_) return {};
    return {&SwishInPlace, this, "swish", x_};
  }

 private:
  struct Job {
    const SigmoidF32Kernel* k;
    const float* x;
    float* out;
  };

  Status PrepareLogistic(KernelContext& ctx) {
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

  // The rows of the sigmoid kernel XNNPACK's init picks on this CPU (cpuinfo: AVX-512F, else
  // AVX2), when labelite's level allows their instructions.
  Status ChooseRows(const KernelContext& ctx) {
#if defined(__x86_64__)
    if (ActiveIsa() < IsaLevel::kAvx2) return ctx.UnsupportedError("below AVX2");
    if (!cpuinfo_initialize()) return ctx.UnsupportedError("cpuinfo cannot read this CPU");
    if (cpuinfo_has_x86_avx512f()) {
      if (ActiveIsa() < IsaLevel::kAvx512)
        return ctx.UnsupportedError("XNNPACK's sigmoid on this CPU is its AVX-512F kernel, "
                                    "above the active level");
      sigmoid_row_ = &SigmoidRowF32Avx512;
      swish_row_ = &SwishRowF32Avx512;
    } else if (cpuinfo_has_x86_avx2()) {
      sigmoid_row_ = &SigmoidRowF32Avx2;
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
    const SigmoidF32Kernel& k = *j.k;
    const size_t begin = index * kTaskElements, end = std::min(k.n_, begin + kTaskElements);
    DenormalsFlushed flushed;
    if (k.swish_) {
      k.swish_row_(j.x + begin, j.out + begin, end - begin, k.lo_, k.hi_);
    } else {
      k.sigmoid_row_(j.x + begin, j.out + begin, end - begin);
    }
#else
    (void)context, (void)index;
#endif
  }

  static void SwishInPlace(const void* self, float* data, size_t n) {
    const auto* k = static_cast<const SigmoidF32Kernel*>(self);
    k->swish_row_(data, data, n, k->lo_, k->hi_);
  }

  bool swish_;
  int x_ = 0;  // the input read (the swish: the LOGISTIC's input)
  size_t n_ = 0;
  float lo_ = 0.0f, hi_ = 0.0f;
  SigmoidRow sigmoid_row_ = nullptr;
  SwishRow swish_row_ = nullptr;
};

}  // namespace

std::unique_ptr<Kernel> CreateFastLogisticF32() {
  return std::make_unique<SigmoidF32Kernel>(/*swish=*/false);
}
std::unique_ptr<Kernel> CreateFastSwishF32() {
  return std::make_unique<SigmoidF32Kernel>(/*swish=*/true);
}

}  // namespace labelite::xnn
