// PoolingKernel: MAX_POOL_2D (f32; uint8/int8 when input and output share their quantization)
// and AVERAGE_POOL_2D (f32 only: TFLite's delegate leaves quantized average pooling to TFLite's
// builtin kernel, whose arithmetic average_pool_2d.cc vectorizes). Validation, the window and
// the output shape come from common::PreparePool (kernels/common/pooling.h), as for the
// reference kernels; this kernel maps the prepared window onto XNNPACK's explicit paddings
// (padded pixels are ignored by max, excluded from the divisor by average, as in TFLite).
// What XNNPACK cannot do falls back to the reference kernel (Unsupported): a 1x1 window
// (XNNPACK refuses it) and quantized max pooling that requantizes.
#ifndef LABELITE_KERNELS_XNNPACK_POOLING_H_
#define LABELITE_KERNELS_XNNPACK_POOLING_H_

#include "kernels/common/pooling.h"
#include "kernels/xnnpack/xnn_common.h"

namespace labelite::xnn {

class PoolingKernel : public XnnKernel {
 public:
  explicit PoolingKernel(bool max) : max_(max) {}
  // common::PreparePool, then Create.
  Status Prepare(KernelContext& ctx) override;
  // Creates the XNNPACK operator for parameters that common::PreparePool produced.
  Status Create(const KernelContext& ctx, const common::PoolParams& p);
  Status Bind(KernelContext& ctx) override;

 private:
  bool max_;
  common::PoolParams p_;
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_XNNPACK_POOLING_H_
