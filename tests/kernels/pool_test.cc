// AVERAGE_POOL_2D and MAX_POOL_2D reference kernel tests: exact against a straightforward
// computation in this file (windows clipped to the image, TensorFlow's SAME/VALID padding,
// TFLite's rounding of quantized averages) and against TFLite (the oracle; quantized averages
// within 1 because XNNPACK rounds its averages through a float multiplier).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "testing/kernel_tester.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceAveragePool2D();
std::unique_ptr<Kernel> CreateReferenceMaxPool2D();
}

namespace labelite::testing {
namespace {

struct PoolCase {
  DataType type = DataType::kFloat32;
  int n = 1, h = 6, w = 6, c = 3, fh = 2, fw = 2, sh = 2, sw = 2;
  Padding padding = Padding::kValid;
  Activation act = Activation::kNone;
};

template <typename T>
void RunPool(bool average, const PoolCase& p, uint32_t seed) {
  const bool is_float = p.type == DataType::kFloat32;
  const double qlo = p.type == DataType::kUInt8 ? 0 : -128;
  const size_t count = size_t(p.n) * p.h * p.w * p.c;
  auto input = is_float ? RandomValues<T>(count, -8, 8, seed) : RandomValues<T>(count, qlo, qlo + 255, seed);
  const int oh = p.padding == Padding::kSame ? (p.h + p.sh - 1) / p.sh : (p.h - p.fh) / p.sh + 1;
  const int ow = p.padding == Padding::kSame ? (p.w + p.sw - 1) / p.sw : (p.w - p.fw) / p.sw + 1;
  const int ph = std::max(0, (oh - 1) * p.sh + p.fh - p.h) / 2;
  const int pw = std::max(0, (ow - 1) * p.sw + p.fw - p.w) / 2;
  const float scale = 0.1f;
  const int32_t zp = p.type == DataType::kUInt8 ? 100 : -20;
  double lo = -1e300, hi = 1e300;
  if (p.act == Activation::kRelu) lo = 0;
  if (p.act == Activation::kRelu6) lo = 0, hi = 6;
  if (p.act == Activation::kReluN1To1) lo = -1, hi = 1;
  if (!is_float) {  // the quantized clamp range
    lo = std::max(qlo, lo < -1e299 ? qlo : zp + std::round(lo / scale));
    hi = std::min(qlo + 255, hi > 1e299 ? qlo + 255 : zp + std::round(hi / scale));
  }
  std::vector<double> expected;
  for (int b = 0; b < p.n; ++b)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int ch = 0; ch < p.c; ++ch) {
          double sum = 0, mx = -1e300;
          int n = 0;
          for (int fy = 0; fy < p.fh; ++fy)
            for (int fx = 0; fx < p.fw; ++fx) {
              const int iy = y * p.sh - ph + fy, ix = x * p.sw - pw + fx;
              if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
              const double v = input[((size_t(b) * p.h + iy) * p.w + ix) * p.c + ch];
              sum += v, mx = std::max(mx, v), ++n;
            }
          double v = mx;
          if (average) {
            if (is_float) v = sum / n;
            else if (p.type == DataType::kUInt8) v = std::floor((sum + n / 2) / n);
            else v = (sum > 0 ? 1 : -1) * std::floor((std::abs(sum) + n / 2) / n);
          }
          expected.push_back(std::clamp(v, lo, hi));
        }

  KernelTester t(average ? kOpAveragePool2D : kOpMaxPool2D,
                 average ? CreateReferenceAveragePool2D : CreateReferenceMaxPool2D);
  const QuantizationParams q = is_float ? QuantizationParams{} : Quant(scale, zp);
  const int in = t.Input<T>(p.type, {p.n, p.h, p.w, p.c}, input, q);
  t.Output(p.type, {p.n, oh, ow, p.c}, q);
  OpOptions o;
  o.padding = p.padding;
  o.filter_h = p.fh, o.filter_w = p.fw, o.stride_h = p.sh, o.stride_w = p.sw;
  o.activation = p.act;
  t.Op({in}, o);
  const Status s = t.Run();
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(t.output_dims(), (std::vector<int32_t>{p.n, oh, ow, p.c}));
  ExpectAllNear(t.OutputAsDouble(), expected, is_float ? 1e-5 : 0.0, "the straightforward computation");
  LABELITE_EXPECT_MATCHES_ORACLE(t, is_float || !average ? 1e-5 : 1.0);
}

void RunAny(bool average, const PoolCase& p, uint32_t seed) {
  if (p.type == DataType::kFloat32) RunPool<float>(average, p, seed);
  else if (p.type == DataType::kUInt8) RunPool<uint8_t>(average, p, seed);
  else RunPool<int8_t>(average, p, seed);
}

class PoolTest : public ::testing::TestWithParam<std::tuple<bool, DataType>> {
 protected:
  bool average() const { return std::get<0>(GetParam()); }
  DataType type() const { return std::get<1>(GetParam()); }
};

TEST_P(PoolTest, Valid2x2Stride2) {
  PoolCase p;
  p.type = type();
  RunAny(average(), p, 1);
}

TEST_P(PoolTest, Same3x3Stride2OddSizeRelu) {
  PoolCase p;
  p.type = type();
  p.n = 2, p.h = 7, p.w = 5, p.c = 4, p.fh = 3, p.fw = 3;
  p.padding = Padding::kSame;
  p.act = Activation::kRelu;
  RunAny(average(), p, 2);
}

TEST_P(PoolTest, GlobalWindowSameLargerThanImageRelu6) {
  PoolCase p;
  p.type = type();
  p.h = 3, p.w = 2, p.c = 5, p.fh = 5, p.fw = 4, p.sh = 1, p.sw = 1;
  p.padding = Padding::kSame;
  p.act = Activation::kRelu6;
  RunAny(average(), p, 3);
}

TEST_P(PoolTest, OneByOneImageReluN1To1) {
  PoolCase p;
  p.type = type();
  p.h = p.w = 1, p.c = 7, p.fh = p.fw = 1, p.sh = p.sw = 1;
  p.act = Activation::kReluN1To1;
  RunAny(average(), p, 4);
}

INSTANTIATE_TEST_SUITE_P(
    Ops, PoolTest,
    ::testing::Combine(::testing::Bool(), ::testing::Values(DataType::kFloat32, DataType::kUInt8,
                                                            DataType::kInt8)),
    [](const auto& info) {
      return std::string(std::get<0>(info.param) ? "average_" : "max_") +
             std::string(DataTypeName(std::get<1>(info.param)));
    });

// TFLite's rounding of quantized averages, on values chosen to land on .5:
// uint8 rounds half up, int8 rounds half away from zero.
TEST(AveragePoolRoundingTest, TiesFollowTFLite) {
  {
    KernelTester t(kOpAveragePool2D, CreateReferenceAveragePool2D);
    const int in = t.Input<uint8_t>(DataType::kUInt8, {1, 1, 2, 1}, {1, 2}, Quant(1.0f, 0));
    t.Output(DataType::kUInt8, {1, 1, 1, 1}, Quant(1.0f, 0));
    OpOptions o;
    o.padding = Padding::kValid, o.filter_h = 1, o.filter_w = 2;
    t.Op({in}, o);
    ASSERT_TRUE(t.Run().ok());
    EXPECT_EQ(t.OutputValues<uint8_t>(), std::vector<uint8_t>{2});  // 1.5 -> 2
  }
  {
    KernelTester t(kOpAveragePool2D, CreateReferenceAveragePool2D);
    const int in = t.Input<int8_t>(DataType::kInt8, {1, 1, 2, 2}, {-1, 1, -2, 2}, Quant(1.0f, 0));
    t.Output(DataType::kInt8, {1, 1, 1, 2}, Quant(1.0f, 0));
    OpOptions o;
    o.padding = Padding::kValid, o.filter_h = 1, o.filter_w = 2;
    t.Op({in}, o);
    ASSERT_TRUE(t.Run().ok());
    EXPECT_EQ(t.OutputValues<int8_t>(), (std::vector<int8_t>{-2, 2}));  // -1.5 -> -2, 1.5 -> 2
  }
}

}  // namespace
}  // namespace labelite::testing
