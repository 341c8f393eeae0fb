// DwConvAvx512 against XNNPACK's own depthwise convolution operator (the fast path's oracle,
// whose results match TFLite's goldens): random depthwise convolutions must give the same bytes
// for qs8, qc8 and qu8, over channel counts around the 16/64-channel blocks, tiny images,
// kernels 1x1 to 7x7, strides 1-3, TFLite SAME/VALID and arbitrary padding, negative zero
// points, clamped (activation) ranges, batches, and threaded runs.
#include "kernels/x86/avx512/dwconv_avx512.h"

#include <gtest/gtest.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "testing/xnn_conv.h"

namespace labelite::xnn {
namespace {

using Kind = testing::ConvKind;
enum class Weights { kFull, kFitInt8 };  // uint8: any byte, or w - kzp within int8

struct Case {
  Kind kind;
  size_t batch, in_h, in_w, channels;
  uint32_t kernel_h, kernel_w, stride_h, stride_w;
  uint32_t pad_top, pad_left, pad_bottom, pad_right;
  uint32_t seed;
  Weights weights = Weights::kFull;
  bool threaded = true;  // also compare a run on a 3-thread pool
};

// TFLite padding: SAME (output = ceil(in / stride), extra padding after) or VALID.
Case Shape(Kind kind, size_t h, size_t w, size_t c, uint32_t k, uint32_t stride, bool same,
           uint32_t seed) {
  Case cs{kind, 1, h, w, c, k, k, stride, stride, 0, 0, 0, 0, seed};
  if (same) {
    auto pads = [&](size_t in, uint32_t* before, uint32_t* after) {
      const size_t out = (in + stride - 1) / stride;
      const size_t need = (out - 1) * stride + k;
      const size_t total = need > in ? need - in : 0;
      *before = static_cast<uint32_t>(total / 2);
      *after = static_cast<uint32_t>(total - total / 2);
    };
    pads(h, &cs.pad_top, &cs.pad_bottom);
    pads(w, &cs.pad_left, &cs.pad_right);
  }
  return cs;
}

size_t OutDim(size_t in, uint32_t k, uint32_t s, uint32_t before, uint32_t after) {
  return (in + before + after - k) / s + 1;
}

// Random quantization: zero points anywhere (negative too), scales so that some outputs
// saturate, and half of the cases with a narrowed (activation) range.
ConvQuant RandomQuant(const Case& c, std::mt19937& rng) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  ConvQuant q;
  q.is_signed = c.kind != Kind::kQU8;
  const int offset = q.is_signed ? -128 : 0;
  q.input_zero_point = byte(rng) + offset;
  q.kernel_zero_point = q.is_signed ? 0 : byte(rng);
  q.output_zero_point = byte(rng) + offset;
  q.input_scale = 0.01f + 0.05f * unit(rng);
  q.output_scale = 0.05f + 0.5f * unit(rng);
  const size_t scales = c.kind == Kind::kQC8 ? c.channels : 1;
  const float taps = static_cast<float>(c.kernel_h * c.kernel_w);
  for (size_t i = 0; i < scales; ++i)
    q.kernel_scales.push_back(0.002f + 0.05f * unit(rng) / std::sqrt(taps));
  q.output_min = offset;
  q.output_max = offset + 255;
  if (rng() % 2 == 0) {
    q.output_min = std::max(q.output_min, q.output_zero_point);       // RELU
    q.output_max = std::min(q.output_max, q.output_zero_point + 60);  // RELU6-like
    if (q.output_max <= q.output_min) q.output_min = q.output_max - 1;
  }
  return q;
}

std::string Describe(const Case& c) {
  return "kind " + std::to_string(int(c.kind)) + " batch " + std::to_string(c.batch) + " in " +
         std::to_string(c.in_h) + "x" + std::to_string(c.in_w) + "x" +
         std::to_string(c.channels) + " kernel " + std::to_string(c.kernel_h) + "x" +
         std::to_string(c.kernel_w) + " stride " + std::to_string(c.stride_h) + "," +
         std::to_string(c.stride_w) + " pads t" + std::to_string(c.pad_top) + " l" +
         std::to_string(c.pad_left) + " b" + std::to_string(c.pad_bottom) + " r" +
         std::to_string(c.pad_right) + (c.weights == Weights::kFitInt8 ? " fit" : "");
}

// Threaded runs use one pool of 3 threads for the whole test program.
pthreadpool_t Pool() {
  static pthreadpool_t pool = pthreadpool_create(3);
  return pool;
}

void RunCase(const Case& c) {
  SCOPED_TRACE(Describe(c));
  std::mt19937 rng(c.seed);
  const ConvQuant q = RandomQuant(c, rng);
  const size_t taps = c.kernel_h * c.kernel_w;
  std::vector<uint8_t> w(taps * c.channels), in(c.batch * c.in_h * c.in_w * c.channels);
  for (auto& b : w) {
    b = static_cast<uint8_t>(rng());
    if (c.weights == Weights::kFitInt8)
      b = static_cast<uint8_t>(std::clamp<int>(b, q.kernel_zero_point - 128,
                                               q.kernel_zero_point + 127));
  }
  for (auto& b : in) b = static_cast<uint8_t>(rng());
  std::vector<int32_t> bias(c.channels);
  for (auto& b : bias) b = static_cast<int32_t>(rng() % 40001) - 20000;
  const bool with_bias = rng() % 4 != 0;
  const size_t out_h = OutDim(c.in_h, c.kernel_h, c.stride_h, c.pad_top, c.pad_bottom);
  const size_t out_w = OutDim(c.in_w, c.kernel_w, c.stride_w, c.pad_left, c.pad_right);
  const size_t out_size = c.batch * out_h * out_w * c.channels;
  FastConvSpec spec;
  spec.depthwise = true;
  spec.in_h = c.in_h, spec.in_w = c.in_w, spec.cin = c.channels;
  spec.out_h = out_h, spec.out_w = out_w, spec.cout = c.channels;
  spec.kernel_h = c.kernel_h, spec.kernel_w = c.kernel_w;
  spec.stride_h = c.stride_h, spec.stride_w = c.stride_w;
  spec.pad_top = c.pad_top, spec.pad_left = c.pad_left;
  spec.pad_bottom = c.pad_bottom, spec.pad_right = c.pad_right;
  spec.quant = q;
  spec.weights = w.data();
  spec.bias = with_bias ? bias.data() : nullptr;
  const std::vector<uint8_t> expected = testing::RunXnnpackConv(c.kind, spec, c.batch, in);
  ASSERT_EQ(expected.size(), out_size);
  std::unique_ptr<FastConv> conv = MakeDwConvAvx512(spec);
  ASSERT_NE(conv, nullptr);
  std::vector<uint8_t> got(out_size, 0xAA);
  conv->Run(in.data(), got.data(), c.batch, nullptr);
  size_t mismatches = 0, first = out_size;
  for (size_t i = 0; i < out_size; ++i)
    if (got[i] != expected[i]) {
      ++mismatches;
      first = std::min(first, i);
    }
  EXPECT_EQ(mismatches, 0u) << "of " << out_size << ", first at " << first << ": got "
                            << int(got[first % out_size]) << " expected "
                            << int(expected[first % out_size]);
  // Threaded tasks give the same bytes.
  if (!c.threaded) return;
  std::vector<uint8_t> threaded(out_size, 0x55);
  conv->Run(in.data(), threaded.data(), c.batch, Pool());
  EXPECT_EQ(threaded, got);
}

class DwConvAvx512Test : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (!DwConvAvx512::Supported()) GTEST_SKIP() << "CPU without AVX-512 VNNI and VBMI";
    ASSERT_EQ(xnn_initialize(nullptr), xnn_status_success);
  }
};

// MobileNet v2's depthwise shapes (SAME, 3x3), smaller where the test would get slow.
TEST_P(DwConvAvx512Test, MobileNetV2Shapes) {
  const size_t shapes[][4] = {{112, 112, 32, 1}, {112, 112, 96, 2}, {56, 56, 144, 1},
                              {56, 56, 144, 2},  {28, 28, 192, 1},  {28, 28, 192, 2},
                              {14, 14, 384, 1},  {14, 14, 576, 1},  {14, 14, 576, 2},
                              {7, 7, 960, 1}};
  uint32_t seed = 1;
  for (const auto& s : shapes) {
    RunCase(Shape(GetParam(), s[0], s[1], s[2], 3, static_cast<uint32_t>(s[3]), true, seed++));
    if (GetParam() == Kind::kQU8) {
      Case fit = Shape(GetParam(), s[0], s[1], s[2], 3, static_cast<uint32_t>(s[3]), true, seed++);
      fit.weights = Weights::kFitInt8;
      RunCase(fit);
    }
  }
}

// Tiny images, channel counts around the blocks, every kernel size up to 7, SAME and VALID.
TEST_P(DwConvAvx512Test, SmallShapes) {
  const size_t sizes[][2] = {{1, 1}, {2, 3}, {3, 2}, {5, 5}, {4, 9}, {9, 17}};
  const size_t channels[] = {1, 5, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100};
  uint32_t seed = 100;
  for (const auto& hw : sizes)
    for (size_t c : channels)
      for (uint32_t k : {1u, 2u, 3u, 5u, 7u})
        for (uint32_t stride : {1u, 2u})
          for (bool same : {true, false}) {
            if (!same && (hw[0] < k || hw[1] < k)) continue;
            if (seed++ % 3 != 0) continue;  // a third of the grid keeps the test quick
            Case cs = Shape(GetParam(), hw[0], hw[1], c, k, stride, same, seed);
            cs.threaded = seed % 5 == 0;  // waking the pool costs more than these tiny cases
            RunCase(cs);
          }
}

// Random shapes with arbitrary padding on every side, rectangular kernels and strides,
// batches, and (uint8) weights that fit int8 after the zero point or not.
TEST_P(DwConvAvx512Test, RandomShapes) {
  std::mt19937 rng(777 + int(GetParam()));
  for (int i = 0; i < 80; ++i) {
    Case c{};
    c.kind = GetParam();
    c.batch = 1 + rng() % 3;
    c.in_h = 1 + rng() % 20;
    c.in_w = 1 + rng() % 40;
    c.channels = 1 + rng() % 150;
    c.kernel_h = 1 + rng() % 7;
    c.kernel_w = 1 + rng() % 7;
    c.stride_h = 1 + rng() % 3;
    c.stride_w = 1 + rng() % 3;
    c.pad_top = rng() % c.kernel_h;
    c.pad_bottom = rng() % c.kernel_h;
    c.pad_left = rng() % c.kernel_w;
    c.pad_right = rng() % c.kernel_w;
    if (c.in_h + c.pad_top + c.pad_bottom < c.kernel_h) c.pad_bottom = c.kernel_h - 1;
    if (c.in_w + c.pad_left + c.pad_right < c.kernel_w) c.pad_right = c.kernel_w - 1;
    c.seed = static_cast<uint32_t>(rng());
    c.weights = rng() % 2 == 0 ? Weights::kFull : Weights::kFitInt8;
    RunCase(c);
  }
}

// 3x3 stride 2 has its own path (stacking in registers, padding columns selected per
// position): every padding, narrow and wide rows, channel tails.
TEST_P(DwConvAvx512Test, Stride2Kernel3) {
  std::mt19937 rng(4242 + int(GetParam()));
  for (int i = 0; i < 60; ++i) {
    Case c{};
    c.kind = GetParam();
    c.batch = 1 + rng() % 2;
    c.in_h = 1 + rng() % 24;
    c.in_w = 1 + rng() % 40;
    c.channels = 1 + rng() % 200;
    c.kernel_h = c.kernel_w = 3;
    c.stride_h = c.stride_w = 2;
    c.pad_top = rng() % 3, c.pad_bottom = rng() % 3;
    c.pad_left = rng() % 3, c.pad_right = rng() % 3;
    if (c.in_h + c.pad_top + c.pad_bottom < 3) c.pad_bottom = 2;
    if (c.in_w + c.pad_left + c.pad_right < 3) c.pad_right = 2;
    c.seed = static_cast<uint32_t>(rng());
    c.weights = rng() % 2 == 0 ? Weights::kFull : Weights::kFitInt8;
    c.threaded = i % 4 == 0;
    RunCase(c);
  }
}

// Wide rows are split into chunks of stacked positions.
TEST_P(DwConvAvx512Test, WideRows) {
  RunCase(Shape(GetParam(), 3, 600, 40, 3, 1, true, 5));
  RunCase(Shape(GetParam(), 4, 333, 17, 7, 2, true, 6));
  RunCase(Shape(GetParam(), 14, 300, 16, 13, 1, false, 7));
}

INSTANTIATE_TEST_SUITE_P(Kinds, DwConvAvx512Test,
                         ::testing::Values(Kind::kQS8, Kind::kQC8, Kind::kQU8),
                         [](const auto& info) {
                           return info.param == Kind::kQS8   ? std::string("qs8")
                                  : info.param == Kind::kQC8 ? std::string("qc8")
                                                             : std::string("qu8");
                         });

// Specs outside the kernel's range are left to XNNPACK.
TEST(DwConvAvx512Factory, DeclinesWhatItDoesNotHandle) {
  if (!DwConvAvx512::Supported()) GTEST_SKIP() << "CPU without AVX-512 VNNI and VBMI";
  std::vector<uint8_t> w(9 * 32, 1);
  FastConvSpec s;
  s.depthwise = true;
  s.in_h = s.in_w = s.out_h = s.out_w = 8;
  s.cin = s.cout = 32;
  s.kernel_h = s.kernel_w = 3;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
  s.quant.kernel_scales = {0.01f};
  s.weights = w.data();
  EXPECT_NE(MakeDwConvAvx512(s), nullptr);
  FastConvSpec multiplier = s;
  multiplier.cout = 64;
  EXPECT_EQ(MakeDwConvAvx512(multiplier), nullptr);
  FastConvSpec dilated = s;
  dilated.dilation_h = 2;
  EXPECT_EQ(MakeDwConvAvx512(dilated), nullptr);
  FastConvSpec regular = s;
  regular.depthwise = false;
  EXPECT_EQ(MakeDwConvAvx512(regular), nullptr);
  FastConvSpec huge_scale = s;
  huge_scale.quant.kernel_scales = {1000.0f};
  EXPECT_EQ(MakeDwConvAvx512(huge_scale), nullptr);
  // uint8 weight 255 with kernel zero point 0: 255 does not split into two int8 halves.
  FastConvSpec u8 = s;
  u8.quant.is_signed = false;
  u8.quant.output_min = 0;
  u8.quant.output_max = 255;
  EXPECT_NE(MakeDwConvAvx512(u8), nullptr);
  std::vector<uint8_t> w255(9 * 32, 255);
  u8.weights = w255.data();
  EXPECT_EQ(MakeDwConvAvx512(u8), nullptr);
}

}  // namespace
}  // namespace labelite::xnn
