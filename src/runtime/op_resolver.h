// OpResolver: how the runtime finds kernels without knowing any (as TFLite Micro's
// MicroOpResolver). kernels/registry.h provides the builtin resolver generated from
// kernels/kernel_list.inc; tests may build a resolver of their own.
#ifndef LABELITE_RUNTIME_OP_RESOLVER_H_
#define LABELITE_RUNTIME_OP_RESOLVER_H_

#include <cstdint>
#include <vector>

#include "runtime/kernel.h"

namespace labelite {

struct KernelRegistration {
  int32_t builtin_code = 0;
  const char* name = "";             // "CONV_2D"
  KernelFactory reference = nullptr; // always set
  KernelFactory xnnpack = nullptr;   // nullptr when the op has no fast path
};

class OpResolver {
 public:
  virtual ~OpResolver() = default;
  // nullptr when the op is not implemented.
  virtual const KernelRegistration* Find(int32_t builtin_code) const = 0;
};

// A resolver over an explicit list (for tests).
class ListOpResolver : public OpResolver {
 public:
  explicit ListOpResolver(std::vector<KernelRegistration> kernels) : kernels_(std::move(kernels)) {}
  const KernelRegistration* Find(int32_t builtin_code) const override {
    for (const auto& k : kernels_)
      if (k.builtin_code == builtin_code) return &k;
    return nullptr;
  }

 private:
  std::vector<KernelRegistration> kernels_;
};

}  // namespace labelite

#endif  // LABELITE_RUNTIME_OP_RESOLVER_H_
