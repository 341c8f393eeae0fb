// F32Gemm: labelite's float32 GEMM for CONV_2D (conv_f32_gemm.cc) and FULLY_CONNECTED,
// bit-identical to XNNPACK 2022's f32 gemm/igemm operators (convolution, fully connected):
//   c[row][j] = clamp(bias[j] + sum over k of a[row][k] * w[j][k], min, max)
// with the same float operations in the same order: acc = bias, then for k = 0..K-1 one
// acc = fma(a, w, acc) (K = taps * cin: kernel taps outer, input channels inner, as XNNPACK's
// igemm walks its indirection buffer), then max(acc, min), min(acc, max).
//
// How it computes (steps):
//   1. Pack (once): weights [n][K] (TFLite's [cout][kh][kw][cin], or FULLY_CONNECTED's
//      [units][k]) into panels of W columns, each [W bias][K][W weights], zero-padded past n
//      (W = 16 for AVX2; 32 for AVX-512, so its tile reads its 32 columns' weights as one
//      sequential stream: inside a model the weights come from memory).
//   2. Run: the rows in tiles of mr() rows or as F32Tiling::starts cuts them (AVX2: 6 rows x 16
//      columns in 12 ymm accumulators; AVX-512: 7 rows x 32 columns in zmm), each tile's rows
//      given as per-tap row pointers (an indirection buffer filled by the caller's FillFn: a
//      KxK convolution points taps outside the image at a row of zeros, a GEMM points at its
//      rows). The micro-kernel keeps the tile's accumulators in registers over all of K, then
//      runs the next panel on the same rows (the rows stay in L1). The first tile of a task
//      reads the panels' weights first, inside a model from memory: it prefetches them 16 KB
//      ahead (F32Tile::prefetch; the hardware prefetcher alone left it waiting: 0.83-0.91x on
//      Inception v3, DenseNet-121 and EfficientNet-B0 float, Zen 5); the later tiles find them
//      in L2. Tiles of 1-3 rows (a batch-1 FULLY_CONNECTED, squeeze-excite blocks' 1x1 pixels,
//      a layer's last rows) run 2-4 panels at once: one panel's 2-6 accumulator chains would
//      wait on the FMA latency. A GEMM of one tile of rows runs all its panels in one group.
//   3. Skips (F32Steps), same bits: a tap whose row pointers are all the zero row (padding,
//      F32Tiling::zeros) is not run in that tile, weights and all (F32Tile::skip); after a
//      ReLU (set_zero_steps), nor is a channel of a tap that is zero in every row of the tile
//      (all tiles but a task's first, which streams the weights in order; when the model's
//      weights stay in the last-level cache, first tiles of 1-3 rows too: set_zero_steps).
//   4. Threads take (panel group, row block) tasks: panel groups keep their weights within
//      256 KB (L2); row blocks are split across threads when rows outnumber columns, else the
//      panel groups are made smaller.
// Ownership: owns its packed weights. Thread safety: Run is const and may run concurrently.
// Usage (FULLY_CONNECTED: one tap, K = input size):
//   std::unique_ptr<F32Gemm> gemm = F32Gemm::Make(1, k, units, weights, bias, min, max);
//   if (gemm != nullptr) gemm->Run(input, k, batch, output, units, pool);  // else XNNPACK
#ifndef LABELITE_KERNELS_X86_AVX2_GEMM_F32_H_
#define LABELITE_KERNELS_X86_AVX2_GEMM_F32_H_

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <memory>
#include <type_traits>
#include <vector>

#include "kernels/fast/isa.h"
#include "runtime/kernel.h"  // FloatOutputFunction

struct pthreadpool;
typedef struct pthreadpool* pthreadpool_t;

namespace labelite::xnn {

struct FastConvF32Spec;
class FastConv;

// One micro-kernel call: rows x (W * panels) outputs.
struct F32Tile {
  size_t rows = 0;            // valid rows, 1..mr
  size_t taps = 1, cin = 0;   // K = taps * cin
  const float* const* a = nullptr;  // [taps][mr] row pointers; rows past `rows` repeat one
  const float* w = nullptr;   // the first panel
  size_t panels = 0;          // panels to run
  size_t panel_stride = 0;    // floats per panel: W * (K + 1)
  float* c = nullptr;         // output of row 0, column 0 of the first panel
  size_t c_stride = 0;        // floats between output rows
  size_t cols = 0;            // valid columns from c (the last panel may be partial)
  float min = 0, max = 0;
  bool prefetch = false;  // the first tile of the panels: fetch their weights ahead
  // [taps] or null: a nonzero entry marks a tap whose rows all read the zero row (padding);
  // the tile skips it and its weights. Same result bit for bit: fma(0, w, acc) is acc for
  // finite w, except that XNNPACK's would turn an acc of -0 into +0 and an infinite or NaN w
  // into NaN (TFLite's reference kernel skips the padding too).
  const uint8_t* skip = nullptr;
  // Look for the k steps whose inputs are zero in every row, and skip them (F32Steps).
  bool zero_steps = false;
  // The weights come from the last-level cache, not memory (F32Gemm::set_zero_steps).
  bool weights_cached = false;
};
using F32TileFn = void (*)(const F32Tile& tile);

// The k steps a tile runs, in order (taps outer, channels inner): every channel of every tap
// but those whose input is zero in every row of the tile, +0 or -0 (after ReLU, where about
// half the inputs are zero and neighbouring pixels are zero together: 29-32% of the k steps of
// a 7-row tile in DenseNet-121, ResNet and Inception v3 float), and the taps F32Tile::skip
// marks. Same bits as running them: fma(0, w, acc) is
// acc, with the exceptions F32Tile::skip names (an acc of -0, an infinite or NaN w).
// Built per tile by the ISA's tile function (BuildF32Steps there), shared by all its panels.
struct F32Steps {
  std::vector<uint32_t> k;  // tap * cin + channel of each step (k.size() >= total + 16)
  size_t total = 0;         // steps
  size_t runs = 0;          // taps with steps
  uint16_t taps[256];       // [runs]: those taps, ascending
  uint32_t begin[257];      // [runs + 1]: their first step in k
};

// Whether tile t looks for zero steps: in tiles that reuse their weights from L1/L2 (not the
// first of a task, which streams them: it keeps to their order for the hardware prefetcher; from
// memory, the 1-row layers of Inception v3 over 2.3 MB of weights took 1.3-1.5x as long), or of
// 1-3 rows streaming them from the last-level cache (weights_cached: there, reading fewer is
// faster; a 1-row GEMM has only that tile), and where the look costs little beside the steps:
// 16 steps or more and (steps x columns) of 384 or more. Zen 4, 1 thread, against a floor of
// 32 steps and 32 columns: MobileNet v2's projections to 8-24 channels after a ReLU6 took
// 3-8% less time at AVX2 and 10-30% less at AVX-512, MobileNet v1's 32x32x16 -> 32 5-17% less;
// 48x48x8 -> 48 (8 steps) took 8% longer with the look, 48x48x16 -> 8 12-28% longer.
inline bool F32ScanZeroSteps(const F32Tile& t) {
  const size_t k = t.taps * t.cin;
  return t.zero_steps && (!t.prefetch || (t.rows <= 3 && t.weights_cached)) && k >= 16 &&
         k * std::min<size_t>(t.cols, 64) >= 384;
}
// This thread's F32Steps, for the tile functions (gemm_f32.cc).
F32Steps& F32ThreadSteps();
// What the tiles that run every step are passed.
inline const F32Steps kF32NoSteps{};

// Builds the F32Steps of tile t (rows t.a[tap * mr + r], all mr valid) into s. With `scan`,
// `chunk(p, i, step, out)` writes to out the steps (step + c) of the channels c in [i, i + lanes)
// of one tap (row pointers p) that some row reads as nonzero, and returns how many (the ISA
// tile's vector compress; out has room for `lanes` more); without, every channel of a tap runs
// and only F32Tile::skip's taps are left out. Returns false when the tile would run every k of
// every tap, or so nearly (within 1/8) that the plain loop is faster (a step of the list costs
// ~10% more).
template <size_t kLanes, typename Chunk>
[[gnu::always_inline]] inline bool F32BuildSteps(const F32Tile& t, size_t mr, bool scan,
                                                 F32Steps& s, Chunk chunk) {
  const size_t k = t.taps * t.cin;
  if (s.k.size() < k + kLanes) s.k.resize(k + kLanes);
  uint32_t* out = s.k.data();
  size_t n = 0;
  s.runs = 0;
  for (size_t tap = 0; tap < t.taps; ++tap) {
    if (t.skip != nullptr && t.skip[tap] != 0) continue;
    const float* const* p = t.a + tap * mr;
    const size_t first = n;
    const auto step = static_cast<uint32_t>(tap * t.cin);
    if (scan) {
      for (size_t i = 0; i < t.cin; i += kLanes)
        n += chunk(p, i, step + static_cast<uint32_t>(i), out + n);
    } else {
      for (size_t i = 0; i < t.cin; ++i) out[n++] = step + static_cast<uint32_t>(i);
    }
    if (n == first) continue;
    s.taps[s.runs] = static_cast<uint16_t>(tap);
    s.begin[s.runs++] = static_cast<uint32_t>(first);
  }
  s.begin[s.runs] = static_cast<uint32_t>(n);
  s.total = n;
  if (t.skip == nullptr && n > k - k / 8) return false;
  return n < k;
}

// Prefetch cursor over a tile's weight stream when it runs F32Steps: the weights of the step
// `ahead` steps on (over its panels in order; a plain address ahead would fetch the skipped
// steps' weights and leave the next run step's to demand misses: Inception v3's 1x7 layers over
// 3x3 pixels took 20-25% longer inside the model at AVX2). Next() once per step, in order.
class F32StepPrefetch {
 public:
  F32StepPrefetch(const F32Tile& t, const F32Steps& s, size_t width, size_t panel, size_t ahead)
      : t_(t), s_(s), width_(width), panel_(panel) {
    if (s.total == 0) {
      panel_ = t.panels;
      return;
    }
    panel_ += ahead / s.total;
    pos_ = ahead % s.total;
  }
  const char* Next() {
    if (panel_ >= t_.panels) return nullptr;
    const float* w = t_.w + panel_ * t_.panel_stride + width_ + size_t{s_.k[pos_]} * width_;
    if (++pos_ == s_.total) pos_ = 0, ++panel_;
    return reinterpret_cast<const char*>(w);
  }

 private:
  const F32Tile& t_;
  const F32Steps& s_;
  size_t width_, panel_, pos_ = 0;
};

// Walks tile t's k steps in order (rows t.a[tap * mr + r]): step(a, i, k) with the row pointers
// `a` of the step's tap, its channel i and k = tap * cin + i. kSteps: only s's steps (F32Steps),
// else every channel of every tap. Inlined into each ISA's tile, with its step.
template <bool kSteps, typename Step>
[[gnu::always_inline]] inline void F32ForEachStep(const F32Tile& t, size_t mr, const F32Steps& s,
                                                  Step step) {
  if constexpr (kSteps) {
    const uint32_t* const ks = s.k.data();
    for (size_t j = 0; j < s.runs; ++j) {
      const size_t base = size_t{s.taps[j]} * t.cin;
      const float* const* a = t.a + size_t{s.taps[j]} * mr;
      const uint32_t* const end = ks + s.begin[j + 1];
      for (const uint32_t* e = ks + s.begin[j]; e != end; ++e) step(a, *e - base, *e);
    }
  } else {
    for (size_t tap = 0, k = 0; tap < t.taps; ++tap) {
      const float* const* a = t.a + tap * mr;
      for (size_t i = 0; i < t.cin; ++i, ++k) step(a, i, k);
    }
  }
}

// Runs the leading full panels (`width` columns each) of a tile of R rows several at once, as
// each ISA's PanelsFew does: few(std::integral_constant<int, P>(), w, c) on groups of kP panels,
// then (one row) a last group of 3 or 2. Returns the panels run; the caller runs the rest one
// by one. Tiles of more than 3 rows run none this way.
template <int R, int kP, typename Few>
[[gnu::always_inline]] inline size_t F32RunFewPanels(const F32Tile& t, size_t width, Few few) {
  if constexpr (R > 3) {
    return 0;
  } else {
    const size_t full = std::min(t.panels, t.cols / width);
    const float* w = t.w;
    float* c = t.c;
    size_t p = 0;
    for (; p + kP <= full; p += kP, w += kP * t.panel_stride, c += kP * width)
      few(std::integral_constant<int, kP>(), w, c);
    if constexpr (R == 1) {
      if (p + 3 <= full) {
        few(std::integral_constant<int, 3>(), w, c);
        p += 3;
      } else if (p + 2 <= full) {
        few(std::integral_constant<int, 2>(), w, c);
        p += 2;
      }
    }
    return p;
  }
}

void F32TileAvx2(const F32Tile& tile);    // 6 rows (avx2/gemm_f32.cc)
void F32TileAvx512(const F32Tile& tile);  // 7 rows (avx512/gemm_f32_avx512.cc)
constexpr size_t kF32TileRowsAvx2 = 6;
constexpr size_t kF32TileRowsAvx512 = 7;
constexpr size_t kF32PanelAvx512 = 32;  // W of the AVX-512 tile (AVX2: 16)
constexpr size_t kF32MaxTileRows = 16;

// How F32Gemm::RunIndirect cuts the rows into tiles, and what it may skip.
struct F32Tiling {
  // Tile i is rows [starts[i], starts[i + 1]) (at most mr() rows), starts.back() == m; null:
  // tiles of mr() rows.
  const std::vector<uint32_t>* starts = nullptr;
  // The zero row the FillFn points taps outside the image at: a tap that reads it in every
  // row of a tile is skipped (F32Tile::skip). Null: nothing is skipped.
  const float* zeros = nullptr;
  // Every tile's row pointers as the FillFn gives them, [tile][taps][mr], kept by the caller
  // for its input buffer: the tiles read them in place (copying them cost a fifth of an RGB
  // stem's time). Tiles with fresh[tile] != 0 call the FillFn instead. Null: every tile does.
  const float* const* ptrs = nullptr;
  const uint8_t* fresh = nullptr;  // [tile], with ptrs
};

class F32Gemm {
 public:
  // Fills ptrs[tap * mr + r] with the row pointers of rows [row, row + count), and entries
  // r >= count with a valid row's (count >= 1).
  using FillFn = void (*)(const void* context, size_t row, size_t count, size_t mr,
                          const float** ptrs);
  static constexpr size_t kMaxTaps = 256;

  // The kernel of `level` (kAvx2 or kAvx512), or nullptr when ActiveIsa() is below it or the
  // shape is out of range (taps > kMaxTaps). weights [n][taps * cin]; bias n values or null.
  static std::unique_ptr<F32Gemm> Make(size_t taps, size_t cin, size_t n, const float* weights,
                                       const float* bias, float min, float max,
                                       IsaLevel level);
  // The best level ActiveIsa() allows (AVX-512 when active, else AVX2), or nullptr. CONV_2D
  // and FULLY_CONNECTED reach it through MakeFastConv (fast_conv_list.inc).
  static std::unique_ptr<F32Gemm> Make(size_t taps, size_t cin, size_t n, const float* weights,
                                       const float* bias, float min, float max);

  // Plain GEMM (taps must be 1): c[m][n] rows c_stride apart from a[m][cin] rows a_stride apart.
  void Run(const float* a, size_t a_stride, size_t m, float* c, size_t c_stride,
           pthreadpool_t pool) const;
  // m rows whose inputs `fill` gives; output rows c_stride apart.
  void RunIndirect(FillFn fill, const void* context, size_t m, float* c, size_t c_stride,
                   pthreadpool_t pool, const F32Tiling& tiling = F32Tiling()) const;

  // The inputs come from a ReLU: tiles skip the k steps zero in all their rows (F32Steps);
  // weights_cached: the model's weights stay in the last-level cache (WeightsStayCached,
  // fast/zero_inputs.h), so tiles of 1-3 rows that stream them skip those steps too.
  void set_zero_steps(bool on, bool weights_cached = false) {
    zero_steps_ = on;
    weights_cached_ = weights_cached;
  }
  // Each tile applies f to the outputs it has just stored, after the clamp
  // (FastConv::FuseOutputFunction); empty: nothing. Set before Run.
  void set_output_function(const FloatOutputFunction& f) { output_function_ = f; }

  size_t mr() const { return mr_; }
  size_t n() const { return n_; }
  IsaLevel level() const { return level_; }

 private:
  struct Context;
  static void Task(void* context, size_t group, size_t block);
  void RunRange(const Context& x, size_t tile_begin, size_t tile_end, size_t panel_begin,
                size_t panel_end) const;

  IsaLevel level_ = IsaLevel::kAvx2;
  F32TileFn tile_ = nullptr;
  size_t mr_ = 0, width_ = 16, taps_ = 1, cin_ = 0, n_ = 0, panels_ = 0, panel_stride_ = 0;
  float min_ = 0, max_ = 0;
  bool zero_steps_ = false, weights_cached_ = false;
  FloatOutputFunction output_function_;
  std::vector<float> packed_;  // panels_ * panel_stride_ floats from a 64-byte boundary
  size_t offset_ = 0;          // first float of packed_ on that boundary
};

// CONV_2D on F32Gemm at `level` (conv_f32_gemm.cc), or nullptr: the factories of
// fast_conv_list.inc (MakeConvF32GemmAvx2, MakeConvF32GemmAvx512) call it.
std::unique_ptr<FastConv> MakeConvF32Gemm(const FastConvF32Spec& spec, IsaLevel level);
// kernel_w * cin when MakeConvF32Gemm merges a kernel row's taps into one (narrow windows:
// RGB stems, patch embeddings), else 0.
size_t MergedConvRowFloats(const FastConvF32Spec& spec);
std::unique_ptr<FastConv> MakeConvF32GemmAvx2(const FastConvF32Spec& spec);
std::unique_ptr<FastConv> MakeConvF32GemmAvx512(const FastConvF32Spec& spec);

}  // namespace labelite::xnn

#endif  // LABELITE_KERNELS_X86_AVX2_GEMM_F32_H_
