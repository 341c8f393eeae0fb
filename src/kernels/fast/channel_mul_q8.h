// uint8 / int8 MUL of a tensor by a per-channel vector that is not a constant (a squeeze-and-
// excitation gate: x [N, H, W, C] times y [1, 1, 1, C], either input first), in XNNPACK 2022's
// arithmetic for quantized MUL (its "fp32" requantization), so the bytes equal its operator's:
//   out = clamp(round_half_even(float((x - x_zp) * (y - y_zp)) * s), lo - o_zp, hi - o_zp) + o_zp
// with s = (x_scale * y_scale) / out_scale in float as XNNPACK computes it, [lo, hi] the fused
// activation's bounds quantized as XNNPACK's subgraph does (xnn_common.h).
//   1. Per invoke: the C gate values as floats, f_y[c] = float(y[c] - y_zp).
//   2. Per element: float(x - x_zp) * f_y is the exact integer product (|p| < 2^17), times s
//      rounds once, as float(product) * s does; the clamp in float then the "magic number"
//      rounding (+1.5 * 2^23, read the bits) give round-half-even for |v| <= 255.
//   3. Rows of C, in tasks of whole rows over the pool (contiguous blocks, as the convolutions
//      split their rows).
// Why not XNNPACK: its 2022 operator cuts this broadcast into one call per row of C elements
// (EfficientNet-B0's 48x48x32 gate: 2304 calls, 13 us at AVX2 on one thread, no faster on two).
// The loop below is written for the compiler to vectorize and compiled per ISA level
// (kernels/x86/*/channel_mul_q8_*.cc); below AVX2 and off x86 the kernel is Unsupported and
// XNNPACK's operator runs.
#ifndef LABELITE_KERNELS_FAST_CHANNEL_MUL_Q8_H_
#define LABELITE_KERNELS_FAST_CHANNEL_MUL_Q8_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "runtime/kernel.h"

namespace labelite::xnn {

struct ChannelMulQ8Params {
  int32_t x_zero_point = 0;
  float scale = 0.0f;          // (x_scale * y_scale) / out_scale, in float
  float lo = 0.0f, hi = 0.0f;  // output bounds less the output zero point
  int32_t out_zero_point = 0;
};

namespace channel_mul_internal {

template <typename T>
[[gnu::always_inline]] inline void Row(const ChannelMulQ8Params& p, const T* x, const float* fy,
                                       T* out, size_t n) {
  constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23: its bits are 0x4B400000
  const int32_t bias = 0x4B400000 - p.out_zero_point;
  for (size_t i = 0; i < n; ++i) {
    const float product = static_cast<float>(static_cast<int32_t>(x[i]) - p.x_zero_point) * fy[i];
    float v = product * p.scale;
    v = v > p.lo ? v : p.lo;
    v = v < p.hi ? v : p.hi;
    out[i] = static_cast<T>(std::bit_cast<int32_t>(v + kMagic) - bias);
  }
}

}  // namespace channel_mul_internal

// Rows of n elements (signed: int8, else uint8) at each ISA level.
using ChannelMulRowFn = void (*)(const ChannelMulQ8Params& p, bool is_signed, const uint8_t* x,
                                 const float* fy, uint8_t* out, size_t n);
void ChannelMulRowAvx2(const ChannelMulQ8Params& p, bool is_signed, const uint8_t* x,
                       const float* fy, uint8_t* out, size_t n);
void ChannelMulRowAvx512(const ChannelMulQ8Params& p, bool is_signed, const uint8_t* x,
                         const float* fy, uint8_t* out, size_t n);

// The kernel (Unsupported for other types, shapes, scales, below AVX2 and off x86-64).
std::unique_ptr<Kernel> CreateChannelMulQ8();

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_CHANNEL_MUL_Q8_H_
