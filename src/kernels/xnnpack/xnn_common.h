// Shared helpers of the XNNPACK kernels (kernels/xnnpack/<op>.cc).
//
// Every XNNPACK kernel follows one lifecycle:
//   Prepare: check types and parameters (anything not handled -> ctx.UnsupportedError, so the
//            interpreter falls back to the reference kernel), set output dims, create the
//            operator (XNNPACK packs constant weights here, once).
//   Bind:    xnn_setup_* with the final data pointers.
//   Eval:    xnn_run_operator(op, ctx.threadpool).
// Parameter mapping follows TFLite's XNNPACK delegate, so that results match TFLite run with
// that delegate (golden/raw): fused activations become float bounds, quantized through
// QuantizeBoundU8/S8 exactly as XNNPACK's subgraph layer does.
#ifndef LABELITE_KERNELS_XNNPACK_XNN_COMMON_H_
#define LABELITE_KERNELS_XNNPACK_XNN_COMMON_H_

#include <xnnpack.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace labelite::xnn {

struct OperatorDeleter {
  void operator()(xnn_operator_t op) const { xnn_delete_operator(op); }
};
// Owner of one XNNPACK operator (and of the weights it packed).
using Operator = std::unique_ptr<xnn_operator, OperatorDeleter>;

// xnn_initialize once per process; an Unsupported status when XNNPACK refuses the CPU.
Status EnsureInitialized(const KernelContext& ctx);

// Maps an XNNPACK status of `what` (e.g. "xnn_create_convolution2d_nhwc_qu8") to OK, or to an
// Unsupported status (invalid/unsupported parameters make the interpreter fall back) or an
// Internal one (out of memory, uninitialized).
Status Check(const KernelContext& ctx, xnn_status status, const char* what);

// The float output range of a fused activation, as TFLite's delegate computes it
// (NONE: +-inf). False for TANH and SIGN_BIT (not fusable into XNNPACK operators).
bool ActivationRange(Activation activation, float* min, float* max);

// XNNPACK's quantization of a float bound into a uint8/int8 clamp value.
inline uint8_t QuantizeBoundU8(float value, float scale, int32_t zero_point) {
  return static_cast<uint8_t>(
      std::lrintf(std::fmin(std::fmax(value / scale + static_cast<float>(zero_point), 0.0f),
                            255.0f)));
}
inline int8_t QuantizeBoundS8(float value, float scale, int32_t zero_point) {
  return static_cast<int8_t>(
      std::lrintf(std::fmin(std::fmax(value / scale + static_cast<float>(zero_point), -128.0f),
                            127.0f)));
}

// The quantized clamp bounds of a fused activation for a uint8/int8 output tensor.
// Unsupported for TANH/SIGN_BIT.
Status QuantizedBounds(const KernelContext& ctx, Activation activation, const Tensor& output,
                       int32_t* min, int32_t* max);

// True when the tensor has per-tensor quantization (scale > 0, one scale).
bool IsPerTensorQuantized(const Tensor& t);

inline std::vector<size_t> ToSizes(const std::vector<int32_t>& dims) {
  return std::vector<size_t>(dims.begin(), dims.end());
}

// The common tail of every XNNPACK kernel: it owns one operator and runs it.
class XnnKernel : public Kernel {
 public:
  Status Eval(KernelContext& ctx) override;
  const char* path() const override { return "xnnpack"; }

 protected:
  Operator op_;
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_XNNPACK_XNN_COMMON_H_
