// SOFTMAX reference kernel tests: float against double-precision softmax (1e-5); quantized
// exactly against TFLite's float lookup-table arithmetic written out here, within 1 of the
// real-valued softmax, and against TFLite (the oracle; within 1, XNNPACK computes differently).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "testing/kernel_tester.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceSoftmax();
}

namespace labelite::testing {
namespace {

template <typename T>
void RunSoftmax(DataType type, std::vector<int32_t> shape, float beta, float in_scale,
                int32_t in_zp, uint32_t seed) {
  const bool is_float = type == DataType::kFloat32;
  int64_t total = 1;
  for (int32_t d : shape) total *= d;
  const int depth = shape.back();
  const double qlo = type == DataType::kUInt8 ? 0 : -128;
  auto input = is_float ? RandomValues<T>(total, -4, 4, seed) : RandomValues<T>(total, qlo, qlo + 255, seed);
  const float out_scale = 1.0f / 256;
  const int32_t out_zp = type == DataType::kInt8 ? -128 : 0;
  std::vector<double> exact, real;
  for (int64_t r = 0; r < total / depth; ++r) {
    const T* x = input.data() + r * depth;
    const double mx = *std::max_element(x, x + depth);
    double sum = 0;
    for (int i = 0; i < depth; ++i)
      sum += std::exp((is_float ? 1.0 : double(in_scale)) * beta * (double(x[i]) - mx));
    // TFLite's quantized arithmetic: float exp table, float sums, float rounding.
    float fsum = 0;
    for (int i = 0; i < depth; ++i) fsum += std::exp(-in_scale * beta * float(int(mx) - int(x[i])));
    const float inv = 1.0f / (fsum * out_scale);
    for (int i = 0; i < depth; ++i) {
      const double p = std::exp((is_float ? 1.0 : double(in_scale)) * beta * (double(x[i]) - mx)) / sum;
      if (is_float) {
        exact.push_back(p), real.push_back(p);
        continue;
      }
      const float pr = std::exp(-in_scale * beta * float(int(mx) - int(x[i]))) * inv;
      const int32_t q = type == DataType::kUInt8 ? int32_t(pr + 0.5f) : int32_t(std::round(pr)) + out_zp;
      exact.push_back(std::clamp<double>(q, qlo, qlo + 255));
      real.push_back(std::clamp<double>(std::round(p * 256) + out_zp, qlo, qlo + 255));
    }
  }
  KernelTester t(kOpSoftmax, CreateReferenceSoftmax);
  const int in = t.Input<T>(type, shape, input, is_float ? QuantizationParams{} : Quant(in_scale, in_zp));
  t.Output(type, shape, is_float ? QuantizationParams{} : Quant(out_scale, out_zp));
  OpOptions o;
  o.beta = beta;
  t.Op({in}, o);
  const Status s = t.Run();
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(t.output_dims(), shape);
  ExpectAllNear(t.OutputAsDouble(), exact, is_float ? 1e-6 : 0.0, "the straightforward computation");
  ExpectAllNear(t.OutputAsDouble(), real, is_float ? 1e-6 : 1.0, "real-valued softmax");
  LABELITE_EXPECT_MATCHES_ORACLE(t, is_float ? 1e-5 : 1.0);
}

TEST(SoftmaxTest, Float) { RunSoftmax<float>(DataType::kFloat32, {2, 10}, 1.0f, 0, 0, 1); }
TEST(SoftmaxTest, FloatBetaRank4) { RunSoftmax<float>(DataType::kFloat32, {1, 2, 3, 7}, 0.4f, 0, 0, 2); }
TEST(SoftmaxTest, Uint8) { RunSoftmax<uint8_t>(DataType::kUInt8, {3, 1001}, 1.0f, 0.1f, 128, 3); }
TEST(SoftmaxTest, Uint8Beta) { RunSoftmax<uint8_t>(DataType::kUInt8, {1, 16}, 2.5f, 0.05f, 0, 4); }
TEST(SoftmaxTest, Int8) { RunSoftmax<int8_t>(DataType::kInt8, {2, 1000}, 1.0f, 0.08f, -5, 5); }
TEST(SoftmaxTest, Int8BetaRank3) { RunSoftmax<int8_t>(DataType::kInt8, {2, 3, 5}, 0.7f, 0.2f, 3, 6); }
TEST(SoftmaxTest, SingleClassIsOne) { RunSoftmax<uint8_t>(DataType::kUInt8, {4, 1}, 1.0f, 0.1f, 0, 7); }

TEST(SoftmaxTest, Int8OutputMustBeOneOver256) {
  KernelTester t(kOpSoftmax, CreateReferenceSoftmax);
  const int in = t.Input<int8_t>(DataType::kInt8, {1, 4}, {1, 2, 3, 4}, Quant(0.1f, 0));
  t.Output(DataType::kInt8, {1, 4}, Quant(1.0f / 128, -128));
  t.Op({in});
  const Status s = t.Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("1/256"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace labelite::testing
