#include "kernels/xnnpack/binary.h"

#include <pthreadpool.h>

#include <algorithm>
#include <string>

#include "runtime/work_pool.h"

namespace labelite::xnn {
namespace {

using common::ArithOp;

const char* Name(ArithOp op) {
  switch (op) {
    case ArithOp::kAdd: return "add";
    case ArithOp::kSub: return "subtract";
    case ArithOp::kMul: return "multiply";
  }
  return "?";
}

// The fused activation's float bounds quantized as XNNPACK (and TFLite's delegate) do:
// lrintf(x / scale + zero point), which can round apart from TFLite's builtin clamp range
// (ArithParams::act_min/act_max: zero point + round(x / scale)).
void QuantizedActivationBounds(const common::ArithParams& p, float fmin, float fmax,
                               int32_t* min, int32_t* max) {
  if (p.type == DataType::kUInt8) {
    *min = QuantizeBoundU8(fmin, p.out_scale, p.out_offset);
    *max = QuantizeBoundU8(fmax, p.out_scale, p.out_offset);
  } else {
    *min = QuantizeBoundS8(fmin, p.out_scale, p.out_offset);
    *max = QuantizeBoundS8(fmax, p.out_scale, p.out_offset);
  }
}

}  // namespace

// What XNNPACK's quantized operators cannot take (PrepareArith checked everything else).
Status BinaryKernel::CheckQuantization(const KernelContext& ctx) const {
  if (!IsPerTensorQuantized(*ctx.input(0)) || !IsPerTensorQuantized(*ctx.input(1)) ||
      !IsPerTensorQuantized(*ctx.output(0)))
    return ctx.UnsupportedError("needs per-tensor quantization");
  auto in_range = [](double ratio, double lo, double hi) { return ratio >= lo && ratio < hi; };
  const double s1 = p_.in1_scale, s2 = p_.in2_scale, so = p_.out_scale;
  const bool ok = kind_ == ArithOp::kMul
                      ? in_range(s1 * s2 / so, 1.0 / 65536.0, 256.0)
                      : in_range(s1 / so, 1.0 / 1024.0, 256.0) &&
                            in_range(s2 / so, 1.0 / 1024.0, 256.0);
  if (!ok) return ctx.UnsupportedError("scale ratio outside XNNPACK's range");
  return Status::Ok();
}

Status BinaryKernel::Prepare(KernelContext& ctx) {
  LABELITE_RETURN_IF_ERROR(common::PrepareArith(ctx, kind_, &p_));
  LABELITE_RETURN_IF_ERROR(EnsureInitialized(ctx));
  if (p_.output_rank > 4) return ctx.UnsupportedError("XNNPACK broadcasts at most 4 dims");
  shape1_ = ToSizes(ctx.input(0)->dims);
  shape2_ = ToSizes(ctx.input(1)->dims);
  float fmin = 0.0f, fmax = 0.0f;  // PrepareArith refused TANH and SIGN_BIT
  if (!ActivationRange(p_.activation, &fmin, &fmax))
    return ctx.UnsupportedError("fused activation has no XNNPACK form");
  if (p_.type != DataType::kFloat32) {
    LABELITE_RETURN_IF_ERROR(CheckQuantization(ctx));
    QuantizedActivationBounds(p_, fmin, fmax, &qmin_, &qmax_);
  }
  fmin_ = fmin, fmax_ = fmax;
  chunks_.clear();
  chunk_begin_.clear();
  chunkable_ = shape1_ == shape2_ &&
               static_cast<size_t>(ctx.output(0)->NumElements()) >= kChunkMinElements;
  return Create(ctx, &op_);
}

Status BinaryKernel::Create(const KernelContext& ctx, Operator* owner) const {
  xnn_operator_t op = nullptr;
  const xnn_status s = p_.type == DataType::kFloat32 ? CreateF32(fmin_, fmax_, &op)
                                                     : CreateQuantized(qmin_, qmax_, &op);
  owner->reset(op);
  return Check(ctx, s, (std::string("xnn_create_") + Name(kind_) + "_nd").c_str());
}

// The chunk operators, once the pool is known (Prepare runs before the interpreter's pool).
Status BinaryKernel::CreateChunks(const KernelContext& ctx) {
  const size_t threads = ParallelThreads(ctx.threadpool);
  if (!chunkable_ || threads < 2 || !chunks_.empty()) return Status::Ok();
  const size_t n = static_cast<size_t>(ctx.output(0)->NumElements());
  const size_t count = std::min(threads * kChunksPerThread, n / (kChunkMinElements / 4));
  std::vector<Operator> chunks(count);
  for (Operator& chunk : chunks) LABELITE_RETURN_IF_ERROR(Create(ctx, &chunk));
  chunk_begin_.clear();
  for (size_t k = 0; k < count; ++k) chunk_begin_.push_back(k * n / count / 64 * 64);
  chunk_begin_.push_back(n);
  chunks_ = std::move(chunks);
  return Status::Ok();
}

xnn_status BinaryKernel::CreateF32(float min, float max, xnn_operator_t* op) const {
  switch (kind_) {
    case ArithOp::kAdd: return xnn_create_add_nd_f32(min, max, 0, op);
    case ArithOp::kSub: return xnn_create_subtract_nd_f32(min, max, 0, op);
    case ArithOp::kMul: return xnn_create_multiply_nd_f32(min, max, 0, op);
  }
  return xnn_status_invalid_parameter;
}

xnn_status BinaryKernel::CreateQuantized(int32_t min, int32_t max, xnn_operator_t* op) const {
  const float sa = p_.in1_scale, sb = p_.in2_scale, so = p_.out_scale;
  if (p_.type == DataType::kUInt8) {
    const auto za = static_cast<uint8_t>(-p_.in1_offset),
               zb = static_cast<uint8_t>(-p_.in2_offset), zo = static_cast<uint8_t>(p_.out_offset);
    const auto lo = static_cast<uint8_t>(min), hi = static_cast<uint8_t>(max);
    switch (kind_) {
      case ArithOp::kAdd:
        return xnn_create_add_nd_qu8(za, sa, zb, sb, zo, so, lo, hi, 0, op);
      case ArithOp::kSub:
        return xnn_create_subtract_nd_qu8(za, sa, zb, sb, zo, so, lo, hi, 0, op);
      case ArithOp::kMul:
        return xnn_create_multiply_nd_qu8(za, sa, zb, sb, zo, so, lo, hi, 0, op);
    }
  }
  const auto za = static_cast<int8_t>(-p_.in1_offset), zb = static_cast<int8_t>(-p_.in2_offset),
             zo = static_cast<int8_t>(p_.out_offset);
  const auto lo = static_cast<int8_t>(min), hi = static_cast<int8_t>(max);
  switch (kind_) {
    case ArithOp::kAdd:
      return xnn_create_add_nd_qs8(za, sa, zb, sb, zo, so, lo, hi, 0, op);
    case ArithOp::kSub:
      return xnn_create_subtract_nd_qs8(za, sa, zb, sb, zo, so, lo, hi, 0, op);
    case ArithOp::kMul:
      return xnn_create_multiply_nd_qs8(za, sa, zb, sb, zo, so, lo, hi, 0, op);
  }
  return xnn_status_invalid_parameter;
}

xnn_status BinaryKernel::Setup(xnn_operator_t op, size_t n1, const size_t* s1, size_t n2,
                               const size_t* s2, const void* a, const void* b, void* out,
                               pthreadpool_t tp) const {
  if (p_.type == DataType::kFloat32) {
    auto pa = static_cast<const float*>(a), pb = static_cast<const float*>(b);
    auto po = static_cast<float*>(out);
    switch (kind_) {
      case ArithOp::kAdd: return xnn_setup_add_nd_f32(op, n1, s1, n2, s2, pa, pb, po, tp);
      case ArithOp::kSub: return xnn_setup_subtract_nd_f32(op, n1, s1, n2, s2, pa, pb, po, tp);
      case ArithOp::kMul: return xnn_setup_multiply_nd_f32(op, n1, s1, n2, s2, pa, pb, po, tp);
    }
  } else if (p_.type == DataType::kUInt8) {
    auto pa = static_cast<const uint8_t*>(a), pb = static_cast<const uint8_t*>(b);
    auto po = static_cast<uint8_t*>(out);
    switch (kind_) {
      case ArithOp::kAdd: return xnn_setup_add_nd_qu8(op, n1, s1, n2, s2, pa, pb, po, tp);
      case ArithOp::kSub: return xnn_setup_subtract_nd_qu8(op, n1, s1, n2, s2, pa, pb, po, tp);
      case ArithOp::kMul: return xnn_setup_multiply_nd_qu8(op, n1, s1, n2, s2, pa, pb, po, tp);
    }
  } else {
    auto pa = static_cast<const int8_t*>(a), pb = static_cast<const int8_t*>(b);
    auto po = static_cast<int8_t*>(out);
    switch (kind_) {
      case ArithOp::kAdd: return xnn_setup_add_nd_qs8(op, n1, s1, n2, s2, pa, pb, po, tp);
      case ArithOp::kSub: return xnn_setup_subtract_nd_qs8(op, n1, s1, n2, s2, pa, pb, po, tp);
      case ArithOp::kMul: return xnn_setup_multiply_nd_qs8(op, n1, s1, n2, s2, pa, pb, po, tp);
    }
  }
  return xnn_status_invalid_parameter;
}

Status BinaryKernel::Bind(KernelContext& ctx) {
  LABELITE_RETURN_IF_ERROR(CreateChunks(ctx));
  const auto* a = static_cast<const uint8_t*>(ctx.input(0)->data);
  const auto* b = static_cast<const uint8_t*>(ctx.input(1)->data);
  auto* out = static_cast<uint8_t*>(ctx.output(0)->data);
  LABELITE_RETURN_IF_ERROR(Check(ctx,
                                 Setup(op_.get(), shape1_.size(), shape1_.data(), shape2_.size(),
                                       shape2_.data(), a, b, out, ctx.threadpool),
                                 "xnn_setup_binary_nd"));
  const size_t element = p_.type == DataType::kFloat32 ? sizeof(float) : 1;
  for (size_t k = 0; k < chunks_.size(); ++k) {
    const size_t offset = chunk_begin_[k] * element;
    const size_t length = chunk_begin_[k + 1] - chunk_begin_[k];
    LABELITE_RETURN_IF_ERROR(Check(ctx,
                                   Setup(chunks_[k].get(), 1, &length, 1, &length, a + offset,
                                         b + offset, out + offset, nullptr),
                                   "xnn_setup_binary_nd"));
  }
  return Status::Ok();
}

void BinaryKernel::RunChunk(void* context, size_t i) {
  auto* self = static_cast<BinaryKernel*>(context);
  const xnn_status s = xnn_run_operator(self->chunks_[i].get(), nullptr);
  if (s != xnn_status_success) {
    int expected = 0;
    self->chunk_status_.compare_exchange_strong(expected, static_cast<int>(s));
  }
}

Status BinaryKernel::Eval(KernelContext& ctx) {
  if (chunks_.empty() || ParallelThreads(ctx.threadpool) < 2) return XnnKernel::Eval(ctx);
  chunk_status_.store(0, std::memory_order_relaxed);
  Parallelize1D(ctx.threadpool, &RunChunk, this, chunks_.size(), 0);
  const int s = chunk_status_.load(std::memory_order_relaxed);
  if (s != 0)
    return Internal(ctx.op->name + " (operator " + std::to_string(ctx.op_index) +
                    "): xnn_run_operator failed with status " + std::to_string(s));
  return Status::Ok();
}

}  // namespace labelite::xnn
