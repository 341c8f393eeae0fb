// Float32 ADD, SUB and MUL on labelite's own rows (fast/binary_f32.cc), for the shapes that
// classifiers use: two inputs of one shape, a scalar, or a per-channel vector (the other
// input's innermost dimension, every other dimension 1: a folded batch norm, a squeeze-and-
// excitation gate). Each output is one IEEE operation and the fused activation's clamp,
//   out = min(max(x op y, lo), hi)   (x86's max_ps / min_ps, as XNNPACK: a NaN becomes lo)
// with denormals flushed (MXCSR FTZ + DAZ), as XNNPACK runs its float operators, so the
// results equal XNNPACK's bit for bit whatever the vector width.
//
// Why not XNNPACK (Debian's 2022 build): it cuts a per-channel broadcast into one task per row
// of channels, and on 2 threads its split of the elements differs from that of the operator
// before, so half the inputs come from the other core's cache: its MUL of efficientnet_b0's
// swish ran 2x slower on 2 threads than on 1. Here the elements are cut into contiguous
// blocks (the caller takes the first half, the worker the second, as the convolutions split
// their output rows), so a chain of operators stays in each core's cache.
#ifndef LABELITE_KERNELS_FAST_BINARY_F32_H_
#define LABELITE_KERNELS_FAST_BINARY_F32_H_

#include <cstddef>
#include <memory>

#include "runtime/kernel.h"

namespace labelite::xnn {

enum class BinaryF32Op { kAdd, kSub, kReverseSub, kMul };  // kReverseSub: y - x

namespace binary_f32_internal {

template <BinaryF32Op kOp>
[[gnu::always_inline]] inline float Apply(float x, float y) {
  if constexpr (kOp == BinaryF32Op::kAdd) return x + y;
  if constexpr (kOp == BinaryF32Op::kSub) return x - y;
  if constexpr (kOp == BinaryF32Op::kReverseSub) return y - x;
  return x * y;
}

// XNNPACK's max_ps(v, lo) then min_ps(v, hi): a NaN becomes lo.
[[gnu::always_inline]] inline float Clamp(float v, float lo, float hi) {
  v = v > lo ? v : lo;
  return v < hi ? v : hi;
}

// out[i] = clamp(x[i] op y[i]) (kScalarY: y[0]) for i < n; written for the compiler to
// vectorize, compiled once per ISA level (kernels/x86/*/binary_f32_*.cc).
template <BinaryF32Op kOp, bool kScalarY>
[[gnu::always_inline]] inline void Loop(const float* x, const float* y, float* out, size_t n,
                                        float lo, float hi) {
  if constexpr (kScalarY) {
    const float s = y[0];
    for (size_t i = 0; i < n; ++i) out[i] = Clamp(Apply<kOp>(x[i], s), lo, hi);
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = Clamp(Apply<kOp>(x[i], y[i]), lo, hi);
  }
}

template <BinaryF32Op kOp>
[[gnu::always_inline]] inline void Row(const float* x, const float* y, bool scalar_y, float* out,
                                       size_t n, float lo, float hi) {
  if (scalar_y) Loop<kOp, true>(x, y, out, n, lo, hi);
  else Loop<kOp, false>(x, y, out, n, lo, hi);
}

[[gnu::always_inline]] inline void AnyRow(BinaryF32Op op, const float* x, const float* y,
                                          bool scalar_y, float* out, size_t n, float lo, float hi) {
  switch (op) {
    case BinaryF32Op::kAdd: return Row<BinaryF32Op::kAdd>(x, y, scalar_y, out, n, lo, hi);
    case BinaryF32Op::kSub: return Row<BinaryF32Op::kSub>(x, y, scalar_y, out, n, lo, hi);
    case BinaryF32Op::kReverseSub:
      return Row<BinaryF32Op::kReverseSub>(x, y, scalar_y, out, n, lo, hi);
    case BinaryF32Op::kMul: return Row<BinaryF32Op::kMul>(x, y, scalar_y, out, n, lo, hi);
  }
}

// The bounds of a chain (ChainLoop): the MUL's activation, then the second operation's.
struct ChainBounds {
  float lo1, hi1, lo2, hi2;
};

// A MUL by a constant, then a second operation with a constant (a batch norm the converter
// could not fold into a convolution, x * scale + shift; input normalization), in one pass.
// Each output is what the two operators write one after the other: the product clamped to the
// MUL's bounds (a float, as the MUL's output tensor holds it), then the second operation and
// its clamp:
//   out[i] = clamp(clamp(x[i] * s[i], lo1, hi1) op y[i], lo2, hi2)
template <BinaryF32Op kOp>
[[gnu::always_inline]] inline void ChainLoop(const float* x, const float* s, const float* y,
                                             float* out, size_t n, ChainBounds b) {
  for (size_t i = 0; i < n; ++i)
    out[i] = Clamp(Apply<kOp>(Clamp(x[i] * s[i], b.lo1, b.hi1), y[i]), b.lo2, b.hi2);
}

[[gnu::always_inline]] inline void AnyChainRow(BinaryF32Op op, const float* x, const float* s,
                                               const float* y, float* out, size_t n,
                                               ChainBounds b) {
  switch (op) {
    case BinaryF32Op::kAdd: return ChainLoop<BinaryF32Op::kAdd>(x, s, y, out, n, b);
    case BinaryF32Op::kSub: return ChainLoop<BinaryF32Op::kSub>(x, s, y, out, n, b);
    case BinaryF32Op::kReverseSub: return ChainLoop<BinaryF32Op::kReverseSub>(x, s, y, out, n, b);
    case BinaryF32Op::kMul: return ChainLoop<BinaryF32Op::kMul>(x, s, y, out, n, b);
  }
}

}  // namespace binary_f32_internal

// The fast kernels of float32 ADD / SUB / MUL (Unsupported for other types and shapes, and
// below IsaLevel::kAvx2: the next candidate, XNNPACK, takes the operator).
std::unique_ptr<Kernel> CreateFastAddF32();
std::unique_ptr<Kernel> CreateFastSubF32();
std::unique_ptr<Kernel> CreateFastMulF32();

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_BINARY_F32_H_
