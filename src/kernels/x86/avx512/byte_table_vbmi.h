// ApplyByteTable's AVX-512 VBMI loop (kernels/fast/byte_table.h): 64 bytes per step, two
// VPERMI2B lookups (entries 0..127 and 128..255 by the low 7 bits) and a blend on the top bit.
// Call only when ActiveIsa() >= IsaLevel::kAvx512.
#ifndef LABELITE_KERNELS_X86_AVX512_BYTE_TABLE_VBMI_H_
#define LABELITE_KERNELS_X86_AVX512_BYTE_TABLE_VBMI_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace labelite::xnn {

void ApplyByteTableVbmi(const std::array<uint8_t, 256>& table, const uint8_t* in, uint8_t* out,
                        size_t n);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_AVX512_BYTE_TABLE_VBMI_H_
