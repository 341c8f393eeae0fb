// Quantized ADD/SUB/MUL rows (kernels/fast/quantized_arith.h) on AVX2 (8 elements per step,
// portable tail) and AVX-512 (16 per step, masked tail). x86-64 only.
#ifndef LABELITE_KERNELS_X86_QUANTIZED_ARITH_X86_H_
#define LABELITE_KERNELS_X86_QUANTIZED_ARITH_X86_H_

#include <cstdint>

#include "kernels/fast/quantized_arith.h"

namespace labelite::xnn {

void QuantArithBytesAvx2(const QuantArithParams& p, const uint8_t* x, const uint8_t* y,
                         uint8_t* out, int64_t n);
void QuantArithValuesAvx2(const QuantArithParams& p, const uint8_t* x, const int32_t* y,
                          int64_t y_step, uint8_t* out, int64_t n);
void QuantArithAffineAvx2(const AffineParams& p, const uint8_t* x, const AffineCoefs& c,
                          uint8_t* out, int64_t n);
void QuantArithAffineAvx512(const AffineParams& p, const uint8_t* x, const AffineCoefs& c,
                            uint8_t* out, int64_t n);
void QuantArithBytesAvx512(const QuantArithParams& p, const uint8_t* x, const uint8_t* y,
                           uint8_t* out, int64_t n);
void QuantArithValuesAvx512(const QuantArithParams& p, const uint8_t* x, const int32_t* y,
                            int64_t y_step, uint8_t* out, int64_t n);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_QUANTIZED_ARITH_X86_H_
