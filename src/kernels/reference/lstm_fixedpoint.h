// gemmlowp's int16 fixed-point logistic and tanh (FixedPoint<int16_t, 3> -> Q0.15), which
// LiteRT's tensor_utils::ApplySigmoid / ApplyTanh evaluate in its integer LSTM. Written from
// gemmlowp's published algorithm: exp on [-1/4, 0) by a Taylor series around -1/8, a barrel
// shifter of exp(-2^k) constants, and Newton-Raphson division for 1/(1+x) and (1-x)/(1+x).
#ifndef LABELITE_KERNELS_REFERENCE_LSTM_FIXEDPOINT_H_
#define LABELITE_KERNELS_REFERENCE_LSTM_FIXEDPOINT_H_

#include <algorithm>
#include <cstdint>

namespace labelite::fx16 {

inline int16_t Sat(int32_t v) { return static_cast<int16_t>(std::clamp(v, -32768, 32767)); }
inline int16_t Mul(int16_t a, int16_t b) {  // SaturatingRoundingDoublingHighMul
  if (a == b && a == INT16_MIN) return INT16_MAX;
  const int32_t ab = int32_t{a} * b;
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}
inline int16_t RoundingDivideByPOT(int16_t x, int e) {
  const int32_t mask = (1 << e) - 1;
  const int32_t rem = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int16_t>((x >> e) + (rem > threshold ? 1 : 0));
}
// x * 2^e, saturating for e > 0, rounding for e < 0.
inline int16_t MulByPOT(int16_t x, int e) {
  if (e == 0) return x;
  if (e < 0) return RoundingDivideByPOT(x, -e);
  return Sat(int32_t{x} * (1 << e));
}
inline int16_t Add(int16_t a, int16_t b) { return static_cast<int16_t>(a + b); }
inline int16_t Sub(int16_t a, int16_t b) { return static_cast<int16_t>(a - b); }
// An int32 gemmlowp constant rescaled to int16 (RescaleConstantInitializer).
inline int16_t C(int32_t raw32) {
  const int32_t mask = (1 << 16) - 1;
  const int32_t rem = raw32 & mask;
  const int32_t threshold = (mask >> 1) + (raw32 < 0 ? 1 : 0);
  return static_cast<int16_t>((raw32 >> 16) + (rem > threshold ? 1 : 0));
}
constexpr int16_t kOne0 = INT16_MAX;  // One() of a Q0.15

// exp(a) for a in [-1/4, 0), Q0.15.
inline int16_t ExpQuarter(int16_t a) {
  const int16_t constant_term = C(1895147668), one_third = C(715827883);
  const int16_t x = Add(a, 1 << 12);  // + 1/8
  const int16_t x2 = Mul(x, x), x3 = Mul(x2, x), x4 = Mul(x2, x2);
  const int16_t x4_over_4 = MulByPOT(x4, -2);
  const int16_t poly = MulByPOT(Add(Mul(Add(x4_over_4, x3), one_third), x2), -1);
  return Sat(int32_t{constant_term} + Mul(constant_term, Add(x, poly)));
}

// exp(a) for a <= 0 with `int_bits` integer bits; Q0.15.
inline int16_t ExpNegative(int16_t a, int int_bits) {
  const int frac = 15 - int_bits;
  const int16_t quarter = static_cast<int16_t>(1 << (frac - 2));
  const int16_t mask = static_cast<int16_t>(quarter - 1);
  const int16_t a_mod = Sub(static_cast<int16_t>(a & mask), quarter);
  int16_t result = ExpQuarter(MulByPOT(a_mod, int_bits));  // Rescale<0>
  const int16_t remainder = Sub(a_mod, a);
  const int32_t mult[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int k = -2; k <= 4; ++k) {
    if (int_bits > k && (remainder & (1 << (frac + k))) != 0) result = Mul(result, C(mult[k + 2]));
  }
  if (int_bits > 5 && a < -(1 << (36 - int_bits - 16))) result = 0;
  return a == 0 ? kOne0 : result;
}

// Newton-Raphson 2/(1+a) in Q2.13 for a in [0, 1].
inline int16_t TwoOverOnePlus(int16_t a) {
  const int32_t sum = int32_t{a} + kOne0;
  const int16_t half_den = static_cast<int16_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  int16_t x = Add(C(1515870810), Mul(half_den, C(-1010580540)));
  for (int i = 0; i < 3; ++i) {
    const int16_t hx = Mul(half_den, x);                   // Q2.13
    const int16_t one_minus = Sub(1 << 13, hx);            // Q2.13
    x = Add(x, MulByPOT(Mul(x, one_minus), 2));            // Q4.11 -> Q2.13
  }
  return x;
}

// Q3.12 (int_bits integer bits) -> Q0.15.
inline int16_t Logistic(int16_t a, int int_bits = 3) {
  if (a == 0) return 1 << 14;
  const int16_t abs_a = a > 0 ? a : static_cast<int16_t>(-a);
  const int16_t e = ExpNegative(static_cast<int16_t>(-abs_a), int_bits);
  const int16_t pos = MulByPOT(TwoOverOnePlus(e), 1);  // ExactMulByPot<-1> then Rescale<0>
  return a > 0 ? pos : Sub(kOne0, pos);
}

inline int16_t Tanh(int16_t a, int int_bits = 3) {
  if (a == 0) return 0;
  const int16_t n = a < 0 ? a : static_cast<int16_t>(-a);
  const int16_t e = ExpNegative(n, int_bits + 1);  // ExactMulByPot<1>
  const int16_t t = MulByPOT(Sub(TwoOverOnePlus(e), 1 << 13), 2);  // Rescale<0>(x - 1)
  return a < 0 ? static_cast<int16_t>(-t) : t;
}

}  // namespace labelite::fx16

#endif  // LABELITE_KERNELS_REFERENCE_LSTM_FIXEDPOINT_H_
