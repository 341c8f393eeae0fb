#include "kernels/registry.h"

#include <memory>

namespace labelite {

#define LABELITE_XNN_DECL_XNN(stem) std::unique_ptr<Kernel> CreateXnnpack##stem();
#define LABELITE_XNN_DECL_NO_XNN(stem)
#define LABELITE_XNN_PTR_XNN(stem) &CreateXnnpack##stem
#define LABELITE_XNN_PTR_NO_XNN(stem) nullptr

#define KERNEL(op, code, stem, fast)            \
  std::unique_ptr<Kernel> CreateReference##stem(); \
  LABELITE_XNN_DECL_##fast(stem)
#include "kernels/kernel_list.inc"
#undef KERNEL

namespace {
constexpr KernelRegistration kKernels[] = {
#define KERNEL(op, code, stem, fast) {code, #op, &CreateReference##stem, LABELITE_XNN_PTR_##fast(stem)},
#include "kernels/kernel_list.inc"
#undef KERNEL
};
}  // namespace

std::span<const KernelRegistration> RegisteredKernels() { return kKernels; }

namespace {
class BuiltinResolver : public OpResolver {
 public:
  const KernelRegistration* Find(int32_t builtin_code) const override {
    for (const auto& k : kKernels)
      if (k.builtin_code == builtin_code) return &k;
    return nullptr;
  }
};
}  // namespace

const OpResolver& BuiltinOpResolver() {
  static const BuiltinResolver resolver;
  return resolver;
}

}  // namespace labelite
