#include "kernels/x86/avx2/gemm_f32.h"

#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <immintrin.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cstdint>

#include "kernels/x86/avx2/requant_avx2.h"  // LABELITE_AVX2
#include "kernels/x86/denormals.h"
#include "runtime/work_pool.h"

namespace labelite::xnn {
namespace {

constexpr size_t kPanel = 16;
constexpr size_t kGroupBytes = 256 * 1024;  // packed weights per panel group (L2)
constexpr size_t kTaskMacs = size_t{1} << 21;  // ~50 us of one core
constexpr size_t kMaxPtrs = F32Gemm::kMaxTaps * kF32MaxTileRows;

// Step 2's default FillFn: rows of a plain matrix.
struct Rows {
  const float* a;
  size_t stride;
};
void FillRows(const void* context, size_t row, size_t count, size_t mr, const float** ptrs) {
  const auto* r = static_cast<const Rows*>(context);
  for (size_t i = 0; i < mr; ++i) ptrs[i] = r->a + (row + std::min(i, count - 1)) * r->stride;
}

// The first tile of a group of panels prefetches their weights this far ahead (both tiles,
// see gemm_f32.h): inside a model the weights come from memory.
constexpr size_t kPrefetchBytes = 16384;

LABELITE_AVX2 inline __m256i MaskOf(size_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::min<size_t>(n, 8))),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Rows [0, R) (R <= 6) x 16 columns: up to 12 accumulators, 2 weight vectors, 1 broadcast
// (15 of 16 ymm registers). Fewer rows than 6 (the last tile, a batch-1 FULLY_CONNECTED) do
// only their own FMAs; kHalf: only the first 8 columns (a last panel of <= 8 channels).
// A partial panel stores its full 8-column halves plainly: VMASKMOVPS stores are slow on AMD
// (mobilenet_v2's 48x48x16 -> 8 projection, all masked: 18 us, LiteRT 12.7; now 10).
// kSteps: the tile runs F32Steps (it skips some k); else every k of every tap in order.
template <int R, bool kHalf, bool kSteps>
LABELITE_AVX2 void Panel6x16(const F32Tile& t, const float* w, float* c, size_t cols,
                             size_t panel, const F32Steps& s) {
#define LABELITE_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define LABELITE_INIT(r) __m256 acc##r##a = b0, acc##r##b = b1;
  const __m256 b0 = _mm256_load_ps(w), b1 = _mm256_load_ps(w + 8);
  LABELITE_ROWS(LABELITE_INIT)
#undef LABELITE_INIT
  w += kPanel;
  const float* const taps_w = w;
#define LABELITE_PTR(r) const float* a##r = r < R ? p[r] : nullptr;
#define LABELITE_FMA(r)                                               \
  if constexpr (r < R) {                                              \
    const __m256 x = _mm256_broadcast_ss(a##r + i);                   \
    acc##r##a = _mm256_fmadd_ps(x, w0, acc##r##a);                    \
    if constexpr (!kHalf) acc##r##b = _mm256_fmadd_ps(x, w1, acc##r##b); \
  }
#define LABELITE_STEP                                                               \
  const __m256 w0 = _mm256_load_ps(w), w1 = kHalf ? w0 : _mm256_load_ps(w + 8);     \
  LABELITE_ROWS(LABELITE_FMA)
  if constexpr (kSteps) {
    const uint32_t* const ks = s.k.data();
#define LABELITE_RUN_STEPS(PREFETCH)                                 \
  for (size_t j = 0; j < s.runs; ++j) {                              \
    const size_t base = size_t{s.taps[j]} * t.cin;                   \
    const float* const* p = t.a + size_t{s.taps[j]} * kF32TileRowsAvx2; \
    LABELITE_ROWS(LABELITE_PTR)                                      \
    const uint32_t* const end = ks + s.begin[j + 1];                 \
    for (const uint32_t* e = ks + s.begin[j]; e != end; ++e) {       \
      const size_t i = *e - base;                                    \
      w = taps_w + size_t{*e} * kPanel;                              \
      PREFETCH                                                       \
      LABELITE_STEP                                                  \
    }                                                                \
  }
    if (t.prefetch) {  // the prefetch follows the steps, so it skips what the tile skips
      F32StepPrefetch ahead(t, s, kPanel, panel, kPrefetchBytes / (kPanel * sizeof(float)));
      LABELITE_RUN_STEPS(if (const char* q = ahead.Next()) _mm_prefetch(q, _MM_HINT_T0);)
    } else {
      LABELITE_RUN_STEPS()
    }
#undef LABELITE_RUN_STEPS
  } else {
    for (size_t tap = 0; tap < t.taps; ++tap) {
      const float* const* p = t.a + tap * kF32TileRowsAvx2;
      LABELITE_ROWS(LABELITE_PTR)
      for (size_t i = 0; i < t.cin; ++i, w += kPanel) {
        if (t.prefetch) _mm_prefetch(reinterpret_cast<const char*>(w) + kPrefetchBytes, _MM_HINT_T0);
        LABELITE_STEP
      }
    }
  }
#undef LABELITE_STEP
#undef LABELITE_FMA
#undef LABELITE_PTR
  const __m256 lo = _mm256_set1_ps(t.min), hi = _mm256_set1_ps(t.max);
  const __m256i mask_a = MaskOf(cols), mask_b = MaskOf(cols > 8 ? cols - 8 : 0);
#define LABELITE_STORE(r)                                                       \
  if constexpr (r < R) {                                                        \
    float* o = c + r * t.c_stride;                                              \
    const __m256 va = _mm256_min_ps(_mm256_max_ps(acc##r##a, lo), hi);          \
    const __m256 vb = _mm256_min_ps(_mm256_max_ps(acc##r##b, lo), hi);          \
    if (cols >= kPanel) {                                                       \
      _mm256_storeu_ps(o, va);                                                  \
      _mm256_storeu_ps(o + 8, vb);                                              \
    } else if (cols >= 8) {                                                     \
      _mm256_storeu_ps(o, va);                                                  \
      if constexpr (!kHalf) _mm256_maskstore_ps(o + 8, mask_b, vb);             \
    } else {                                                                    \
      _mm256_maskstore_ps(o, mask_a, va);                                       \
    }                                                                           \
  }
  LABELITE_ROWS(LABELITE_STORE)
#undef LABELITE_STORE
#undef LABELITE_ROWS
}

// Rows [0, R) (R <= 3) of P full panels at once (P = 4 for one row, else 2): 8 or 12
// accumulator chains. 1-3 rows of one panel are only 2-6: each FMA then waits on the one before
// it in its column (4 cycles), where 8 keep both FMA pipes busy. A batch-1 FULLY_CONNECTED or a
// squeeze-excite block's 1x1-pixel convolution is all such tiles, and a layer's last rows often
// (Zen 4, 1 thread, weights in L2: 1 row x 1280 -> 128 11.2 -> 6.0 us, 2 rows 12.1 -> 7.5,
// 3 rows 12.0 -> 8.5; MobileNet v2's logits 1280 -> 1000 from L3 89 -> 61 us, XNNPACK's 1x16
// kernel 88). Each column's FMAs stay in order: same bits. No software prefetch: with P streams
// the hardware prefetcher keeps up, and the prefetches cost (those logits: 85 us with them).
template <int R, int P, bool kSteps>
LABELITE_AVX2 void PanelsFew(const F32Tile& t, const float* w, float* c, const F32Steps& s) {
  const size_t stride = t.panel_stride;
  __m256 acc[R][P][2];
#pragma GCC unroll 4
  for (int q = 0; q < P; ++q) {
    const __m256 b0 = _mm256_load_ps(w + q * stride), b1 = _mm256_load_ps(w + q * stride + 8);
#pragma GCC unroll 3
    for (int r = 0; r < R; ++r) acc[r][q][0] = b0, acc[r][q][1] = b1;
  }
  const float* const taps_w = w + kPanel;
  // One step: input channel i of rows a[], weights of step k.
  const auto step = [&](const float* const* a, size_t i, size_t k) LABELITE_AVX2 {
    const float* wk = taps_w + k * kPanel;
    __m256 x[R];
#pragma GCC unroll 3
    for (int r = 0; r < R; ++r) x[r] = _mm256_broadcast_ss(a[r] + i);
#pragma GCC unroll 4
    for (int q = 0; q < P; ++q) {
      const __m256 w0 = _mm256_load_ps(wk + q * stride), w1 = _mm256_load_ps(wk + q * stride + 8);
#pragma GCC unroll 3
      for (int r = 0; r < R; ++r) {
        acc[r][q][0] = _mm256_fmadd_ps(x[r], w0, acc[r][q][0]);
        acc[r][q][1] = _mm256_fmadd_ps(x[r], w1, acc[r][q][1]);
      }
    }
  };
  F32ForEachStep<kSteps>(t, kF32TileRowsAvx2, s, step);
  const __m256 lo = _mm256_set1_ps(t.min), hi = _mm256_set1_ps(t.max);
#pragma GCC unroll 3
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int q = 0; q < P; ++q) {
      float* o = c + r * t.c_stride + q * kPanel;
      _mm256_storeu_ps(o, _mm256_min_ps(_mm256_max_ps(acc[r][q][0], lo), hi));
      _mm256_storeu_ps(o + 8, _mm256_min_ps(_mm256_max_ps(acc[r][q][1], lo), hi));
    }
  }
}

template <int R, bool kSteps>
LABELITE_AVX2 void Panels6x16(const F32Tile& t, const F32Steps& s) {
  // 1-3 rows: the full panels several at once first.
  size_t p = F32RunFewPanels<R, R == 1 ? 4 : 2>(
      t, kPanel, [&](auto panels, const float* w, float* c) LABELITE_AVX2 {
        PanelsFew<R, decltype(panels)::value, kSteps>(t, w, c, s);
      });
  const float* w = t.w + p * t.panel_stride;
  float* c = t.c + p * kPanel;
  for (; p < t.panels; ++p, w += t.panel_stride, c += kPanel) {
    const size_t cols = t.cols - p * kPanel;
    if (cols <= 8) {
      Panel6x16<R, true, kSteps>(t, w, c, cols, p, s);
    } else {
      Panel6x16<R, false, kSteps>(t, w, c, cols, p, s);
    }
  }
}

// For each 8-bit mask, the positions of its set bits, first to last (then zeros), and how many:
// a compress.
struct CompressTable {
  uint8_t index[256][8];
  uint8_t count[256];
  constexpr CompressTable() : index{}, count{} {
    for (int m = 0; m < 256; ++m) {
      int n = 0;
      for (int b = 0; b < 8; ++b)
        if (m & (1 << b)) index[m][n++] = static_cast<uint8_t>(b);
      count[m] = static_cast<uint8_t>(n);
    }
  }
};
constexpr CompressTable kCompress;

// F32BuildSteps' chunk: 8 channels of a tap, the OR of the tile's R rows' bits without the sign
// is zero where every row reads +0 or -0; the other channels' steps compressed by kCompress.
// Only the R rows the tile computes are read: a tile of 3 rows scanned 6.
template <int R>
struct Chunk8 {
  size_t cin;
  LABELITE_AVX2 size_t operator()(const float* const* p, size_t i, uint32_t step,
                                  uint32_t* out) const {
    const __m256i m = MaskOf(cin - i);
    __m256i bits = _mm256_maskload_epi32(reinterpret_cast<const int*>(p[0] + i), m);
    for (int r = 1; r < R; ++r)
      bits = _mm256_or_si256(bits,
                             _mm256_maskload_epi32(reinterpret_cast<const int*>(p[r] + i), m));
    const __m256i is_zero = _mm256_cmpeq_epi32(
        _mm256_and_si256(bits, _mm256_set1_epi32(0x7FFFFFFF)), _mm256_setzero_si256());
    const unsigned nonzero =
        ~static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(is_zero))) &
        static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(m)));
    const __m256i positions = _mm256_cvtepu8_epi32(
        _mm_loadl_epi64(reinterpret_cast<const __m128i*>(kCompress.index[nonzero])));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out),
                        _mm256_add_epi32(positions, _mm256_set1_epi32(static_cast<int>(step))));
    return kCompress.count[nonzero];
  }
};

template <int R>
LABELITE_AVX2 void Panels6x16(const F32Tile& t) {
  const bool scan = F32ScanZeroSteps(t);
  if (scan || t.skip != nullptr) {
    F32Steps& steps = F32ThreadSteps();
    if (F32BuildSteps<8>(t, kF32TileRowsAvx2, scan, steps, Chunk8<R>{t.cin}))
      return Panels6x16<R, true>(t, steps);
  }
  Panels6x16<R, false>(t, kF32NoSteps);
}

}  // namespace

F32Steps& F32ThreadSteps() {
  thread_local F32Steps steps;
  return steps;
}

void F32TileAvx2(const F32Tile& t) {
  switch (t.rows) {
    case 1: return Panels6x16<1>(t);
    case 2: return Panels6x16<2>(t);
    case 3: return Panels6x16<3>(t);
    case 4: return Panels6x16<4>(t);
    case 5: return Panels6x16<5>(t);
    default: return Panels6x16<6>(t);
  }
}

std::unique_ptr<F32Gemm> F32Gemm::Make(size_t taps, size_t cin, size_t n, const float* weights,
                                       const float* bias, float min, float max,
                                       IsaLevel level) {
  if (ActiveIsa() < level || taps == 0 || taps > kMaxTaps || cin == 0 || n == 0 ||
      !(min <= max))
    return nullptr;
  auto g = std::make_unique<F32Gemm>();
  g->level_ = level;
  if (level == IsaLevel::kAvx512) {
    g->tile_ = &F32TileAvx512, g->mr_ = kF32TileRowsAvx512, g->width_ = kF32PanelAvx512;
  } else if (level == IsaLevel::kAvx2) {
    g->tile_ = &F32TileAvx2, g->mr_ = kF32TileRowsAvx2, g->width_ = kPanel;
  } else {
    return nullptr;
  }
  g->taps_ = taps, g->cin_ = cin, g->n_ = n, g->min_ = min, g->max_ = max;
  const size_t k = taps * cin;
  const size_t width = g->width_;
  g->panels_ = (n + width - 1) / width;
  g->panel_stride_ = width * (k + 1);
  g->packed_.assign(g->panels_ * g->panel_stride_ + kPanel, 0.0f);
  g->offset_ = ((64 - reinterpret_cast<uintptr_t>(g->packed_.data()) % 64) % 64) / sizeof(float);
  float* out = g->packed_.data() + g->offset_;
  for (size_t p = 0; p < g->panels_; ++p, out += g->panel_stride_) {
    const size_t j0 = p * width, cols = std::min(width, n - j0);
    for (size_t j = 0; j < cols; ++j) {
      if (bias != nullptr) out[j] = bias[j0 + j];
      const float* src = weights + (j0 + j) * k;
      for (size_t i = 0; i < k; ++i) out[width * (i + 1) + j] = src[i];
    }
  }
  return g;
}

std::unique_ptr<F32Gemm> F32Gemm::Make(size_t taps, size_t cin, size_t n, const float* weights,
                                       const float* bias, float min, float max) {
  if (auto g = Make(taps, cin, n, weights, bias, min, max, IsaLevel::kAvx512)) return g;
  return Make(taps, cin, n, weights, bias, min, max, IsaLevel::kAvx2);
}

struct F32Gemm::Context {
  const F32Gemm* gemm;
  FillFn fill;
  const void* fill_context;
  size_t m, tiles, group_panels, block_tiles;
  float* c;
  size_t c_stride;
  const uint32_t* starts;  // F32Tiling::starts' data, or null
  const float* zeros;      // F32Tiling::zeros
  const float* const* ptrs;  // F32Tiling::ptrs and fresh
  const uint8_t* fresh;
};

void F32Gemm::Task(void* context, size_t group, size_t block) {
  const auto* x = static_cast<const Context*>(context);
  const size_t p0 = group * x->group_panels, t0 = block * x->block_tiles;
  const DenormalsFlushed flushed;  // as XNNPACK runs its operators (MXCSR FTZ + DAZ)
  x->gemm->RunRange(*x, t0, std::min(x->tiles, t0 + x->block_tiles), p0,
                    std::min(x->gemm->panels_, p0 + x->group_panels));
}

// Tiles [tile_begin, tile_end) of rows times panels [panel_begin, panel_end).
void F32Gemm::RunRange(const Context& x, size_t tile_begin, size_t tile_end, size_t panel_begin,
                       size_t panel_end) const {
  const float* ptrs[kMaxPtrs];
  F32Tile t;
  t.taps = taps_, t.cin = cin_, t.a = ptrs, t.min = min_, t.max = max_;
  t.w = packed_.data() + offset_ + panel_begin * panel_stride_;
  t.panels = panel_end - panel_begin, t.panel_stride = panel_stride_;
  t.c_stride = x.c_stride, t.cols = n_ - panel_begin * width_;
  t.zero_steps = zero_steps_;
  t.weights_cached = weights_cached_;
  uint8_t skip[kMaxTaps];
  for (size_t tile = tile_begin; tile < tile_end; ++tile) {
    const size_t row = x.starts != nullptr ? x.starts[tile] : tile * mr_;
    t.rows = x.starts != nullptr ? x.starts[tile + 1] - row : std::min(mr_, x.m - row);
    if (x.ptrs != nullptr && x.fresh[tile] == 0) {
      t.a = x.ptrs + tile * taps_ * mr_;
    } else {
      x.fill(x.fill_context, row, t.rows, mr_, ptrs);
      t.a = ptrs;
    }
    t.skip = nullptr;
    if (x.zeros != nullptr) {
      for (size_t tap = 0; tap < taps_; ++tap) {
        const float* const* p = t.a + tap * mr_;
        bool all = true;
        for (size_t r = 0; r < t.rows && all; ++r) all = p[r] == x.zeros;
        skip[tap] = all ? 1 : 0;
        if (all) t.skip = skip;
      }
    }
    t.c = x.c + row * x.c_stride + panel_begin * width_;
    t.prefetch = tile == tile_begin;
    tile_(t);
    if (output_function_)
      output_function_.ApplyToBlock(t.c, t.rows, std::min(t.cols, t.panels * width_), x.c_stride);
  }
}

void F32Gemm::Run(const float* a, size_t a_stride, size_t m, float* c, size_t c_stride,
                  pthreadpool_t pool) const {
  const Rows rows{a, a_stride};
  RunIndirect(&FillRows, &rows, m, c, c_stride, pool);
}

void F32Gemm::RunIndirect(FillFn fill, const void* context, size_t m, float* c, size_t c_stride,
                          pthreadpool_t pool, const F32Tiling& tiling) const {
  if (m == 0) return;
  const size_t threads = ParallelThreads(pool);
  const std::vector<uint32_t>* starts = tiling.starts;
  if (starts != nullptr && (starts->size() < 2 || starts->back() != m)) starts = nullptr;
  const size_t tiles = starts != nullptr ? starts->size() - 1 : (m + mr_ - 1) / mr_;
  // Panel groups keep the weights in L2 for the next tile of rows; one tile has no next.
  size_t group_panels =
      tiles == 1 ? panels_
                 : std::clamp<size_t>(kGroupBytes / (panel_stride_ * sizeof(float)), 1, panels_);
  size_t blocks = 1;
  if (threads > 1) {
    // Tasks of about kTaskMacs (4 to 32 per thread): a thread that loses its CPU holds up
    // the others only for the task it has claimed. Fewer rows than columns: split the
    // columns first (each thread then streams only its share of the weights), unless the
    // tiles look for zero steps and there are rows enough to share: one tile's look serves
    // all the panels of its group, so groups of one panel would repeat it per panel
    // (MobileNet v1's 8x8x128 -> 128 layers; whole model at 2 threads 0.199 -> 0.178 ms at
    // AVX2, 0.184 -> 0.169 at AVX-512, Zen 4).
    const size_t k = panel_stride_ / width_ - 1;
    const size_t want = std::clamp<size_t>(m * n_ * k / kTaskMacs, 4 * threads, 32 * threads);
    if (m < n_ && !(zero_steps_ && tiles >= 4 * threads))
      group_panels = std::min(group_panels, std::max<size_t>(1, panels_ / want));
    const size_t groups = (panels_ + group_panels - 1) / group_panels;
    blocks = std::min(tiles, (want + groups - 1) / groups);
  }
  const size_t block_tiles = (tiles + blocks - 1) / blocks;
  blocks = (tiles + block_tiles - 1) / block_tiles;
  const size_t groups = (panels_ + group_panels - 1) / group_panels;
  Context x{this, fill, context, m, tiles, group_panels, block_tiles, c, c_stride,
            starts != nullptr ? starts->data() : nullptr, tiling.zeros, tiling.ptrs,
            tiling.ptrs != nullptr ? tiling.fresh : nullptr};
  if (threads <= 1 || groups * blocks == 1) {
    for (size_t g = 0; g < groups; ++g)
      for (size_t b = 0; b < blocks; ++b) Task(&x, g, b);
    return;
  }
  Parallelize2D(pool, &Task, &x, groups, blocks, 0);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
