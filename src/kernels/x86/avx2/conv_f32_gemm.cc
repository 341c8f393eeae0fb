// Float32 CONV_2D (1x1 and KxK, any stride, dilation and padding) on F32Gemm (gemm_f32.h),
// bit-identical to XNNPACK 2022's f32 convolution operator: its igemm sums the taps (ky, kx)
// outer and the input channels inner, from the bias, one FMA at a time, and reads a buffer of
// zeros for taps outside the image; F32Gemm does the same over an indirection buffer built
// per tile of output pixels:
//   1. Pack (once): the filter [cout][kh][kw][cin] is F32Gemm's [n][taps * cin] matrix.
//   2. Run: output pixel p (over the whole batch) is one GEMM row; its pointer for tap
//      (ky, kx) is input pixel (oy * stride_h + ky * dilation_h - pad_top, ...) of the same
//      image, or the zero row when that lies outside the image. A 1x1 stride-1 convolution
//      without padding is the plain GEMM of the input's pixel rows.
//   3-4. (below) RGB stems' merged kernel rows; the kept row pointers.
//   5. Padding skipped: a tap that reads the zero row in every row of a tile is not run, nor
//      are its weights read (F32Tile::skip; fma(0, w, acc) == acc). On small maps most taps
//      are padding (Inception v3 at 75 pixels: 3x3 windows over 1x1 pixels run 1 tap of 9,
//      1x7 over 3x3 pixels 3-5 of 7), and there the tiles follow the output rows when that
//      skips more (PlanTiles).
//   6. After a ReLU (FastConvF32Spec::input_zeros), a channel zero in every pixel of a tile is
//      skipped too, in that tap (F32Steps).
// Factories: MakeConvF32GemmAvx2 (here) and MakeConvF32GemmAvx512 (avx512/gemm_f32_avx512.cc).
#if defined(__x86_64__)  // src/kernels/x86 is built only for x86-64 (CMakeLists.txt)
#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "kernels/fast/fast_conv.h"
#include "kernels/x86/avx2/gemm_f32.h"

namespace labelite::xnn {
namespace {

// Step 3's limits: window rows of at most kMaxMergedSpan floats, kernels of at most
// kMaxMergedRows rows (the scratch rows of one tile: kF32MaxTileRows * kMaxMergedRows of them).
constexpr size_t kMaxMergedSpan = 64;
constexpr size_t kMaxMergedRows = 16;

bool Mergeable(const ConvGeometry& g) {
  return g.kernel_w > 1 && g.dilation_w == 1 && size_t{g.kernel_w} * g.cin <= kMaxMergedSpan &&
         g.kernel_h <= kMaxMergedRows;
}

class ConvF32Gemm final : public FastConv {
 public:
  ConvF32Gemm(const ConvGeometry& g, std::unique_ptr<F32Gemm> gemm)
      : g_(g), gemm_(std::move(gemm)), zeros_(std::max<size_t>(g.cin, kMaxMergedSpan), 0.0f) {
    merged_ = Mergeable(g);
    for (uint32_t ky = 0; ky < g.kernel_h; ++ky)
      for (uint32_t kx = 0; kx < g.kernel_w; ++kx)
        tap_offsets_.push_back((size_t{ky} * g.dilation_h * g.in_w + size_t{kx} * g.dilation_w) *
                               g.cin);
    span_h_ = int64_t{g.kernel_h - 1} * g.dilation_h + 1;
    span_w_ = int64_t{g.kernel_w - 1} * g.dilation_w + 1;
    direct_ = g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 &&
              g.pad_top == 0 && g.pad_left == 0 && g.in_h == g.out_h && g.in_w == g.out_w;
    padded_ = !direct_ && (g.pad_top != 0 || g.pad_left != 0 || g.pad_bottom != 0 ||
                           g.pad_right != 0);
    if (padded_) starts_ = PlanTiles(g, merged_, gemm_->mr());
  }

  void Run(const void* input, void* output, size_t batch, pthreadpool_t pool) const override {
    const auto* in = static_cast<const float*>(input);
    auto* out = static_cast<float*>(output);
    if (direct_) return gemm_->Run(in, g_.cin, batch * g_.in_h * g_.in_w, out, g_.cout, pool);
    const Frame f{this, in};
    const size_t m = batch * g_.out_h * g_.out_w;
    F32Tiling tiling;
    tiling.zeros = padded_ ? zeros_.data() : nullptr;
    if (std::shared_ptr<const Pointers> cached = CachedPointers(f, batch, m)) {
      if (!cached->starts.empty()) tiling.starts = &cached->starts;
      tiling.ptrs = cached->ptrs.data();
      tiling.fresh = cached->fresh.data();
      return gemm_->RunIndirect(merged_ ? &FillMerged : &Fill, &f, m, out, g_.cout, pool, tiling);
    }
    const std::vector<uint32_t> starts = TileStarts(batch);
    if (!starts.empty()) tiling.starts = &starts;
    gemm_->RunIndirect(merged_ ? &FillMerged : &Fill, &f, m, out, g_.cout, pool, tiling);
  }
  const char* path() const override {
    return gemm_->level() == IsaLevel::kAvx512 ? "avx512 f32 gemm" : "avx2 f32 gemm";
  }
  bool FuseOutputFunction(const FloatOutputFunction& f) override {
    gemm_->set_output_function(f);
    return true;
  }

 private:
  struct Frame {
    const ConvF32Gemm* conv;
    const float* input;
  };

  // Step 4: every tile's pointers for one input buffer (an interpreter's arena keeps it), so
  // later runs' tiles read them in place (F32Tiling::ptrs) instead of computing them (the
  // stems' K is 27 or 147: computing the pointers cost a third of the layer, copying them a
  // tenth). Tiles with a window row crossing the left or right edge (merged form: pointers
  // into the scratch rows, whose contents change) are "fresh": computed on every run.
  struct Pointers {
    const float* input = nullptr;
    size_t batch = 0;
    std::vector<uint32_t> starts;    // the tiles' first rows (and m), or empty: tiles of mr
    std::vector<const float*> ptrs;  // [tile][tap][mr]
    std::vector<uint8_t> fresh;      // per tile
  };
  static constexpr size_t kMaxCachedPointers = 64 * 1024;  // 512 KB

  size_t taps() const { return merged_ ? g_.kernel_h : tap_offsets_.size(); }

  // Step 5's tiles for `batch` images (starts_ repeated per image), or empty: tiles of mr.
  std::vector<uint32_t> TileStarts(size_t batch) const {
    std::vector<uint32_t> starts;
    const size_t m = batch * g_.out_h * g_.out_w;
    if (starts_.empty() || m > UINT32_MAX) return starts;
    starts.reserve(batch * (starts_.size() - 1) + 1);
    for (size_t b = 0; b < batch; ++b)
      for (size_t i = 0; i + 1 < starts_.size(); ++i)
        starts.push_back(static_cast<uint32_t>(b * starts_.back() + starts_[i]));
    starts.push_back(static_cast<uint32_t>(m));
    return starts;
  }

  std::shared_ptr<const Pointers> CachedPointers(const Frame& f, size_t batch, size_t m) const {
    {
      std::lock_guard<std::mutex> lock(cache_mutex_);
      if (cache_ != nullptr && cache_->input == f.input && cache_->batch == batch) return cache_;
    }
    const size_t mr = gemm_->mr(), block = taps() * mr;
    std::vector<uint32_t> starts = TileStarts(batch);
    const size_t tiles = !starts.empty() ? starts.size() - 1 : (m + mr - 1) / mr;
    if (tiles * block > kMaxCachedPointers) return nullptr;
    auto p = std::make_shared<Pointers>();
    p->input = f.input;
    p->batch = batch;
    p->starts = std::move(starts);
    p->ptrs.resize(tiles * block);
    p->fresh.assign(tiles, 0);
    std::vector<float> scratch(kF32MaxTileRows * kMaxMergedRows * kMaxMergedSpan);
    for (size_t t = 0; t < tiles; ++t) {
      const float** ptrs = p->ptrs.data() + t * block;
      const bool planned = !p->starts.empty();
      const size_t row = planned ? p->starts[t] : t * mr;
      const size_t count = planned ? p->starts[t + 1] - row : std::min(mr, m - row);
      if (merged_) {
        p->fresh[t] = FillMergedInto(f, row, count, mr, ptrs, scratch.data());
      } else {
        Fill(&f, row, count, mr, ptrs);
      }
    }
    std::lock_guard<std::mutex> lock(cache_mutex_);
    cache_ = p;
    return p;
  }

  // F32Gemm::FillFn: ptrs[tap * mr + r] for output pixels [row, row + count). A window inside
  // the image is its top-left input pixel plus tap_offsets_; others check each tap.
  static void Fill(const void* context, size_t row, size_t count, size_t mr, const float** ptrs) {
    const auto* f = static_cast<const Frame*>(context);
    const ConvF32Gemm& conv = *f->conv;
    const ConvGeometry& g = conv.g_;
    const size_t pixels = g.out_h * g.out_w, taps = conv.tap_offsets_.size();
    size_t image = row / pixels, oy = row % pixels / g.out_w, ox = row % g.out_w;
    for (size_t r = 0; r < mr; ++r) {
      if (r >= count) {  // repeat the last row
        for (size_t t = 0; t < taps; ++t) ptrs[t * mr + r] = ptrs[t * mr + count - 1];
        continue;
      }
      const float* base = f->input + image * g.in_h * g.in_w * g.cin;
      const int64_t y0 = static_cast<int64_t>(oy * g.stride_h) - g.pad_top;
      const int64_t x0 = static_cast<int64_t>(ox * g.stride_w) - g.pad_left;
      const float** dst = ptrs + r;
      if (y0 >= 0 && y0 + conv.span_h_ <= static_cast<int64_t>(g.in_h) && x0 >= 0 &&
          x0 + conv.span_w_ <= static_cast<int64_t>(g.in_w)) {
        const float* corner =
            base + (static_cast<size_t>(y0) * g.in_w + static_cast<size_t>(x0)) * g.cin;
        for (size_t t = 0; t < taps; ++t) dst[t * mr] = corner + conv.tap_offsets_[t];
      } else {
        for (uint32_t ky = 0; ky < g.kernel_h; ++ky) {
          const int64_t iy = y0 + static_cast<int64_t>(ky * g.dilation_h);
          const bool row_inside = iy >= 0 && iy < static_cast<int64_t>(g.in_h);
          for (uint32_t kx = 0; kx < g.kernel_w; ++kx, dst += mr) {
            const int64_t ix = x0 + static_cast<int64_t>(kx * g.dilation_w);
            *dst = row_inside && ix >= 0 && ix < static_cast<int64_t>(g.in_w)
                       ? base + (static_cast<size_t>(iy) * g.in_w + static_cast<size_t>(ix)) * g.cin
                       : conv.zeros_.data();
          }
        }
      }
      if (++ox == g.out_w) {
        ox = 0;
        if (++oy == g.out_h) oy = 0, ++image;
      }
    }
  }

  // Step 3's FillFn: ptrs[ky * mr + r], one pointer per kernel row of kernel_w * cin floats.
  // Everything in locals: the pointer stores may alias any member as far as the compiler knows.
  static void FillMerged(const void* context, size_t row, size_t count, size_t mr,
                         const float** ptrs) {
    thread_local float scratch[kF32MaxTileRows * kMaxMergedRows * kMaxMergedSpan];
    FillMergedInto(*static_cast<const Frame*>(context), row, count, mr, ptrs, scratch);
  }

  // FillMerged with the scratch rows at `scratch`; true when a pointer points there.
  static bool FillMergedInto(const Frame& frame, size_t row, size_t count, size_t mr,
                             const float** ptrs, float* scratch) {
    bool used_scratch = false;
    const Frame* f = &frame;
    const ConvF32Gemm& conv = *f->conv;
    const ConvGeometry g = conv.g_;
    const float* const zeros = conv.zeros_.data();
    const float* const input = f->input;
    const size_t cin = g.cin, kh = g.kernel_h, kw = g.kernel_w, in_w = g.in_w, out_w = g.out_w;
    const int64_t in_h = g.in_h, row_floats = static_cast<int64_t>(in_w * cin);
    const int64_t dy = static_cast<int64_t>(g.dilation_h) * row_floats;
    const size_t pixels = g.out_h * out_w, image_floats = g.in_h * in_w * cin;
    size_t image = row / pixels, oy = row % pixels / out_w, ox = row % out_w;
    for (size_t r = 0; r < count; ++r) {
      const int64_t y0 = static_cast<int64_t>(oy * g.stride_h) - g.pad_top;
      const int64_t x0 = static_cast<int64_t>(ox * g.stride_w) - g.pad_left;
      const bool inside_x = x0 >= 0 && x0 + static_cast<int64_t>(kw) <= static_cast<int64_t>(in_w);
      // The window row's first float, as an offset: it lies outside the image (no pointer).
      const int64_t first = static_cast<int64_t>(image * image_floats) + y0 * row_floats +
                            x0 * static_cast<int64_t>(cin);
      for (size_t ky = 0; ky < kh; ++ky) {
        const int64_t iy = y0 + static_cast<int64_t>(ky * g.dilation_h);
        const int64_t at = first + static_cast<int64_t>(ky) * dy;
        const float* p = zeros;
        if (iy < 0 || iy >= in_h) {
        } else if (inside_x) {
          p = input + at;
        } else {
          const float* src = input + (at - x0 * static_cast<int64_t>(cin));  // column 0
          float* own = scratch + (r * kMaxMergedRows + ky) * kMaxMergedSpan;
          for (size_t kx = 0; kx < kw; ++kx) {
            const int64_t ix = x0 + static_cast<int64_t>(kx);
            if (ix >= 0 && ix < static_cast<int64_t>(in_w))
              std::copy_n(src + static_cast<size_t>(ix) * cin, cin, own + kx * cin);
            else
              std::fill_n(own + kx * cin, cin, 0.0f);
          }
          p = own;
          used_scratch = true;
        }
        ptrs[ky * mr + r] = p;
      }
      if (++ox == out_w) {
        ox = 0;
        if (++oy == g.out_h) oy = 0, ++image;
      }
    }
    for (size_t r = count; r < mr; ++r)  // repeat the last row
      for (size_t ky = 0; ky < kh; ++ky) ptrs[ky * mr + r] = ptrs[ky * mr + count - 1];
    return used_scratch;
  }

  // Step 5: tiles of one image's output pixels, as F32Gemm::F32Tiling::starts, when tiles that
  // never cross an output row skip more padding than tiles of mr pixels (empty: they do not).
  // A tile costs (taps run) x (max(rows, 4) + 1.5): below 4 rows the tile's FMAs wait on
  // each other, and each step of k loads the panel's weights whatever the rows (fitted on
  // Zen 5: DenseNet's 3x3 over 4x4 pixels gains from tiles of 4 rows, 16x16 loses with 5-6).
  static std::vector<uint32_t> PlanTiles(const ConvGeometry& g, bool merged, size_t mr) {
    const size_t pixels = g.out_h * g.out_w;
    if (pixels > 65536 || g.out_w % mr == 0) return {};
    // taps inside the image per output pixel: rows (ky) times columns (kx); merged: rows only.
    auto inside = [](int64_t first, uint32_t n, uint32_t step, size_t size) {
      uint64_t mask = 0;  // bit i: tap i lies inside [0, size)
      for (uint32_t i = 0; i < n && i < 64; ++i) {
        const int64_t at = first + static_cast<int64_t>(i) * step;
        if (at >= 0 && at < static_cast<int64_t>(size)) mask |= uint64_t{1} << i;
      }
      return mask;
    };
    if (g.kernel_h > 64 || g.kernel_w > 64) return {};
    std::vector<uint64_t> rows(g.out_h), cols(g.out_w);
    for (size_t y = 0; y < g.out_h; ++y)
      rows[y] = inside(static_cast<int64_t>(y * g.stride_h) - g.pad_top, g.kernel_h,
                       g.dilation_h, g.in_h);
    for (size_t x = 0; x < g.out_w; ++x)
      cols[x] = merged ? 1 : inside(static_cast<int64_t>(x * g.stride_w) - g.pad_left,
                                    g.kernel_w, g.dilation_w, g.in_w);
    // The cost of pixels [begin, end): the union of their rows' and columns' taps.
    auto cost = [&](size_t begin, size_t end) {
      uint64_t r = 0, c = 0;
      for (size_t p = begin; p < end; ++p) r |= rows[p / g.out_w], c |= cols[p % g.out_w];
      return static_cast<size_t>(__builtin_popcountll(r) * __builtin_popcountll(c)) *
             (2 * std::max<size_t>(end - begin, 4) + 3);
    };
    size_t fixed = 0;
    for (size_t p = 0; p < pixels; p += mr) fixed += cost(p, std::min(pixels, p + mr));
    std::vector<uint32_t> starts;
    const size_t per_row = (g.out_w + mr - 1) / mr;  // tiles per output row, balanced
    size_t aligned = 0;
    for (size_t y = 0; y < g.out_h; ++y) {
      for (size_t i = 0; i < per_row; ++i) {
        const size_t begin = y * g.out_w + i * g.out_w / per_row;
        const size_t end = y * g.out_w + (i + 1) * g.out_w / per_row;
        starts.push_back(static_cast<uint32_t>(begin));
        aligned += cost(begin, end);
      }
    }
    starts.push_back(static_cast<uint32_t>(pixels));
    if (aligned >= fixed) return {};
    return starts;
  }

  ConvGeometry g_;
  std::unique_ptr<F32Gemm> gemm_;
  std::vector<float> zeros_;  // cin zeros: the taps outside the image
  std::vector<size_t> tap_offsets_;  // floats from a window's first input pixel to tap (ky, kx)
  int64_t span_h_ = 0, span_w_ = 0;  // the window's extent in input pixels
  bool direct_ = false;
  bool merged_ = false;  // step 3
  bool padded_ = false;  // some taps fall outside the image: F32Gemm skips them (F32Tile::skip)
  std::vector<uint32_t> starts_;  // step 5
  mutable std::mutex cache_mutex_;  // guards cache_ (Run is const; one Run at a time is usual)
  mutable std::shared_ptr<const Pointers> cache_;
};

}  // namespace

size_t MergedConvRowFloats(const FastConvF32Spec& s) {
  return Mergeable(s) ? size_t{s.kernel_w} * s.cin : 0;
}

// Shared by both factories: XNNPACK's operator runs depthwise convolutions and 1-in-1-out
// ones (its dwconv / vmulcaddc paths add in another order), and any shape F32Gemm declines.
std::unique_ptr<FastConv> MakeConvF32Gemm(const FastConvF32Spec& s, IsaLevel level) {
  if (s.depthwise || s.cin == 0 || s.cout == 0 || (s.cin == 1 && s.cout == 1) ||
      s.out_h == 0 || s.out_w == 0 || s.kernel_h == 0 || s.kernel_w == 0 || s.stride_h == 0 ||
      s.stride_w == 0 || s.dilation_h == 0 || s.dilation_w == 0)
    return nullptr;
  // Step 3 packs the same [n][K] matrix as kernel_h taps of kernel_w * cin channels.
  const bool merged = Mergeable(s);
  const size_t taps = merged ? s.kernel_h : size_t{s.kernel_h} * s.kernel_w;
  const size_t channels = merged ? size_t{s.kernel_w} * s.cin : s.cin;
  std::unique_ptr<F32Gemm> gemm = F32Gemm::Make(taps, channels, s.cout, s.weights, s.bias,
                                                s.output_min, s.output_max, level);
  if (gemm == nullptr) return nullptr;
  gemm->set_zero_steps(s.input_zeros, s.weights_cached);
  return std::make_unique<ConvF32Gemm>(s, std::move(gemm));
}

// At AVX-512 the 7x32 tile (MakeConvF32GemmAvx512) runs instead, and XNNPACK the first layers
// it declines (XNNPACK's avx512f 7x16 kernels are faster than this 6x16 one: bench/
// conv_f32_bench).
std::unique_ptr<FastConv> MakeConvF32GemmAvx2(const FastConvF32Spec& spec) {
  if (ActiveIsa() >= IsaLevel::kAvx512) return nullptr;
  return MakeConvF32Gemm(spec, IsaLevel::kAvx2);
}

}  // namespace labelite::xnn

#endif  // defined(__x86_64__)
