// Float32 ADD / SUB / MUL on labelite's rows (binary_f32.h), mapping common::PrepareArith's
// parameters (the ops' one Prepare), in steps:
//   1. Prepare: PrepareArith; float32 at IsaLevel::kAvx2 or above (else Unsupported); the
//      shapes as one of three forms, x being the input of the output's shape:
//        same:    both inputs have every output element;
//        scalar:  y is one element;
//        channel: y has the output's innermost extent C > 1 and every other dimension 1;
//      any other broadcast is Unsupported (XNNPACK takes it). When x is the second input, SUB
//      becomes kReverseSub.
//   2. The MUL in front (a batch norm left unfolded: DenseNet's 63 MUL + ADD + RELU before its
//      convolutions; input normalization): when y is constant (scalar or channel form) and x
//      is written by a float32 MUL of a tensor z of the output's shape by a constant (scalar or
//      channel) with a clamp-type activation, this operator computes from z both steps in one
//      pass (binary_f32_internal::ChainLoop: the same two roundings and clamps) and no longer
//      reads x, so the interpreter skips the MUL unless something else reads its output
//      (reads_input, extra_inputs: z lives until this operator). The two constants are
//      spread over rows of kChainRow or more elements (whole multiples of C).
//   3. Eval: tasks of about kTaskElements contiguous outputs (whole rows of C in the channel
//      form, of the chain's row) over the thread pool, each with denormals flushed.
#include "kernels/fast/binary_f32.h"

#include <algorithm>
#include <vector>

#include "kernels/common/add_sub_mul.h"
#include "kernels/fast/isa.h"
#include "kernels/internal/quantization.h"
#include "runtime/work_pool.h"
#if defined(__x86_64__)
#include "kernels/x86/binary_f32_x86.h"
#include "kernels/x86/denormals.h"
#endif

namespace labelite::xnn {
namespace {

constexpr size_t kTaskElements = 8192;  // 32 KB of each input per task
#if defined(__x86_64__)
constexpr size_t kChainRow = 64;        // at least this many elements per chain row
constexpr int32_t kMulCode = 18;        // TFLite BuiltinOperator MUL
#endif

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
    chain_ = ActiveIsa() >= IsaLevel::kAvx512 ? &ChainRowF32Avx512 : &ChainRowF32Avx2;
    row_len_ = form_ == Form::kChannel ? channels : n_;
    task_ = form_ == Form::kChannel ? std::max<size_t>(1, kTaskElements / channels) * channels
                                    : kTaskElements;
    TryChain(ctx, channels);
    return Status::Ok();
#else
    return ctx.UnsupportedError("x86-64 only");
#endif
  }

  Status Eval(KernelContext& ctx) override {
    if (n_ == 0) return Status::Ok();
    const float* x = chain_in_ != nullptr ? chain_in_->data_as<float>() : ctx.input(x_)->data_as<float>();
    Job job{this, x, ctx.input(1 - x_)->data_as<float>(), ctx.output(0)->data_as<float>()};
    Parallelize1D(ctx.threadpool, &Task, &job, (n_ + task_ - 1) / task_, 0);
    return Status::Ok();
  }

  const char* path() const override { return chain_in_ != nullptr ? "fast (after MUL)" : "fast"; }
  // Step 2: x, the MUL's output, is not read; the MUL's input is.
  bool reads_input(int i) const override { return chain_in_ == nullptr || i != x_; }
  std::vector<int32_t> extra_inputs() const override {
    if (chain_in_ == nullptr) return {};
    return {chain_in_index_};
  }

 private:
  struct Job {
    const FastBinaryF32Kernel* k;
    const float* x;
    const float* y;
    float* out;
  };

  // Step 2 (Prepare): the MUL in front, when it can be run here; else nothing changes.
  void TryChain(const KernelContext& ctx, size_t channels) {
#if defined(__x86_64__)
    const Tensor* y = ctx.input(1 - x_);
    const Tensor* out = ctx.output(0);
    const KernelContext* mul = ctx.producer(x_);
    if (form_ == Form::kSame || !IsConstant(y) || mul == nullptr || mul->op == nullptr ||
        mul->op->builtin_code != kMulCode || mul->inputs.size() != 2 ||
        mul->op->inputs.size() != 2 || ctx.input(x_)->dims != out->dims)
      return;
    const int z = IsConstant(mul->inputs[1]) ? 0 : 1;
    const Tensor* in = mul->inputs[z];
    const Tensor* s = mul->inputs[1 - z];
    if (in == nullptr || IsConstant(in) || !IsConstant(s) || in->type != DataType::kFloat32 ||
        s->type != DataType::kFloat32 || in->dims != out->dims)
      return;
    const size_t ns = static_cast<size_t>(s->NumElements());
    if (ns != 1 && (ns != channels || s->rank() < 1 || static_cast<size_t>(s->dims.back()) != channels))
      return;
    const Activation act = mul->op->options.activation;
    if (act != Activation::kNone && act != Activation::kRelu && act != Activation::kRelu6 &&
        act != Activation::kReluN1To1)
      return;
    quant::ActivationRangeFloat(act, &bounds_.lo1, &bounds_.hi1);
    bounds_.lo2 = p_.float_min;
    bounds_.hi2 = p_.float_max;
    const size_t ny = static_cast<size_t>(y->NumElements());
    const size_t row = (kChainRow + channels - 1) / channels * channels;
    chain_s_.resize(row);
    chain_y_.resize(row);
    for (size_t i = 0; i < row; ++i) {
      chain_s_[i] = s->data_as<float>()[ns == 1 ? 0 : i % channels];
      chain_y_[i] = y->data_as<float>()[ny == 1 ? 0 : i % channels];
    }
    row_len_ = row;
    task_ = std::max<size_t>(1, kTaskElements / row) * row;
    chain_in_ = in;
    chain_in_index_ = mul->op->inputs[static_cast<size_t>(z)];
#else
    (void)ctx, (void)channels;
#endif
  }

  static void Task(void* context, size_t index) {
#if defined(__x86_64__)
    const Job& j = *static_cast<const Job*>(context);
    const FastBinaryF32Kernel& k = *j.k;
    const size_t begin = index * k.task_, end = std::min(k.n_, begin + k.task_);
    const float lo = k.p_.float_min, hi = k.p_.float_max;
    DenormalsFlushed flushed;
    if (k.chain_in_ != nullptr) {
      for (size_t i = begin; i < end; i += k.row_len_)
        k.chain_(k.row_op_, j.x + i, k.chain_s_.data(), k.chain_y_.data(), j.out + i,
                 std::min(k.row_len_, end - i), k.bounds_);
      return;
    }
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
  // Step 2: the MUL's input (null: no chain), its tensor index, the two constants spread over
  // a row of row_len_ elements, and the bounds.
  using ChainFn = void (*)(BinaryF32Op, const float*, const float*, const float*, float*, size_t,
                           binary_f32_internal::ChainBounds);
  const Tensor* chain_in_ = nullptr;
  int32_t chain_in_index_ = -1;
  std::vector<float> chain_s_, chain_y_;
  binary_f32_internal::ChainBounds bounds_{};
  ChainFn chain_ = nullptr;
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
