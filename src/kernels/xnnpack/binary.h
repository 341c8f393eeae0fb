// BinaryKernel: ADD, SUB and MUL on XNNPACK's *_nd operators (f32, qu8, qs8; numpy
// broadcasting up to 4 dims). As TFLite's delegate, quantized ops are taken only when the
// scale ratios are in the range XNNPACK's fixed-point arithmetic handles: ADD/SUB input/output
// scale in [2^-10, 2^8), MUL input product/output scale in [2^-16, 2^8).
#ifndef LABELITE_KERNELS_XNNPACK_BINARY_H_
#define LABELITE_KERNELS_XNNPACK_BINARY_H_

#include <array>
#include <vector>

#include "kernels/xnnpack/xnn_common.h"

namespace labelite::xnn {

enum class BinaryOp { kAdd, kSubtract, kMultiply };

class BinaryKernel : public XnnKernel {
 public:
  explicit BinaryKernel(BinaryOp op) : kind_(op) {}
  Status Prepare(KernelContext& ctx) override;
  Status Bind(KernelContext& ctx) override;

 private:
  Status CheckScales(const KernelContext& ctx) const;
  xnn_status CreateF32(float min, float max, xnn_operator_t* op) const;
  xnn_status CreateQuantized(const KernelContext& ctx, int32_t min, int32_t max,
                             xnn_operator_t* op) const;

  BinaryOp kind_;
  DataType type_ = DataType::kFloat32;
  std::vector<size_t> shape1_, shape2_;
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_XNNPACK_BINARY_H_
