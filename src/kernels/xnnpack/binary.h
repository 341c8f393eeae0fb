// BinaryKernel: ADD, SUB and MUL on XNNPACK's *_nd operators (f32, qu8, qs8; numpy
// broadcasting up to 4 dims). Validation, the output shape and the quantization come from
// common::PrepareArith (kernels/common/add_sub_mul.h), as for the reference kernels; this
// kernel only maps those parameters. What XNNPACK cannot do falls back to the reference kernel
// (Unsupported): more than 4 dims, per-channel quantization, and, as in TFLite's delegate,
// quantized scale ratios outside the range XNNPACK's fixed-point arithmetic handles: ADD/SUB
// input/output scale in [2^-10, 2^8), MUL input product/output scale in [2^-16, 2^8).
// Threads: XNNPACK (2022) runs a same-shape operation as one call on one thread (its 1-D case
// has a single task), so for same-shape inputs of kChunkMinElements or more this kernel also
// creates one operator per contiguous chunk (kChunksPerThread per thread of the pool) and
// runs the chunks as tasks of the pool: elementwise, so the bytes are the same.
#ifndef LABELITE_KERNELS_XNNPACK_BINARY_H_
#define LABELITE_KERNELS_XNNPACK_BINARY_H_

#include <atomic>
#include <vector>

#include "kernels/common/add_sub_mul.h"
#include "kernels/xnnpack/xnn_common.h"

namespace labelite::xnn {

class BinaryKernel : public XnnKernel {
 public:
  explicit BinaryKernel(common::ArithOp op) : kind_(op) {}
  Status Prepare(KernelContext& ctx) override;
  Status Bind(KernelContext& ctx) override;
  Status Eval(KernelContext& ctx) override;

  static constexpr size_t kChunkMinElements = 8192;
  static constexpr size_t kChunksPerThread = 4;

 private:
  Status CheckQuantization(const KernelContext& ctx) const;
  xnn_status CreateF32(float min, float max, xnn_operator_t* op) const;
  xnn_status CreateQuantized(int32_t min, int32_t max, xnn_operator_t* op) const;
  xnn_status Setup(xnn_operator_t op, size_t n1, const size_t* s1, size_t n2, const size_t* s2,
                   const void* a, const void* b, void* out, pthreadpool_t tp) const;
  static void RunChunk(void* context, size_t i);
  Status Create(const KernelContext& ctx, Operator* owner) const;
  Status CreateChunks(const KernelContext& ctx);

  common::ArithOp kind_;
  common::ArithParams p_;
  std::vector<size_t> shape1_, shape2_;
  float fmin_ = 0.0f, fmax_ = 0.0f;  // the fused activation's bounds
  int32_t qmin_ = 0, qmax_ = 0;      // quantized
  bool chunkable_ = false;           // same shapes, kChunkMinElements or more
  // Same-shape inputs only: chunk k covers elements [chunk_begin_[k], chunk_begin_[k + 1]).
  std::vector<Operator> chunks_;
  std::vector<size_t> chunk_begin_;
  std::atomic<int> chunk_status_{0};  // the first failing xnn_status of a chunked Eval
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_XNNPACK_BINARY_H_
