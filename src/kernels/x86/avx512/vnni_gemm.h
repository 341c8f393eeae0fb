// VnniGemm: the quantized GEMM under labelite's VNNI convolutions (conv1x1_vnni.h, conv_vnni.h):
// C[m][n] = requantize(bias[n] + sum_k (A[m][k] - a_zp) * (W[n][k] - w_zp)), bit-identical to
// XNNPACK 2022's qs8, qc8 and qu8 GEMMs and convolutions (its "fp32" requantization).
//
// How it computes (steps):
//   1. Pack (once): output channels are cut into blocks of 1 to 4 vectors of 16; per block and
//      per group of 4 k, NB x 64 bytes [vector][channel][4 k] of int8. VPDPBUSD multiplies
//      unsigned bytes by signed bytes, so int8 activations are flipped to uint8 (a ^ 0x80 =
//      a + 128) and uint8 weights to int8 (w - 128); the bias absorbs the constant terms (zero
//      points, the 128 shifts). Within blocks of 2 and 4 vectors the channels are interleaved
//      so that the saturating packs of step 4 leave the bytes in channel order.
//   2. Run, per chunk of up to 48 rows: uint8 only, each row's sum times (128 - w_zp) (the
//      weight shift's correction); then per column block, tiles of MR rows x NB vectors
//      (MR = 16, 8, 8, 6 for NB = 1..4: 16 to 24 accumulators) accumulate int32 with
//      VPDPBUSD, one broadcast 4-byte activation group against NB weight vectors.
//   3. Requantize as XNNPACK's "fp32" kernels: f = float(acc) * scale, f = min(f, out_max -
//      zp), rounded to nearest even (VCVTPS2DQ); scale = input_scale * kernel_scale /
//      output_scale in float, as XNNPACK computes it. When every scale is below 1, |f| < 2^31
//      converts without overflow and the min moves after rounding (step 4): rounding is
//      monotonic and keeps integers, so min(round(f), hi) = round(min(f, hi)).
//   4. Narrow as XNNPACK does: VPACKSSDW pairs of vectors, add zp with int16 saturation, then
//      VPACKSSWB/VPACKUSWB and clamp to [out_min, out_max]. Blocks of 4 give a row's 64 bytes
//      in order; blocks of 2 pack two rows together and VPERMQ separates them, blocks of 1
//      four rows and VPERMD transposes them. A lone row of a block of 2 clamps as int16, then
//      VPMOVWB; blocks of 3 and lone rows of blocks of 1 clamp both sides in float, add zp and
//      VPMOVDB. Saturation only moves values that the clamp moves anyway, so all these give
//      XNNPACK's bytes.
// The tile of steps 2 to 4 lives in vnni_gemm_tile.h; packing and the chunk loop here.
// Ownership: owns its packed weights. Thread safety: Run is const; concurrent calls may share
// the object and must write different output rows or blocks.
// Usage:
//   VnniGemm gemm;
//   if (VnniGemm::Supported() && gemm.Pack(q, k, n, weights, bias))
//     gemm.Run({.a = in, .a_stride = k, .rows = m, .c = out, .c_stride = n}, 0, gemm.blocks());
#ifndef LABELITE_KERNELS_X86_AVX512_VNNI_GEMM_H_
#define LABELITE_KERNELS_X86_AVX512_VNNI_GEMM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/fast/fast_conv.h"

namespace labelite::xnn {

class VnniGemm {
 public:
  // The rows of A and where their outputs go.
  struct Rows {
    const uint8_t* a = nullptr;  // row r starts at a + r * a_stride
    size_t a_stride = 0;
    size_t rows = 0;
    // Rows prepared by the caller (im2col): int8 already flipped to uint8 (a ^ 0x80), and
    // k rounded up to a multiple of 4 readable bytes, the extra ones 0. Otherwise rows are the
    // input's own bytes and exactly k of them are read.
    bool prepared = false;
    // Prepared rows only: K read in `segments` equal pieces (each a multiple of 4 bytes), piece
    // s of row r at a + r * a_stride + s * segment_stride (a convolution's kernel rows read in
    // a padded copy of the image instead of im2col rows).
    size_t segments = 1;
    size_t segment_stride = 0;
    uint8_t* c = nullptr;  // output row r starts at c + r * c_stride
    size_t c_stride = 0;
  };

  // True when the CPU has AVX512F, BW, VL and VNNI.
  static bool Supported();
  // Packs `weights` ([n][k], int8 or uint8 as q.is_signed says) and `bias` (n int32 or
  // nullptr). False when a requantization scale is outside XNNPACK's range [2^-32, 256).
  bool Pack(const ConvQuant& q, size_t k, size_t n, const void* weights, const int32_t* bias);
  // The outputs of column blocks [block_begin, block_end) (see block_column) for `rows`.
  void Run(const Rows& rows, size_t block_begin, size_t block_end) const;

  size_t k() const { return k_; }
  size_t n() const { return n_; }
  size_t blocks() const { return blocks_.size(); }
  // The first output channel of block b (b <= blocks()).
  size_t block_column(size_t b) const {
    return b < blocks_.size() ? 16 * blocks_[b].first_vector : n_;
  }

 private:
  struct Block {
    size_t first_vector;  // its first output channel / 16
    size_t vectors;       // NB: 1..4 vectors of 16 channels
  };
  void RunChunk(const Rows& rows, size_t block_begin, size_t block_end) const;

  bool is_signed_ = true;
  size_t k_ = 0, n_ = 0, k_groups_ = 0;
  int32_t input_factor_ = 0;  // uint8: 128 - kernel_zp, times each row's input sum
  int32_t output_zero_point_ = 0, output_min_ = 0, output_max_ = 0;
  bool clamp_in_float_ = false;          // some scale >= 1 (see step 3)
  float out_lo_ = 0.0f, out_hi_ = 0.0f;  // output_min/max - zero point
  std::vector<Block> blocks_;
  std::vector<int8_t> weights_;  // per block: [k_groups][NB][16][4]
  std::vector<int32_t> bias_;    // per block: [NB * 16], in the block's channel order
  std::vector<float> scales_;    // likewise
};

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_AVX512_VNNI_GEMM_H_
