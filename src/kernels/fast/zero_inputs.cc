#include "kernels/fast/zero_inputs.h"

#include <cstdint>

#include "kernels/fast/isa.h"

namespace labelite::xnn {
namespace {

// TFLite BuiltinOperator codes (kernels/kernel_list.inc).
enum : int32_t {
  kAveragePool2D = 1, kConcatenation = 2, kMaxPool2D = 17, kRelu = 19, kRelu6 = 21,
  kReshape = 22, kPad = 34, kMean = 40, kSqueeze = 43, kPadV2 = 60, kHardSwish = 117,
};

bool Zeros(const KernelContext* p, int depth) {
  if (p == nullptr || p->op == nullptr || depth > 8) return false;
  const OperatorSpec& op = *p->op;
  if (op.options.activation == Activation::kRelu || op.options.activation == Activation::kRelu6)
    return true;
  switch (op.builtin_code) {
    case kRelu: case kRelu6: case kHardSwish:
      return true;
    case kConcatenation:
      for (size_t i = 0; i < p->producers.size(); ++i)
        if (Zeros(p->producers[i], depth + 1)) return true;
      return false;
    case kAveragePool2D: case kMaxPool2D: case kReshape: case kPad: case kPadV2: case kMean:
    case kSqueeze:
      return Zeros(p->producer(0), depth + 1);
    default:
      return false;
  }
}

}  // namespace

bool InputMayHoldZeros(const KernelContext& ctx, int input) {
  return Zeros(ctx.producer(input), 0);
}

bool WeightsStayCached(const KernelContext& ctx) {
  return ctx.constant_bytes <= LastLevelCacheBytes() / 2;
}

}  // namespace labelite::xnn
