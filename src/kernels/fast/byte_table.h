// ByteTable: out[i] = table[in[i]] for any 256-entry byte table (requantization between uint8
// and int8, quantized lookup-table activations), exact by construction.
//
// On CPUs with AVX-512 VBMI, 64 bytes per step: two VPERMI2B lookups (table entries 0..127
// and 128..255, indexed by the low 7 bits) and a byte blend on the top bit. On AVX2, 32 bytes
// per step: 16 VPSHUFB lookups of 16-byte rows (kernels/x86/avx2/byte_table_avx2.h).
// Elsewhere, a plain loop.
#ifndef LABELITE_KERNELS_FAST_BYTE_TABLE_H_
#define LABELITE_KERNELS_FAST_BYTE_TABLE_H_

#include <array>
#include <cstddef>
#include <cstdint>

struct pthreadpool;
typedef struct pthreadpool* pthreadpool_t;

namespace labelite::xnn {

void ApplyByteTable(const std::array<uint8_t, 256>& table, const uint8_t* in, uint8_t* out,
                    size_t n);

// The same, split into 16 KiB chunks over `pool` when it is not null and n is at least 64 KiB
// (below that a pool dispatch costs more than the lookups).
void ApplyByteTable(const std::array<uint8_t, 256>& table, const uint8_t* in, uint8_t* out,
                    size_t n, pthreadpool_t pool);

// The same on the portable loop only (the oracle of the vector path in tests).
void ApplyByteTableScalar(const std::array<uint8_t, 256>& table, const uint8_t* in, uint8_t* out,
                          size_t n);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_FAST_BYTE_TABLE_H_
