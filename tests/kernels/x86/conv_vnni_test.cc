// ConvVnni (im2col + VnniGemm) against XNNPACK's own convolution operator (the fast path's
// oracle): random KxK convolutions must give the same bytes for qs8, qc8 and qu8, with strides
// 1 to 3, dilations, paddings on every side (SAME-like and uneven), odd channel counts,
// negative zero points, clamped (activation) ranges, batches, and threads.
#include "kernels/x86/avx512/conv_vnni.h"

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

// Random quantization: zero points anywhere (negative too), scales that make some outputs
// saturate (a quarter of the cases with scales >= 1), and half of the cases with a narrowed
// (activation) range.
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

// Output size for the geometry's paddings; 0 when the window does not fit.
size_t OutSize(size_t in, uint32_t pad_before, uint32_t pad_after, uint32_t k, uint32_t s,
               uint32_t d) {
  const size_t window = size_t{d} * (k - 1) + 1;
  const size_t padded = in + pad_before + pad_after;
  return padded < window ? 0 : (padded - window) / s + 1;
}

struct Case {
  Kind kind;
  size_t batch, in_h, in_w, cin, cout;
  uint32_t kh, kw, sh, sw, dh = 1, dw = 1;
  uint32_t top = 0, left = 0, bottom = 0, right = 0;
  uint32_t seed = 1;
  int in_place = -1;  // 0 or 1: ConvVnni must (not) read the rows in place (step 2')
};

std::string Describe(const Case& c) {
  auto s = [](auto v) { return std::to_string(v); };
  return "kind " + s(int(c.kind)) + " batch " + s(c.batch) + " in " + s(c.in_h) + "x" + s(c.in_w) +
         "x" + s(c.cin) + " cout " + s(c.cout) + " kernel " + s(c.kh) + "x" + s(c.kw) + " stride " +
         s(c.sh) + "x" + s(c.sw) + " dilation " + s(c.dh) + "x" + s(c.dw) + " pads t" + s(c.top) +
         " l" + s(c.left) + " b" + s(c.bottom) + " r" + s(c.right);
}

void RunCase(const Case& c) {
  SCOPED_TRACE(Describe(c));
  std::mt19937 rng(c.seed);
  FastConvSpec s;
  s.in_h = c.in_h;
  s.in_w = c.in_w;
  s.cin = c.cin;
  s.cout = c.cout;
  s.kernel_h = c.kh;
  s.kernel_w = c.kw;
  s.stride_h = c.sh;
  s.stride_w = c.sw;
  s.dilation_h = c.dh;
  s.dilation_w = c.dw;
  s.pad_top = c.top;
  s.pad_left = c.left;
  s.pad_bottom = c.bottom;
  s.pad_right = c.right;
  s.out_h = OutSize(c.in_h, c.top, c.bottom, c.kh, c.sh, c.dh);
  s.out_w = OutSize(c.in_w, c.left, c.right, c.kw, c.sw, c.dw);
  ASSERT_GT(s.out_h * s.out_w, 0u);
  const size_t k = size_t{c.kh} * c.kw * c.cin;
  s.quant = RandomQuant(c.kind, k, c.cout, rng);
  const ConvQuant& q = s.quant;
  std::vector<uint8_t> w(k * c.cout), in(c.batch * c.in_h * c.in_w * c.cin);
  for (auto& b : w) b = static_cast<uint8_t>(rng());
  for (auto& b : in) b = static_cast<uint8_t>(rng());
  std::vector<int32_t> bias(c.cout);
  for (auto& b : bias) b = static_cast<int32_t>(rng() % 20001) - 10000;
  const float max_ks = *std::max_element(q.kernel_scales.begin(), q.kernel_scales.end());
  if (q.input_scale * max_ks / q.output_scale >= 1.0f)  // float(acc) * scale beyond int32
    for (size_t i = 0; i < bias.size(); i += 2) bias[i] = static_cast<int32_t>(rng());
  s.weights = w.data();
  s.bias = rng() % 8 == 0 ? nullptr : bias.data();
  const std::vector<uint8_t> expected = testing::RunXnnpackConv(c.kind, s, c.batch, in);
  std::unique_ptr<FastConv> conv = MakeConvVnni(s);
  ASSERT_NE(conv, nullptr);
  if (c.in_place >= 0) {
    EXPECT_EQ(static_cast<const ConvVnni*>(conv.get())->rows_in_place(), c.in_place == 1);
  }
  std::vector<uint8_t> got(expected.size(), 0xAA);
  conv->Run(in.data(), got.data(), c.batch, nullptr);
  size_t mismatches = 0;
  for (size_t i = 0; i < got.size(); ++i) mismatches += got[i] != expected[i];
  EXPECT_EQ(mismatches, 0u) << "of " << got.size();
  // Threaded chunks give the same bytes.
  pthreadpool_t pool = pthreadpool_create(3);
  std::vector<uint8_t> threaded(expected.size(), 0x55);
  conv->Run(in.data(), threaded.data(), c.batch, pool);
  pthreadpool_destroy(pool);
  EXPECT_EQ(threaded, got);
}

// Random paddings (less than the kernel) and seed for c; false when the output would be empty.
bool RandomPads(Case* c, std::mt19937& rng) {
  c->top = rng() % c->kh;
  c->bottom = rng() % c->kh;
  c->left = rng() % c->kw;
  c->right = rng() % c->kw;
  c->seed = static_cast<uint32_t>(rng());
  return OutSize(c->in_h, c->top, c->bottom, c->kh, c->sh, c->dh) != 0 &&
         OutSize(c->in_w, c->left, c->right, c->kw, c->sw, c->dw) != 0;
}

class ConvVnniTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (!VnniGemm::Supported()) GTEST_SKIP() << "CPU without AVX-512 VNNI";
    ASSERT_EQ(xnn_initialize(nullptr), xnn_status_success);
  }
};

// MobileNet's first layer: 3x3 stride 2, 3 -> 32 channels, TF SAME padding (bottom/right 1).
TEST_P(ConvVnniTest, MobileNetFirstLayer) {
  RunCase({GetParam(), 1, 224, 224, 3, 32, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 7});
  RunCase({GetParam(), 2, 33, 17, 3, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 8});
}

TEST_P(ConvVnniTest, EdgeShapes) {
  const Kind kind = GetParam();
  RunCase({kind, 1, 1, 1, 1, 1, 1, 1, 1, 1});                        // one tap
  RunCase({kind, 1, 5, 5, 1, 1, 5, 5, 1, 1});                        // window = image
  RunCase({kind, 1, 3, 3, 2, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});      // all padding around
  RunCase({kind, 1, 8, 8, 16, 24, 1, 1, 2, 2});                      // 1x1 stride 2
  RunCase({kind, 1, 7, 7, 5, 17, 1, 1, 1, 1, 1, 1, 1, 2, 0, 3});     // 1x1 with padding
  RunCase({kind, 1, 9, 11, 7, 64, 3, 3, 1, 1, 2, 3, 2, 3, 2, 3});    // dilations
  RunCase({kind, 1, 6, 6, 4, 65, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0});     // VALID, even kernel
  RunCase({kind, 1, 10, 10, 96, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});  // K = 864
  RunCase({kind, 1, 6, 5, 600, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});   // K = 5400: 8-row chunks
  RunCase({kind, 1, 3, 3, 910, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});    // K = 8190: the largest
  RunCase({kind, 3, 13, 9, 3, 8, 7, 7, 3, 2, 1, 1, 3, 2, 3, 4});     // 7x7, batch 3
  // Inception-style layers with one to four chunks: threads also split the column blocks.
  RunCase({kind, 1, 17, 17, 40, 192, 1, 7, 1, 1, 1, 1, 0, 0, 3, 3});  // 1x7, 289 pixels
  RunCase({kind, 1, 8, 8, 48, 200, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});   // 64 pixels, 13 vectors
  RunCase({kind, 2, 5, 5, 24, 70, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0});    // batch 2 of 25 pixels
}

// Step 2' (int8 layers with output rows of 16 pixels or more: kernel rows read in place in a
// padded copy of the input rows, weights' kernel rows zero-padded to 4 bytes); uint8 takes
// im2col, as a check of the same shapes.
TEST_P(ConvVnniTest, PaddedRowsInPlace) {
  const Kind kind = GetParam();
  auto run = [kind](Case c, bool in_place) {
    c.in_place = in_place && kind != Kind::kQU8;
    RunCase(c);
  };
  run({kind, 1, 102, 102, 3, 16, 7, 7, 2, 2}, true);                     // ResNet's stem, VALID
  run({kind, 1, 24, 24, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, true);   // 3x3 SAME, 16 -> 16
  run({kind, 1, 37, 37, 32, 32, 3, 3, 1, 1}, true);                     // Inception's 35x35
  run({kind, 2, 35, 35, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, true);   // batch 2, 64 outputs
  run({kind, 1, 128, 128, 3, 8, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1}, true);   // narrow, 8 outputs
  run({kind, 1, 20, 40, 5, 70, 3, 5, 2, 1, 2, 1, 2, 1, 3, 2}, true);    // dilation 2, odd cin
  run({kind, 1, 9, 27, 7, 20, 3, 3, 1, 2, 1, 1, 0, 3, 1, 1}, false);    // 15 columns, stride 2
  run({kind, 1, 9, 29, 7, 20, 3, 3, 1, 2, 1, 1, 0, 3, 1, 1}, true);     // 16 columns
  run({kind, 1, 6, 40, 600, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, true);   // too wide: im2col tasks
  run({kind, 1, 224, 224, 3, 32, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1}, false); // narrow, 32 outputs
  run({kind, 1, 12, 12, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, false);    // rows of 12 pixels
  std::mt19937 rng(99 + int(GetParam()));
  for (int i = 0; i < 30; ++i) {
    auto below = [&rng](uint32_t n) { return 1 + static_cast<uint32_t>(rng() % n); };
    Case c{kind, below(2), below(12), 15 + below(40), below(40), below(80), below(5), below(5),
           below(2), below(2)};
    c.dh = below(2);
    if (!RandomPads(&c, rng)) {
      --i;
      continue;
    }
    RunCase(c);
  }
}

TEST_P(ConvVnniTest, ManyRandomShapes) {
  std::mt19937 rng(777 + int(GetParam()));
  for (int i = 0; i < 80; ++i) {
    auto below = [&rng](uint32_t n) { return 1 + static_cast<uint32_t>(rng() % n); };
    Case c{GetParam(), below(2), below(20), below(20), below(40),
           below(100), below(5), below(5),  below(3),  below(3)};
    if (rng() % 4 == 0) {
      c.dh = below(2);
      c.dw = below(2);
    }
    if (!RandomPads(&c, rng)) {
      --i;
      continue;
    }
    RunCase(c);
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, ConvVnniTest, ::testing::Values(Kind::kQS8, Kind::kQC8, Kind::kQU8),
                         [](const auto& info) {
                           return info.param == Kind::kQS8   ? std::string("qs8")
                                  : info.param == Kind::kQC8 ? std::string("qc8")
                                                             : std::string("qu8");
                         });

}  // namespace
}  // namespace labelite::xnn
