// Float32 ADD / SUB / MUL on labelite's rows (binary_f32.h), mapping common::PrepareArith's
// parameters (the ops' one Prepare), in steps:
//   1. Prepare: PrepareArith; float32 at IsaLevel::kAvx2 or above (else Unsupported); the
//      shapes as one of three forms, x being the input of the output's shape:
//        same:    both inputs have every output element;
//        scalar:  y is one element;
//        channel: y has the output's innermost extent C > 1 and every other dimension 1;
//      any other broadcast is Unsupported (XNNPACK takes it). When x is the second input, SUB
//      becomes kReverseSub.
//   2. Eval: tasks of about kTaskElements contiguous outputs (whole rows of C in the channel
//      form) over the thread pool, each with denormals flushed.
#include "kernels/fast/binary_f32.h"

#include <algorithm>

#include "kernels/common/add_sub_mul.h"
#include "kernels/fast/isa.h"
#include "runtime/work_pool.h"
#if defined(__x86_64__)
#include "kernels/x86/binary_f32_x86.h"
#include "kernels/x86/softmax_f32_x86.h"  // DenormalsFlushed
#endif

namespace labelite::xnn {
namespace {

constexpr size_t kTaskElements = 8192;  // 32 KB of each input per task

enum class Form { kSame, kScalar, kChannel };

class FastBinaryF32Kernel final : public Kernel {
 public:
  explicit FastBinaryF32Kernel(common::ArithOp op) : op_(op) {}

  Status Prepare(KernelContext& ctx) override {
#if defined(__x86_64__)
    LABELITE_RETURN_IF_ERROR(common::PrepareArith(ctx, op_, &p_));
    if (p_.type != DataType::kFloat32) return ctx.UnsupportedError("float32 only");
    if (ActiveIsa() < IsaLevel::kAvx2) return ctx.UnsupportedError("below AVX2");
    const Tensor& out = *ctx.output(0);
    n_ = static_cast<size_t>(out.NumElements());
    const size_t channels = out.rank() == 0 ? 1 : static_cast<size_t>(out.dims.back());
    const Tensor* in[2] = {ctx.input(0), ctx.input(1)};
    x_ = -1;
    for (int i = 0; i < 2 && x_ < 0; ++i) {
      const Tensor& y = *in[1 - i];
      if (static_cast<size_t>(in[i]->NumElements()) != n_) continue;
      const size_t ny = static_cast<size_t>(y.NumElements());
      if (ny == n_) {
        form_ = Form::kSame;
      } else if (ny == 1) {
        form_ = Form::kScalar;
      } else if (ny == channels && channels > 1 && y.rank() >= 1 &&
                 static_cast<size_t>(y.dims.back()) == channels) {
        form_ = Form::kChannel;
      } else {
        continue;
      }
      x_ = i;
    }
    if (x_ < 0) return ctx.UnsupportedError("broadcast form without a fast row");
    switch (op_) {
      case common::ArithOp::kAdd: row_op_ = BinaryF32Op::kAdd; break;
      case common::ArithOp::kSub: row_op_ = x_ == 0 ? BinaryF32Op::kSub : BinaryF32Op::kReverseSub; break;
      case common::ArithOp::kMul: row_op_ = BinaryF32Op::kMul; break;
    }
    row_ = ActiveIsa() >= IsaLevel::kAvx512 ? &BinaryRowF32Avx512 : &BinaryRowF32Avx2;
    row_len_ = form_ == Form::kChannel ? channels : n_;
    task_ = form_ == Form::kChannel ? std::max<size_t>(1, kTaskElements / channels) * channels
                                    : kTaskElements;
    return Status::Ok();
#else
    return ctx.UnsupportedError("x86-64 only");
#endif
  }

  Status Eval(KernelContext& ctx) override {
    if (n_ == 0) return Status::Ok();
    Job job{this, ctx.input(x_)->data_as<float>(), ctx.input(1 - x_)->data_as<float>(),
            ctx.output(0)->data_as<float>()};
    Parallelize1D(ctx.threadpool, &Task, &job, (n_ + task_ - 1) / task_, 0);
    return Status::Ok();
  }

  const char* path() const override { return "fast"; }

 private:
  struct Job {
    const FastBinaryF32Kernel* k;
    const float* x;
    const float* y;
    float* out;
  };

  static void Task(void* context, size_t index) {
#if defined(__x86_64__)
    const Job& j = *static_cast<const Job*>(context);
    const FastBinaryF32Kernel& k = *j.k;
    const size_t begin = index * k.task_, end = std::min(k.n_, begin + k.task_);
    const float lo = k.p_.float_min, hi = k.p_.float_max;
    DenormalsFlushed flushed;
    switch (k.form_) {
      case Form::kSame:
        return k.row_(k.row_op_, j.x + begin, j.y + begin, false, j.out + begin, end - begin, lo, hi);
      case Form::kScalar:
        return k.row_(k.row_op_, j.x + begin, j.y, true, j.out + begin, end - begin, lo, hi);
      case Form::kChannel:
        for (size_t i = begin; i < end; i += k.row_len_)
          k.row_(k.row_op_, j.x + i, j.y, false, j.out + i, k.row_len_, lo, hi);
        return;
    }
#else
    (void)context, (void)index;
#endif
  }

  using RowFn = void (*)(BinaryF32Op, const float*, const float*, bool, float*, size_t, float,
                         float);
  common::ArithOp op_;
  common::ArithParams p_;
  Form form_ = Form::kSame;
  BinaryF32Op row_op_ = BinaryF32Op::kAdd;
  RowFn row_ = nullptr;
  int x_ = 0;
  size_t n_ = 0, row_len_ = 0, task_ = kTaskElements;
};

}  // namespace

std::unique_ptr<Kernel> CreateFastAddF32() {
  return std::make_unique<FastBinaryF32Kernel>(common::ArithOp::kAdd);
}
std::unique_ptr<Kernel> CreateFastSubF32() {
  return std::make_unique<FastBinaryF32Kernel>(common::ArithOp::kSub);
}
std::unique_ptr<Kernel> CreateFastMulF32() {
  return std::make_unique<FastBinaryF32Kernel>(common::ArithOp::kMul);
}

}  // namespace labelite::xnn
