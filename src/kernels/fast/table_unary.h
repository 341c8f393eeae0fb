// TableUnaryKernel: the fast path of a per-tensor-quantized (uint8/int8) elementwise unary op
// (HARD_SWISH, TANH, LEAKY_RELU) as a 256-entry byte table.
//
// With per-tensor quantization the output byte depends only on the input byte, so Prepare
//   1. runs the op's reference kernel's Prepare on the real context (validation, output dims);
//   2. runs a fresh reference kernel (Prepare, Bind, Eval) on a private context whose input
//      holds the 256 byte values, with the real tensors' type and quantization and the real
//      OperatorSpec (so options such as LEAKY_RELU's alpha apply);
//   3. keeps its 256 output bytes as the table.
// Eval applies the table with xnn::ApplyByteTable (byte_table.h), split over the thread pool
// for large tensors. The result equals the reference kernel's by construction.
// Other types go to `float_kernel` (e.g. an XNNPACK float32 operator) when given, else Prepare
// returns Unsupported so the interpreter falls back to the reference kernel.
//
// Ownership: the kernel owns its table and the float kernel it creates; one instance per
// operator of one interpreter, not thread-safe (as every Kernel).
//
//   std::unique_ptr<Kernel> CreateXnnpackTanh() {
//     return std::make_unique<xnn::TableUnaryKernel>(&CreateReferenceTanh, nullptr);
//   }
#ifndef LABELITE_KERNELS_FAST_TABLE_UNARY_H_
#define LABELITE_KERNELS_FAST_TABLE_UNARY_H_

#include <array>
#include <cstdint>
#include <memory>

#include "runtime/kernel.h"

namespace labelite::xnn {

class TableUnaryKernel final : public Kernel {
 public:
  // `reference`: the op's reference kernel (the table's oracle). `float_kernel`: the kernel for
  // non-8-bit tensors, or nullptr (Unsupported for them).
  TableUnaryKernel(KernelFactory reference, KernelFactory float_kernel)
      : reference_(reference), float_factory_(float_kernel) {}

  Status Prepare(KernelContext& ctx) override;
  Status Bind(KernelContext& ctx) override;
  Status Eval(KernelContext& ctx) override;
  const char* path() const override;
  FloatOutputFunction OutputFunction() const override {
    return float_kernel_ ? float_kernel_->OutputFunction() : FloatOutputFunction{};
  }

  // The table of the last successful 8-bit Prepare, indexed by the input byte (tests).
  const std::array<uint8_t, 256>& table() const { return table_; }

 private:
  Status BuildTable(const KernelContext& ctx);

  KernelFactory reference_;
  KernelFactory float_factory_;
  std::unique_ptr<Kernel> float_kernel_;  // set when the tensors are not 8-bit
  std::array<uint8_t, 256> table_{};
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_TABLE_UNARY_H_
