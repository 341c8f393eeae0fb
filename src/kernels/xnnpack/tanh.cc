// TANH on the fast path: uint8/int8 (per-tensor) through a 256-entry table built from the
// reference kernel (table_unary.h), exact by construction. float32 stays on the reference
// kernel: Debian 12's XNNPACK has no f32 tanh operator.
#include <memory>

#include "kernels/fast/table_unary.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceTanh();

std::unique_ptr<Kernel> CreateXnnpackTanh() {
  return std::make_unique<xnn::TableUnaryKernel>(&CreateReferenceTanh, nullptr);
}

}  // namespace labelite
