// Conv1x1Vnni against XNNPACK's own convolution operator (the fast path's oracle, whose
// results match TFLite's goldens): random 1x1 convolutions must give the same bytes for qs8,
// qc8 and qu8, over channel counts around the 4-input / 16- and 64-output tile boundaries,
// pixel counts 1, 7, 49 and 3136, negative zero points and clamped (activation) ranges.
#include "kernels/x86/avx512/conv1x1_vnni.h"

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

struct Case {
  Kind kind;
  size_t pixels, cin, cout;
  uint32_t seed;
};

// Random quantization: zero points anywhere (negative too), scales spread over ~2 decades so
// that some outputs saturate (a quarter of the cases with scales >= 1), and half of the cases
// with a narrowed (activation) range.
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
  const size_t scales = c.kind == Kind::kQC8 ? c.cout : 1;
  for (size_t i = 0; i < scales; ++i)
    q.kernel_scales.push_back(0.002f + 0.02f * unit(rng) / std::sqrt(float(c.cin)));
  if (rng() % 4 == 0) {  // some scale in [1, 200]: the clamp-before-convert path
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

void RunCase(const Case& c) {
  SCOPED_TRACE("kind " + std::to_string(int(c.kind)) + " pixels " + std::to_string(c.pixels) +
               " cin " + std::to_string(c.cin) + " cout " + std::to_string(c.cout));
  std::mt19937 rng(c.seed);
  const ConvQuant q = RandomQuant(c, rng);
  std::vector<uint8_t> w(c.cin * c.cout), in(c.pixels * c.cin);
  for (auto& b : w) b = static_cast<uint8_t>(rng());
  for (auto& b : in) b = static_cast<uint8_t>(rng());
  std::vector<int32_t> bias(c.cout);
  for (auto& b : bias) b = static_cast<int32_t>(rng() % 20001) - 10000;
  const float max_ks = *std::max_element(q.kernel_scales.begin(), q.kernel_scales.end());
  if (q.input_scale * max_ks / q.output_scale >= 1.0f)  // float(acc) * scale beyond int32
    for (size_t i = 0; i < bias.size(); i += 2) bias[i] = static_cast<int32_t>(rng());
  xnn::FastConvSpec spec;  // the pixels as one column of an image, for XNNPACK's operator
  spec.in_h = spec.out_h = c.pixels;
  spec.in_w = spec.out_w = 1;
  spec.cin = c.cin;
  spec.cout = c.cout;
  spec.quant = q;
  spec.weights = w.data();
  spec.bias = bias.data();
  const std::vector<uint8_t> expected = testing::RunXnnpackConv(c.kind, spec, 1, in);
  Conv1x1Vnni conv;
  ASSERT_TRUE(conv.Pack(q, c.cin, c.cout, w.data(), bias.data()));
  std::vector<uint8_t> got(expected.size(), 0xAA);
  conv.RunPixels(in.data(), got.data(), c.pixels, nullptr);
  size_t mismatches = 0;
  for (size_t i = 0; i < got.size(); ++i) mismatches += got[i] != expected[i];
  EXPECT_EQ(mismatches, 0u) << "of " << got.size();
  // Threaded rows give the same bytes.
  pthreadpool_t pool = pthreadpool_create(3);
  std::vector<uint8_t> threaded(expected.size(), 0x55);
  conv.RunPixels(in.data(), threaded.data(), c.pixels, pool);
  pthreadpool_destroy(pool);
  EXPECT_EQ(threaded, got);
}

class Conv1x1VnniTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (!VnniGemm::Supported()) GTEST_SKIP() << "CPU without AVX-512 VNNI";
    ASSERT_EQ(xnn_initialize(nullptr), xnn_status_success);
  }
};

TEST_P(Conv1x1VnniTest, MatchesXnnpackBitForBit) {
  const size_t pixels[] = {1, 7, 49, 3136};
  const size_t channels[][2] = {{1, 1},      {3, 5},    {4, 16},    {5, 17},   {16, 64},  {17, 63},
                                {24, 144},   {32, 16},  {37, 65},   {96, 24},  {144, 24}, {192, 32},
                                {320, 1280}, {576, 96}, {960, 160}, {63, 129}, {130, 200}};
  uint32_t seed = 1;
  for (size_t p : pixels)
    for (const auto& ch : channels) {
      if (p == 3136 && ch[0] * ch[1] > 200 * 200) continue;  // keep the test fast
      RunCase({GetParam(), p, ch[0], ch[1], seed++});
    }
}

TEST_P(Conv1x1VnniTest, ManyRandomShapes) {
  std::mt19937 rng(12345 + int(GetParam()));
  for (int i = 0; i < 60; ++i) {
    const size_t pixels = 1 + rng() % 120;
    const size_t cin = 1 + rng() % 300;
    const size_t cout = 1 + rng() % 300;
    RunCase({GetParam(), pixels, cin, cout, static_cast<uint32_t>(rng())});
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, Conv1x1VnniTest,
                         ::testing::Values(Kind::kQS8, Kind::kQC8, Kind::kQU8),
                         [](const auto& info) {
                           return info.param == Kind::kQS8   ? std::string("qs8")
                                  : info.param == Kind::kQC8 ? std::string("qc8")
                                                             : std::string("qu8");
                         });

}  // namespace
}  // namespace labelite::xnn
