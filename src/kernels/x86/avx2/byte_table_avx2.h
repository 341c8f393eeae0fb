// ApplyByteTable's AVX2 loop (kernels/fast/byte_table.h): 32 bytes per step. The table is 16
// rows of 16 bytes; VPSHUFB looks up one row by the low nibble. Row k answers only the bytes
// whose high nibble is k: before the lookup, x - 16k is moved by a saturating add of 0x70 so
// that values 0..15 keep bit 7 clear (and their low nibble) and every other value gets bit 7
// set, which makes VPSHUFB write 0. The 16 lookups are ORed. Call only when
// ActiveIsa() >= IsaLevel::kAvx2.
#ifndef LABELITE_KERNELS_X86_AVX2_BYTE_TABLE_AVX2_H_
#define LABELITE_KERNELS_X86_AVX2_BYTE_TABLE_AVX2_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace labelite::xnn {

void ApplyByteTableAvx2(const std::array<uint8_t, 256>& table, const uint8_t* in, uint8_t* out,
                        size_t n);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_AVX2_BYTE_TABLE_AVX2_H_
