// MEAN, reference implementation of common::PrepareMean's paths (see kernels/common/mean.h for
// TFLite's three quantized paths and the float sums).
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/common/mean.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

class MeanKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(common::PrepareMean(ctx, &p_));
    index_.assign(static_cast<size_t>(ctx.input(0)->rank()), 0);
    sums_.assign(static_cast<size_t>(ctx.output(0)->NumElements()), 0);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    switch (ctx.input(0)->type) {
      case DataType::kFloat32: RunFloat(ctx); break;
      case DataType::kUInt8: RunQuantized<uint8_t>(ctx); break;
      case DataType::kInt8: RunQuantized<int8_t>(ctx); break;
      default: return Internal("MEAN: unexpected type");
    }
    return Status::Ok();
  }

 private:
  // Adds every input element into acc[output index], walking the input in row-major order.
  template <typename T, typename Acc>
  void Accumulate(const Tensor& input, Acc* acc) {
    const T* in = input.data_as<T>();
    const int rank = input.rank();
    const int64_t n = input.NumElements();
    std::fill(index_.begin(), index_.end(), 0);
    int64_t out_at = 0;
    for (int64_t i = 0; i < n; ++i) {
      acc[out_at] += static_cast<Acc>(in[i]);
      for (int d = rank - 1; d >= 0; --d) {  // odometer step
        const size_t k = static_cast<size_t>(d);
        out_at += p_.out_stride[k];
        if (++index_[k] < input.dim(d)) break;
        out_at -= p_.out_stride[k] * index_[k];
        index_[k] = 0;
      }
    }
  }

  // Eigen's vectorized sum of one contiguous row (its linear-vectorized redux with SSE's 4
  // lanes, as LiteRT's x86 builds run it): elements before the first 16-byte boundary (counted
  // from an aligned tensor start) and after the last whole packet are added one by one after
  // the packets, which accumulate in two interleaved packets reduced as (p0+p2) + (p1+p3).
  static float EigenRowSum(const float* v, int64_t n, int64_t start) {
    constexpr int64_t kLanes = 4;
    start = std::min(start, n);
    const int64_t aligned = (n - start) / kLanes * kLanes;
    const int64_t aligned2 = (n - start) / (2 * kLanes) * (2 * kLanes);
    if (aligned == 0) {
      float r = v[0];
      for (int64_t i = 1; i < n; ++i) r += v[i];
      return r;
    }
    float p0[kLanes], p1[kLanes];
    for (int64_t l = 0; l < kLanes; ++l) p0[l] = v[start + l];
    if (aligned > kLanes) {
      for (int64_t l = 0; l < kLanes; ++l) p1[l] = v[start + kLanes + l];
      for (int64_t i = start + 2 * kLanes; i < start + aligned2; i += 2 * kLanes) {
        for (int64_t l = 0; l < kLanes; ++l) {
          p0[l] += v[i + l];
          p1[l] += v[i + kLanes + l];
        }
      }
      for (int64_t l = 0; l < kLanes; ++l) p0[l] += p1[l];
      if (aligned > aligned2) {
        for (int64_t l = 0; l < kLanes; ++l) p0[l] += v[start + aligned2 + l];
      }
    }
    float r = (p0[0] + p0[2]) + (p0[1] + p0[3]);
    for (int64_t i = 0; i < start; ++i) r += v[i];
    for (int64_t i = start + aligned; i < n; ++i) r += v[i];
    return r;
  }

  void RunFloat(KernelContext& ctx) {
    const Tensor& input = *ctx.input(0);
    Tensor& output = *ctx.output(0);
    float* out = output.data_as<float>();
    const int64_t n = output.NumElements();
    std::fill(out, out + n, 0.0f);
    if (p_.count == 0) return;
    if (p_.path == common::MeanParams::Path::kFloat && p_.last_rows > 0) {
      const float* in = input.data_as<float>();
      const float divisor = static_cast<float>(p_.last_size);
      for (int64_t r = 0; r < p_.last_rows; ++r) {
        const int64_t offset = r * p_.last_size;
        out[r] = EigenRowSum(in + offset, p_.last_size, (4 - offset % 4) % 4) / divisor;
      }
      return;
    }
    Accumulate<float, float>(input, out);
    const float divisor = static_cast<float>(p_.count);
    for (int64_t i = 0; i < n; ++i) out[i] = out[i] / divisor;
  }

  template <typename T>
  void RunQuantized(KernelContext& ctx) {
    const Tensor& input = *ctx.input(0);
    T* out = ctx.output(0)->data_as<T>();
    std::fill(sums_.begin(), sums_.end(), 0);
    if (p_.count == 0) {
      std::fill(out, out + sums_.size(), T{0});
      return;
    }
    Accumulate<T, int32_t>(input, sums_.data());
    constexpr int32_t kMin = std::numeric_limits<T>::min();
    constexpr int32_t kMax = std::numeric_limits<T>::max();
    const size_t channels = static_cast<size_t>(input.dim(input.rank() - 1));
    const size_t neon_channels = channels / 16 * 16;  // TFLite's 16-lane main loop
    for (size_t i = 0; i < sums_.size(); ++i) {
      int32_t v = 0;
      switch (p_.path) {
        case common::MeanParams::Path::kSpatial:
          v = i % channels < neon_channels
                  ? quant::MultiplyByQuantizedMultiplierTiesUp(sums_[i], p_.multiplier, p_.shift)
                  : quant::MultiplyByQuantizedMultiplier(sums_[i], p_.multiplier, p_.shift);
          v = std::clamp(v + p_.bias, kMin, kMax);
          break;
        case common::MeanParams::Path::kFloat:  // not a quantized path
        case common::MeanParams::Path::kRescale: {
          const int32_t shifted = sums_[i] - p_.in_zp * static_cast<int32_t>(p_.count);
          v = quant::MultiplyByQuantizedMultiplier(shifted, p_.multiplier, p_.shift) + p_.out_zp;
          v = std::clamp(v, kMin, kMax);
          break;
        }
      }
      out[i] = static_cast<T>(v);
    }
  }

  common::MeanParams p_;
  std::vector<int32_t> index_;  // Accumulate's odometer
  std::vector<int32_t> sums_;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceMean() { return std::make_unique<MeanKernel>(); }

}  // namespace labelite
