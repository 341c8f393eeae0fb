// RELU_N1_TO_1 on the fast path: XNNPACK's clamp to [-1, 1] for float32, and for uint8/int8 when input
// and output share their quantization (see unary.h); other per-tensor uint8/int8 (a requantizing
// RELU_N1_TO_1, e.g. NASNet's int8 RELUs) through a 256-entry table built from the reference kernel
// (table_unary.h), exact by construction.
#include <limits>
#include <memory>

#include "kernels/fast/first_supported.h"
#include "kernels/fast/table_unary.h"
#include "kernels/xnnpack/unary.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceReluN1To1();

namespace {

std::unique_ptr<Kernel> CreateClamp() { return xnn::MakeClampKernel(-1.0f, 1.0f); }
std::unique_ptr<Kernel> CreateTable() {
  return std::make_unique<xnn::TableUnaryKernel>(&CreateReferenceReluN1To1, nullptr);
}

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackReluN1To1() {
  return std::make_unique<xnn::FirstSupportedKernel>(&CreateClamp, &CreateTable);
}

}  // namespace labelite
