// ApplyByteTable's AVX2 loop (kernels/fast/byte_table.h): 32 bytes per step. The table is 16
// rows of 16 bytes; VPSHUFB looks up every row by the low nibble, then three levels of byte
// blends (VPBLENDVB on the bits of the high nibble) pick row x >> 4. Call only when
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
