// Rows of quantized (uint8 / int8) ADD, SUB and MUL for the fast kernel (quantized_arith.cc),
// in TFLite's builtin integer arithmetic, bit for bit (kernels/internal/add_sub.h,
// reference/mul.cc), with the parameters of common::PrepareArith:
//   1. each input byte q becomes an int32 "side value", d = q - zero point:
//        ADD/SUB: MultiplyByQuantizedMultiplier(d * 2^20, m_i, shift_i), negated for SUB's
//          second input (SUB becomes an addition, as exact in int32). The portable loops read
//          it from a 256-entry table built at Prepare; the SIMD rows compute it in int32 lanes:
//          with shift_i <= 0 and m_i = mh * 2^11 + ml, the doubling high multiply of d * 2^20
//          is d * mh + ((d * ml + 2^10) >> 11) exactly, then the rounding right shift by
//          -shift_i (Prepare checks this form against the table for all 256 bytes);
//        MUL: d itself;
//   2. the two side values combine: x + y (ADD/SUB) or x * y (MUL);
//   3. out = clamp(MultiplyByQuantizedMultiplier(v, multiplier, shift) + zero point,
//                  act_min, act_max), stored as its low byte (int8 and uint8 alike).
// A row pairs an "x" input read byte by byte with a "y" input that is either read byte by byte
// too (same shapes) or given as prepared side values (a broadcast vector or scalar): the
// kernel swaps the sides (both operations are commutative once SUB's sign is in the side
// value) so that the full-length input is always x.
#ifndef LABELITE_KERNELS_FAST_QUANTIZED_ARITH_H_
#define LABELITE_KERNELS_FAST_QUANTIZED_ARITH_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "kernels/internal/quantization.h"
#include "runtime/kernel.h"

namespace labelite::xnn {

enum class ArithMode { kAddInt8, kAddUInt8, kMulInt8, kMulUInt8 };

constexpr bool IsAdd(ArithMode m) {
  return m == ArithMode::kAddInt8 || m == ArithMode::kAddUInt8;
}
constexpr bool IsSigned(ArithMode m) {
  return m == ArithMode::kAddInt8 || m == ArithMode::kMulInt8;
}

struct QuantArithSide {
  int32_t offset = 0;  // -zero point
  // ADD/SUB only: the side value of each byte, and its int32 form for the SIMD rows.
  const int32_t* table = nullptr;
  int32_t mh = 0, ml = 0;  // m_i >> 11, m_i & 2047
  int right = 0;           // -shift_i
  bool negate = false;     // SUB's second input
};

struct QuantArithParams {
  ArithMode mode = ArithMode::kAddInt8;
  QuantArithSide x, y;
  int32_t multiplier = 0;  // the output's Q31 multiplier (0 or in [2^30, 2^31))
  int shift = 0;           // its exponent, in [-31, 30]
  int32_t out_offset = 0, act_min = 0, act_max = 0;
};

// Step 1 for one byte.
inline int32_t SideValue(ArithMode mode, const QuantArithSide& s, uint8_t byte) {
  if (IsAdd(mode)) return s.table[byte];
  return (IsSigned(mode) ? static_cast<int8_t>(byte) : byte) + s.offset;
}

// Step 1 of ADD/SUB in the SIMD rows' form, for q = the byte's value.
inline int32_t SideValueSimdForm(const QuantArithSide& s, int32_t q) {
  const int32_t d = q + s.offset;
  const int32_t high = d * s.mh + ((d * s.ml + 1024) >> 11);
  const int32_t r = quant::RoundingDivideByPOT(high, s.right);
  return s.negate ? -r : r;
}

// Calls f(std::integral_constant<ArithMode, mode>{}): one instantiation per mode.
template <typename F>
inline void DispatchMode(ArithMode mode, F&& f) {
  switch (mode) {
    case ArithMode::kAddInt8: f(std::integral_constant<ArithMode, ArithMode::kAddInt8>{}); break;
    case ArithMode::kAddUInt8: f(std::integral_constant<ArithMode, ArithMode::kAddUInt8>{}); break;
    case ArithMode::kMulInt8: f(std::integral_constant<ArithMode, ArithMode::kMulInt8>{}); break;
    case ArithMode::kMulUInt8: f(std::integral_constant<ArithMode, ArithMode::kMulUInt8>{}); break;
  }
}

// Steps 2 and 3 for one element.
template <ArithMode kMode>
inline uint8_t CombineAndRequantize(const QuantArithParams& p, int32_t x, int32_t y) {
  const int32_t v = IsAdd(kMode) ? x + y : x * y;
  const int32_t r = quant::MultiplyByQuantizedMultiplier(v, p.multiplier, p.shift) + p.out_offset;
  return static_cast<uint8_t>(std::clamp(r, p.act_min, p.act_max));
}

// A constant broadcast input (DenseNet's folded batch norms: [C] scales and offsets) makes
// the output of each of its elements c ("channel") a function of the other input's byte
// alone: out = G_c(v), v the byte's value. Prepare computes the 256 values of every G_c with
// the rows above and fits one affine piece to it, or where that fails for some channel two
// (quantized_arith_affine.cc), split where the reference's rounding changes side (v < split:
// the x input below its zero point, and v >= split), so that for every v of the piece
//   G_c(v) == clamp((alpha * v + beta) >> shift, act_min, act_max)   (int32, no overflow).
// The fit is checked on all 256 values, so the rows below are exact by construction; when a
// channel has no such fit the kernel keeps the rows above.
struct AffineParams {
  bool is_signed = true;  // the bytes are int8
  bool two_pieces = true;  // false: one piece fits every channel (lo == hi)
  int32_t split = 0;
  int shift = 0;
  int32_t act_min = 0, act_max = 0;
};

// Per channel c (index c * step, step 0 or 1): alpha and beta of the pieces below and above
// the split (FitAffine gives both pieces one alpha; the SIMD rows read lo_alpha only).
// period > 0: the row is made of rows of `period` elements that each start again at channel 0
// (the block repeated along the output); 0: one row.
struct AffineCoefs {
  const int32_t* lo_alpha = nullptr;
  const int32_t* lo_beta = nullptr;
  const int32_t* hi_alpha = nullptr;
  const int32_t* hi_beta = nullptr;
  int64_t step = 1;
  int64_t period = 0;
};

inline uint8_t AffineValue(const AffineParams& p, int32_t v, int32_t alpha, int32_t beta) {
  return static_cast<uint8_t>(std::clamp((alpha * v + beta) >> p.shift, p.act_min, p.act_max));
}

using AffineRowFn = void (*)(const AffineParams& p, const uint8_t* x, const AffineCoefs& c,
                             uint8_t* out, int64_t n);

// Fits every channel (exact: channels x 256 outputs in value order, for the 256 `bytes` in
// value order from the type's minimum; slope: each channel's real slope, output units per unit
// of v) into coefs (4 x channels: lo alpha, lo beta, hi alpha, hi beta), checking guesses with
// `row`. Sets p->shift and p->two_pieces. False when some channel has no fit.
bool FitAffine(const uint8_t* exact, const uint8_t* bytes, const double* slope, int64_t channels,
               AffineRowFn row, AffineParams* p, std::vector<int32_t>* coefs);

// The row functions of one ISA level:
//   bytes:  out[i] from x[i] and y[i], both bytes, i < n;
//   values: out[i] from x[i] and the prepared side value y[i * y_step] (y_step 0 or 1);
//   affine: out[i] from x[i] and channel i's fitted pieces.
struct QuantArithRowFns {
  void (*bytes)(const QuantArithParams& p, const uint8_t* x, const uint8_t* y, uint8_t* out,
                int64_t n);
  void (*values)(const QuantArithParams& p, const uint8_t* x, const int32_t* y, int64_t y_step,
                 uint8_t* out, int64_t n);
  AffineRowFn affine;
};

// Portable loops (also the AVX2 kernels' tails).
void QuantArithBytesPortable(const QuantArithParams& p, const uint8_t* x, const uint8_t* y,
                             uint8_t* out, int64_t n);
void QuantArithValuesPortable(const QuantArithParams& p, const uint8_t* x, const int32_t* y,
                              int64_t y_step, uint8_t* out, int64_t n);
void QuantArithAffinePortable(const AffineParams& p, const uint8_t* x, const AffineCoefs& c,
                              uint8_t* out, int64_t n);

// The kernels (quantized_arith.cc), uint8/int8 only (float32 is Unsupported):
//   CreateFastQuantized*:   every broadcast (affine pieces where they fit, else the rows);
//   CreateAffineQuantized*: only a constant broadcast input whose affine pieces fit, at ISA
//                           level AVX2 or above.
// The fast path (xnnpack/add.cc, sub.cc, mul.cc) asks the affine kernel first, then XNNPACK
// (faster than the exact rows here: ~0.2 vs ~0.25 ns per element for MUL, 0.15 vs 0.4 for ADD
// on Zen 4, from inexact float or fixed-point requantization), then the full kernel for what
// XNNPACK refuses (scale ratios out of its range, more than 4 dims), which ran on the
// reference kernel before.
std::unique_ptr<Kernel> CreateFastQuantizedAdd();
std::unique_ptr<Kernel> CreateFastQuantizedSub();
std::unique_ptr<Kernel> CreateFastQuantizedMul();
std::unique_ptr<Kernel> CreateAffineQuantizedAdd();
std::unique_ptr<Kernel> CreateAffineQuantizedSub();
std::unique_ptr<Kernel> CreateAffineQuantizedMul();

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_QUANTIZED_ARITH_H_
