// CONCATENATION: joins the inputs along `axis` (common::PrepareConcatenation). Any element type
// is copied by bytes. A uint8/int8 input whose scale or zero point differs from the output's is
// requantized as TFLite's ConcatenationWithScaling does, in float:
//   q_out = round(q_in * s + (-zp_in * s)) + zp_out,  s = in_scale * (1 / out_scale).
// (TFLite itself refuses int8 inputs with differing parameters; labelite accepts them.)
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "kernels/common/data_movement.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class ConcatenationKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override { return common::PrepareConcatenation(ctx, &p_); }

  Status Eval(KernelContext& ctx) override {
    Tensor& out = *ctx.output(0);
    uint8_t* dst = out.data;
    for (int64_t k = 0; k < p_.outer; ++k) {
      for (size_t i = 0; i < ctx.inputs.size(); ++i) {
        const Tensor& t = *ctx.inputs[i];
        const int64_t n = t.dim(p_.axis) * p_.inner_bytes;
        const uint8_t* src = t.data + k * n;
        if (!p_.requantize[i]) {
          std::memcpy(dst, src, static_cast<size_t>(n));
        } else if (t.type == DataType::kUInt8) {
          Rescale<uint8_t>(t, out, src, dst, n);
        } else {
          Rescale<int8_t>(t, out, src, dst, n);
        }
        dst += n;
      }
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  static void Rescale(const Tensor& in, const Tensor& out, const uint8_t* src, uint8_t* dst,
                      int64_t n) {
    const T* x = reinterpret_cast<const T*>(src);
    T* y = reinterpret_cast<T*>(dst);
    const float scale = in.scale * (1.0f / out.scale);
    const float bias = static_cast<float>(-in.zero_point) * scale;
    const int32_t qmin = quant::QuantizedMin(out.type), qmax = quant::QuantizedMax(out.type);
    for (int64_t j = 0; j < n; ++j) {
      const int32_t v =
          static_cast<int32_t>(std::round(static_cast<float>(x[j]) * scale + bias)) + out.zero_point;
      y[j] = static_cast<T>(std::clamp(v, qmin, qmax));
    }
  }

  common::ConcatParams p_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceConcatenation() {
  return std::make_unique<ConcatenationKernel>();
}

}  // namespace labelite
