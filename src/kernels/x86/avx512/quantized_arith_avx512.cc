// Quantized ADD/SUB/MUL rows on AVX-512 (kernels/fast/quantized_arith.h), 64 elements per
// loop step (four vectors of 16), then 16, then one masked step for the tail; bit-identical to
// the reference:
//   1. side values from the bytes widened to int32: d = q - zero point; ADD/SUB:
//      d * mh + ((d * ml + 2^10) >> 11), rounding-shifted right, negated for SUB's second input
//      (quantized_arith.h); a prepared y row is loaded (or broadcast once);
//   2. v = x + y or x * y (|x * y| <= 255^2);
//   3. gemmlowp's MultiplyByQuantizedMultiplier: v << left shift (wrapping, as the reference's
//      unsigned shift); high = (v * M + 2^30) >> 31 (arithmetic; equal to the doubling high
//      multiply's truncating division with its sign-dependent nudge), even and odd lanes as
//      64-bit products; then RoundingShift below;
//   4. + zero point, clamped to [act_min, act_max]; four vectors packed to 64 bytes with
//      saturating packs (exact: the values are in range) and one dword permutation.
// RoundingShift(h, e) = (h + 2^(e-1) - (h < 0 && e > 0)) >> e equals RoundingDivideByPOT(h, e)
// (ties away from zero) wherever h + 2^(e-1) does not overflow: |h| < 2^29 here whenever e > 0.
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>

#include <algorithm>

#include "kernels/x86/quantized_arith_x86.h"

// GCC 12 reports operands inside its own AVX-512 intrinsics as uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning group
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#define LABELITE_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

namespace labelite::xnn {
namespace {

struct Shift {
  __m512i half, sign_one;
  __m128i count;
};

struct SideConsts {
  __m512i offset, mh, ml;
  Shift shift;
  bool negate;
};

struct Consts {
  SideConsts x, y;
  __m512i multiplier, nudge, out_offset, act_min, act_max, order;
  __m128i left;
  Shift right;
};

LABELITE_AVX512 inline Shift MakeShift(int e) {
  return {_mm512_set1_epi32(e > 0 ? int32_t{1} << (e - 1) : 0), _mm512_set1_epi32(e > 0 ? 1 : 0),
          _mm_cvtsi32_si128(e)};
}

LABELITE_AVX512 inline SideConsts MakeSide(const QuantArithSide& s) {
  return {_mm512_set1_epi32(s.offset), _mm512_set1_epi32(s.mh), _mm512_set1_epi32(s.ml),
          MakeShift(s.right), s.negate};
}

LABELITE_AVX512 inline Consts MakeConsts(const QuantArithParams& p) {
  Consts c;
  c.x = MakeSide(p.x);
  c.y = MakeSide(p.y);
  c.multiplier = _mm512_set1_epi64(p.multiplier);
  c.nudge = _mm512_set1_epi64(int64_t{1} << 30);
  c.out_offset = _mm512_set1_epi32(p.out_offset);
  c.act_min = _mm512_set1_epi32(p.act_min);
  c.act_max = _mm512_set1_epi32(p.act_max);
  c.order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  c.left = _mm_cvtsi32_si128(p.shift > 0 ? p.shift : 0);
  c.right = MakeShift(p.shift > 0 ? 0 : -p.shift);
  return c;
}

LABELITE_AVX512 inline __m512i RoundingShift(__m512i h, const Shift& s) {
  const __m512i negative = _mm512_and_si512(_mm512_srli_epi32(h, 31), s.sign_one);
  return _mm512_sra_epi32(_mm512_sub_epi32(_mm512_add_epi32(h, s.half), negative), s.count);
}

// Step 1 for 16 bytes.
template <ArithMode kMode>
LABELITE_AVX512 inline __m512i Side(const SideConsts& s, __m128i bytes) {
  const __m512i q = IsSigned(kMode) ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
  const __m512i d = _mm512_add_epi32(q, s.offset);
  if constexpr (!IsAdd(kMode)) return d;
  const __m512i low = _mm512_srai_epi32(
      _mm512_add_epi32(_mm512_mullo_epi32(d, s.ml), _mm512_set1_epi32(1024)), 11);
  const __m512i r = RoundingShift(_mm512_add_epi32(_mm512_mullo_epi32(d, s.mh), low), s.shift);
  return s.negate ? _mm512_sub_epi32(_mm512_setzero_si512(), r) : r;
}

// Steps 2-3 and the clamp for 16 lanes.
template <ArithMode kMode>
LABELITE_AVX512 inline __m512i Finish(const Consts& c, __m512i x, __m512i y) {
  __m512i v = IsAdd(kMode) ? _mm512_add_epi32(x, y) : _mm512_mullo_epi32(x, y);
  v = _mm512_sll_epi32(v, c.left);
  const __m512i even =
      _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(v, c.multiplier), c.nudge), 31);
  const __m512i odd = _mm512_slli_epi64(
      _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(v, 32), c.multiplier), c.nudge), 1);
  const __m512i high = _mm512_mask_blend_epi32(static_cast<__mmask16>(0xAAAA), even, odd);
  const __m512i r = _mm512_add_epi32(RoundingShift(high, c.right), c.out_offset);
  return _mm512_min_epi32(_mm512_max_epi32(r, c.act_min), c.act_max);
}

// Four clamped vectors to 64 bytes in element order.
template <ArithMode kMode>
LABELITE_AVX512 inline void Store64(const Consts& c, const __m512i (&r)[4], uint8_t* out) {
  const __m512i w01 = _mm512_packs_epi32(r[0], r[1]);
  const __m512i w23 = _mm512_packs_epi32(r[2], r[3]);
  const __m512i b = IsSigned(kMode) ? _mm512_packs_epi16(w01, w23) : _mm512_packus_epi16(w01, w23);
  _mm512_storeu_si512(out, _mm512_permutexvar_epi32(c.order, b));
}

LABELITE_AVX512 inline __m128i Load16(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// The y side of 16 elements: bytes (Y = uint8_t) or prepared values (Y = int32_t, step 0 or 1).
template <ArithMode kMode>
LABELITE_AVX512 inline __m512i YSide(const Consts& c, const uint8_t* y, int64_t, __m512i,
                                     __mmask16 m) {
  return Side<kMode>(c.y, _mm_maskz_loadu_epi8(m, y));
}
template <ArithMode kMode>
LABELITE_AVX512 inline __m512i YSide(const Consts&, const int32_t* y, int64_t step,
                                     __m512i broadcast, __mmask16 m) {
  return step == 0 ? broadcast : _mm512_maskz_loadu_epi32(m, y);
}

template <ArithMode kMode, typename Y>
LABELITE_AVX512 void Row(const QuantArithParams& p, const uint8_t* x, const Y* y, int64_t y_step,
                         uint8_t* out, int64_t n) {
  const Consts c = MakeConsts(p);
  const __m512i broadcast = _mm512_set1_epi32(static_cast<int32_t>(y[0]));
  const auto all = static_cast<__mmask16>(0xFFFF);
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    __m512i r[4];
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
      const int64_t j = i + 16 * k;
      r[k] = Finish<kMode>(c, Side<kMode>(c.x, Load16(x + j)),
                           YSide<kMode>(c, y + j * y_step, y_step, broadcast, all));
    }
    Store64<kMode>(c, r, out + i);
  }
  for (; i < n; i += 16) {
    const auto m = static_cast<__mmask16>(n - i >= 16 ? 0xFFFFu : (1u << (n - i)) - 1);
    const __m512i r = Finish<kMode>(c, Side<kMode>(c.x, _mm_maskz_loadu_epi8(m, x + i)),
                                    YSide<kMode>(c, y + i * y_step, y_step, broadcast, m));
    _mm_mask_storeu_epi8(out + i, m, _mm512_cvtepi32_epi8(r));
  }
}

// The affine rows (quantized_arith.h): v = the byte's value; piece = v >= split; out =
// clamp((alpha * v + beta) >> shift), packed as above.
struct AffineConsts {
  __m512i split, act_min, act_max, order;
  __m128i shift;
};

LABELITE_AVX512 inline __m512i LoadCoef(const int32_t* a, int64_t step, int64_t j, __mmask16 m) {
  return step == 0 ? _mm512_set1_epi32(a[0]) : _mm512_maskz_loadu_epi32(m, a + j);
}

// kTwoPieces: select the piece's beta per lane (one alpha: FitAffine; else lo == hi); kClamp:
// clamp to the activation's range (else the saturating packs do it: it is the type's range).
template <bool kSigned, bool kTwoPieces, bool kClamp>
LABELITE_AVX512 inline __m512i Affine16(const AffineConsts& k, __m128i bytes, const AffineCoefs& c,
                                        int64_t j, __mmask16 m) {
  const __m512i v = kSigned ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
  __m512i alpha = LoadCoef(c.lo_alpha, c.step, j, m), beta = LoadCoef(c.lo_beta, c.step, j, m);
  if constexpr (kTwoPieces) {
    const __mmask16 hi = _mm512_cmpge_epi32_mask(v, k.split);
    beta = _mm512_mask_blend_epi32(hi, beta, LoadCoef(c.hi_beta, c.step, j, m));
  }
  const __m512i r = _mm512_sra_epi32(_mm512_add_epi32(_mm512_mullo_epi32(v, alpha), beta), k.shift);
  if constexpr (!kClamp) return r;
  return _mm512_min_epi32(_mm512_max_epi32(r, k.act_min), k.act_max);
}

template <bool kSigned, bool kTwoPieces, bool kClamp>
LABELITE_AVX512 void AffineRow(const AffineParams& p, const uint8_t* x, const AffineCoefs& c,
                               uint8_t* out, int64_t n) {
  const AffineConsts k{_mm512_set1_epi32(p.split), _mm512_set1_epi32(p.act_min),
                       _mm512_set1_epi32(p.act_max),
                       _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15),
                       _mm_cvtsi32_si128(p.shift)};
  const auto all = static_cast<__mmask16>(0xFFFF);
  const int64_t period = c.period > 0 ? c.period : n;
  for (int64_t row = 0; row < n; row += period) {  // the coefficients restart at each row
    const uint8_t* xr = x + row;
    uint8_t* outr = out + row;
    const int64_t len = std::min(period, n - row);
    int64_t i = 0;
    for (; i + 64 <= len; i += 64) {
      __m512i r[4];
#pragma GCC unroll 4
      for (int q = 0; q < 4; ++q)
        r[q] = Affine16<kSigned, kTwoPieces, kClamp>(k, Load16(xr + i + 16 * q), c, i + 16 * q,
                                                     all);
      const __m512i w01 = _mm512_packs_epi32(r[0], r[1]);
      const __m512i w23 = _mm512_packs_epi32(r[2], r[3]);
      const __m512i b = kSigned ? _mm512_packs_epi16(w01, w23) : _mm512_packus_epi16(w01, w23);
      _mm512_storeu_si512(outr + i, _mm512_permutexvar_epi32(k.order, b));
    }
    for (; i < len; i += 16) {
      const auto m = static_cast<__mmask16>(len - i >= 16 ? 0xFFFFu : (1u << (len - i)) - 1);
      const __m512i r =
          Affine16<kSigned, kTwoPieces, true>(k, _mm_maskz_loadu_epi8(m, xr + i), c, i, m);
      _mm_mask_storeu_epi8(outr + i, m, _mm512_cvtepi32_epi8(r));
    }
  }
}

template <bool kSigned>
LABELITE_AVX512 void AffineRowFor(const AffineParams& p, const uint8_t* x, const AffineCoefs& c,
                                  uint8_t* out, int64_t n) {
  const bool clamp = p.act_min > (kSigned ? -128 : 0) || p.act_max < (kSigned ? 127 : 255);
  if (p.two_pieces) {
    if (clamp) AffineRow<kSigned, true, true>(p, x, c, out, n);
    else AffineRow<kSigned, true, false>(p, x, c, out, n);
  } else {
    if (clamp) AffineRow<kSigned, false, true>(p, x, c, out, n);
    else AffineRow<kSigned, false, false>(p, x, c, out, n);
  }
}

}  // namespace

void QuantArithAffineAvx512(const AffineParams& p, const uint8_t* x, const AffineCoefs& c,
                            uint8_t* out, int64_t n) {
  if (p.is_signed) AffineRowFor<true>(p, x, c, out, n);
  else AffineRowFor<false>(p, x, c, out, n);
}

void QuantArithBytesAvx512(const QuantArithParams& p, const uint8_t* x, const uint8_t* y,
                           uint8_t* out, int64_t n) {
  DispatchMode(p.mode, [&](auto mode) { Row<mode()>(p, x, y, 1, out, n); });
}

void QuantArithValuesAvx512(const QuantArithParams& p, const uint8_t* x, const int32_t* y,
                            int64_t y_step, uint8_t* out, int64_t n) {
  DispatchMode(p.mode, [&](auto mode) { Row<mode()>(p, x, y, y_step, out, n); });
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
