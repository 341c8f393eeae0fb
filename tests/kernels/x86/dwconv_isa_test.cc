// Quantized DEPTHWISE_CONV_2D through MakeFastConv (fast_conv_list.inc) at every ISA level this
// CPU supports (kernels/fast/isa.h: avx512 picks DwConvAvx512, avx2 DwConvAvx2), against
// XNNPACK's own depthwise operator: the same bytes for qs8, qc8 and qu8, over MobileNet's 3x3
// stride 1 and 2 layers (DwConvAvx2's 3x3 row kernel among them), kernels 1x1 to 7x7, strides
// 1-3, SAME and arbitrary padding, channel counts around the 16-channel blocks, tiny images, negative zero points, clamped ranges,
// batches, and threaded runs.
#include <gtest/gtest.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "kernels/fast/fast_conv.h"
#include "kernels/fast/isa.h"
#include "kernels/x86/avx2/dwconv_avx2.h"
#include "testing/xnn_conv.h"

namespace labelite::xnn {
namespace {

using Kind = testing::ConvKind;

struct Case {
  size_t batch, in_h, in_w, channels;
  uint32_t k, stride;
  uint32_t top = 0, left = 0, bottom = 0, right = 0;
  uint32_t seed = 1;
};

// TFLite SAME padding (output = ceil(in / stride), the extra padding after).
Case Same(size_t h, size_t w, size_t c, uint32_t k, uint32_t stride, uint32_t seed) {
  Case cs{1, h, w, c, k, stride, 0, 0, 0, 0, seed};
  auto pads = [&](size_t in, uint32_t* before, uint32_t* after) {
    const size_t out = (in + stride - 1) / stride, need = (out - 1) * stride + k;
    const size_t total = need > in ? need - in : 0;
    *before = static_cast<uint32_t>(total / 2);
    *after = static_cast<uint32_t>(total - total / 2);
  };
  pads(h, &cs.top, &cs.bottom);
  pads(w, &cs.left, &cs.right);
  return cs;
}

class DwConvIsaTest : public ::testing::TestWithParam<std::tuple<IsaLevel, Kind>> {
 protected:
  void SetUp() override {
    saved_ = ActiveIsa();
    level_ = std::get<0>(GetParam());
    kind_ = std::get<1>(GetParam());
    if (DetectedIsa() < level_) GTEST_SKIP() << "CPU without " << IsaLevelName(level_);
    SetIsaLimit(level_);
    ASSERT_EQ(xnn_initialize(nullptr), xnn_status_success);
    pool_ = pthreadpool_create(3);
  }
  void TearDown() override {
    if (pool_ != nullptr) pthreadpool_destroy(pool_);
    SetIsaLimit(saved_);
  }

  ConvQuant RandomQuant(const Case& c, std::mt19937& rng) const {
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    ConvQuant q;
    q.is_signed = kind_ != Kind::kQU8;
    const int offset = q.is_signed ? -128 : 0;
    q.input_zero_point = byte(rng) + offset;
    q.kernel_zero_point = q.is_signed ? 0 : byte(rng);
    q.output_zero_point = byte(rng) + offset;
    q.input_scale = 0.01f + 0.05f * unit(rng);
    q.output_scale = 0.05f + 0.5f * unit(rng);
    const size_t scales = kind_ == Kind::kQC8 ? c.channels : 1;
    for (size_t i = 0; i < scales; ++i)
      q.kernel_scales.push_back(0.002f + 0.05f * unit(rng) / float(c.k));
    if (rng() % 4 == 0) q.output_scale *= 0.01f;  // scales near or above 1: saturation
    q.output_min = offset;
    q.output_max = offset + 255;
    if (rng() % 2 == 0) {
      q.output_min = std::max(q.output_min, q.output_zero_point);       // RELU
      q.output_max = std::min(q.output_max, q.output_zero_point + 60);  // RELU6-like
      if (q.output_max <= q.output_min) q.output_min = q.output_max - 1;
    }
    return q;
  }

  void RunCase(const Case& c) {
    SCOPED_TRACE("in " + std::to_string(c.in_h) + "x" + std::to_string(c.in_w) + "x" +
                 std::to_string(c.channels) + " kernel " + std::to_string(c.k) + " stride " +
                 std::to_string(c.stride) + " pads " + std::to_string(c.top) + "," +
                 std::to_string(c.left) + "," + std::to_string(c.bottom) + "," +
                 std::to_string(c.right) + " seed " + std::to_string(c.seed));
    std::mt19937 rng(c.seed);
    FastConvSpec s;
    s.depthwise = true;
    s.in_h = c.in_h, s.in_w = c.in_w, s.cin = c.channels, s.cout = c.channels;
    s.kernel_h = s.kernel_w = c.k;
    s.stride_h = s.stride_w = c.stride;
    s.pad_top = c.top, s.pad_left = c.left, s.pad_bottom = c.bottom, s.pad_right = c.right;
    s.out_h = (c.in_h + c.top + c.bottom - c.k) / c.stride + 1;
    s.out_w = (c.in_w + c.left + c.right - c.k) / c.stride + 1;
    s.quant = RandomQuant(c, rng);
    std::vector<uint8_t> w(size_t{c.k} * c.k * c.channels);
    std::vector<uint8_t> in(c.batch * c.in_h * c.in_w * c.channels);
    for (auto& b : w) b = static_cast<uint8_t>(rng());
    for (auto& b : in) b = static_cast<uint8_t>(rng());
    std::vector<int32_t> bias(c.channels);
    for (auto& b : bias) b = static_cast<int32_t>(rng() % 40001) - 20000;
    s.weights = w.data();
    s.bias = rng() % 4 != 0 ? bias.data() : nullptr;
    const std::vector<uint8_t> expected = testing::RunXnnpackConv(kind_, s, c.batch, in);
    std::unique_ptr<FastConv> conv = MakeFastConv(s);
    ASSERT_NE(conv, nullptr);
    // DwConvAvx512 declines uint8 weights of 255 with kernel zero point 0; AVX2 takes those.
    const bool avx512_declines = !s.quant.is_signed && s.quant.kernel_zero_point == 0;
    const std::string want =
        level_ == IsaLevel::kAvx512 && !avx512_declines ? "avx512" : "avx2";
    if (!(avx512_declines && level_ == IsaLevel::kAvx512)) {
      EXPECT_EQ(conv->path(), want);
    }
    std::vector<uint8_t> got(expected.size(), 0xAA);
    conv->Run(in.data(), got.data(), c.batch, nullptr);
    size_t mismatches = 0;
    for (size_t i = 0; i < got.size(); ++i) mismatches += got[i] != expected[i];
    EXPECT_EQ(mismatches, 0u) << "of " << got.size();
    std::vector<uint8_t> threaded(expected.size(), 0x55);
    conv->Run(in.data(), threaded.data(), c.batch, pool_);
    EXPECT_EQ(threaded, got);
  }

  IsaLevel saved_ = IsaLevel::kXnnpack, level_ = IsaLevel::kXnnpack;
  Kind kind_ = Kind::kQS8;
  pthreadpool_t pool_ = nullptr;
};

// MobileNet v2's depthwise layers (SAME 3x3), the large ones cropped.
TEST_P(DwConvIsaTest, MobileNetShapes) {
  RunCase(Same(56, 56, 32, 3, 1, 1));
  RunCase(Same(56, 56, 96, 3, 2, 2));
  RunCase(Same(28, 28, 144, 3, 1, 3));
  RunCase(Same(28, 28, 192, 3, 2, 4));
  RunCase(Same(14, 14, 384, 3, 1, 5));
  RunCase(Same(14, 14, 576, 3, 2, 6));
  RunCase(Same(7, 7, 960, 3, 1, 7));
  RunCase(Same(9, 9, 40, 5, 1, 8));  // 5x5 (MnasNet, EfficientNet)
  RunCase(Same(10, 10, 24, 5, 2, 9));
  // EfficientNet's last stages: windows larger than the image, every pixel clipped (DwConvAvx2
  // runs only the taps inside, with its clipping class's bias).
  RunCase(Same(3, 3, 72, 5, 1, 10));
  RunCase(Same(6, 6, 40, 5, 2, 11));
  RunCase(Same(2, 3, 20, 7, 1, 12));
}

// 3x3 over multiples of 8 channels (DwConvAvx2's row kernel at avx2, half a block for 8 * odd):
// widths around its 4-pixel tiles, strides 1 and 2 (and 3: the general tile), every padding on
// each side.
TEST_P(DwConvIsaTest, ThreeByThreeRows) {
  std::mt19937 rng(77 + int(kind_));
  for (size_t w = 1; w <= 10; ++w)
    for (uint32_t stride : {1u, 2u, 3u}) {
      Case c{1 + rng() % 2, 1 + rng() % 5, w, 8 * (1 + rng() % 6), 3, stride};
      c.top = rng() % 3, c.bottom = rng() % 3, c.left = rng() % 3, c.right = rng() % 3;
      c.seed = static_cast<uint32_t>(rng());
      if (c.in_h + c.top + c.bottom < 3 || c.in_w + c.left + c.right < 3) continue;
      RunCase(c);
    }
}

// Which DwConvAvx2 shapes take the 3x3 row kernel (so ThreeByThreeRows tests it).
TEST(DwConvAvx2Rows3x3, TakenForMobileNetShapes) {
  if (DetectedIsa() < IsaLevel::kAvx2) GTEST_SKIP() << "CPU without avx2";
  std::vector<uint8_t> w(7 * 7 * 48, 1);
  FastConvSpec s;
  s.depthwise = true;
  s.in_h = s.in_w = s.out_h = s.out_w = 8;
  s.cin = s.cout = 48;
  s.kernel_h = s.kernel_w = 3;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
  s.quant.kernel_scales = {0.01f};
  s.weights = w.data();
  DwConvAvx2 conv;
  ASSERT_TRUE(conv.Pack(s));
  EXPECT_TRUE(conv.rows3x3());
  s.cin = s.cout = 40;  // 2.5 blocks: the last one half
  ASSERT_TRUE(conv.Pack(s));
  EXPECT_TRUE(conv.rows3x3());
  s.cin = s.cout = 44;  // not a multiple of 8
  ASSERT_TRUE(conv.Pack(s));
  EXPECT_FALSE(conv.rows3x3());
  s.cin = s.cout = 48;
  s.kernel_h = s.kernel_w = 5;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 2;
  ASSERT_TRUE(conv.Pack(s));
  EXPECT_FALSE(conv.rows3x3());
}

TEST_P(DwConvIsaTest, RandomShapes) {
  std::mt19937 rng(4242 + int(kind_));
  for (int i = 0; i < 60; ++i) {
    auto below = [&rng](uint32_t n) { return 1 + static_cast<uint32_t>(rng() % n); };
    Case c{below(2), below(12), below(12), below(50), below(7), below(3)};
    c.top = rng() % c.k, c.bottom = rng() % c.k, c.left = rng() % c.k, c.right = rng() % c.k;
    c.seed = static_cast<uint32_t>(rng());
    if (c.in_h + c.top + c.bottom < c.k || c.in_w + c.left + c.right < c.k) {
      --i;
      continue;
    }
    RunCase(c);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Levels, DwConvIsaTest,
    ::testing::Combine(::testing::Values(IsaLevel::kAvx512, IsaLevel::kAvx2),
                       ::testing::Values(Kind::kQS8, Kind::kQC8, Kind::kQU8)),
    [](const auto& info) {
      const Kind k = std::get<1>(info.param);
      return std::string(IsaLevelName(std::get<0>(info.param))) + "_" +
             (k == Kind::kQS8 ? "qs8" : k == Kind::kQC8 ? "qc8" : "qu8");
    });

}  // namespace
}  // namespace labelite::xnn
