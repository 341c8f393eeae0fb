#include "kernels/xnnpack/xnn_common.h"

#include <limits>
#include <mutex>

#include "kernels/internal/op_checks.h"

namespace labelite::xnn {

Status EnsureInitialized(const KernelContext& ctx) {
  static std::once_flag once;
  static xnn_status status = xnn_status_uninitialized;
  std::call_once(once, [] { status = xnn_initialize(/*allocator=*/nullptr); });
  if (status != xnn_status_success)
    return ctx.UnsupportedError("XNNPACK cannot run on this CPU (xnn_initialize: " +
                                std::to_string(static_cast<int>(status)) + ")");
  return Status::Ok();
}

Status Check(const KernelContext& ctx, xnn_status status, const char* what) {
  switch (status) {
    case xnn_status_success:
      return Status::Ok();
    case xnn_status_invalid_parameter:
    case xnn_status_unsupported_parameter:
    case xnn_status_unsupported_hardware:
      return ctx.UnsupportedError(std::string(what) + " refused the parameters (status " +
                                  std::to_string(static_cast<int>(status)) + ")");
    case xnn_status_out_of_memory:
      return Status(StatusCode::kResourceExhausted,
                    ctx.op->name + " (operator " + std::to_string(ctx.op_index) + "): " + what +
                        ": out of memory");
    default:
      return Internal(ctx.op->name + " (operator " + std::to_string(ctx.op_index) + "): " +
                      what + " failed with status " + std::to_string(static_cast<int>(status)));
  }
}

bool ActivationRange(Activation activation, float* min, float* max) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  switch (activation) {
    case Activation::kNone: *min = -kInf; *max = kInf; return true;
    case Activation::kRelu: *min = 0.0f; *max = kInf; return true;
    case Activation::kReluN1To1: *min = -1.0f; *max = 1.0f; return true;
    case Activation::kRelu6: *min = 0.0f; *max = 6.0f; return true;
    default: return false;
  }
}

Status QuantizedBounds(const KernelContext& ctx, Activation activation, const Tensor& output,
                       int32_t* min, int32_t* max) {
  float fmin = 0.0f, fmax = 0.0f;
  if (!ActivationRange(activation, &fmin, &fmax))
    return internal::UnsupportedActivation(ctx, activation, "has no XNNPACK form");
  if (output.type == DataType::kUInt8) {
    *min = QuantizeBoundU8(fmin, output.scale, output.zero_point);
    *max = QuantizeBoundU8(fmax, output.scale, output.zero_point);
  } else {
    *min = QuantizeBoundS8(fmin, output.scale, output.zero_point);
    *max = QuantizeBoundS8(fmax, output.scale, output.zero_point);
  }
  return Status::Ok();
}

bool IsPerTensorQuantized(const Tensor& t) {
  if (!(t.scale > 0.0f) || !std::isfinite(t.scale)) return false;
  return t.quant == nullptr || t.quant->scale.size() <= 1;
}

Status XnnKernel::Eval(KernelContext& ctx) {
  const xnn_status status = xnn_run_operator(op_.get(), ctx.threadpool);
  if (status != xnn_status_success)
    return Internal(ctx.op->name + " (operator " + std::to_string(ctx.op_index) +
                    "): xnn_run_operator failed with status " +
                    std::to_string(static_cast<int>(status)));
  return Status::Ok();
}

}  // namespace labelite::xnn
