// MEAN on the fast path, the first of these that takes the operator:
//   1. float32 means whose reduced dimensions (size-1 ones aside) are one block, i.e.
//      [outer][rows][inner], computed as LiteRT's XNNPACK delegate does (XNNPACK's mean_nd),
//      times the float 1.0f / rows:
//      - inner > 1 (the global average pool of classifiers, over H and W): the f32 rdsum
//        micro-kernels, each channel summed row after row from 0 in float32 (Debian's XNNPACK
//        (2022) global average pooling adds the rows in a tree of 7 instead);
//      - inner 1 (LayerNorm's mean over channels): the f32 rsum order of ContiguousSum.
//      Bit-identical to LiteRT 2.x with XNNPACK on the zoo's models (AVX-512; the mean over
//      channels also with AVX-512 hidden), compared on models whose outputs are the means;
//      denormals are flushed while it runs on x86 (MXCSR FTZ + DAZ), as XNNPACK runs its
//      operators (on arm64 they are not: a difference only for sums below 1.2e-38).
//   2. XNNPACK's global average pooling for the other spatial means it covers
//      (xnnpack/mean.cc: quantized, and float with a single channel);
//   3. for uint8/int8 means over a trailing block of dimensions (LayerNorm's mean over
//      channels), common::PrepareMean's rescale path with each row summed contiguously in int32
//      (a loop the compiler vectorizes). Integer sums do not depend on the order, so the result
//      equals the reference kernel's bit for bit.
// Other means are Unsupported here and run on the reference kernel.
#include <algorithm>
#include <limits>
#include <memory>

#include "kernels/common/mean.h"
#include "kernels/fast/first_supported.h"
#include "kernels/internal/quantization.h"
#if defined(__x86_64__)
#include "kernels/x86/denormals.h"
#endif

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

// Path 1: float32 [outer][rows][inner] -> [outer][inner], XNNPACK's mean_nd arithmetic.
class FastFloatMeanKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(common::PrepareMean(ctx, &p_));
    const Tensor& in = *ctx.input(0);
    if (in.type != DataType::kFloat32) return ctx.UnsupportedError("not a float32 mean");
    // Size-1 dimensions aside: kept (outer), then reduced (rows), then kept (inner).
    outer_ = rows_ = inner_ = 1;
    int block = 0;  // 0: outer, 1: rows, 2: inner
    for (int d = 0; d < in.rank(); ++d) {
      if (in.dim(d) == 1) continue;
      const bool reduced = p_.reduced[static_cast<size_t>(d)];
      if (reduced && block == 2) return ctx.UnsupportedError("the reduced dimensions are split");
      if (reduced) block = 1;
      else if (block == 1) block = 2;
      (block == 0 ? outer_ : block == 1 ? rows_ : inner_) *= in.dim(d);
    }
    // A trailing block (inner 1): each outer row is one contiguous sum.
    trailing_ = block == 1;
    if ((block != 2 && !trailing_) || rows_ == 0 || rows_ != p_.count ||
        rows_ > (int64_t{1} << 24))
      return ctx.UnsupportedError("not a mean over one block of dimensions");
    scale_ = 1.0f / static_cast<float>(rows_);
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    const float* in = ctx.input(0)->data_as<float>();
    float* out = ctx.output(0)->data_as<float>();
    const size_t rows = static_cast<size_t>(rows_), inner = static_cast<size_t>(inner_);
#if defined(__x86_64__)
    const xnn::DenormalsFlushed flushed;
#endif
    if (trailing_) {
      for (size_t o = 0; o < static_cast<size_t>(outer_); ++o)
        out[o] = ContiguousSum(in + o * rows, rows) * scale_;
      return Status::Ok();
    }
    // Blocks of channels (32, then 16, 8, 4 and 1 for the rest): a block's sums stay in
    // registers (for 32, 8 independent SSE2 / NEON additions per row) while the rows stream
    // past; each channel still adds its rows in order from 0.
    for (size_t o = 0; o < static_cast<size_t>(outer_); ++o) {
      const float* image = in + o * rows * inner;
      float* dst = out + o * inner;
      size_t c = ChannelBlocks<32>(image, rows, inner, 0, dst);
      c = ChannelBlocks<16>(image, rows, inner, c, dst);
      c = ChannelBlocks<8>(image, rows, inner, c, dst);
      c = ChannelBlocks<4>(image, rows, inner, c, dst);
      ChannelBlocks<1>(image, rows, inner, c, dst);
    }
    return Status::Ok();
  }

  const char* path() const override { return "fast"; }

 private:
  // The means of channels [c, ...) in blocks of kBlock while whole blocks remain; returns the
  // first channel left.
  template <size_t kBlock>
  size_t ChannelBlocks(const float* image, size_t rows, size_t inner, size_t c, float* dst) const {
    for (; c + kBlock <= inner; c += kBlock) {
      float acc[kBlock] = {};
      for (size_t r = 0; r < rows; ++r) {
        const float* x = image + r * inner + c;
        for (size_t j = 0; j < kBlock; ++j) acc[j] += x[j];
      }
      for (size_t j = 0; j < kBlock; ++j) dst[c + j] = acc[j] * scale_;
    }
    return c;
  }

  // XNNPACK's f32 rsum order: 16 lanes, blocks of 32 into two accumulators, their sum, then
  // blocks of 16, then the zero-filled tail; the lanes added 8 + 8, 4 + 4, then [0]+[2] and
  // [1]+[3], then the two.
  static float ContiguousSum(const float* x, size_t n) {
    constexpr size_t kLanes = 16;
    float a0[kLanes] = {}, a1[kLanes] = {};
    size_t i = 0;
    for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
      for (size_t l = 0; l < kLanes; ++l) a0[l] += x[i + l];
      for (size_t l = 0; l < kLanes; ++l) a1[l] += x[i + kLanes + l];
    }
    for (size_t l = 0; l < kLanes; ++l) a0[l] += a1[l];
    for (; i + kLanes <= n; i += kLanes)
      for (size_t l = 0; l < kLanes; ++l) a0[l] += x[i + l];
    for (size_t l = 0; i + l < n; ++l) a0[l] += x[i + l];
    for (size_t l = 0; l < 8; ++l) a0[l] += a0[l + 8];
    for (size_t l = 0; l < 4; ++l) a0[l] += a0[l + 4];
    return (a0[0] + a0[2]) + (a0[1] + a0[3]);
  }

  common::MeanParams p_;
  int64_t outer_ = 1, rows_ = 1, inner_ = 1;
  bool trailing_ = false;
  float scale_ = 1.0f;
};

std::unique_ptr<Kernel> CreateFastFloatMean() { return std::make_unique<FastFloatMeanKernel>(); }

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackMean() {
  return std::make_unique<xnn::FirstSupportedKernel>(
      &CreateFastFloatMean, &CreateXnnpackGlobalAveragePoolMean, &CreateFastQuantizedMean);
}

}  // namespace labelite
