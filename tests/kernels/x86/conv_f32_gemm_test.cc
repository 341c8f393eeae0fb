// F32Gemm (avx2/gemm_f32.h) and the float32 CONV_2D on it (conv_f32_gemm.cc) at every ISA
// level this CPU supports, against XNNPACK's own f32 convolution and fully connected operators,
// bit for bit (same FMAs in the same order): MobileNet 1x1 layers, 3x3 stride 1/2 with SAME and
// VALID padding, 5x5/7x7 and 1x1 stride-2 windows, dilation, input channels around the 8/16
// lanes, output channels not a multiple of 16, row counts around the 6/14-row tiles, batch 2,
// relu6 and no clamp, with and without bias, on no pool and on a 3-thread pool, RGB stems (the
// merged kernel rows), a second input in the same buffer (the kept row pointers), and small
// maps whose padding is skipped (1x7, 7x1 and 3x3 windows over 1x1 to 6x6 pixels). (Run it under
// bench's CPUID mask too: XNNPACK then runs its fma3 kernels, the ones an AVX2 CPU gets.)
#include <cpuid.h>
#include <gtest/gtest.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/fast/fast_conv.h"
#include "kernels/fast/isa.h"
#include "kernels/x86/avx2/gemm_f32.h"

namespace labelite::xnn {
namespace {

struct Case {
  size_t batch, in_h, in_w, cin, cout;
  uint32_t kernel, stride;
  bool same, relu6, with_bias;
  uint32_t dilation = 1;
  uint32_t kernel_w = 0;  // 0: square (kernel)
};
uint32_t KernelW(const Case& c) { return c.kernel_w != 0 ? c.kernel_w : c.kernel; }

std::string Describe(const Case& c) {
  return std::to_string(c.batch) + "x" + std::to_string(c.in_h) + "x" + std::to_string(c.in_w) +
         "x" + std::to_string(c.cin) + " -> " + std::to_string(c.cout) + " k" +
         std::to_string(c.kernel) + "x" + std::to_string(KernelW(c)) + " s" + std::to_string(c.stride) + " d" +
         std::to_string(c.dilation) + (c.same ? " SAME" : " VALID") + (c.relu6 ? " relu6" : "") +
         (c.with_bias ? "" : " no bias");
}

// TFLite's padding (SAME: output ceil(in / stride), the odd pixel of padding after).
FastConvF32Spec Spec(const Case& c, const float* w, const float* b) {
  FastConvF32Spec s;
  s.in_h = c.in_h, s.in_w = c.in_w, s.cin = c.cin, s.cout = c.cout;
  s.kernel_h = c.kernel, s.kernel_w = KernelW(c);
  s.stride_h = s.stride_w = c.stride;
  s.dilation_h = s.dilation_w = c.dilation;
  auto dim = [&](size_t in, uint32_t* before, uint32_t* after, uint32_t kernel) {
    const size_t span = (kernel - 1) * c.dilation + 1;
    if (!c.same) return (in - span) / c.stride + 1;
    const size_t out = (in + c.stride - 1) / c.stride;
    const size_t need = (out - 1) * c.stride + span;
    const size_t total = need > in ? need - in : 0;
    *before = static_cast<uint32_t>(total / 2);
    *after = static_cast<uint32_t>(total - total / 2);
    return out;
  };
  s.out_h = dim(c.in_h, &s.pad_top, &s.pad_bottom, s.kernel_h);
  s.out_w = dim(c.in_w, &s.pad_left, &s.pad_right, s.kernel_w);
  if (c.relu6) s.output_min = 0.0f, s.output_max = 6.0f;
  s.weights = w;
  s.bias = b;
  return s;
}

std::vector<float> RunXnnpack(const FastConvF32Spec& s, size_t batch, const float* in) {
  xnn_operator_t op = nullptr;
  EXPECT_EQ(xnn_create_convolution2d_nhwc_f32(
                s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, s.kernel_h, s.kernel_w,
                s.stride_h, s.stride_w, s.dilation_h, s.dilation_w, 1, s.cin, s.cout, s.cin,
                s.cout, s.weights, s.bias, s.output_min, s.output_max, 0, &op),
            xnn_status_success);
  std::vector<float> out(batch * s.out_h * s.out_w * s.cout);
  // XNNPACK may read up to XNN_EXTRA_BYTES past the input's end: give it a copy with that slack.
  const size_t n = batch * s.in_h * s.in_w * s.cin;
  std::vector<float> padded(n + XNN_EXTRA_BYTES / sizeof(float));
  std::copy(in, in + n, padded.begin());
  EXPECT_EQ(xnn_setup_convolution2d_nhwc_f32(op, batch, s.in_h, s.in_w, padded.data(), out.data(),
                                             nullptr),
            xnn_status_success);
  EXPECT_EQ(xnn_run_operator(op, nullptr), xnn_status_success);
  xnn_delete_operator(op);
  return out;
}

pthreadpool_t Pool() {
  static pthreadpool_t pool = pthreadpool_create(3);
  return pool;
}

// XNNPACK 2022 picks its 4x16s4 fma3 kernels, which add in another order, on AMD Zen 1 and
// Hygon Dhyana (cpuinfo's uarch zen / dhyana: family 17h models below 30h, vendor Hygon); its
// 5x16 (gemm) and 1x16 (one row) fma3 broadcast kernels, F32Gemm's order, everywhere else.
bool XnnpackAddsInAnotherOrder(IsaLevel level) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (level != IsaLevel::kAvx2 || !__get_cpuid(0, &a, &b, &c, &d)) return false;
  char vendor[13] = {};
  std::memcpy(vendor, &b, 4), std::memcpy(vendor + 4, &d, 4), std::memcpy(vendor + 8, &c, 4);
  __get_cpuid(1, &a, &b, &c, &d);
  const unsigned base_family = (a >> 8) & 0xF;
  const unsigned family = base_family == 0xF ? base_family + ((a >> 20) & 0xFF) : base_family;
  const unsigned model = ((a >> 4) & 0xF) | (((a >> 16) & 0xF) << 4);
  return std::string(vendor) == "HygonGenuine" ||
         (std::string(vendor) == "AuthenticAMD" && family == 0x17 && model < 0x30);
}

// Bit for bit (memcmp: +0 and -0 differ); on the CPUs above to a relative 1e-5.
void ExpectIdentical(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  const bool exact = !XnnpackAddsInAnotherOrder(ActiveIsa());
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const bool same =
        exact ? std::memcmp(&got[i], &want[i], sizeof(float)) == 0
              : std::fabs(got[i] - want[i]) <= 1e-5f * std::max(1.0f, std::fabs(want[i])) ||
                    (std::isnan(got[i]) && std::isnan(want[i]));
    if (!same && bad++ == 0) first = i;
  }
  EXPECT_EQ(bad, 0u) << "of " << got.size() << ", first at " << first << ": got "
                     << got[first] << " expected " << want[first];
}

struct Level {
  IsaLevel isa;
  std::unique_ptr<FastConv> (*make)(const FastConvF32Spec&);
  const char* path;
};
// The AVX-512 tile on every shape (its list factory leaves cin < 8 to XNNPACK: ChosenByLevel).
std::unique_ptr<FastConv> AnyConvF32GemmAvx512(const FastConvF32Spec& spec) {
  return MakeConvF32Gemm(spec, IsaLevel::kAvx512);
}
const Level kLevels[] = {
    {IsaLevel::kAvx512, &AnyConvF32GemmAvx512, "avx512 f32 gemm"},
    {IsaLevel::kAvx2, &MakeConvF32GemmAvx2, "avx2 f32 gemm"},
};

// Inputs as a ReLU leaves them: the negative half zero (some as -0), every third channel zero
// in the left half of the image, and the first two pixel rows zero in every channel, so that
// tiles meet k steps zero in all their rows, in some, and in none.
void ReluInputs(const Case& c, std::mt19937& rng, std::vector<float>& in) {
  std::bernoulli_distribution minus(0.3);
  for (size_t i = 0; i < in.size(); ++i) {
    const size_t ch = i % c.cin, x = (i / c.cin) % c.in_w, y = (i / c.cin / c.in_w) % c.in_h;
    if (in[i] < 0 || (ch % 3 == 0 && x < c.in_w / 2) || y < 2) in[i] = minus(rng) ? -0.0f : 0.0f;
  }
}

class ConvF32GemmTest : public ::testing::TestWithParam<Level> {
 protected:
  void SetUp() override {
    saved_ = ActiveIsa();
    if (DetectedIsa() < GetParam().isa)
      GTEST_SKIP() << "CPU without " << IsaLevelName(GetParam().isa);
    SetIsaLimit(GetParam().isa);
    ASSERT_EQ(xnn_initialize(nullptr), xnn_status_success);
  }
  void TearDown() override { SetIsaLimit(saved_); }

  // non_finite: a NaN, +inf and -inf among the inputs (they must come out as XNNPACK's do),
  // and denormals.
  // relu: inputs as after ReLU (F32Steps skips the k steps whose inputs are all zero);
  // cached: the weights stay in the last-level cache (tiles of 1-3 rows skip them too).
  void RunCase(const Case& c, uint32_t seed, bool non_finite = false, bool relu = false,
               bool cached = false) {
    SCOPED_TRACE(Describe(c) + (relu ? " relu inputs" : "") + (cached ? " cached" : ""));
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    std::vector<float> w(c.cout * c.kernel * KernelW(c) * c.cin), bias(c.cout),
        in(c.batch * c.in_h * c.in_w * c.cin);
    for (auto* v : {&w, &bias, &in})
      for (float& x : *v) x = dist(rng);
    if (relu) ReluInputs(c, rng, in);
    if (non_finite) {
      in[in.size() / 3] = NAN;
      in[in.size() / 2] = INFINITY;
      in[in.size() - 1] = -INFINITY;
      // Output channel 0's weights denormal: inf * 1e-40 is inf, but NaN where XNNPACK runs,
      // with denormals flushed (MXCSR FTZ + DAZ); and a denormal input.
      std::fill_n(w.begin(), w.size() / c.cout, 1e-40f);
      in[in.size() / 5] = -3e-39f;
    }
    FastConvF32Spec spec = Spec(c, w.data(), c.with_bias ? bias.data() : nullptr);
    spec.input_zeros = relu;
    spec.weights_cached = cached;
    const std::vector<float> want = RunXnnpack(spec, c.batch, in.data());
    std::unique_ptr<FastConv> conv = GetParam().make(spec);
    ASSERT_NE(conv, nullptr);
    EXPECT_STREQ(conv->path(), GetParam().path);
    std::vector<float> got(want.size(), NAN);
    conv->Run(in.data(), got.data(), c.batch, nullptr);
    ExpectIdentical(got, want);
    std::vector<float> threaded(want.size(), NAN);
    conv->Run(in.data(), threaded.data(), c.batch, Pool());
    ExpectIdentical(threaded, want);
    // New values in the same buffer: the kept row pointers (step 4) read them, and the edge
    // windows' scratch rows are filled again.
    for (float& x : in) x = dist(rng);
    if (relu) ReluInputs(c, rng, in);
    const std::vector<float> want2 = RunXnnpack(spec, c.batch, in.data());
    std::vector<float> again(want2.size(), NAN);
    conv->Run(in.data(), again.data(), c.batch, Pool());
    ExpectIdentical(again, want2);
    conv->Run(in.data(), again.data(), c.batch, nullptr);
    ExpectIdentical(again, want2);
  }
  IsaLevel saved_ = IsaLevel::kXnnpack;
};


TEST_P(ConvF32GemmTest, MobileNetShapes) {
  // mobilenet_v1_0.25 pointwise layers, then its 3x3 cousins (v2's expansion, resnet's 3x3).
  RunCase({1, 112, 112, 8, 16, 1, 1, true, true, true}, 1);
  RunCase({1, 56, 56, 32, 32, 1, 1, true, true, true}, 2);
  RunCase({1, 14, 14, 128, 128, 1, 1, true, true, true}, 3);
  RunCase({1, 7, 7, 256, 256, 1, 1, true, true, true}, 4);
  RunCase({1, 1, 1, 256, 1001, 1, 1, false, false, true}, 5);  // the logits as a 1x1 conv
  RunCase({1, 28, 28, 24, 40, 3, 1, true, true, true}, 6);
  RunCase({1, 28, 28, 64, 64, 3, 2, true, false, true}, 7);
  RunCase({1, 224, 224, 3, 32, 3, 2, true, true, true}, 8);  // first layer, cout > 8
  RunCase({2, 15, 17, 64, 96, 3, 1, false, true, false}, 9);
  RunCase({1, 48, 48, 16, 8, 1, 1, true, true, true}, 17);   // v2 projection: 8 columns
  RunCase({1, 24, 24, 48, 12, 1, 1, true, true, true}, 18);  // 8 + 4 columns
}

TEST_P(ConvF32GemmTest, OtherWindows) {
  RunCase({1, 20, 21, 16, 24, 1, 2, true, false, true}, 10);  // 1x1 stride 2 (resnet shortcut)
  RunCase({1, 19, 18, 12, 20, 5, 1, true, true, true}, 11);
  RunCase({2, 23, 22, 5, 33, 7, 2, true, false, true}, 12);
  RunCase({1, 17, 19, 9, 17, 3, 1, true, true, true, 2}, 13);   // dilation 2
  RunCase({1, 16, 16, 7, 18, 3, 1, false, false, false, 3}, 14);  // dilation 3, VALID
  RunCase({2, 8, 9, 1, 16, 3, 1, true, false, true}, 15);  // one input channel
  RunCase({1, 9, 9, 4, 1, 3, 2, true, true, true}, 16);    // one output channel
  // RGB stems: kernel rows merged into one tap of kernel_w * 3 channels (step 3).
  RunCase({1, 96, 96, 3, 16, 3, 2, true, false, true}, 24);
  RunCase({1, 38, 37, 3, 64, 7, 2, true, true, true}, 25);   // ResNet's 7x7 stem, odd width
  RunCase({2, 11, 13, 3, 24, 3, 1, false, false, true}, 26);  // VALID: no edge windows
  RunCase({1, 48, 48, 3, 40, 16, 16, false, false, true}, 27);  // ViT's patch embedding
}

TEST_P(ConvF32GemmTest, NonFiniteInputs) {
  RunCase({1, 9, 10, 16, 20, 1, 1, true, true, true}, 20, true);
  RunCase({1, 9, 10, 16, 20, 1, 1, true, false, true}, 21, true);
  RunCase({1, 9, 10, 12, 20, 3, 2, true, true, true}, 22, true);
  RunCase({1, 9, 10, 12, 20, 3, 1, true, false, false}, 23, true);
}

TEST_P(ConvF32GemmTest, RandomShapes) {
  std::mt19937 rng(44);
  const size_t sizes[] = {1, 2, 3, 4, 5, 6, 7, 9, 13, 14, 15, 29};
  for (uint32_t seed = 0; seed < 150; ++seed) {
    Case c{1 + rng() % 2, sizes[rng() % 12], sizes[rng() % 12], 1 + rng() % 40, 1 + rng() % 50,
           static_cast<uint32_t>(1 + 2 * (rng() % 2)), static_cast<uint32_t>(1 + rng() % 2),
           rng() % 2 == 0, rng() % 2 == 0, rng() % 4 != 0};
    if (c.cin == 1 && c.cout == 1) c.cout = 2;
    if (!c.same && (c.in_h < c.kernel || c.in_w < c.kernel)) c.same = true;
    RunCase(c, 100 + seed);
  }
}

// Step 5: small maps where most taps are padding (Inception v3, DenseNet, ResNet at 64-96
// pixels): the tiles skip taps that are padding in all their rows, and some layers take tiles
// along the output rows (4x4, 6x6 pixels; batch 2 repeats them per image).
// Inputs with zeros (F32Steps): 1x1, 3x3 with padding, strided, merged stem rows, batch 2,
// channels around the 8/16 lanes, rows around the tiles.
TEST_P(ConvF32GemmTest, ReluInputsSkipZeroSteps) {
  RunCase({1, 16, 16, 128, 32, 1, 1, true, false, true}, 40, false, true);
  RunCase({1, 12, 13, 20, 40, 3, 1, true, true, true}, 41, false, true);
  RunCase({2, 9, 11, 33, 70, 3, 2, true, false, false}, 42, false, true);
  RunCase({1, 23, 22, 3, 16, 7, 2, true, false, true}, 43, false, true);
  RunCase({1, 7, 7, 17, 36, 1, 1, true, false, true, 1, 7}, 44, false, true);
  RunCase({1, 6, 7, 64, 48, 1, 1, false, false, true}, 45, true, true);
  // All zero: every tile runs no step (the outputs are the clamped bias).
  RunCase({1, 2, 5, 16, 40, 3, 1, true, true, true}, 46, false, true);
}

// Channels zero at every pixel: their weights are not read, but by the first tile of the panels
// (on no pool: the first output pixels, at most 7), which streams them in order. NaN there must
// leave the other outputs finite and as XNNPACK's with those weights zeroed (fails if the zero
// steps were run), the first tile's as either (the NaN clamped to -inf).
TEST_P(ConvF32GemmTest, ZeroChannelWeightsNeverRead) {
  for (const Case& c : {Case{1, 10, 9, 40, 36, 1, 1, true, false, true},
                        Case{2, 8, 8, 24, 40, 3, 1, true, true, true}}) {
    SCOPED_TRACE(Describe(c));
    std::mt19937 rng(9);
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    const size_t taps = size_t{c.kernel} * KernelW(c);
    std::vector<float> w(c.cout * taps * c.cin), bias(c.cout), in(c.batch * c.in_h * c.in_w * c.cin);
    for (auto* v : {&w, &bias, &in})
      for (float& x : *v) x = dist(rng);
    for (float& x : in) x = std::max(x, 0.0f);
    std::vector<float> zeroed = w;
    // Channels 3, 4, 7, 8, 11, 12, ... zero (a tile runs the steps when 1/8 or more of them
    // are zero, else all of them).
    auto dead = [](size_t ch) { return ch % 4 == 0 || ch % 4 == 3; };
    for (size_t i = 0; i < in.size(); ++i)
      if (dead(i % c.cin)) in[i] = 0.0f;
    for (size_t o = 0; o < c.cout; ++o)
      for (size_t tap = 0; tap < taps; ++tap)
        for (size_t ch = 0; ch < c.cin; ++ch)
          if (dead(ch)) {
            w[(o * taps + tap) * c.cin + ch] = NAN;
            zeroed[(o * taps + tap) * c.cin + ch] = 0.0f;
          }
    FastConvF32Spec spec = Spec(c, w.data(), bias.data());
    const std::vector<float> with_nan = RunXnnpack(spec, c.batch, in.data());
    spec.weights = zeroed.data();
    const std::vector<float> want = RunXnnpack(spec, c.batch, in.data());
    for (float v : want) ASSERT_TRUE(std::isfinite(v));
    spec.weights = w.data();
    spec.input_zeros = true;
    std::unique_ptr<FastConv> conv = GetParam().make(spec);
    ASSERT_NE(conv, nullptr);
    std::vector<float> got(want.size(), NAN);
    conv->Run(in.data(), got.data(), c.batch, nullptr);
    const size_t first = 7 * c.cout;  // outputs of the first tile's pixels, at most
    ExpectIdentical(std::vector<float>(got.begin() + first, got.end()),
                    std::vector<float>(want.begin() + first, want.end()));
    for (size_t i = 0; i < first; ++i)
      ASSERT_TRUE(std::memcmp(&got[i], &want[i], sizeof(float)) == 0 ||
                  std::memcmp(&got[i], &with_nan[i], sizeof(float)) == 0)
          << "output " << i << ": " << got[i];
  }
}

TEST_P(ConvF32GemmTest, SmallMapsSkipPadding) {
  RunCase({1, 1, 1, 48, 40, 3, 1, true, false, true}, 30);   // 1 tap of 9
  RunCase({1, 3, 3, 24, 36, 1, 1, true, true, true, 1, 7}, 31);   // 1x7 over 3x3
  RunCase({1, 3, 3, 24, 36, 7, 1, true, false, true}, 32);   // 7x7 over 3x3
  {
    Case c{1, 3, 3, 20, 33, 7, 1, true, false, true};
    c.kernel_w = 1;  // 7x1
    RunCase(c, 33);
  }
  RunCase({1, 4, 4, 40, 32, 3, 1, true, false, true}, 34);   // DenseNet's 4x4: row tiles
  RunCase({2, 4, 4, 40, 32, 3, 1, true, true, false}, 35);   // the same, batch 2
  RunCase({1, 6, 6, 24, 64, 3, 1, true, true, true}, 36);    // ResNet's 6x6
  RunCase({1, 2, 2, 40, 32, 3, 1, true, false, true}, 37);
  RunCase({1, 6, 6, 24, 48, 3, 2, true, false, true}, 38);   // stride 2: padding after only
  RunCase({2, 5, 3, 16, 20, 5, 1, true, false, true, 1, 3}, 39);
  RunCase({1, 1, 1, 12, 40, 3, 1, true, false, true}, 40, true);
}

// Tiles of 1-3 rows run several panels at once (PanelsFew): 1x1 maps (squeeze-excite blocks),
// batches of 2-3 of them, the last 2-3 rows of a layer; with 2-9 full panels (16 columns at
// AVX2, 32 at AVX-512) and a partial one, padding taps (steps) and non-finite inputs.
TEST_P(ConvF32GemmTest, FewRowsManyPanels) {
  RunCase({1, 1, 1, 96, 150, 1, 1, true, false, true}, 50);
  RunCase({2, 1, 1, 40, 100, 1, 1, true, true, true}, 51);
  RunCase({3, 1, 1, 72, 200, 1, 1, true, false, false}, 52);
  RunCase({1, 3, 3, 56, 336, 1, 1, true, false, true}, 53);   // 9 rows: 6 + 3, 7 + 2
  RunCase({1, 1, 1, 48, 96, 3, 1, true, false, true}, 54);    // 1 row, 1 tap of 9
  RunCase({1, 1, 3, 40, 128, 3, 1, true, true, true}, 55);    // 3 rows, padding taps
  RunCase({2, 1, 2, 24, 64, 3, 1, true, false, true}, 56);    // 2 rows a batch, padding taps
  RunCase({1, 1, 1, 144, 576, 1, 1, true, false, true}, 57, false, true);  // ReLU inputs
  RunCase({2, 1, 1, 64, 70, 1, 1, true, false, true}, 58, true);
  // Weights from the last-level cache: the streaming tiles of 1-3 rows skip zero steps too.
  RunCase({1, 1, 1, 144, 576, 1, 1, true, false, true}, 59, false, true, true);
  RunCase({3, 1, 1, 200, 150, 1, 1, true, false, true}, 60, false, true, true);
  RunCase({1, 1, 3, 40, 128, 3, 1, true, true, true}, 61, false, true, true);
  RunCase({1, 1, 1, 96, 100, 1, 1, true, false, true}, 62, true, true, true);
}

// With the weights in the last-level cache (FastConvF32Spec::weights_cached), a tile of 1-3
// rows reads no weights of the channels zero in all its rows, though it is the first (and only)
// tile of its GEMM: NaN weights there leave every output finite and equal to XNNPACK's with
// them zeroed (fails if those steps were run). Without weights_cached the tile streams them.
// (On a pool the panels are split into tasks; one of fewer than 32 columns does not look for
// zero steps: F32ScanZeroSteps. FewRowsManyPanels runs cached tiles on the pool.)
TEST_P(ConvF32GemmTest, CachedWeightsFewRowsSkipZeroSteps) {
  for (const Case& c : {Case{1, 1, 1, 300, 200, 1, 1, true, false, true},
                        Case{2, 1, 1, 64, 70, 1, 1, true, false, true},
                        Case{3, 1, 1, 160, 1000, 1, 1, true, false, true}}) {
    SCOPED_TRACE(Describe(c));
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    std::vector<float> w(c.cout * c.cin), bias(c.cout), in(c.batch * c.cin);
    for (auto* v : {&w, &bias, &in})
      for (float& x : *v) x = dist(rng);
    for (float& x : in) x = std::max(x, 0.0f);
    std::vector<float> zeroed = w;
    for (size_t ch = 0; ch < c.cin; ch += 3) {
      for (size_t b = 0; b < c.batch; ++b) in[b * c.cin + ch] = 0.0f;
      for (size_t o = 0; o < c.cout; ++o) {
        w[o * c.cin + ch] = NAN;
        zeroed[o * c.cin + ch] = 0.0f;
      }
    }
    FastConvF32Spec spec = Spec(c, zeroed.data(), bias.data());
    const std::vector<float> want = RunXnnpack(spec, c.batch, in.data());
    for (float v : want) ASSERT_TRUE(std::isfinite(v));
    spec.weights = w.data();
    spec.input_zeros = true;
    spec.weights_cached = true;
    std::unique_ptr<FastConv> conv = GetParam().make(spec);
    ASSERT_NE(conv, nullptr);
    std::vector<float> got(want.size(), NAN);
    conv->Run(in.data(), got.data(), c.batch, nullptr);  // one tile, all panels (no pool)
    ExpectIdentical(got, want);
    // Streamed (not cached): the NaN weights are read (a NaN sum is clamped to -inf).
    spec.weights_cached = false;
    conv = GetParam().make(spec);
    ASSERT_NE(conv, nullptr);
    conv->Run(in.data(), got.data(), c.batch, nullptr);
    EXPECT_FALSE(std::isfinite(got[0]));
  }
}

// The taps that are padding for every output pixel never run: NaN weights there leave the
// outputs finite, equal to XNNPACK's with those weights zeroed (XNNPACK multiplies its zero
// row by them: NaN).
TEST_P(ConvF32GemmTest, PaddingWeightsNeverRead) {
  struct Shape {
    Case c;
    uint32_t keep_ky0, keep_ky1, keep_kx0, keep_kx1;  // the taps some pixel reads
  };
  Case one_by_seven{1, 3, 3, 16, 24, 1, 1, true, false, true};
  one_by_seven.kernel_w = 7;
  for (const Shape& shape : {Shape{{1, 1, 1, 32, 40, 3, 1, true, false, true}, 1, 1, 1, 1},
                             Shape{one_by_seven, 0, 0, 1, 5}}) {
    const Case& c = shape.c;
    SCOPED_TRACE(Describe(c));
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    const uint32_t kh = c.kernel, kw = KernelW(c);
    std::vector<float> w(c.cout * kh * kw * c.cin), zeroed, bias(c.cout), in(c.in_h * c.in_w * c.cin);
    for (auto* v : {&w, &bias, &in})
      for (float& x : *v) x = dist(rng);
    zeroed = w;
    for (size_t o = 0; o < c.cout; ++o)
      for (uint32_t ky = 0; ky < kh; ++ky)
        for (uint32_t kx = 0; kx < kw; ++kx) {
          if (ky >= shape.keep_ky0 && ky <= shape.keep_ky1 && kx >= shape.keep_kx0 &&
              kx <= shape.keep_kx1)
            continue;
          for (size_t i = 0; i < c.cin; ++i) {
            const size_t at = ((o * kh + ky) * kw + kx) * c.cin + i;
            w[at] = NAN;
            zeroed[at] = 0.0f;
          }
        }
    const std::vector<float> want =
        RunXnnpack(Spec(c, zeroed.data(), bias.data()), 1, in.data());
    std::unique_ptr<FastConv> conv = GetParam().make(Spec(c, w.data(), bias.data()));
    ASSERT_NE(conv, nullptr);
    std::vector<float> got(want.size(), NAN);
    conv->Run(in.data(), got.data(), 1, nullptr);
    for (float v : want) ASSERT_TRUE(std::isfinite(v));
    ExpectIdentical(got, want);
    conv->Run(in.data(), got.data(), 1, Pool());
    ExpectIdentical(got, want);
  }
}

// F32Gemm::Run as FULLY_CONNECTED would call it, against XNNPACK's fully connected operator.
// relu: the inputs' negative half zero (a batch-1 row skips those k steps: F32Steps).
TEST_P(ConvF32GemmTest, FullyConnected) {
  for (const auto& [batch, k, units, relu] :
       {std::tuple<size_t, size_t, size_t, bool>{1, 1024, 1001, false}, {5, 64, 10, false},
        {15, 7, 33, false}, {29, 256, 16, false}, {1, 1024, 1001, true}, {1, 37, 40, true},
        {3, 100, 70, true}, {2, 300, 130, false}, {3, 64, 200, false}, {2, 50, 257, true},
        // several tiles of rows, 8-24 columns (MobileNet v2's projections): zero steps too
        {29, 64, 16, true}, {13, 40, 8, true}, {20, 96, 24, true}, {17, 33, 11, true}}) {
    SCOPED_TRACE(std::to_string(batch) + "x" + std::to_string(k) + " -> " +
                 std::to_string(units) + (relu ? " relu inputs" : ""));
    std::mt19937 rng(static_cast<uint32_t>(k + units));
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    // in: XNN_EXTRA_BYTES of slack past batch * k (XNNPACK may read past the end).
    std::vector<float> w(units * k), bias(units), in(batch * k + XNN_EXTRA_BYTES / sizeof(float));
    for (auto* v : {&w, &bias, &in})
      for (float& x : *v) x = dist(rng);
    if (relu) {
      for (float& x : in) x = std::max(x, 0.0f);
      // and every third channel zero in all rows, so that every tile has steps to skip
      for (size_t r = 0; r < batch; ++r)
        for (size_t i = 0; i < k; i += 3) in[r * k + i] = 0.0f;
    }
    xnn_operator_t op = nullptr;
    ASSERT_EQ(xnn_create_fully_connected_nc_f32(k, units, k, units, w.data(), bias.data(),
                                                -INFINITY, INFINITY, 0, &op),
              xnn_status_success);
    std::vector<float> want(batch * units), got(batch * units, NAN);
    ASSERT_EQ(xnn_setup_fully_connected_nc_f32(op, batch, in.data(), want.data(), nullptr),
              xnn_status_success);
    ASSERT_EQ(xnn_run_operator(op, nullptr), xnn_status_success);
    xnn_delete_operator(op);
    const auto gemm = F32Gemm::Make(1, k, units, w.data(), bias.data(), -INFINITY, INFINITY,
                                    GetParam().isa);
    ASSERT_NE(gemm, nullptr);
    for (const bool cached : {false, true}) {
      SCOPED_TRACE(cached ? "weights cached" : "weights streamed");
      gemm->set_zero_steps(relu, cached);
      std::fill(got.begin(), got.end(), NAN);
      gemm->Run(in.data(), k, batch, got.data(), units, Pool());
      ExpectIdentical(got, want);
      std::fill(got.begin(), got.end(), NAN);
      gemm->Run(in.data(), k, batch, got.data(), units, nullptr);
      ExpectIdentical(got, want);
    }
  }
}

// Shapes left to XNNPACK: depthwise, 1 -> 1 channel (XNNPACK's dwconv/vmulcaddc order).
TEST_P(ConvF32GemmTest, DeclinesOtherShapes) {
  const float w[9] = {};
  FastConvF32Spec s = Spec({1, 8, 8, 4, 4, 3, 1, true, false, false}, w, nullptr);
  s.depthwise = true;
  EXPECT_EQ(GetParam().make(s), nullptr);
  s = Spec({1, 8, 8, 1, 1, 3, 1, true, false, false}, w, nullptr);
  EXPECT_EQ(GetParam().make(s), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Levels, ConvF32GemmTest, ::testing::ValuesIn(kLevels),
                         [](const auto& info) {
                           return std::string(IsaLevelName(info.param.isa));
                         });

// What MakeFastConv picks for a pointwise layer at each level: the AVX-512 GEMM at AVX-512
// (XNNPACK for a 3x3 first layer of 3 channels, the GEMM for a 7x7 one and a 16x16 patch
// embedding), the AVX2 GEMM at AVX2, nothing below.
TEST(ConvF32GemmLevels, ChosenByLevel) {
  const IsaLevel saved = ActiveIsa();
  std::vector<float> w(32 * 16, 0.5f);
  const FastConvF32Spec spec =
      Spec({1, 14, 14, 16, 32, 1, 1, true, false, true}, w.data(), nullptr);
  if (DetectedIsa() >= IsaLevel::kAvx512) {
    SetIsaLimit(IsaLevel::kAvx512);
    EXPECT_EQ(MakeConvF32GemmAvx2(spec), nullptr);
    std::unique_ptr<FastConv> conv = MakeFastConv(spec);
    ASSERT_NE(conv, nullptr);
    EXPECT_STREQ(conv->path(), "avx512 f32 gemm");
    const FastConvF32Spec rgb =
        Spec({1, 28, 28, 3, 32, 3, 2, true, false, true}, w.data(), nullptr);
    EXPECT_EQ(MakeConvF32GemmAvx512(rgb), nullptr);
    EXPECT_EQ(MakeFastConv(rgb), nullptr);
    // A 7x7 stem's merged kernel row (7 x 3 floats) is long enough for the tile.
    std::vector<float> w7(16 * 7 * 7 * 3, 0.25f);
    const FastConvF32Spec stem7 =
        Spec({1, 40, 40, 3, 16, 7, 2, true, false, true}, w7.data(), nullptr);
    std::unique_ptr<FastConv> stem = MakeFastConv(stem7);
    ASSERT_NE(stem, nullptr);
    EXPECT_STREQ(stem->path(), "avx512 f32 gemm");
    // A patch embedding's merged kernel row (16 x 3 floats) is long enough for the tile.
    std::vector<float> wp(24 * 16 * 16 * 3, 0.25f);
    const FastConvF32Spec patches =
        Spec({1, 32, 32, 3, 24, 16, 16, false, false, true}, wp.data(), nullptr);
    std::unique_ptr<FastConv> embed = MakeFastConv(patches);
    ASSERT_NE(embed, nullptr);
    EXPECT_STREQ(embed->path(), "avx512 f32 gemm");
  }
  if (DetectedIsa() >= IsaLevel::kAvx2) {
    SetIsaLimit(IsaLevel::kAvx2);
    std::unique_ptr<FastConv> conv = MakeFastConv(spec);
    ASSERT_NE(conv, nullptr);
    EXPECT_STREQ(conv->path(), "avx2 f32 gemm");
    EXPECT_EQ(MakeConvF32GemmAvx512(spec), nullptr);
  }
  SetIsaLimit(IsaLevel::kXnnpack);
  EXPECT_EQ(MakeConvF32GemmAvx2(spec), nullptr);
  EXPECT_EQ(MakeFastConv(spec), nullptr);
  SetIsaLimit(saved);
}

}  // namespace
}  // namespace labelite::xnn
