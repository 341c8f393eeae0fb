// The affine pieces of quantized ADD/SUB/MUL with a constant broadcast input
// (quantized_arith.h): fitting and the portable row.
//
// FitPiece, for one channel's piece [v0, v1] of byte values and its exact outputs g(v), first
// guesses: alpha = round(slope * 2^s), beta = round(2^s * the mean of g + 1/2 - slope * v over
// the unsaturated v), kept when the affine row reproduces g on the whole piece (about 0.1 us);
// else it searches:
//   1. every v constrains alpha * v + beta to [g * 2^s, g * 2^s + 2^s - 1], one side open where
//      g is act_min or act_max (the clamp), and always to int32;
//   2. for alpha near the real slope * 2^s (a few neighbours), the constraints on beta are an
//      interval: the largest lower and smallest upper bound over the piece;
//   3. the first alpha whose interval is not empty wins, with beta at the interval's middle.
// FitAffine tries one piece [v_min, v_max] for every channel first (the guess, then the search
// at alpha = round(slope * 2^s) only: a kink at the split makes wider searches mostly futile),
// then two (below and from the split) with one alpha: the kink (MUL's rounding of negative
// products) moves the intercept only, and the rows then select beta alone. The shift s is
// common to all channels: as large as keeps |alpha * v| + the output range below 2^30, at most
// 22 (enough resolution for 256 values).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/fast/quantized_arith.h"

namespace labelite::xnn {
namespace {

constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int kMaxShift = 22;
constexpr int kMinShift = 4;

int32_t ByteValue(bool is_signed, uint8_t byte) {
  return is_signed ? static_cast<int8_t>(byte) : byte;
}

// The input: exact outputs and the bytes, both in value order from v_min.
struct Piece {
  const uint8_t* exact;
  const uint8_t* bytes;
  int32_t v_min;
  AffineRowFn row;
};

// The guess, checked by the affine row on every v of the piece.
bool Guess(const Piece& in, const AffineParams& p, int32_t v0, int32_t v1, double slope,
           int32_t* alpha, int32_t* beta) {
  double sum = 0.0;
  int count = 0;
  for (int32_t v = v0; v <= v1; ++v) {
    const int32_t g = ByteValue(p.is_signed, in.exact[v - in.v_min]);
    if (g > p.act_min && g < p.act_max) {
      sum += g + 0.5 - slope * v;
      ++count;
    }
  }
  if (count == 0) return false;
  const double one = static_cast<double>(int64_t{1} << p.shift);
  const int64_t a = std::llround(slope * one), b = std::llround(sum / count * one);
  for (const int64_t v : {v0, v1}) {  // the extremes of a line are at the ends
    if (std::abs(a * v) > kInt32Max || a * v + b > kInt32Max || a * v + b < kInt32Min)
      return false;
  }
  const auto a32 = static_cast<int32_t>(a), b32 = static_cast<int32_t>(b);
  const AffineCoefs coefs{&a32, &b32, &a32, &b32, 0};
  uint8_t out[256];
  const int64_t n = v1 - v0 + 1;
  in.row(p, in.bytes + (v0 - in.v_min), coefs, out, n);
  if (std::memcmp(out, in.exact + (v0 - in.v_min), static_cast<size_t>(n)) != 0) return false;
  *alpha = a32;
  *beta = b32;
  return true;
}

// Steps 2-3 for one alpha; false when the interval is empty.
bool BetaFor(const Piece& in, const AffineParams& p, int32_t v0, int32_t v1, int64_t alpha,
             int32_t* beta) {
  const int64_t one = int64_t{1} << p.shift;
  int64_t lo_bound = kInt32Min, hi_bound = kInt32Max;
  for (int32_t v = v0; v <= v1; ++v) {
    const int64_t g = ByteValue(p.is_signed, in.exact[v - in.v_min]);
    const int64_t lo = g > p.act_min ? g * one : kInt32Min;
    const int64_t hi = g < p.act_max ? g * one + one - 1 : kInt32Max;
    lo_bound = std::max(lo_bound, lo - alpha * v);
    hi_bound = std::min(hi_bound, hi - alpha * v);
    if (lo_bound > hi_bound) return false;
  }
  *beta = static_cast<int32_t>(lo_bound + (hi_bound - lo_bound) / 2);
  return true;
}

bool FitPiece(const Piece& in, const AffineParams& p, int32_t v0, int32_t v1, double slope,
              bool search, int32_t* alpha, int32_t* beta) {
  *alpha = 0;
  *beta = 0;
  if (v0 > v1) return true;
  if (Guess(in, p, v0, v1, slope, alpha, beta)) return true;
  const int64_t a0 = std::llround(slope * static_cast<double>(int64_t{1} << p.shift));
  const int64_t v_max = std::max(std::abs(v0), std::abs(v1));
  for (int64_t delta : {0, -1, 1, -2, 2, -3, 3, -4, 4}) {
    if (!search && delta != 0) break;
    const int64_t a = a0 + delta;
    if (std::abs(a) * v_max > kInt32Max) continue;
    if (BetaFor(in, p, v0, v1, a, beta)) {
      *alpha = static_cast<int32_t>(a);
      return true;
    }
  }
  return false;
}

// Two pieces with one alpha (the reference's kink at the split shifts the intercept, not the
// slope): the guesses, else the search over alpha with both pieces' beta intervals.
bool FitTwoPieces(const Piece& in, const AffineParams& p, int32_t v0, int32_t split, int32_t v1,
                  double slope, int32_t* alpha, int32_t* lo_beta, int32_t* hi_beta) {
  int32_t a_lo = 0, a_hi = 0;
  if (split <= v0 || split > v1) {  // one piece is empty
    const bool ok = FitPiece(in, p, v0, v1, slope, true, alpha, lo_beta);
    *hi_beta = *lo_beta;
    return ok;
  }
  if (Guess(in, p, v0, split - 1, slope, &a_lo, lo_beta) &&
      Guess(in, p, split, v1, slope, &a_hi, hi_beta) && a_lo == a_hi) {
    *alpha = a_lo;
    return true;
  }
  const int64_t a0 = std::llround(slope * static_cast<double>(int64_t{1} << p.shift));
  const int64_t v_max = std::max(std::abs(v0), std::abs(v1));
  for (int64_t delta : {0, -1, 1, -2, 2, -3, 3, -4, 4}) {
    const int64_t a = a0 + delta;
    if (std::abs(a) * v_max > kInt32Max) continue;
    if (BetaFor(in, p, v0, split - 1, a, lo_beta) && BetaFor(in, p, split, v1, a, hi_beta)) {
      *alpha = static_cast<int32_t>(a);
      return true;
    }
  }
  return false;
}

}  // namespace

bool FitAffine(const uint8_t* exact, const uint8_t* bytes, const double* slope, int64_t channels,
               AffineRowFn row, AffineParams* p, std::vector<int32_t>* coefs) {
  double max_slope = 0.0;
  for (int64_t c = 0; c < channels; ++c) max_slope = std::max(max_slope, std::fabs(slope[c]));
  const double magnitude = max_slope * 256.0 + 512.0;
  p->shift = std::min(kMaxShift, static_cast<int>(std::floor(30.0 - std::log2(magnitude))));
  if (!(p->shift >= kMinShift)) return false;
  const int32_t v_min = p->is_signed ? -128 : 0, v_max = v_min + 255;
  AffineParams one_piece = *p;
  one_piece.two_pieces = false;
  coefs->assign(static_cast<size_t>(4 * channels), 0);
  int32_t* lo_alpha = coefs->data();
  int32_t* lo_beta = lo_alpha + channels;
  int32_t* hi_alpha = lo_beta + channels;
  int32_t* hi_beta = hi_alpha + channels;
  // One piece for every channel, else two.
  p->two_pieces = false;
  for (int64_t c = 0; c < channels && !p->two_pieces; ++c) {
    const Piece in{exact + 256 * c, bytes, v_min, row};
    if (!FitPiece(in, one_piece, v_min, v_max, slope[c], false, &lo_alpha[c], &lo_beta[c])) {
      p->two_pieces = true;
    } else {
      hi_alpha[c] = lo_alpha[c];
      hi_beta[c] = lo_beta[c];
    }
  }
  if (!p->two_pieces) return true;
  for (int64_t c = 0; c < channels; ++c) {
    const Piece in{exact + 256 * c, bytes, v_min, row};
    if (!FitTwoPieces(in, one_piece, v_min, p->split, v_max, slope[c], &lo_alpha[c], &lo_beta[c],
                      &hi_beta[c]))
      return false;
    hi_alpha[c] = lo_alpha[c];
  }
  return true;
}

namespace {

// Branch-free for the vectorizer; coefficients per element (kStep 1) or one set (kStep 0).
template <typename T, int kStep>
void AffineLoop(const AffineParams& p, const T* __restrict x, const AffineCoefs& c,
                uint8_t* __restrict out, int64_t n) {
  const int32_t split = p.split, shift = p.shift, lo = p.act_min, hi = p.act_max;
  const int32_t* __restrict la = c.lo_alpha;
  const int32_t* __restrict lb = c.lo_beta;
  const int32_t* __restrict ha = c.hi_alpha;
  const int32_t* __restrict hb = c.hi_beta;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t v = x[i];
    const int64_t k = i * kStep;
    const int32_t up = -static_cast<int32_t>(v >= split);  // all ones in the upper piece
    const int32_t alpha = (ha[k] & up) | (la[k] & ~up);
    const int32_t beta = (hb[k] & up) | (lb[k] & ~up);
    out[i] = static_cast<uint8_t>(std::min(std::max((alpha * v + beta) >> shift, lo), hi));
  }
}

}  // namespace

void QuantArithAffinePortable(const AffineParams& p, const uint8_t* x, const AffineCoefs& c,
                              uint8_t* out, int64_t n) {
  const int64_t period = c.period > 0 ? c.period : n;
  for (int64_t row = 0; row < n; row += period) {  // the coefficients restart at each row
    const int64_t len = std::min(period, n - row);
    const uint8_t* xr = x + row;
    uint8_t* outr = out + row;
    const auto* s = reinterpret_cast<const int8_t*>(xr);
    if (c.step == 0) {
      if (p.is_signed) AffineLoop<int8_t, 0>(p, s, c, outr, len);
      else AffineLoop<uint8_t, 0>(p, xr, c, outr, len);
    } else {
      if (p.is_signed) AffineLoop<int8_t, 1>(p, s, c, outr, len);
      else AffineLoop<uint8_t, 1>(p, xr, c, outr, len);
    }
  }
}

}  // namespace labelite::xnn
