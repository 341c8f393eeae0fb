// UnaryKernel: the base of XNNPACK's elementwise "nc" operators (softmax, sigmoid, hardswish,
// clamp, convert). The tensor is viewed as [batch, channels] with channels = the last dim;
// the output has the input's dims. A subclass's Prepare checks types, calls PrepareShape,
// creates the operator and calls Finish with the matching setup function (wrapped by SetupAs).
#ifndef LABELITE_KERNELS_XNNPACK_UNARY_H_
#define LABELITE_KERNELS_XNNPACK_UNARY_H_

#include "kernels/xnnpack/xnn_common.h"

namespace labelite::xnn {

class UnaryKernel : public XnnKernel {
 public:
  using SetupFn = xnn_status (*)(xnn_operator_t, size_t, const void*, void*, pthreadpool_t);
  Status Bind(KernelContext& ctx) override;

 protected:
  // Checks one input and one output, sets the output dims, batch_ and channels_.
  Status PrepareShape(KernelContext& ctx);
  // Takes ownership of *op (read after `status` was computed: pass the create call inline)
  // and maps `status` (of `what`).
  Status Finish(const KernelContext& ctx, xnn_status status, xnn_operator_t* op, SetupFn setup,
                const char* what);

  size_t batch_ = 0;
  size_t channels_ = 0;
  SetupFn setup_ = nullptr;
};

// Adapts a typed xnn_setup_*_nc_* function to UnaryKernel::SetupFn.
template <typename In, typename Out,
          xnn_status (*F)(xnn_operator_t, size_t, const In*, Out*, pthreadpool_t)>
xnn_status SetupAs(xnn_operator_t op, size_t batch, const void* in, void* out,
                   pthreadpool_t threadpool) {
  return F(op, batch, static_cast<const In*>(in), static_cast<Out*>(out), threadpool);
}

// RELU, RELU6 and RELU_N1_TO_1 as clamp operators (f32; uint8/int8 when input and output share
// their quantization, as XNNPACK's clamp requires).
std::unique_ptr<Kernel> MakeClampKernel(float min, float max);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_XNNPACK_UNARY_H_
