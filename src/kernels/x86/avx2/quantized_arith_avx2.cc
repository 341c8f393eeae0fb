// Quantized ADD/SUB/MUL rows on AVX2 (kernels/fast/quantized_arith.h), 8 elements per step,
// the tail through the portable loops; the same steps and identities as the AVX-512 rows
// (x86/avx512/quantized_arith_avx512.cc), bit-identical to the reference. The low byte of each
// clamped int32 is picked by a byte shuffle (int8 and uint8 alike).
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include <algorithm>

#include "kernels/x86/quantized_arith_x86.h"

#define LABELITE_AVX2 __attribute__((target("avx2")))

namespace labelite::xnn {
namespace {

struct Shift {
  __m256i half, sign_one;
  __m128i count;
};

struct SideConsts {
  __m256i offset, mh, ml;
  Shift shift;
  bool negate;
};

struct Consts {
  SideConsts x, y;
  __m256i multiplier, nudge, out_offset, act_min, act_max, low_bytes, pick;
  __m128i left;
  Shift right;
};

LABELITE_AVX2 inline Shift MakeShift(int e) {
  return {_mm256_set1_epi32(e > 0 ? int32_t{1} << (e - 1) : 0), _mm256_set1_epi32(e > 0 ? 1 : 0),
          _mm_cvtsi32_si128(e)};
}

LABELITE_AVX2 inline SideConsts MakeSide(const QuantArithSide& s) {
  return {_mm256_set1_epi32(s.offset), _mm256_set1_epi32(s.mh), _mm256_set1_epi32(s.ml),
          MakeShift(s.right), s.negate};
}

LABELITE_AVX2 inline Consts MakeConsts(const QuantArithParams& p) {
  Consts c;
  c.x = MakeSide(p.x);
  c.y = MakeSide(p.y);
  c.multiplier = _mm256_set1_epi64x(p.multiplier);
  c.nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  c.out_offset = _mm256_set1_epi32(p.out_offset);
  c.act_min = _mm256_set1_epi32(p.act_min);
  c.act_max = _mm256_set1_epi32(p.act_max);
  // The low byte of each int32 to the first 4 bytes of its 128-bit lane, then both lanes'
  // first dwords together.
  c.low_bytes = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                 0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  c.pick = _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1);
  c.left = _mm_cvtsi32_si128(p.shift > 0 ? p.shift : 0);
  c.right = MakeShift(p.shift > 0 ? 0 : -p.shift);
  return c;
}

LABELITE_AVX2 inline __m256i RoundingShift(__m256i h, const Shift& s) {
  const __m256i negative = _mm256_and_si256(_mm256_srli_epi32(h, 31), s.sign_one);
  return _mm256_sra_epi32(_mm256_sub_epi32(_mm256_add_epi32(h, s.half), negative), s.count);
}

LABELITE_AVX2 inline __m128i Load8(const uint8_t* p) {
  return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
}

// Step 1 for 8 bytes.
template <ArithMode kMode>
LABELITE_AVX2 inline __m256i Side(const SideConsts& s, __m128i bytes) {
  const __m256i q = IsSigned(kMode) ? _mm256_cvtepi8_epi32(bytes) : _mm256_cvtepu8_epi32(bytes);
  const __m256i d = _mm256_add_epi32(q, s.offset);
  if constexpr (!IsAdd(kMode)) return d;
  const __m256i low = _mm256_srai_epi32(
      _mm256_add_epi32(_mm256_mullo_epi32(d, s.ml), _mm256_set1_epi32(1024)), 11);
  const __m256i r = RoundingShift(_mm256_add_epi32(_mm256_mullo_epi32(d, s.mh), low), s.shift);
  return s.negate ? _mm256_sub_epi32(_mm256_setzero_si256(), r) : r;
}

// Steps 2-4 for 8 lanes; stores 8 bytes.
template <ArithMode kMode>
LABELITE_AVX2 inline void Finish(const Consts& c, __m256i x, __m256i y, uint8_t* out) {
  __m256i v = IsAdd(kMode) ? _mm256_add_epi32(x, y) : _mm256_mullo_epi32(x, y);
  v = _mm256_sll_epi32(v, c.left);
  const __m256i even =
      _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(v, c.multiplier), c.nudge), 31);
  const __m256i odd = _mm256_slli_epi64(
      _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(v, 32), c.multiplier), c.nudge), 1);
  const __m256i high = _mm256_blend_epi32(even, odd, 0xAA);
  __m256i r = _mm256_add_epi32(RoundingShift(high, c.right), c.out_offset);
  r = _mm256_min_epi32(_mm256_max_epi32(r, c.act_min), c.act_max);
  const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(r, c.low_bytes), c.pick);
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(bytes));
}

template <ArithMode kMode>
LABELITE_AVX2 inline __m256i YSide(const Consts& c, const uint8_t* y, int64_t, __m256i) {
  return Side<kMode>(c.y, Load8(y));
}
template <ArithMode kMode>
LABELITE_AVX2 inline __m256i YSide(const Consts&, const int32_t* y, int64_t step,
                                   __m256i broadcast) {
  return step == 0 ? broadcast : _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y));
}

template <ArithMode kMode, typename Y>
LABELITE_AVX2 int64_t Row(const QuantArithParams& p, const uint8_t* x, const Y* y, int64_t y_step,
                          uint8_t* out, int64_t n) {
  const Consts c = MakeConsts(p);
  const __m256i broadcast = _mm256_set1_epi32(static_cast<int32_t>(y[0]));
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    Finish<kMode>(c, Side<kMode>(c.x, Load8(x + i)),
                  YSide<kMode>(c, y + i * y_step, y_step, broadcast), out + i);
  }
  return i;
}

// Coefficients of 8 elements from index j (step 1), or one set broadcast (step 0).
LABELITE_AVX2 inline __m256i LoadCoef(const int32_t* a, int64_t step, int64_t j) {
  return step == 0 ? _mm256_set1_epi32(a[0])
                   : _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + j));
}

// The affine rows (quantized_arith.h): 32 elements per loop step (four vectors of 8, packed
// with saturating packs and one dword permutation), then 8 at a time; kTwoPieces and kClamp as
// in the AVX-512 rows.
struct AffineConsts {
  __m256i split_minus_one, act_min, act_max;
  __m128i shift;
};

template <bool kSigned, bool kTwoPieces, bool kClamp>
LABELITE_AVX2 inline __m256i Affine8(const AffineConsts& k, __m128i bytes, const AffineCoefs& c,
                                     int64_t j) {
  const __m256i v = kSigned ? _mm256_cvtepi8_epi32(bytes) : _mm256_cvtepu8_epi32(bytes);
  __m256i alpha = LoadCoef(c.lo_alpha, c.step, j), beta = LoadCoef(c.lo_beta, c.step, j);
  if constexpr (kTwoPieces) {
    const __m256i hi = _mm256_cmpgt_epi32(v, k.split_minus_one);  // v >= split
    beta = _mm256_blendv_epi8(beta, LoadCoef(c.hi_beta, c.step, j), hi);
  }
  const __m256i r = _mm256_sra_epi32(_mm256_add_epi32(_mm256_mullo_epi32(v, alpha), beta), k.shift);
  if constexpr (!kClamp) return r;
  return _mm256_min_epi32(_mm256_max_epi32(r, k.act_min), k.act_max);
}

template <bool kSigned, bool kTwoPieces, bool kClamp>
LABELITE_AVX2 int64_t AffineRow(const AffineParams& p, const uint8_t* x, const AffineCoefs& c,
                                uint8_t* out, int64_t n) {
  const AffineConsts k{_mm256_set1_epi32(p.split - 1), _mm256_set1_epi32(p.act_min),
                       _mm256_set1_epi32(p.act_max), _mm_cvtsi32_si128(p.shift)};
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i r[4];
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q)
      r[q] = Affine8<kSigned, kTwoPieces, kClamp>(k, Load8(x + i + 8 * q), c, (i + 8 * q) * c.step);
    // Per 128-bit lane: packs give r0[0-3] r1[0-3] | r0[4-7] r1[4-7], then the bytes
    // r0 r1 r2 r3 (4 each) per lane; the permutation puts the dwords in element order.
    const __m256i w01 = _mm256_packs_epi32(r[0], r[1]);
    const __m256i w23 = _mm256_packs_epi32(r[2], r[3]);
    const __m256i b = kSigned ? _mm256_packs_epi16(w01, w23) : _mm256_packus_epi16(w01, w23);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_permutevar8x32_epi32(b, order));
  }
  const __m256i low_bytes =
      _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12,
                       -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m256i pick = _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1);
  for (; i + 8 <= n; i += 8) {
    const __m256i r = Affine8<kSigned, kTwoPieces, true>(k, Load8(x + i), c, i * c.step);
    const __m256i b = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(r, low_bytes), pick);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), _mm256_castsi256_si128(b));
  }
  return i;
}

template <bool kSigned>
LABELITE_AVX2 int64_t AffineRowFor(const AffineParams& p, const uint8_t* x, const AffineCoefs& c,
                                   uint8_t* out, int64_t n) {
  const bool clamp = p.act_min > (kSigned ? -128 : 0) || p.act_max < (kSigned ? 127 : 255);
  if (p.two_pieces) {
    return clamp ? AffineRow<kSigned, true, true>(p, x, c, out, n)
                 : AffineRow<kSigned, true, false>(p, x, c, out, n);
  }
  return clamp ? AffineRow<kSigned, false, true>(p, x, c, out, n)
               : AffineRow<kSigned, false, false>(p, x, c, out, n);
}

}  // namespace

void QuantArithAffineAvx2(const AffineParams& p, const uint8_t* x, const AffineCoefs& c,
                          uint8_t* out, int64_t n) {
  const int64_t period = c.period > 0 ? c.period : n;
  AffineCoefs one_row = c;
  one_row.period = 0;
  for (int64_t row = 0; row < n; row += period) {  // the coefficients restart at each row
    const int64_t len = std::min(period, n - row);
    const uint8_t* xr = x + row;
    uint8_t* outr = out + row;
    const int64_t done = p.is_signed ? AffineRowFor<true>(p, xr, one_row, outr, len)
                                     : AffineRowFor<false>(p, xr, one_row, outr, len);
    if (done < len) {
      const int64_t k = done * c.step;
      const AffineCoefs rest{c.lo_alpha + k, c.lo_beta + k, c.hi_alpha + k, c.hi_beta + k, c.step};
      QuantArithAffinePortable(p, xr + done, rest, outr + done, len - done);
    }
  }
}

void QuantArithBytesAvx2(const QuantArithParams& p, const uint8_t* x, const uint8_t* y,
                         uint8_t* out, int64_t n) {
  int64_t done = 0;
  DispatchMode(p.mode, [&](auto mode) { done = Row<mode()>(p, x, y, 1, out, n); });
  if (done < n) QuantArithBytesPortable(p, x + done, y + done, out + done, n - done);
}

void QuantArithValuesAvx2(const QuantArithParams& p, const uint8_t* x, const int32_t* y,
                          int64_t y_step, uint8_t* out, int64_t n) {
  int64_t done = 0;
  DispatchMode(p.mode, [&](auto mode) { done = Row<mode()>(p, x, y, y_step, out, n); });
  if (done < n)
    QuantArithValuesPortable(p, x + done, y + done * y_step, y_step, out + done, n - done);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
