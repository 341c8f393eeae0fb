// ADD on the fast path: uint8/int8 on labelite's own kernel (fast/quantized_arith.h, bit for
// bit the reference's arithmetic), float32 on XNNPACK (see binary.h for its broadcasting).
#include <memory>

#include "kernels/fast/first_supported.h"
#include "kernels/fast/quantized_arith.h"
#include "kernels/xnnpack/binary.h"

namespace labelite {

namespace {
std::unique_ptr<Kernel> CreateBinary() {
  return std::make_unique<xnn::BinaryKernel>(common::ArithOp::kAdd);
}
}  // namespace

std::unique_ptr<Kernel> CreateXnnpackAdd() {
  return std::make_unique<xnn::FirstSupportedKernel>(&xnn::CreateFastQuantizedAdd, &CreateBinary);
}

}  // namespace labelite
