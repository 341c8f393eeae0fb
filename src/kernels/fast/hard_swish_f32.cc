#include "kernels/fast/hard_swish_f32.h"

#include <algorithm>

#include "runtime/work_pool.h"
#if defined(__x86_64__)
#include "kernels/x86/denormals.h"
#include "kernels/x86/hard_swish_f32_x86.h"
#endif

namespace labelite::xnn {
namespace {

constexpr size_t kTaskElements = 8192;  // 32 KB of input per task, as binary_f32.cc

class HardSwishF32Kernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    const Tensor* in = ctx.input(0);
    if (ctx.inputs.size() != 1 || in == nullptr || ctx.outputs.size() != 1)
      return ctx.Error("needs one input and one output");
    if (in->type != DataType::kFloat32 || ctx.output(0)->type != DataType::kFloat32)
      return ctx.UnsupportedError("float32 only");
    ctx.output(0)->dims = in->dims;
    n_ = static_cast<size_t>(in->NumElements());
    if (n_ == 0) return ctx.UnsupportedError("empty tensor");
#if defined(__x86_64__)
    row_ = HardSwishF32ForActiveIsa();
    if (row_ == nullptr) return ctx.UnsupportedError("below AVX2");
    return Status::Ok();
#else
    return ctx.UnsupportedError("x86-64 only");
#endif
  }

  Status Eval(KernelContext& ctx) override {
    Job job{this, ctx.input(0)->data_as<float>(), ctx.output(0)->data_as<float>()};
    Parallelize1D(ctx.threadpool, &Task, &job, (n_ + kTaskElements - 1) / kTaskElements, 0);
    return Status::Ok();
  }

  const char* path() const override { return "fast"; }
  FloatOutputFunction OutputFunction() const override {
#if defined(__x86_64__)
    return {&RunInPlace, this, "hard-swish", 0};
#else
    return {};
#endif
  }

 private:
  struct Job {
    const HardSwishF32Kernel* k;
    const float* in;
    float* out;
  };

  static void Task(void* context, size_t index) {
#if defined(__x86_64__)
    const Job& j = *static_cast<const Job*>(context);
    const size_t begin = index * kTaskElements, end = std::min(j.k->n_, begin + kTaskElements);
    const DenormalsFlushed flushed;
    j.k->row_(j.in + begin, j.out + begin, end - begin);
#else
    (void)context, (void)index;
#endif
  }

#if defined(__x86_64__)
  static void RunInPlace(const void* self, float* data, size_t n) {
    static_cast<const HardSwishF32Kernel*>(self)->row_(data, data, n);
  }
#endif

  size_t n_ = 0;
#if defined(__x86_64__)
  HardSwishF32Fn row_ = nullptr;
#endif
};

}  // namespace

std::unique_ptr<Kernel> CreateFastHardSwishF32() { return std::make_unique<HardSwishF32Kernel>(); }

}  // namespace labelite::xnn
