// CAST, reference implementation: static_cast between float32, int32, int64, uint8, int8, int16
// and bool (to bool: x != 0), as TFLite's kernel does (quantization parameters are ignored).
#include <cstdint>
#include <memory>
#include <type_traits>

#include "kernels/common/data_movement.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

template <typename From, typename To>
void Convert(const From* in, To* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<To, bool>) out[i] = in[i] != From(0);
    else out[i] = static_cast<To>(in[i]);
  }
}

template <typename From>
void ConvertTo(const From* in, Tensor& out, int64_t n) {
  switch (out.type) {
    case DataType::kFloat32: Convert(in, out.data_as<float>(), n); break;
    case DataType::kInt32: Convert(in, out.data_as<int32_t>(), n); break;
    case DataType::kInt64: Convert(in, out.data_as<int64_t>(), n); break;
    case DataType::kUInt8: Convert(in, out.data_as<uint8_t>(), n); break;
    case DataType::kInt8: Convert(in, out.data_as<int8_t>(), n); break;
    case DataType::kInt16: Convert(in, out.data_as<int16_t>(), n); break;
    default: Convert(in, out.data_as<bool>(), n); break;
  }
}

class CastKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareCast(ctx); }

  Status Eval(KernelContext& ctx) override {
    const Tensor& in = *ctx.input(0);
    Tensor& out = *ctx.output(0);
    const int64_t n = in.NumElements();
    switch (in.type) {
      case DataType::kFloat32: ConvertTo(in.data_as<float>(), out, n); break;
      case DataType::kInt32: ConvertTo(in.data_as<int32_t>(), out, n); break;
      case DataType::kInt64: ConvertTo(in.data_as<int64_t>(), out, n); break;
      case DataType::kUInt8: ConvertTo(in.data_as<uint8_t>(), out, n); break;
      case DataType::kInt8: ConvertTo(in.data_as<int8_t>(), out, n); break;
      case DataType::kInt16: ConvertTo(in.data_as<int16_t>(), out, n); break;
      default: ConvertTo(in.data_as<bool>(), out, n); break;
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceCast() { return std::make_unique<CastKernel>(); }

}  // namespace labelite
