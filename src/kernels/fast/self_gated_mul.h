// SelfGatedMulKernel: quantized (uint8/int8) MUL(x, g(x)) where g is a per-tensor-quantized
// unary op whose fast kernel is a byte table (today LOGISTIC: the swish of EfficientNet and
// MobileNetV3-style models), as one 256-entry byte table over x.
//
// Both inputs of such a MUL are functions of the same byte x, so its output is one too.
// Prepare, in steps:
//   1. recognize the pattern through KernelContext::producers: one input is written by a
//      LOGISTIC whose input tensor is the MUL's other input; both have the same shape (no
//      broadcast) and all three tensors share one 8-bit type with per-tensor quantization
//      (anything else is Unsupported, so the next fast kernel takes the operator);
//   2. common::PrepareArith on the real context (validation, output dims);
//   3. g's 256 outputs: g's own fast kernel (CreateXnnpackLogistic, the table the graph's
//      LOGISTIC runs) on a private context holding the 256 byte values, with g's op spec and
//      its tensors' quantization;
//   4. the table: the MUL kernel this one stands in for (`mul`, the fast path's next choice,
//      e.g. XNNPACK's multiply) on a private context over the 256 pairs (x, g(x)), with the
//      MUL's op spec (its fused activation) and quantization.
// So the table equals what `mul` computes element by element, exactly. Eval applies it with
// xnn::ApplyByteTable (byte_table.h) over the thread pool. This MUL no longer reads the
// LOGISTIC's output (reads_input), so the interpreter skips the LOGISTIC when nothing else does.
//
// Ownership: owns its table; one instance per operator, not thread-safe (as every Kernel).
//
//   std::unique_ptr<Kernel> CreateSwishOrBinary() {
//     return std::make_unique<xnn::SelfGatedMulKernel>(&CreateBinary);
//   }
#ifndef LABELITE_KERNELS_FAST_SELF_GATED_MUL_H_
#define LABELITE_KERNELS_FAST_SELF_GATED_MUL_H_

#include <array>
#include <cstdint>

#include "runtime/kernel.h"

namespace labelite::xnn {

// Input g (0 or 1) of a two-input MUL that a LOGISTIC of the MUL's other input writes (the
// swish's gate), or -1. Uses KernelContext::producers, so only in Prepare. Shared by the 8-bit
// table here and the float32 swish (fast/swish_f32.h).
int SelfGateInput(const KernelContext& ctx);

class SelfGatedMulKernel final : public Kernel {
 public:
  // `mul`: the MUL kernel whose results the table reproduces (never given a thread pool).
  explicit SelfGatedMulKernel(KernelFactory mul) : mul_(mul) {}

  Status Prepare(KernelContext& ctx) override;
  Status Eval(KernelContext& ctx) override;
  const char* path() const override { return "fast (table)"; }
  // The LOGISTIC's output is not read (the interpreter may skip the LOGISTIC).
  bool reads_input(int i) const override { return i == x_; }

  // The table of the last successful Prepare, indexed by x's byte (tests).
  const std::array<uint8_t, 256>& table() const { return table_; }

 private:
  // Steps 3-4; `x` is the index of the MUL's input read by the table.
  Status BuildTable(const KernelContext& ctx, const KernelContext& gate, int x);

  KernelFactory mul_;
  int x_ = 0;
  std::array<uint8_t, 256> table_{};
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_SELF_GATED_MUL_H_
