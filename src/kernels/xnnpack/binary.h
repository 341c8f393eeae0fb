// BinaryKernel: ADD, SUB and MUL on XNNPACK's *_nd operators (f32, qu8, qs8; numpy
// broadcasting up to 4 dims). Validation, the output shape and the quantization come from
// common::PrepareArith (kernels/common/add_sub_mul.h), as for the reference kernels; this
// kernel only maps those parameters. What XNNPACK cannot do falls back to the reference kernel
// (Unsupported): more than 4 dims, per-channel quantization, and, as in TFLite's delegate,
// quantized scale ratios outside the range XNNPACK's fixed-point arithmetic handles: ADD/SUB
// input/output scale in [2^-10, 2^8), MUL input product/output scale in [2^-16, 2^8).
#ifndef LABELITE_KERNELS_XNNPACK_BINARY_H_
#define LABELITE_KERNELS_XNNPACK_BINARY_H_

#include <vector>

#include "kernels/common/add_sub_mul.h"
#include "kernels/xnnpack/xnn_common.h"

namespace labelite::xnn {

class BinaryKernel : public XnnKernel {
 public:
  explicit BinaryKernel(common::ArithOp op) : kind_(op) {}
  Status Prepare(KernelContext& ctx) override;
  Status Bind(KernelContext& ctx) override;

 private:
  Status CheckQuantization(const KernelContext& ctx) const;
  xnn_status CreateF32(float min, float max, xnn_operator_t* op) const;
  xnn_status CreateQuantized(int32_t min, int32_t max, xnn_operator_t* op) const;

  common::ArithOp kind_;
  common::ArithParams p_;
  std::vector<size_t> shape1_, shape2_;
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_XNNPACK_BINARY_H_
