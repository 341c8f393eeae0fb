// SQUARED_DIFFERENCE on the fast path, mapping common::PrepareSquaredDifference's parameters
// (the op's one Prepare); every type equals the reference kernel bit for bit:
//   float32 / int32: the reference's (a - b)^2, one innermost row at a time (Broadcast::
//            ForEachRow) with unit or zero steps, so the compiler vectorizes the rows;
//   int8:    the reference's integer arithmetic (reference/squared_difference.cc), with its
//            first two steps, which depend on one input byte each, as two 256-entry int32
//            tables built at Prepare with the same quant:: functions; per element one table
//            lookup per input and the output's MultiplyByQuantizedMultiplier remain (on
//            AVX-512 16 elements per step: kernels/x86/avx512/squared_difference_avx512.cc).
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>

#include "kernels/common/binary_math.h"
#include "kernels/fast/isa.h"
#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"
#if defined(__x86_64__)
#include "kernels/x86/squared_difference_x86.h"
#endif

namespace labelite {
namespace {

// out[i] = f(a[i * sa], b[i * sb]) for i < n; the common step pairs get their own loops.
template <typename T, typename U, typename F>
inline void MapRow(const T* a, const T* b, U* out, int64_t n, int64_t sa, int64_t sb, F f) {
  if (sa == 1 && sb == 0) {
    const T y = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], y);
  } else if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  } else if (sa == 0 && sb == 1) {
    const T x = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(x, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i * sa], b[i * sb]);
  }
}

class FastSquaredDifferenceKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(common::PrepareSquaredDifference(ctx, &p_));
    if (p_.type == DataType::kInt8) BuildTables();
    return Status::Ok();
  }

  Status Eval(KernelContext& ctx) override {
    switch (p_.type) {
      case DataType::kFloat32:
        Run<float, float>(ctx, [](float a, float b) { return (a - b) * (a - b); });
        break;
      case DataType::kInt32:
        Run<int32_t, int32_t>(ctx, [](int32_t a, int32_t b) {
          const uint32_t d = static_cast<uint32_t>(a) - static_cast<uint32_t>(b);
          return static_cast<int32_t>(d * d);
        });
        break;
      default: RunInt8(ctx); break;
    }
    return Status::Ok();
  }

  const char* path() const override { return "fast"; }

 private:
  template <typename T, typename U, typename F>
  void Run(KernelContext& ctx, F f) {
    const T* a = ctx.input(0)->data_as<T>();
    const T* b = ctx.input(1)->data_as<T>();
    U* out = ctx.output(0)->data_as<U>();
    p_.broadcast.ForEachRow([&](int64_t o, int64_t ia, int64_t ib, int64_t n, int64_t sa,
                                int64_t sb) { MapRow(a + ia, b + ib, out + o, n, sa, sb, f); });
  }

  // scaled1_[byte] = MultiplyByQuantizedMultiplier((q + in1_offset) << 7, in1 multiplier)
  // for the int8 value q of that byte; the same for input 2.
  void BuildTables() {
    constexpr int kShift = common::BinaryMathParams::kLeftShift;
    for (int q = -128; q <= 127; ++q) {
      const size_t byte = static_cast<uint8_t>(static_cast<int8_t>(q));
      scaled1_[byte] = quant::MultiplyByQuantizedMultiplier((p_.in1_offset + q) * (1 << kShift),
                                                            p_.in1_multiplier, p_.in1_shift);
      scaled2_[byte] = quant::MultiplyByQuantizedMultiplier((p_.in2_offset + q) * (1 << kShift),
                                                            p_.in2_multiplier, p_.in2_shift);
    }
  }

  void RunInt8(KernelContext& ctx) {
    const int32_t multiplier = p_.out_multiplier, offset = p_.out_offset;
    const int shift = p_.out_shift;
    const int32_t* t1 = scaled1_.data();
    const int32_t* t2 = scaled2_.data();
    auto f = [=](uint8_t a, uint8_t b) {
      const int32_t d = t1[a] - t2[b];  // |d| < 2^15: the square fits int32
      const int32_t v = quant::MultiplyByQuantizedMultiplier(d * d, multiplier, shift) + offset;
      return static_cast<int8_t>(std::clamp(v, -128, 127));
    };
#if defined(__x86_64__)
    if (xnn::ActiveIsa() >= xnn::IsaLevel::kAvx512 && multiplier > 0 && shift <= 0 &&
        shift >= -30) {
      const auto* a = ctx.input(0)->data_as<uint8_t>();
      const auto* b = ctx.input(1)->data_as<uint8_t>();
      auto* out = ctx.output(0)->data_as<int8_t>();
      const xnn::SquaredDifferenceInt8Params direct{t1, t2, multiplier, offset, shift};
      const xnn::SquaredDifferenceInt8Params swapped{t2, t1, multiplier, offset, shift};
      p_.broadcast.ForEachRow([&](int64_t o, int64_t ia, int64_t ib, int64_t n, int64_t sa,
                                  int64_t sb) {
        int64_t done = 0;
        const auto* pa = reinterpret_cast<const int8_t*>(a + ia);
        const auto* pb = reinterpret_cast<const int8_t*>(b + ib);
        // (s1 - s2)^2 = (s2 - s1)^2: a broadcast first input swaps the roles.
        if (sa == 1 && (sb == 0 || sb == 1))
          done = xnn::SquaredDifferenceInt8RowAvx512(direct, pa, pb, sb, out + o, n);
        else if (sa == 0 && sb == 1)
          done = xnn::SquaredDifferenceInt8RowAvx512(swapped, pb, pa, 0, out + o, n);
        MapRow(a + ia + done * sa, b + ib + done * sb, out + o + done, n - done, sa, sb, f);
      });
      return;
    }
#endif
    Run<uint8_t, int8_t>(ctx, f);
  }

  common::BinaryMathParams p_;
  std::array<int32_t, 256> scaled1_{}, scaled2_{};
};

}  // namespace

std::unique_ptr<Kernel> CreateXnnpackSquaredDifference() {
  return std::make_unique<FastSquaredDifferenceKernel>();
}

}  // namespace labelite
