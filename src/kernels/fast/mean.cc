// MEAN on the fast path: XNNPACK's global average pooling for the spatial mean it covers
// (xnnpack/mean.cc); otherwise, for uint8/int8 means over a trailing block of dimensions
// (LayerNorm's mean over channels), common::PrepareMean's rescale path with each row summed
// contiguously in int32 (a loop the compiler vectorizes). Integer sums do not depend on the
// order, so the result equals the reference kernel's bit for bit. Other means are Unsupported
// here and run on the reference kernel.
#include <algorithm>
#include <limits>
#include <memory>

#include "kernels/common/mean.h"
#include "kernels/fast/first_supported.h"
#include "kernels/internal/quantization.h"

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackGlobalAveragePoolMean();

namespace {

template <typename T>
int32_t RowSum(const T* v, int64_t n) {
  int32_t s = 0;
  for (int64_t i = 0; i < n; ++i) s += v[i];
  return s;
}

class FastQuantizedMeanKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(common::PrepareMean(ctx, &p_));
    const Tensor& in = *ctx.input(0);
    if (p_.path != common::MeanParams::Path::kRescale)
      return ctx.UnsupportedError("the fast MEAN covers quantized trailing means only");
    // The reduced dimensions, size-1 ones aside, must follow every kept one.
    rows_ = size_ = 1;
    bool seen_reduced = false;
    for (int d = 0; d < in.rank(); ++d) {
      if (in.dim(d) == 1) continue;
      if (p_.reduced[static_cast<size_t>(d)]) {
        seen_reduced = true;
        size_ *= in.dim(d);
      } else {
        if (seen_reduced) return ctx.UnsupportedError("the reduced dimensions are not trailing");
        rows_ *= in.dim(d);
      }
    }
    if (size_ != p_.count || size_ > (int64_t{1} << 23))  // int32 sums of 8-bit values
      return ctx.UnsupportedError("reduction too large for int32 sums");
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    if (ctx.input(0)->type == DataType::kUInt8) Run<uint8_t>(ctx);
    else Run<int8_t>(ctx);
    return Status::Ok();
  }

  const char* path() const override { return "fast"; }

 private:
  template <typename T>
  void Run(KernelContext& ctx) const {
    const T* in = ctx.input(0)->data_as<T>();
    T* out = ctx.output(0)->data_as<T>();
    constexpr int32_t kMin = std::numeric_limits<T>::min();
    constexpr int32_t kMax = std::numeric_limits<T>::max();
    const int32_t zp_sum = p_.in_zp * static_cast<int32_t>(p_.count);
    for (int64_t r = 0; r < rows_; ++r) {
      if (size_ == 0) {
        out[r] = T{0};
        continue;
      }
      const int32_t shifted = RowSum(in + r * size_, size_) - zp_sum;
      const int32_t v =
          quant::MultiplyByQuantizedMultiplier(shifted, p_.multiplier, p_.shift) + p_.out_zp;
      out[r] = static_cast<T>(std::clamp(v, kMin, kMax));
    }
  }

  common::MeanParams p_;
  int64_t rows_ = 0, size_ = 0;
};

std::unique_ptr<Kernel> CreateFastQuantizedMean() {
  return std::make_unique<FastQuantizedMeanKernel>();
}

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackMean() {
  return std::make_unique<xnn::FirstSupportedKernel>(&CreateXnnpackGlobalAveragePoolMean,
                                                     &CreateFastQuantizedMean);
}

}  // namespace labelite
