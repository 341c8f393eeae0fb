// PoolingKernel: MAX_POOL_2D (f32; uint8/int8 when input and output share their quantization)
// and AVERAGE_POOL_2D (f32 only: TFLite's delegate leaves quantized average pooling to TFLite's
// builtin kernel, whose arithmetic average_pool2d.cc vectorizes). SAME padding becomes explicit
// paddings; padded pixels are ignored (max) or excluded from the divisor (average), as in TFLite.
// A 1x1 window is left to the reference kernel (XNNPACK refuses it).
#ifndef LABELITE_KERNELS_XNNPACK_POOLING_H_
#define LABELITE_KERNELS_XNNPACK_POOLING_H_

#include "kernels/xnnpack/xnn_common.h"

namespace labelite::xnn {

class PoolingKernel : public XnnKernel {
 public:
  explicit PoolingKernel(bool max) : max_(max) {}
  Status Prepare(KernelContext& ctx) override;
  Status Bind(KernelContext& ctx) override;

 private:
  bool max_;
  DataType type_ = DataType::kFloat32;
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_XNNPACK_POOLING_H_
