// CONCATENATION on the fast path: common::PrepareConcatenation's rows copied over the thread
// pool, in contiguous blocks of output rows (the caller the first, the worker the next, as the
// convolutions split their output rows, so each core mostly copies what it wrote). Inputs that
// need requantization are Unsupported here: the reference kernel takes the operator.
// The bytes are the reference kernel's (plain copies).
#include <algorithm>
#include <cstring>
#include <memory>

#include "kernels/common/data_movement.h"
#include "runtime/kernel.h"
#include "runtime/work_pool.h"

namespace labelite {
namespace {

constexpr int64_t kTaskBytes = 64 * 1024;

class FastConcatenationKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(common::PrepareConcatenation(ctx, &p_));
    for (bool r : p_.requantize)
      if (r) return ctx.UnsupportedError("an input needs requantization");
    row_bytes_ = 0;
    for (const Tensor* t : ctx.inputs) row_bytes_ += t->dim(p_.axis) * p_.inner_bytes;
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    if (p_.outer == 0 || row_bytes_ == 0) return Status::Ok();
    Job job{&ctx, this, 0};
    job.rows_per_task = std::max<int64_t>(1, kTaskBytes / row_bytes_);
    const int64_t tasks = (p_.outer + job.rows_per_task - 1) / job.rows_per_task;
    Parallelize1D(ctx.threadpool, &Task, &job, static_cast<size_t>(tasks), 0);
    return Status::Ok();
  }

  const char* path() const override { return "fast"; }

 private:
  struct Job {
    const KernelContext* ctx;
    const FastConcatenationKernel* k;
    int64_t rows_per_task;
  };

  // Output rows [index * rows_per_task, ...).
  static void Task(void* context, size_t index) {
    const Job& j = *static_cast<const Job*>(context);
    const FastConcatenationKernel& k = *j.k;
    const int64_t begin = static_cast<int64_t>(index) * j.rows_per_task;
    const int64_t end = std::min(k.p_.outer, begin + j.rows_per_task);
    uint8_t* dst = j.ctx->outputs[0]->data + begin * k.row_bytes_;
    for (int64_t row = begin; row < end; ++row) {
      for (const Tensor* t : j.ctx->inputs) {
        const int64_t n = t->dim(k.p_.axis) * k.p_.inner_bytes;
        std::memcpy(dst, t->data + row * n, static_cast<size_t>(n));
        dst += n;
      }
    }
  }

  common::ConcatParams p_;
  int64_t row_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackConcatenation() {
  return std::make_unique<FastConcatenationKernel>();
}

}  // namespace labelite
