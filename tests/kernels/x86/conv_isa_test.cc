// Quantized CONV_2D through MakeFastConv (fast_conv_list.inc) at every ISA level this CPU
// supports (kernels/fast/isa.h: avx512 picks the VNNI kernels, avx2 ConvAvx2 with each of its
// GEMM's dot products: VPMADDWD, AVX-VNNI, and its EVEX twin where AVX-VNNI is absent), against
// XNNPACK's own convolution operator: the same bytes for qs8, qc8 and qu8 with 1x1 layers of
// MobileNet's shapes (row and column thread splits), KxK kernels with strides, dilations,
// uneven paddings, odd channel counts around the 16-channel blocks and 6-row tiles, negative
// zero points, clamped ranges, scales >= 1, batches and threads.
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
#include "kernels/x86/avx2/conv_avx2.h"
#include "kernels/x86/avx2/gemm_avx2.h"
#include "kernels/x86/avx512/conv_vnni.h"
#include "testing/xnn_conv.h"

namespace labelite::xnn {
namespace {

using Kind = testing::ConvKind;

ConvQuant RandomQuant(Kind kind, size_t k, size_t cout, std::mt19937& rng) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  ConvQuant q;
  q.is_signed = kind != Kind::kQU8;
  const int offset = q.is_signed ? -128 : 0;
  q.input_zero_point = byte(rng) + offset;
  q.kernel_zero_point = q.is_signed ? 0 : byte(rng);
  q.output_zero_point = byte(rng) + offset;
  q.input_scale = 0.01f + 0.05f * unit(rng);
  q.output_scale = 0.05f + 0.5f * unit(rng);
  const size_t scales = kind == Kind::kQC8 ? cout : 1;
  for (size_t i = 0; i < scales; ++i)
    q.kernel_scales.push_back(0.002f + 0.02f * unit(rng) / std::sqrt(float(k)));
  if (rng() % 4 == 0) {  // some scale in [1, 200]: float(acc) * scale beyond int32
    const float max_ks = *std::max_element(q.kernel_scales.begin(), q.kernel_scales.end());
    q.output_scale = q.input_scale * max_ks * (0.005f + 0.99f * unit(rng));
  }
  q.output_min = offset;
  q.output_max = offset + 255;
  if (rng() % 2 == 0) {
    q.output_min = std::max(q.output_min, q.output_zero_point);         // RELU
    q.output_max = std::min(q.output_max, q.output_zero_point + 60);    // RELU6-like
    if (q.output_max <= q.output_min) q.output_min = q.output_max - 1;  // zero point 127/255
  }
  return q;
}

size_t OutSize(size_t in, uint32_t before, uint32_t after, uint32_t k, uint32_t s, uint32_t d) {
  const size_t window = size_t{d} * (k - 1) + 1, padded = in + before + after;
  return padded < window ? 0 : (padded - window) / s + 1;
}

struct Case {
  size_t batch, in_h, in_w, cin, cout;
  uint32_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  uint32_t top = 0, left = 0, bottom = 0, right = 0;
  uint32_t seed = 1;
  int in_place = -1;  // for int8: 0 or 1, the kernel must (not) read rows in place
};

// Random paddings (less than the kernel) and seed for c; false when the output would be empty.
bool RandomPads(Case* c, std::mt19937& rng) {
  c->top = rng() % c->kh, c->bottom = rng() % c->kh;
  c->left = rng() % c->kw, c->right = rng() % c->kw;
  c->seed = static_cast<uint32_t>(rng());
  return OutSize(c->in_h, c->top, c->bottom, c->kh, c->sh, c->dh) != 0 &&
         OutSize(c->in_w, c->left, c->right, c->kw, c->sw, c->dw) != 0;
}

class ConvIsaTest : public ::testing::TestWithParam<std::tuple<IsaLevel, Kind, Avx2Dot>> {
 protected:
  void SetUp() override {
    saved_ = ActiveIsa();
    level_ = std::get<0>(GetParam());
    kind_ = std::get<1>(GetParam());
    const Avx2Dot dot = std::get<2>(GetParam());
    if (DetectedIsa() < level_) GTEST_SKIP() << "CPU without " << IsaLevelName(level_);
    // The VNNI variants of the AVX2 GEMM: VEX where the CPU has AVX-VNNI, and the same
    // arithmetic EVEX-encoded on AVX-512 VNNI CPUs (which lack AVX-VNNI, as Zen 4).
    if (dot == Avx2Dot::kAvxVnni && !HasAvxVnni()) GTEST_SKIP() << "CPU without AVX-VNNI";
    if (dot == Avx2Dot::kEvexVnni && DetectedIsa() < IsaLevel::kAvx512)
      GTEST_SKIP() << "CPU without AVX-512 VNNI";
    Avx2Gemm::ForceDotForTesting(dot);
    SetIsaLimit(level_);
    ASSERT_EQ(xnn_initialize(nullptr), xnn_status_success);
    pools_ = {pthreadpool_create(2), pthreadpool_create(3)};  // once: creation waits for CPUs
  }
  void TearDown() override {
    for (pthreadpool_t p : pools_) pthreadpool_destroy(p);
    Avx2Gemm::ForceDotForTesting(std::nullopt);
    SetIsaLimit(saved_);
  }

  void RunCase(const Case& c) {
    SCOPED_TRACE("in " + std::to_string(c.in_h) + "x" + std::to_string(c.in_w) + "x" +
                 std::to_string(c.cin) + " cout " + std::to_string(c.cout) + " kernel " +
                 std::to_string(c.kh) + "x" + std::to_string(c.kw) + " stride " +
                 std::to_string(c.sh) + " seed " + std::to_string(c.seed));
    std::mt19937 rng(c.seed);
    FastConvSpec s;
    s.in_h = c.in_h, s.in_w = c.in_w, s.cin = c.cin, s.cout = c.cout;
    s.kernel_h = c.kh, s.kernel_w = c.kw, s.stride_h = c.sh, s.stride_w = c.sw;
    s.dilation_h = c.dh, s.dilation_w = c.dw;
    s.pad_top = c.top, s.pad_left = c.left, s.pad_bottom = c.bottom, s.pad_right = c.right;
    s.out_h = OutSize(c.in_h, c.top, c.bottom, c.kh, c.sh, c.dh);
    s.out_w = OutSize(c.in_w, c.left, c.right, c.kw, c.sw, c.dw);
    ASSERT_GT(s.out_h * s.out_w, 0u);
    const size_t k = size_t{c.kh} * c.kw * c.cin;
    s.quant = RandomQuant(kind_, k, c.cout, rng);
    std::vector<uint8_t> w(k * c.cout), in(c.batch * c.in_h * c.in_w * c.cin);
    for (auto& b : w) b = static_cast<uint8_t>(rng());
    for (auto& b : in) b = static_cast<uint8_t>(rng());
    std::vector<int32_t> bias(c.cout);
    for (auto& b : bias) b = static_cast<int32_t>(rng() % 20001) - 10000;
    if (rng() % 4 == 0)  // large biases: accumulators far outside the output range
      for (size_t i = 0; i < bias.size(); i += 2) bias[i] = static_cast<int32_t>(rng());
    s.weights = w.data();
    s.bias = rng() % 8 == 0 ? nullptr : bias.data();
    const std::vector<uint8_t> expected = testing::RunXnnpackConv(kind_, s, c.batch, in);
    std::unique_ptr<FastConv> conv = MakeFastConv(s);
    ASSERT_NE(conv, nullptr);
    const bool avx2_vnni = std::get<2>(GetParam()) != Avx2Dot::kMaddwd;
    EXPECT_EQ(std::string(conv->path()),
              level_ == IsaLevel::kAvx512 ? "vnni" : avx2_vnni ? "avx2 vnni" : "avx2");
    if (level_ == IsaLevel::kAvx2) {  // the dot product this case is about
      const auto* avx2 = dynamic_cast<const ConvAvx2*>(conv.get());
      ASSERT_NE(avx2, nullptr);
      EXPECT_EQ(avx2->gemm().dot(), std::get<2>(GetParam()));
      if (c.in_place >= 0) {
        EXPECT_EQ(avx2->rows_in_place(), c.in_place && kind_ != Kind::kQU8);
      }
    } else if (c.in_place >= 0) {
      const auto* vnni = dynamic_cast<const ConvVnni*>(conv.get());
      ASSERT_NE(vnni, nullptr);
      // AVX-512: also not for narrow rows to more than 16 outputs (see conv_vnni.cc)
      const bool narrow_wide = c.kw * c.cin <= 13 && c.cout > 16;
      EXPECT_EQ(vnni->rows_in_place(), c.in_place && kind_ != Kind::kQU8 && !narrow_wide);
    }
    std::vector<uint8_t> got(expected.size(), 0xAA);
    conv->Run(in.data(), got.data(), c.batch, nullptr);
    size_t mismatches = 0;
    for (size_t i = 0; i < got.size(); ++i) mismatches += got[i] != expected[i];
    EXPECT_EQ(mismatches, 0u) << "of " << got.size();
    for (pthreadpool_t pool : pools_) {  // every thread split gives the same bytes
      std::vector<uint8_t> threaded(expected.size(), 0x55);
      conv->Run(in.data(), threaded.data(), c.batch, pool);
      EXPECT_EQ(threaded, got) << pthreadpool_get_threads_count(pool) << " threads";
    }
  }

  IsaLevel saved_ = IsaLevel::kXnnpack, level_ = IsaLevel::kXnnpack;
  Kind kind_ = Kind::kQS8;
  std::vector<pthreadpool_t> pools_;
};

// MobileNet v2's 1x1 shapes: many pixels (row split), 7x7 widening and the 1-pixel logits
// (column split), channel counts that leave partial 16-channel blocks and 6-row tiles.
TEST_P(ConvIsaTest, PointwiseLayers) {
  RunCase({1, 28, 28, 32, 144, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 3});
  RunCase({1, 14, 14, 64, 24});
  RunCase({1, 7, 7, 160, 960, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 5});
  RunCase({1, 1, 1, 1280, 1001, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 6});
  RunCase({2, 5, 7, 17, 33, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 7});  // odd k, batch 2
  RunCase({1, 1, 1, 1, 1});
}

TEST_P(ConvIsaTest, WindowedLayers) {
  RunCase({1, 224, 224, 3, 32, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 7});   // MobileNet's first layer
  RunCase({2, 33, 17, 3, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 8});
  RunCase({1, 5, 5, 1, 1, 5, 5, 1, 1});                             // window = image
  RunCase({1, 3, 3, 2, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});           // all padding around
  RunCase({1, 8, 8, 16, 24, 1, 1, 2, 2});                           // 1x1 stride 2
  RunCase({1, 7, 7, 5, 17, 1, 1, 1, 1, 1, 1, 1, 2, 0, 3});          // 1x1 with padding
  RunCase({1, 9, 11, 7, 64, 3, 3, 1, 1, 2, 3, 2, 3, 2, 3});         // dilations
  RunCase({1, 10, 10, 96, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});       // K = 864
  RunCase({3, 13, 9, 3, 8, 7, 7, 3, 2, 1, 1, 3, 2, 3, 4});          // 7x7, batch 3
}

// Rows read in place in a padded copy of the input (int8, output rows of 16+ pixels): stems,
// ResNet's and Inception's early 3x3 layers, dilated rows, odd channel counts, strides, and a
// layer too wide for the task buffer (im2col then); shorter rows take im2col.
TEST_P(ConvIsaTest, RowsInPlace) {
  auto run = [this](Case c, int in_place) {
    c.in_place = in_place;
    RunCase(c);
  };
  run({1, 102, 102, 3, 16, 7, 7, 2, 2, 1, 1, 0, 0, 0, 0, 21}, 1);   // ResNet's stem, VALID
  run({1, 24, 24, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 22}, 1);    // 3x3 SAME
  run({2, 35, 35, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 23}, 1);    // batch 2
  run({1, 128, 128, 3, 8, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 24}, 1);    // narrow, 8 outputs
  run({1, 64, 64, 3, 32, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 25}, 1);     // narrow, 32 outputs
  run({1, 20, 40, 5, 70, 3, 5, 2, 1, 2, 1, 2, 1, 3, 2, 26}, 1);     // dilated rows, odd cin
  run({1, 9, 27, 7, 20, 3, 3, 1, 2, 1, 1, 0, 3, 1, 1, 27}, 0);      // 15 columns
  run({1, 9, 29, 7, 20, 3, 3, 1, 2, 1, 1, 0, 3, 1, 1, 28}, 1);      // 16 columns
  run({1, 6, 40, 600, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 29}, 1);    // too wide: im2col tasks
  run({1, 17, 20, 9, 16, 1, 3, 1, 1, 1, 2, 0, 1, 0, 1, 30}, 0);     // dilated columns
  std::mt19937 rng(555 + int(kind_));
  for (int i = 0; i < 20; ++i) {
    auto below = [&rng](uint32_t n) { return 1 + static_cast<uint32_t>(rng() % n); };
    Case c{below(2), below(10), 15 + below(30), below(40), below(50), below(4), below(4),
           below(2), below(2), below(2)};
    if (!RandomPads(&c, rng)) {
      --i;
      continue;
    }
    RunCase(c);
  }
}

TEST_P(ConvIsaTest, RandomShapes) {
  std::mt19937 rng(991 + int(kind_));
  for (int i = 0; i < 40; ++i) {
    auto below = [&rng](uint32_t n) { return 1 + static_cast<uint32_t>(rng() % n); };
    Case c{below(2), below(16), below(16), below(40), below(70), below(4), below(4),
           below(3), below(3)};
    if (rng() % 4 == 0) c.dh = below(2), c.dw = below(2);
    if (!RandomPads(&c, rng)) {
      --i;
      continue;
    }
    RunCase(c);
  }
}

std::string ParamName(const ::testing::TestParamInfo<ConvIsaTest::ParamType>& info) {
  const Kind k = std::get<1>(info.param);
  const Avx2Dot dot = std::get<2>(info.param);
  return std::string(IsaLevelName(std::get<0>(info.param))) +
         (dot == Avx2Dot::kAvxVnni ? "_avxvnni" : dot == Avx2Dot::kEvexVnni ? "_evexvnni" : "") +
         "_" + (k == Kind::kQS8 ? "qs8" : k == Kind::kQC8 ? "qc8" : "qu8");
}

INSTANTIATE_TEST_SUITE_P(
    Levels, ConvIsaTest,
    ::testing::Combine(::testing::Values(IsaLevel::kAvx512),
                       ::testing::Values(Kind::kQS8, Kind::kQC8, Kind::kQU8),
                       ::testing::Values(Avx2Dot::kMaddwd)),
    ParamName);
INSTANTIATE_TEST_SUITE_P(
    Avx2Dots, ConvIsaTest,
    ::testing::Combine(::testing::Values(IsaLevel::kAvx2),
                       ::testing::Values(Kind::kQS8, Kind::kQC8, Kind::kQU8),
                       ::testing::Values(Avx2Dot::kMaddwd, Avx2Dot::kAvxVnni, Avx2Dot::kEvexVnni)),
    ParamName);

}  // namespace
}  // namespace labelite::xnn
