// FirstSupportedKernel: the first of two or more kernels whose Prepare accepts the operator.
//
// Prepare runs each candidate's Prepare in order; when one returns Unsupported, the next
// replaces it (the last one's status is the result, Unsupported included, so the interpreter
// can still fall back to the reference kernel). Bind, Eval and path() go to the kernel chosen. Used where
// one fast path covers part of an op's cases and another the rest, e.g. quantized RELU:
// XNNPACK's clamp when input and output share their quantization, a byte table otherwise.
//
// Ownership: owns the kernel it chose; one instance per operator, not thread-safe.
//
//   std::unique_ptr<Kernel> CreateXnnpackRelu() {
//     return std::make_unique<xnn::FirstSupportedKernel>(&CreateReluClamp, &CreateReluTable);
//   }
#ifndef LABELITE_KERNELS_FAST_FIRST_SUPPORTED_H_
#define LABELITE_KERNELS_FAST_FIRST_SUPPORTED_H_

#include <memory>
#include <vector>

#include "runtime/kernel.h"

namespace labelite::xnn {

class FirstSupportedKernel final : public Kernel {
 public:
  template <typename... Factories>
  explicit FirstSupportedKernel(KernelFactory first, Factories... rest)
      : factories_{first, rest...} {
    static_assert(sizeof...(rest) >= 1, "two or more candidates");
  }

  Status Prepare(KernelContext& ctx) override {
    Status s = Status::Ok();
    for (KernelFactory make : factories_) {
      chosen_ = make();
      s = chosen_->Prepare(ctx);
      if (s.code() != StatusCode::kUnsupported) return s;
    }
    return s;
  }
  Status Bind(KernelContext& ctx) override { return chosen_->Bind(ctx); }
  Status Eval(KernelContext& ctx) override { return chosen_->Eval(ctx); }
  const char* path() const override { return chosen_ ? chosen_->path() : "reference"; }
  bool packed_constant_inputs() const override {
    return chosen_ && chosen_->packed_constant_inputs();
  }
  bool reads_input(int i) const override { return !chosen_ || chosen_->reads_input(i); }
  std::vector<int32_t> extra_inputs() const override {
    return chosen_ ? chosen_->extra_inputs() : std::vector<int32_t>{};
  }
  FloatOutputFunction OutputFunction() const override {
    return chosen_ ? chosen_->OutputFunction() : FloatOutputFunction{};
  }
  bool FuseOutputFunction(const FloatOutputFunction& f) override {
    return chosen_ && chosen_->FuseOutputFunction(f);
  }

 private:
  std::vector<KernelFactory> factories_;
  std::unique_ptr<Kernel> chosen_;
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_FIRST_SUPPORTED_H_
