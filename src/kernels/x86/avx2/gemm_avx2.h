// Avx2Gemm: the quantized GEMM under labelite's AVX2 convolutions (conv_avx2.h):
// C[m][n] = requantize(bias[n] + sum_k (A[m][k] - a_zp) * (W[n][k] - w_zp)), bit-identical to
// XNNPACK 2022's qs8, qc8 and qu8 GEMMs and convolutions (its "fp32" requantization), for CPUs
// with AVX2 + FMA and no AVX-512 (Haswell to Zen 3, Intel client chips).
//
// How it computes (steps):
//   1. Pack (once): output channels in blocks of 16 (two vectors of 8 int32 lanes); per block
//      and per pair of k, 32 values [vector][channel][2 k] of w - w_zp (int8 weights as they
//      are, uint8 minus the kernel zero point), stored as int8 when they all fit (always for
//      int8 weights; VPMOVSXBW widens them in the k loop), else as int16. Within a block the channels are
//      interleaved (vector 0 holds channels 0-3 and 8-11, vector 1 4-7 and 12-15) so that the
//      lane-wise saturating packs of step 4 leave the bytes in channel order.
//   2. A's rows become int16 a - a_zp (Run converts raw rows chunk by chunk into a stack
//      buffer; im2col callers write them directly, padding as 0), k rounded up to even.
//   3. Tiles of up to 6 rows x 16 channels (12 accumulators of 16 registers) accumulate int32:
//      per pair of k, one broadcast 32-bit (two int16 of the row) VPMADDWD against each weight
//      vector, VPADDD into the accumulator. Products and pair sums are exact in int32, and int32
//      sums wrap alike in any order, so the accumulator equals XNNPACK's (which folds the zero
//      points into its bias) as an int32.
//   4. Requantize as XNNPACK's "fp32" AVX2 kernels: f = float(acc) * scale, f = min(f, out_max -
//      zp), VCVTPS2DQ (nearest even), VPACKSSDW, + zp with int16 saturation, VPACKSSWB /
//      VPACKUSWB, clamp to [out_min, out_max]; rows are packed in pairs and one VPERMQ sorts the
//      two rows' 16 bytes. scale = input_scale * kernel_scale / output_scale in float.
// Ownership: owns its packed weights. Thread safety: Run is const; concurrent calls may share
// the object and must write different output rows or blocks.
// Usage:
//   Avx2Gemm gemm;
//   if (Avx2Gemm::Supported() && gemm.Pack(q, k, n, weights, bias))
//     gemm.Run(in, k, rows, out, n, 0, gemm.blocks());
#ifndef LABELITE_KERNELS_X86_AVX2_GEMM_AVX2_H_
#define LABELITE_KERNELS_X86_AVX2_GEMM_AVX2_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "kernels/fast/fast_conv.h"
#include "kernels/x86/avx2/requant_avx2.h"  // LABELITE_AVX2, <immintrin.h>

namespace labelite::xnn {

// The dot product under Avx2Gemm: VPMADDWD on int16 (every AVX2 CPU), or VPDPBUSD on bytes
// (twice the multiplies per instruction) VEX-encoded (AVX-VNNI: Alder Lake and later Intel
// client chips, which have no AVX-512) or EVEX-encoded (AVX512-VL VNNI: the same arithmetic, so
// that AVX-512 machines test the VNNI path; never chosen outside tests).
enum class Avx2Dot { kMaddwd, kAvxVnni, kEvexVnni };

// Prepared rows may hold K in `count` equal pieces (each a whole number of pairs, or of quads
// for VNNI bytes), piece s of row r at a + r * a_stride + s * stride (a convolution's kernel rows
// read in place in a padded copy of the image; int8 only for VNNI bytes).
struct Avx2GemmSegments {
  size_t count = 1;
  size_t stride = 0;  // in the rows' elements
};

class Avx2Gemm {
 public:
  static constexpr size_t kTileRows = 6;
  static constexpr size_t kBlockChannels = 16;

  // True when ActiveIsa() allows AVX2 (the CPU has AVX2 and FMA).
  static bool Supported();
  // Packs `weights` ([n][k], int8 or uint8 as q.is_signed says) and `bias` (n int32 or
  // nullptr). False when a requantization scale is outside XNNPACK's range [2^-32, 256).
  bool Pack(const ConvQuant& q, size_t k, size_t n, const void* weights, const int32_t* bias);

  using Segments = Avx2GemmSegments;
  // Rows of int16 a - a_zp, k_even() values each (the one past k, if any, 0), a_stride apart
  // (in int16). Outputs of column blocks [block_begin, block_end) for `rows` rows.
  void RunPrepared(const int16_t* a, size_t a_stride, size_t rows, uint8_t* c, size_t c_stride,
                   size_t block_begin, size_t block_end, Segments seg = {}) const;
  // The same from the input's own byte rows (k bytes each), converted in chunks.
  void Run(const uint8_t* a, size_t a_stride, size_t rows, uint8_t* c, size_t c_stride,
           size_t block_begin, size_t block_end) const;
  // `count` input bytes to int16 a - a_zp.
  void Convert(const uint8_t* src, size_t count, int16_t* dst) const;

  // VNNI (dot() != kMaddwd): rows of k_quad() bytes, a_stride apart, as ConvertBytes leaves
  // them (the bytes past k 0; positions outside an image pad_byte()).
  void RunPreparedBytes(const uint8_t* a, size_t a_stride, size_t rows, uint8_t* c,
                        size_t c_stride, size_t block_begin, size_t block_end,
                        Segments seg = {}) const;
  // `count` input bytes to the bytes VPDPBUSD reads (int8 flipped to uint8: a ^ 0x80).
  void ConvertBytes(const uint8_t* src, size_t count, uint8_t* dst) const;
  uint8_t pad_byte() const {
    return static_cast<uint8_t>(is_signed_ ? input_zero_point_ + 128 : input_zero_point_);
  }
  Avx2Dot dot() const { return dot_; }
  size_t k_quad() const { return 4 * ((k_ + 3) / 4); }
  // Pack chooses kAvxVnni when the CPU has AVX-VNNI, else kMaddwd; tests force a choice
  // (nullopt: back to the CPU's). Takes effect at the next Pack.
  static void ForceDotForTesting(std::optional<Avx2Dot> dot);
  // 16 input bytes to 16 int16 (short im2col spans: the caller may read and write past them).
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
  LABELITE_AVX2 void Convert16(const uint8_t* src, int16_t* dst) const {
    const __m256i zp = _mm256_set1_epi16(static_cast<int16_t>(input_zero_point_));
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    const __m256i w = is_signed_ ? _mm256_cvtepi8_epi16(v) : _mm256_cvtepu8_epi16(v);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm256_sub_epi16(w, zp));
  }
  // 16 bytes of ConvertBytes, inline (im2col's window rows: a call per 9-byte row of a
  // 3-channel first layer cost more than its multiplies).
  LABELITE_AVX2 void ConvertBytes16(const uint8_t* src, uint8_t* dst) const {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    const __m128i flip = _mm_set1_epi8(static_cast<char>(is_signed_ ? 0x80 : 0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm_xor_si128(v, flip));
  }
#endif

  size_t k() const { return k_; }
  size_t k_even() const { return 2 * k_pairs_; }
  size_t n() const { return n_; }
  size_t blocks() const { return (n_ + kBlockChannels - 1) / kBlockChannels; }
  int32_t input_zero_point() const { return input_zero_point_; }

 private:
  avx2::Requant OutputRequant() const;  // the tiles' output stage parameters
  static Avx2Dot ChooseDot();
  void PackVnni(const ConvQuant& q, const uint8_t* w8);
  int32_t RowTerm(const uint8_t* row) const;  // a VNNI row's uint8 correction
  void RunBytes(const uint8_t* a, size_t a_stride, size_t rows, uint8_t* c, size_t c_stride,
                size_t block_begin, size_t block_end) const;

  Avx2Dot dot_ = Avx2Dot::kMaddwd;
  size_t k_quads_ = 0;
  int32_t row_factor_ = 0;  // VNNI, uint8: 128 - kernel zero point
  bool is_signed_ = true;
  size_t k_ = 0, n_ = 0, k_pairs_ = 0;
  int32_t input_zero_point_ = 0;
  int32_t output_zero_point_ = 0, output_min_ = 0, output_max_ = 0;
  bool byte_weights_ = true;       // every w - w_zp fits int8: weights8_, else weights16_
  std::vector<int8_t> weights8_;   // per block: [k_pairs][2][8][2]; VNNI: [k_quads][2][8][4]
  std::vector<int16_t> weights16_;
  std::vector<int32_t> bias_;     // per block: [16], in the block's channel order
  std::vector<float> scales_;     // likewise
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_AVX2_GEMM_AVX2_H_
