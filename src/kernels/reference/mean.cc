// MEAN, reference implementation: float32, uint8, int8; any axes (constant int32 tensor,
// negative values count from the end, repeats ignored), keep_dims.
//
// TFLite's builtin kernel takes one of three quantized paths, and so does this one:
//   1. keep_dims, rank 4, axis exactly {1, 2} or {2, 1} (the global average pool of
//      classifiers): sum, then multiply by real = float(in_scale / (float(H * W) * out_scale))
//      as a Q31 multiplier, plus bias = out_zp - int(round-half-away(float(in_zp * in_scale /
//      out_scale))), clamped. TFLite's optimized kernel (optimized_integer_ops::Mean, which
//      LiteRT's builtin resolver runs) multiplies the channels in blocks of 16 with its NEON
//      code, on x86 too (NEON_2_SSE): ties round toward +infinity there
//      (MultiplyByQuantizedMultiplierTiesUp), and away from zero in the scalar loop that takes
//      the last C mod 16 channels (MultiplyByQuantizedMultiplier). The two differ only on
//      negative sums, so uint8 is the same either way.
//   2. otherwise, also for equal input and output parameters (TFLite's integer
//      QuantizedMeanOrSum): M * 2^S = in_scale / out_scale (double),
//      folded with 1 / count: k = min(floor(log2(count)), 32, 31 + S),
//      M' = (M << k) / count, S' = S - k;
//      out = MultiplyByQuantizedMultiplier(sum - in_zp * count, M', S') + out_zp, clamped.
// Float: path 1 sums over (h, w) in float and divides by H * W; a mean over trailing
// dimensions sums each row as Eigen does (TFLite's optimized MeanLastDim, see EigenRowSum);
// otherwise sums in float in input order and divides by the count.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/internal/op_checks.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite {
namespace {

enum class MeanPath { kSpatial, kFloat, kRescale };

class MeanKernel : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(internal::CheckArity(ctx, 2, 2, 1));
    const Tensor& input = *ctx.input(0);
    const Tensor& axis = *ctx.input(1);
    Tensor& output = *ctx.output(0);
    LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, axis, "axis", DataType::kInt32));
    LABELITE_RETURN_IF_ERROR(internal::CheckType(ctx, output, "output", input.type));
    if (!axis.is_constant || axis.data == nullptr) {
      return ctx.UnsupportedError("a non-constant axis tensor is not supported");
    }
    const int rank = input.rank();
    const int32_t* axes = axis.data_as<int32_t>();
    const int64_t num_axes = axis.NumElements();
    reduced_.assign(static_cast<size_t>(rank), false);
    for (int64_t i = 0; i < num_axes; ++i) {
      const int32_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
      if (a < 0 || a >= rank) {
        return ctx.Error("axis " + std::to_string(axes[i]) + " is out of range for input " +
                         internal::ShapeString(input.dims));
      }
      reduced_[static_cast<size_t>(a)] = true;
    }
    // Output shape, and the output stride of every input dimension (0 where reduced).
    std::vector<int32_t> out_dims;
    count_ = 1;
    for (int d = 0; d < rank; ++d) {
      if (reduced_[static_cast<size_t>(d)]) {
        count_ *= input.dim(d);
        if (ctx.options().keep_dims) out_dims.push_back(1);
      } else {
        out_dims.push_back(input.dim(d));
      }
    }
    out_stride_.assign(static_cast<size_t>(rank), 0);
    int64_t stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      if (reduced_[static_cast<size_t>(d)]) continue;
      out_stride_[static_cast<size_t>(d)] = stride;
      stride *= input.dim(d);
    }
    LABELITE_RETURN_IF_ERROR(internal::SetOutputDims(ctx, output, std::move(out_dims)));
    index_.assign(static_cast<size_t>(rank), 0);
    sums_.assign(static_cast<size_t>(output.NumElements()), 0);

    const bool spatial = ctx.options().keep_dims && rank == 4 && num_axes == 2 &&
                         ((axes[0] == 1 && axes[1] == 2) || (axes[0] == 2 && axes[1] == 1));
    switch (input.type) {
      case DataType::kFloat32: {
        path_ = spatial ? MeanPath::kSpatial : MeanPath::kFloat;
        // TFLite's optimized kernel sums with Eigen when, size-1 dimensions aside, the reduced
        // dimensions are a trailing block after a non-empty leading block (LayerNorm's mean
        // over channels): rows of last_rows_ x last_size_ elements.
        last_rows_ = last_size_ = 0;
        if (!spatial) {
          int64_t rows = 1, size = 1;
          bool seen_reduced = false, trailing = true, any_kept = false;
          for (int d = 0; d < rank; ++d) {
            if (input.dim(d) == 1) continue;
            if (reduced_[static_cast<size_t>(d)]) {
              seen_reduced = true;
              size *= input.dim(d);
            } else {
              if (seen_reduced) trailing = false;
              any_kept = true;
              rows *= input.dim(d);
            }
          }
          if (trailing && seen_reduced && any_kept) last_rows_ = rows, last_size_ = size;
        }
        return Status::Ok();
      }
      case DataType::kUInt8:
      case DataType::kInt8:
        break;
      default:
        return ctx.UnsupportedError("input type " + std::string(DataTypeName(input.type)) +
                                    " is not supported");
    }
    LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, input, "input"));
    LABELITE_RETURN_IF_ERROR(internal::CheckQuantized(ctx, output, "output"));
    in_zp_ = input.zero_point;
    out_zp_ = output.zero_point;
    if (spatial) {
      path_ = MeanPath::kSpatial;
      const float elements = static_cast<float>(input.dim(1) * input.dim(2));
      float temp = static_cast<float>(input.zero_point) * input.scale / output.scale;
      temp = temp > 0 ? temp + 0.5f : temp - 0.5f;
      bias_ = output.zero_point - static_cast<int32_t>(temp);
      const float real_scale = input.scale / (elements * output.scale);
      quant::QuantizeMultiplier(static_cast<double>(real_scale), &multiplier_, &shift_);
    } else {
      path_ = MeanPath::kRescale;
      quant::QuantizeMultiplier(static_cast<double>(input.scale) / static_cast<double>(output.scale),
                                &multiplier_, &shift_);
      if (count_ > 0) {
        int k = 63 - __builtin_clzll(static_cast<uint64_t>(count_));
        k = std::min({k, 32, 31 + shift_});
        multiplier_ = static_cast<int32_t>((static_cast<int64_t>(multiplier_) << k) / count_);
        shift_ -= k;
      }
    }
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
        out_at += out_stride_[k];
        if (++index_[k] < input.dim(d)) break;
        out_at -= out_stride_[k] * index_[k];
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
    if (count_ == 0) return;
    if (path_ == MeanPath::kFloat && last_rows_ > 0) {
      const float* in = input.data_as<float>();
      const float divisor = static_cast<float>(last_size_);
      for (int64_t r = 0; r < last_rows_; ++r) {
        const int64_t offset = r * last_size_;
        out[r] = EigenRowSum(in + offset, last_size_, (4 - offset % 4) % 4) / divisor;
      }
      return;
    }
    Accumulate<float, float>(input, out);
    const float divisor = static_cast<float>(count_);
    for (int64_t i = 0; i < n; ++i) out[i] = out[i] / divisor;
  }

  template <typename T>
  void RunQuantized(KernelContext& ctx) {
    const Tensor& input = *ctx.input(0);
    T* out = ctx.output(0)->data_as<T>();
    std::fill(sums_.begin(), sums_.end(), 0);
    if (count_ == 0) {
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
      switch (path_) {
        case MeanPath::kSpatial:
          v = i % channels < neon_channels
                  ? quant::MultiplyByQuantizedMultiplierTiesUp(sums_[i], multiplier_, shift_)
                  : quant::MultiplyByQuantizedMultiplier(sums_[i], multiplier_, shift_);
          v = std::clamp(v + bias_, kMin, kMax);
          break;
        case MeanPath::kFloat:  // not a quantized path
        case MeanPath::kRescale: {
          const int32_t shifted = sums_[i] - in_zp_ * static_cast<int32_t>(count_);
          v = quant::MultiplyByQuantizedMultiplier(shifted, multiplier_, shift_) + out_zp_;
          v = std::clamp(v, kMin, kMax);
          break;
        }
      }
      out[i] = static_cast<T>(v);
    }
  }

  std::vector<bool> reduced_;
  std::vector<int64_t> out_stride_;
  std::vector<int32_t> index_;
  std::vector<int32_t> sums_;
  int64_t count_ = 1;
  int64_t last_rows_ = 0, last_size_ = 0;  // float mean over trailing dimensions (Eigen)
  MeanPath path_ = MeanPath::kFloat;
  int32_t in_zp_ = 0, out_zp_ = 0;
  int32_t multiplier_ = 0, bias_ = 0;
  int shift_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> CreateReferenceMean() { return std::make_unique<MeanKernel>(); }

}  // namespace labelite
