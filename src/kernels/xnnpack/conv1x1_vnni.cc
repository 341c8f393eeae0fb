#include "kernels/xnnpack/conv1x1_vnni.h"

#include <immintrin.h>
#include <pthreadpool.h>

#include <algorithm>
#include <array>
#include <utility>
#include <cstring>

// GCC 12 reports its own AVX-512 intrinsics (_mm512_undefined_* operands inside
// _mm512_reduce_add_epi64 and the narrowing converts) as uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// Only the functions marked LABELITE_VNNI use AVX-512; the rest of the build stays generic.
#define LABELITE_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

namespace labelite::xnn {
namespace {

constexpr size_t kMaxRows = 8;

struct TileArgs {
  const uint8_t* a;      // first pixel of the tile
  size_t a_stride;       // bytes between pixels (cin)
  const int8_t* w;       // first packed vector of the column block
  size_t w_stride;       // bytes between packed 16-channel vectors
  const int32_t* bias;   // of the column block
  const float* scale;
  uint8_t* c;            // first output of the tile
  size_t c_stride;       // bytes between output pixels (cout)
  size_t columns;        // valid output channels in this block (<= 16 * NB)
  size_t cin, k_full;    // input channels, whole groups of 4
  int32_t input_factor, zero_point;
  float lo, hi;
  bool is_signed;
};

LABELITE_VNNI inline __m512i Broadcast4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

// Sum of n unsigned bytes (the uint8 weight-shift correction).
LABELITE_VNNI int32_t ByteSum(const uint8_t* p, size_t n) {
  __m512i sum = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 64 <= n; i += 64)
    sum = _mm512_add_epi64(sum, _mm512_sad_epu8(_mm512_loadu_si512(p + i), _mm512_setzero_si512()));
  if (i < n) {
    const __m512i tail = _mm512_maskz_loadu_epi8((1ULL << (n - i)) - 1, p + i);
    sum = _mm512_add_epi64(sum, _mm512_sad_epu8(tail, _mm512_setzero_si512()));
  }
  return static_cast<int32_t>(_mm512_reduce_add_epi64(sum));
}

// One tile: MR pixels x NB vectors of 16 output channels.
template <int MR, int NB>
LABELITE_VNNI void Tile(const TileArgs& t) {
  __m512i acc[MR][NB];
  #pragma GCC unroll 8
  for (int v = 0; v < NB; ++v) {
    const __m512i b = _mm512_loadu_si512(t.bias + 16 * v);
    #pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) acc[r][v] = b;
  }
  const __m512i flip = _mm512_set1_epi8(t.is_signed ? static_cast<char>(0x80) : 0);
  const uint8_t* a = t.a;
  const int8_t* w = t.w;
  for (size_t kb = 0; kb < t.k_full; ++kb, a += 4, w += 64) {
    __m512i wv[NB];
    #pragma GCC unroll 8
    for (int v = 0; v < NB; ++v) wv[v] = _mm512_loadu_si512(w + v * t.w_stride);
    #pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      const __m512i av = _mm512_xor_si512(Broadcast4(a + r * t.a_stride), flip);
      #pragma GCC unroll 8
      for (int v = 0; v < NB; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], av, wv[v]);
    }
  }
  if (const size_t tail = t.cin - 4 * t.k_full; tail != 0) {  // padded weights are zero
    __m512i wv[NB];
    #pragma GCC unroll 8
    for (int v = 0; v < NB; ++v) wv[v] = _mm512_loadu_si512(w + v * t.w_stride);
    #pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      uint8_t bytes[4] = {0, 0, 0, 0};
      std::memcpy(bytes, a + r * t.a_stride, tail);
      const __m512i av = _mm512_xor_si512(Broadcast4(bytes), flip);
      #pragma GCC unroll 8
      for (int v = 0; v < NB; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], av, wv[v]);
    }
  }
  if (!t.is_signed) {
    #pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      const __m512i fix = _mm512_set1_epi32(t.input_factor * ByteSum(t.a + r * t.a_stride, t.cin));
      #pragma GCC unroll 8
      for (int v = 0; v < NB; ++v) acc[r][v] = _mm512_add_epi32(acc[r][v], fix);
    }
  }
  const __m512 lo = _mm512_set1_ps(t.lo), hi = _mm512_set1_ps(t.hi);
  const __m512i zp = _mm512_set1_epi32(t.zero_point);
  #pragma GCC unroll 8
  for (int v = 0; v < NB; ++v) {
    const __m512 scale = _mm512_loadu_ps(t.scale + 16 * v);
    const size_t left = t.columns - 16 * v;
    const __mmask16 mask = left >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << left) - 1);
    #pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc[r][v]), scale);
      f = _mm512_min_ps(_mm512_max_ps(f, lo), hi);
      const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(f), zp);
      _mm_mask_storeu_epi8(t.c + r * t.c_stride + 16 * v, mask, _mm512_cvtepi32_epi8(q));
    }
  }
}

using TileFn = void (*)(const TileArgs&);

template <int NB, size_t... I>
constexpr std::array<TileFn, kMaxRows> RowsTable(std::index_sequence<I...>) {
  return {&Tile<static_cast<int>(I) + 1, NB>...};
}
constexpr std::array<std::array<TileFn, kMaxRows>, 4> kTiles = {
    RowsTable<1>(std::make_index_sequence<kMaxRows>()),
    RowsTable<2>(std::make_index_sequence<kMaxRows>()),
    RowsTable<3>(std::make_index_sequence<kMaxRows>()),
    RowsTable<4>(std::make_index_sequence<kMaxRows>())};

// Rows per tile for NB vectors: 4 vectors x 6 rows = 24 accumulators, else 8 rows.
constexpr size_t TileRows(size_t nb) { return nb == 4 ? 6 : kMaxRows; }

struct RunContext {
  const Conv1x1Vnni* conv;
  const void* input;
  void* output;
  size_t rows_per_task;
  size_t pixels;
};

void RunTask(void* context, size_t task) {
  const auto* rc = static_cast<const RunContext*>(context);
  const size_t begin = task * rc->rows_per_task;
  rc->conv->RunRows(rc->input, rc->output, begin, std::min(rc->pixels, begin + rc->rows_per_task));
}

}  // namespace

bool Conv1x1Vnni::Supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

// Steps: per output channel, XNNPACK's float scale and the corrected bias; then the weights
// into [cout/16][k_groups][16][4] bytes (uint8 weights shifted to int8), zero-padded.
bool Conv1x1Vnni::Pack(const Conv1x1Quant& q, size_t cin, size_t cout, const void* weights,
                       const int32_t* bias) {
  if (cin == 0 || cout == 0 || q.kernel_scales.empty() ||
      (q.kernel_scales.size() != 1 && q.kernel_scales.size() != cout))
    return false;
  is_signed_ = q.is_signed;
  cin_ = cin;
  cout_ = cout;
  k_groups_ = (cin + 3) / 4;
  const size_t vectors = (cout + 15) / 16;
  input_factor_ = q.is_signed ? 0 : 128 - q.kernel_zero_point;
  output_zero_point_ = q.output_zero_point;
  out_lo_ = static_cast<float>(q.output_min - q.output_zero_point);
  out_hi_ = static_cast<float>(q.output_max - q.output_zero_point);
  weights_.assign(vectors * k_groups_ * 64, 0);
  bias_.assign(vectors * 16, 0);
  scales_.assign(vectors * 16, 0.0f);
  // uint8: w - kzp = (w - 128) + (128 - kzp); the second term is added at run time.
  const int32_t a_shift = q.is_signed ? q.input_zero_point + 128 : q.input_zero_point;
  for (size_t n = 0; n < cout; ++n) {
    const float ks = q.kernel_scales[q.kernel_scales.size() == 1 ? 0 : n];
    const float scale = q.input_scale * ks / q.output_scale;
    if (!(scale >= 0x1.0p-32f && scale < 256.0f)) return false;
    scales_[n] = scale;
    uint32_t sum = 0;  // int32 arithmetic wraps as XNNPACK's does
    for (size_t k = 0; k < cin; ++k) {
      int32_t w, packed;
      if (q.is_signed) {
        w = packed = static_cast<const int8_t*>(weights)[n * cin + k];
      } else {
        const int32_t u = static_cast<const uint8_t*>(weights)[n * cin + k];
        w = u - q.kernel_zero_point;
        packed = u - 128;
      }
      sum += static_cast<uint32_t>(w);
      weights_[((n / 16) * k_groups_ + k / 4) * 64 + (n % 16) * 4 + k % 4] =
          static_cast<int8_t>(packed);
    }
    const uint32_t b = bias != nullptr ? static_cast<uint32_t>(bias[n]) : 0u;
    bias_[n] = static_cast<int32_t>(b - static_cast<uint32_t>(a_shift) * sum);
  }
  return true;
}

// Column blocks of 64 channels outside (their weights stay in cache), pixel tiles inside.
void Conv1x1Vnni::RunRows(const void* input, void* output, size_t begin, size_t end) const {
  const size_t vectors = (cout_ + 15) / 16;
  TileArgs t{};
  t.a_stride = cin_;
  t.w_stride = k_groups_ * 64;
  t.c_stride = cout_;
  t.cin = cin_;
  t.k_full = cin_ / 4;
  t.input_factor = input_factor_;
  t.zero_point = output_zero_point_;
  t.lo = out_lo_;
  t.hi = out_hi_;
  t.is_signed = is_signed_;
  for (size_t v0 = 0; v0 < vectors; v0 += 4) {
    const size_t nb = std::min<size_t>(4, vectors - v0);
    const size_t mr = TileRows(nb);
    t.w = weights_.data() + v0 * t.w_stride;
    t.bias = bias_.data() + 16 * v0;
    t.scale = scales_.data() + 16 * v0;
    t.columns = std::min(cout_ - 16 * v0, 16 * nb);
    for (size_t p = begin; p < end; p += mr) {
      const size_t rows = std::min(mr, end - p);
      t.a = static_cast<const uint8_t*>(input) + p * cin_;
      t.c = static_cast<uint8_t*>(output) + p * cout_ + 16 * v0;
      kTiles[nb - 1][rows - 1](t);
    }
  }
}

void Conv1x1Vnni::RunPixels(const void* input, void* output, size_t pixels,
                            pthreadpool_t pool) const {
  const size_t threads = pool != nullptr ? pthreadpool_get_threads_count(pool) : 1;
  if (threads <= 1 || pixels < 2 * kMaxRows) {
    RunRows(input, output, 0, pixels);
    return;
  }
  // About 4 tasks per thread, in whole 24-row multiples (tiles of 6 and of 8 rows).
  size_t rows = (pixels + 4 * threads - 1) / (4 * threads);
  rows = std::max<size_t>(24, (rows + 23) / 24 * 24);
  RunContext rc{this, input, output, rows, pixels};
  pthreadpool_parallelize_1d(pool, &RunTask, &rc, (pixels + rows - 1) / rows, 0);
}

std::unique_ptr<FastConv> MakeConv1x1Vnni(const FastConvSpec& s) {
  if (s.depthwise || s.kernel_h != 1 || s.kernel_w != 1 || s.stride_h != 1 || s.stride_w != 1 ||
      s.pad_top != 0 || s.pad_left != 0 || s.pad_bottom != 0 || s.pad_right != 0 ||
      s.in_h != s.out_h || s.in_w != s.out_w || !Conv1x1Vnni::Supported())
    return nullptr;
  auto conv = std::make_unique<Conv1x1Vnni>();
  if (!conv->Pack(s.quant, s.cin, s.cout, s.weights, s.bias)) return nullptr;
  conv->pixels_per_image_ = s.in_h * s.in_w;
  return conv;
}

}  // namespace labelite::xnn
