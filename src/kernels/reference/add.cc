// ADD, reference implementation: see kernels/internal/add_sub.h for the arithmetic.
#include <memory>

#include "kernels/internal/add_sub.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceAdd() {
  return std::make_unique<internal::AddSubKernel<false>>();
}

}  // namespace labelite
