// The float32 direct convolutions (avx512/conv_f32_direct.cc, avx2/conv_f32_avx2.cc) at every
// ISA level this CPU supports, against XNNPACK's own f32 convolution operator (the fast path's
// oracle): random depthwise 3x3 and small-window convolutions over channel counts around the
// 8/16-lane blocks, tiny to MobileNet-sized images, strides 1 and 2,
// TFLite SAME and VALID padding, batch 2, a relu6 clamp, and runs on a 3-thread pool. The
// depthwise kernels (3x3, 5x5, 7x7) add in XNNPACK's order and must be bit-identical; the small
// 3x3 convolution differs only in the order of the float additions, so every output must agree
// to a relative 1e-5.
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

namespace labelite::xnn {
namespace {

struct Case {
  bool depthwise;
  size_t batch, in_h, in_w, cin, cout;
  uint32_t kernel, stride;
  bool same, relu6, with_bias;
  uint32_t seed;
};

std::string Describe(const Case& c) {
  return std::string(c.depthwise ? "depthwise " : "conv ") + std::to_string(c.batch) + "x" +
         std::to_string(c.in_h) + "x" + std::to_string(c.in_w) + "x" + std::to_string(c.cin) +
         " -> " + std::to_string(c.cout) + " k" + std::to_string(c.kernel) + " s" +
         std::to_string(c.stride) + (c.same ? " SAME" : " VALID") + (c.relu6 ? " relu6" : "") +
         (c.with_bias ? "" : " no bias");
}

// The spec TFLite's padding gives (SAME: output ceil(in / stride), extra padding after).
FastConvF32Spec Spec(const Case& c, const float* w, const float* b) {
  FastConvF32Spec s;
  s.depthwise = c.depthwise;
  s.in_h = c.in_h, s.in_w = c.in_w, s.cin = c.cin, s.cout = c.cout;
  s.kernel_h = s.kernel_w = c.kernel;
  s.stride_h = s.stride_w = c.stride;
  auto dim = [&](size_t in, uint32_t* before, uint32_t* after) {
    if (!c.same) return (in - c.kernel) / c.stride + 1;
    const size_t out = (in + c.stride - 1) / c.stride;
    const size_t need = (out - 1) * c.stride + c.kernel;
    const size_t total = need > in ? need - in : 0;
    *before = static_cast<uint32_t>(total / 2);
    *after = static_cast<uint32_t>(total - total / 2);
    return out;
  };
  s.out_h = dim(c.in_h, &s.pad_top, &s.pad_bottom);
  s.out_w = dim(c.in_w, &s.pad_left, &s.pad_right);
  if (c.relu6) s.output_min = 0.0f, s.output_max = 6.0f;
  s.weights = w;
  s.bias = b;
  return s;
}

std::vector<float> RunXnnpack(const FastConvF32Spec& s, size_t batch, const float* in) {
  const uint32_t groups = s.depthwise ? static_cast<uint32_t>(s.cin) : 1;
  const size_t group_in = s.depthwise ? 1 : s.cin, group_out = s.depthwise ? 1 : s.cout;
  xnn_operator_t op = nullptr;
  EXPECT_EQ(xnn_create_convolution2d_nhwc_f32(
                s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, s.kernel_h, s.kernel_w,
                s.stride_h, s.stride_w, 1, 1, groups, group_in, group_out, s.cin, s.cout,
                s.weights, s.bias, s.output_min, s.output_max,
                s.depthwise ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &op),
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

void ExpectClose(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= 1e-5f * std::max(1.0f, std::fabs(want[i])))) {
      if (bad++ == 0) first = i;
    }
  EXPECT_EQ(bad, 0u) << "of " << got.size() << ", first at " << first << ": got "
                     << got[first] << " expected " << want[first];
}

// Bit for bit (== also takes -0 for +0: a tap outside the image adds 0 * w in XNNPACK).
void ExpectIdentical(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(got[i] == want[i]) && bad++ == 0) first = i;
  EXPECT_EQ(bad, 0u) << "of " << got.size() << ", first at " << first << ": got "
                     << got[first] << " expected " << want[first] << " (difference "
                     << got[first] - want[first] << ")";
}

// The level's own factories and the path name MakeFastConv reports for them.
struct Level {
  IsaLevel isa;
  std::unique_ptr<FastConv> (*depthwise)(const FastConvF32Spec&);
  std::unique_ptr<FastConv> (*small_conv)(const FastConvF32Spec&);
  const char* path;
};
const Level kLevels[] = {
    {IsaLevel::kAvx512, &MakeDepthwiseF32, &MakeSmallConvF32, "direct f32"},
    {IsaLevel::kAvx2, &MakeDepthwiseF32Avx2, &MakeSmallConvF32Avx2, "avx2 f32"},
};

void RunCase(const Level& level, const Case& c) {
  SCOPED_TRACE(Describe(c));
  std::mt19937 rng(c.seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  const size_t window = c.depthwise ? c.kernel * c.kernel * c.cout
                                    : c.cout * c.kernel * c.kernel * c.cin;
  std::vector<float> w(window), bias(c.cout), in(c.batch * c.in_h * c.in_w * c.cin);
  for (auto* v : {&w, &bias, &in})
    for (float& x : *v) x = dist(rng);
  const FastConvF32Spec spec = Spec(c, w.data(), c.with_bias ? bias.data() : nullptr);
  const std::vector<float> want = RunXnnpack(spec, c.batch, in.data());
  std::unique_ptr<FastConv> conv =
      c.depthwise ? level.depthwise(spec) : level.small_conv(spec);
  ASSERT_NE(conv, nullptr);
  EXPECT_STREQ(conv->path(), level.path);
  const std::unique_ptr<FastConv> chosen = MakeFastConv(spec);  // the list picks this level's
  ASSERT_NE(chosen, nullptr);
  EXPECT_STREQ(chosen->path(), level.path);
  std::vector<float> got(want.size(), NAN);
  conv->Run(in.data(), got.data(), c.batch, nullptr);
  if (c.depthwise) {
    ExpectIdentical(got, want);
  } else {
    ExpectClose(got, want);
  }
  std::vector<float> threaded(want.size(), NAN);
  conv->Run(in.data(), threaded.data(), c.batch, Pool());
  EXPECT_EQ(threaded, got);  // the same additions in the same order on every thread
}

class ConvF32DirectTest : public ::testing::TestWithParam<Level> {
 protected:
  void SetUp() override {
    saved_ = ActiveIsa();
    if (DetectedIsa() < GetParam().isa) GTEST_SKIP() << "CPU without " << IsaLevelName(GetParam().isa);
    SetIsaLimit(GetParam().isa);
    ASSERT_EQ(xnn_initialize(nullptr), xnn_status_success);
  }
  void TearDown() override { SetIsaLimit(saved_); }
  void RunCase(const Case& c) { xnn::RunCase(GetParam(), c); }
  IsaLevel saved_ = IsaLevel::kXnnpack;
};

TEST_P(ConvF32DirectTest, MobileNetV1Shapes) {
  RunCase({false, 1, 224, 224, 3, 8, 3, 2, true, true, true, 1});
  RunCase({true, 1, 112, 112, 8, 8, 3, 1, true, true, true, 2});
  RunCase({true, 1, 112, 112, 16, 16, 3, 2, true, true, true, 3});
  RunCase({true, 1, 56, 56, 32, 32, 3, 1, true, true, true, 4});
  RunCase({true, 1, 56, 56, 32, 32, 3, 2, true, true, true, 5});
  RunCase({true, 1, 7, 7, 256, 256, 3, 1, true, true, true, 6});
  // Wide layers: several 16-channel blocks and a short tail.
  RunCase({true, 2, 9, 10, 100, 100, 3, 2, true, true, true, 9});
  RunCase({true, 1, 5, 6, 140, 140, 3, 1, false, false, false, 10});
}

TEST_P(ConvF32DirectTest, RandomDepthwise) {
  std::mt19937 rng(42);
  const size_t sizes[] = {1, 2, 3, 4, 5, 8, 9, 12, 13, 17, 30};
  for (uint32_t seed = 0; seed < 300; ++seed) {
    Case c{true, 1 + rng() % 2, sizes[rng() % 11], sizes[rng() % 11], 1 + rng() % 40, 0, 3,
           static_cast<uint32_t>(1 + rng() % 2), rng() % 2 == 0, rng() % 2 == 0, rng() % 4 != 0,
           seed};
    if (!c.same && (c.in_h < 3 || c.in_w < 3)) c.same = true;
    c.cout = c.cin;
    RunCase(c);
  }
  for (size_t ch : {8, 16, 24, 32})
    for (uint32_t stride : {1u, 2u})
      RunCase({true, 2, 11, 21, ch, ch, 3, stride, true, true, true, 7});
}

// Rows whose 3 input rows exceed L1's share (AVX2: every 8 channels per block of pixels, the
// last block of 8 overlapping the one before) and narrow rows of 32 channels and more (4
// channel vectors per pixel): channel tails, odd interior runs, both strides, batch 2.
TEST_P(ConvF32DirectTest, WideRowsAndNarrowRowsDepthwise) {
  RunCase({true, 1, 48, 48, 64, 64, 3, 2, true, false, true, 70});   // MobileNet v3
  RunCase({true, 2, 9, 45, 44, 44, 3, 1, true, true, true, 71});     // 4-channel tail
  RunCase({true, 1, 8, 53, 60, 60, 3, 2, false, false, true, 72});
  RunCase({true, 1, 6, 90, 27, 27, 3, 1, true, false, false, 73});   // 27: 3 + 8 + 8 + 8
  RunCase({true, 2, 3, 3, 336, 336, 3, 1, true, true, true, 74});    // MobileNet v2's last
  RunCase({true, 1, 5, 7, 100, 100, 3, 2, true, false, true, 75});
  std::mt19937 rng(7);
  for (uint32_t seed = 100; seed < 140; ++seed) {
    const size_t ch = 20 + rng() % 60;
    Case c{true, 1 + rng() % 2, 3 + rng() % 12, 30 + rng() % 40, ch, ch, 3,
           static_cast<uint32_t>(1 + rng() % 2), rng() % 2 == 0, rng() % 2 == 0, true, seed};
    RunCase(c);
  }
}

// The 3x3 window that slides along the row (each input column loaded once for the pixels that
// read it), strides 1 and 2: pads that PAD folding leaves uneven (2 or 3 on one side, 0 on the
// other; windows wholly in the padding), maps 1-13 wide, and inputs, weights and biases with
// infinities, NaN, -0 and denormals (XNNPACK runs its operators with denormals flushed: MXCSR
// FTZ + DAZ), so a skipped or reordered FMA shows. Compared bit for bit (the sign of zero too)
// with XNNPACK.
TEST_P(ConvF32DirectTest, SlidingWindowUnevenPadsNonFinite) {
  std::mt19937 rng(91);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  const float specials[] = {INFINITY, -INFINITY, NAN, -0.0f, 1e-40f, -3e-39f};
  for (uint32_t seed = 0; seed < 90; ++seed) {
    const size_t ch = 1 + rng() % 40, in_h = 1 + rng() % 6, in_w = 1 + rng() % 13;
    const uint32_t pads[][2] = {{1, 1}, {2, 0}, {0, 2}, {2, 2}, {0, 0}, {3, 1}, {0, 3}};
    const auto* ph = pads[rng() % 7];
    const auto* pw = pads[rng() % 7];
    if (in_h + ph[0] + ph[1] < 3 || in_w + pw[0] + pw[1] < 3) continue;
    FastConvF32Spec spec;
    spec.depthwise = true;
    spec.in_h = in_h, spec.in_w = in_w, spec.cin = spec.cout = ch;
    spec.kernel_h = spec.kernel_w = 3;
    spec.stride_h = spec.stride_w = 1 + seed % 3 / 2;  // stride 2 for a third of the cases
    spec.pad_top = ph[0], spec.pad_bottom = ph[1], spec.pad_left = pw[0], spec.pad_right = pw[1];
    spec.out_h = (in_h + ph[0] + ph[1] - 3) / spec.stride_h + 1;
    spec.out_w = (in_w + pw[0] + pw[1] - 3) / spec.stride_w + 1;
    if (seed % 2 == 0) spec.output_min = 0.0f, spec.output_max = 6.0f;
    std::vector<float> w(9 * ch), bias(ch), in(in_h * in_w * ch);
    for (auto* v : {&w, &bias, &in})
      for (float& x : *v) x = rng() % 16 == 0 ? specials[rng() % 6] : dist(rng);
    spec.weights = w.data(), spec.bias = bias.data();
    SCOPED_TRACE(testing::Message() << "seed " << seed << ": " << in_h << "x" << in_w << "x" << ch
                                    << " stride " << spec.stride_w << " pads " << ph[0] << "," << ph[1] << " / " << pw[0] << ","
                                    << pw[1]);
    const std::vector<float> want = RunXnnpack(spec, 1, in.data());
    std::unique_ptr<FastConv> conv = GetParam().depthwise(spec);
    ASSERT_NE(conv, nullptr);
    for (pthreadpool_t pool : {pthreadpool_t{nullptr}, Pool()}) {
      std::vector<float> got(want.size(), 12345.0f);
      conv->Run(in.data(), got.data(), 1, pool);
      size_t bad = 0, first = 0;
      for (size_t i = 0; i < got.size(); ++i)
        if (std::memcmp(&got[i], &want[i], sizeof(float)) != 0 && bad++ == 0) first = i;
      ASSERT_EQ(bad, 0u) << "of " << got.size() << ", first at " << first << ": got " << got[first]
                         << " expected " << want[first];
    }
  }
}

// Depthwise 5x5 (EfficientNet B0) and 7x7 (ConvNeXt) layers.
TEST_P(ConvF32DirectTest, WideDepthwiseShapes) {
  RunCase({true, 1, 56, 56, 144, 144, 5, 2, true, false, true, 11});
  RunCase({true, 1, 28, 28, 240, 240, 5, 1, true, false, true, 12});
  RunCase({true, 1, 14, 14, 672, 672, 5, 2, true, false, true, 13});
  RunCase({true, 1, 7, 7, 1152, 1152, 5, 1, true, false, true, 14});
  RunCase({true, 1, 16, 16, 96, 96, 7, 1, true, false, true, 15});
  RunCase({true, 1, 8, 8, 192, 192, 7, 1, true, false, true, 16});
  RunCase({true, 1, 4, 4, 384, 384, 7, 1, true, false, true, 17});
  RunCase({true, 1, 2, 2, 768, 768, 7, 1, true, false, true, 18});
  RunCase({true, 2, 30, 33, 40, 40, 7, 2, true, true, true, 19});
  RunCase({true, 2, 30, 33, 40, 40, 5, 2, false, true, false, 20});
}

// Random 5x5 and 7x7 depthwise: channel counts off the 8/16-lane blocks, images narrower or
// lower than the window (SAME), strides 1 and 2, with and without bias and clamp.
// MobileNet v3's and EfficientNet's late 5x5 layers over 3x3 to 6x6 pixels, where most taps
// are padding (skipped: bit for bit still).
TEST_P(ConvF32DirectTest, WideDepthwiseSmallMaps) {
  RunCase({true, 1, 6, 6, 192, 192, 5, 1, true, false, true, 40});
  RunCase({true, 1, 3, 3, 432, 432, 5, 1, true, true, true, 41});
  RunCase({true, 1, 6, 6, 240, 240, 5, 2, true, false, true, 42});
  RunCase({true, 2, 3, 5, 24, 24, 7, 1, true, false, false, 43});
  RunCase({true, 1, 1, 1, 40, 40, 5, 1, true, false, true, 44});
}

// Over a 1x1 map only the 5x5 window's center tap reads the image: NaN weights on the other
// taps leave the outputs finite, equal to XNNPACK's with those weights zeroed.
TEST_P(ConvF32DirectTest, WideDepthwisePaddingWeightsNeverRead) {
  const Case c{true, 1, 1, 1, 40, 40, 5, 1, true, false, true, 45};
  std::mt19937 rng(c.seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> w(25 * c.cout), bias(c.cout), in(c.cin);
  for (auto* v : {&w, &bias, &in})
    for (float& x : *v) x = dist(rng);
  std::vector<float> zeroed = w;
  for (size_t t = 0; t < 25; ++t) {
    if (t == 12) continue;  // (2, 2): the center
    for (size_t ch = 0; ch < c.cout; ++ch) w[t * c.cout + ch] = NAN, zeroed[t * c.cout + ch] = 0;
  }
  const std::vector<float> want = RunXnnpack(Spec(c, zeroed.data(), bias.data()), 1, in.data());
  std::unique_ptr<FastConv> conv = GetParam().depthwise(Spec(c, w.data(), bias.data()));
  ASSERT_NE(conv, nullptr);
  std::vector<float> got(want.size(), NAN);
  conv->Run(in.data(), got.data(), 1, nullptr);
  for (float v : want) ASSERT_TRUE(std::isfinite(v));
  ExpectIdentical(got, want);
}

TEST_P(ConvF32DirectTest, RandomWideDepthwise) {
  std::mt19937 rng(44);
  const size_t sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 17, 30};
  for (uint32_t seed = 0; seed < 300; ++seed) {
    const uint32_t k = rng() % 2 == 0 ? 5 : 7;
    Case c{true, 1 + rng() % 2, sizes[rng() % 13], sizes[rng() % 13], 1 + rng() % 40, 0, k,
           static_cast<uint32_t>(1 + rng() % 2), rng() % 2 == 0, rng() % 2 == 0, rng() % 4 != 0,
           seed};
    if (!c.same && (c.in_h < k || c.in_w < k)) c.same = true;
    c.cout = c.cin;
    if (seed % 5 == 0) c.cin = c.cout = 60 + rng() % 100;  // full 32/64-channel groups too
    RunCase(c);
  }
  for (uint32_t k : {5u, 7u})
    for (size_t ch : {1, 7, 8, 9, 15, 16, 17, 24, 33, 64, 72, 100})
      for (uint32_t stride : {1u, 2u})
        RunCase({true, 2, 11, 21, ch, ch, k, stride, stride == 1, true, true, 21});
}

TEST_P(ConvF32DirectTest, RandomSmallConv) {
  std::mt19937 rng(43);
  const size_t sizes[] = {1, 2, 3, 4, 5, 8, 9, 12, 13, 17, 30};
  for (uint32_t seed = 0; seed < 200; ++seed) {
    Case c{false, 1 + rng() % 2, sizes[rng() % 11], sizes[rng() % 11], 3, 1 + rng() % 8, 3,
           static_cast<uint32_t>(1 + rng() % 2), rng() % 2 == 0, rng() % 2 == 0, rng() % 4 != 0,
           seed};
    if (!c.same && (c.in_h < 3 || c.in_w < 3)) c.same = true;
    RunCase(c);
  }
  for (size_t cout : {1, 4, 7, 8})
    for (uint32_t stride : {1u, 2u})
      RunCase({false, 2, 13, 24, 3, cout, 3, stride, true, true, true, 8});
}

// Shapes the direct kernels leave to XNNPACK.
TEST_P(ConvF32DirectTest, DeclinesOtherShapes) {
  const Level& l = GetParam();
  const float w[1] = {0};
  FastConvF32Spec s = Spec({true, 1, 8, 8, 4, 4, 3, 1, true, false, false, 0}, w, nullptr);
  s.kernel_h = s.kernel_w = 9;
  EXPECT_EQ(l.depthwise(s), nullptr);
  s.kernel_h = s.kernel_w = 4;
  EXPECT_EQ(l.depthwise(s), nullptr);
  s.kernel_h = 3, s.kernel_w = 5;  // not square
  EXPECT_EQ(l.depthwise(s), nullptr);
  s = Spec({true, 1, 8, 8, 4, 4, 5, 3, true, false, false, 0}, w, nullptr);  // stride 3
  EXPECT_EQ(l.depthwise(s), nullptr);
  s = Spec({true, 1, 8, 8, 4, 8, 3, 1, true, false, false, 0}, w, nullptr);  // multiplier 2
  EXPECT_EQ(l.depthwise(s), nullptr);
  s = Spec({false, 1, 8, 8, 8, 8, 3, 1, true, false, false, 0}, w, nullptr);  // cin 8
  EXPECT_EQ(l.small_conv(s), nullptr);
  s = Spec({false, 1, 8, 8, 3, 16, 3, 1, true, false, false, 0}, w, nullptr);  // cout 16
  EXPECT_EQ(l.small_conv(s), nullptr);
}

// Below its level a factory declines (XNNPACK runs the op): avx2 limits the AVX-512 ones.
TEST(ConvF32DirectLevels, Avx512KernelsDeclineAtAvx2) {
  if (DetectedIsa() < IsaLevel::kAvx512) GTEST_SKIP() << "CPU without avx512";
  const IsaLevel saved = ActiveIsa();
  SetIsaLimit(IsaLevel::kAvx2);
  const float w[27 * 8] = {};
  const FastConvF32Spec dw = Spec({true, 1, 8, 8, 8, 8, 3, 1, true, false, false, 0}, w, nullptr);
  const FastConvF32Spec first = Spec({false, 1, 8, 8, 3, 8, 3, 2, true, false, false, 0}, w, nullptr);
  EXPECT_EQ(MakeDepthwiseF32(dw), nullptr);
  EXPECT_EQ(MakeSmallConvF32(first), nullptr);
  SetIsaLimit(IsaLevel::kXnnpack);
  EXPECT_EQ(MakeDepthwiseF32Avx2(dw), nullptr);
  EXPECT_EQ(MakeFastConv(first), nullptr);
  SetIsaLimit(saved);
}

INSTANTIATE_TEST_SUITE_P(Levels, ConvF32DirectTest, ::testing::ValuesIn(kLevels),
                         [](const auto& info) { return std::string(IsaLevelName(info.param.isa)); });

}  // namespace
}  // namespace labelite::xnn
