// LOGISTIC and TANH reference kernel tests over every quantized input value (and random float
// values): quantized exactly against TFLite's lookup-table formula written out here
// (dequantize, f in float, round(f * (1 / out_scale)) + zp, clamp), within 1 of double-precision
// math, and against TFLite (the oracle; within 1 since XNNPACK evaluates f its own way); float
// within 1e-5 of double precision and of TFLite.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "testing/kernel_tester.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceLogistic();
std::unique_ptr<Kernel> CreateReferenceTanh();
}

namespace labelite::testing {
namespace {

template <typename T>
void RunUnary(bool logistic, DataType type, float in_scale, int32_t in_zp, float out_scale,
              int32_t out_zp) {
  const bool is_float = type == DataType::kFloat32;
  std::vector<T> input;
  if (is_float) {
    input = RandomValues<T>(300, -9, 9, 11);
    input.push_back(0), input.push_back(40), input.push_back(-40);
  } else {
    for (int v = std::numeric_limits<T>::min(); v <= std::numeric_limits<T>::max(); ++v)
      input.push_back(static_cast<T>(v));
  }
  const double qlo = type == DataType::kUInt8 ? 0 : -128;
  std::vector<double> exact, real;
  for (T x : input) {
    const double xd = is_float ? double(x) : double(in_scale) * (int(x) - in_zp);
    const double fd = logistic ? 1 / (1 + std::exp(-xd)) : std::tanh(xd);
    if (is_float) {
      exact.push_back(fd), real.push_back(fd);
      continue;
    }
    const float xf = in_scale * float(int(x) - in_zp);
    const float ff = logistic ? 1.0f / (1.0f + std::exp(-xf)) : std::tanh(xf);
    const int32_t q = int32_t(std::round(ff * (1 / out_scale)) + float(out_zp));
    exact.push_back(std::clamp<double>(q, qlo, qlo + 255));
    real.push_back(std::clamp<double>(std::round(fd / out_scale) + out_zp, qlo, qlo + 255));
  }
  KernelTester t(logistic ? kOpLogistic : kOpTanh,
                 logistic ? CreateReferenceLogistic : CreateReferenceTanh);
  const int32_t n = int32_t(input.size());
  const int in = t.Input<T>(type, {1, n}, input, is_float ? QuantizationParams{} : Quant(in_scale, in_zp));
  t.Output(type, {1, n}, is_float ? QuantizationParams{} : Quant(out_scale, out_zp));
  t.Op({in});
  const Status s = t.Run();
  ASSERT_TRUE(s.ok()) << s.message();
  ExpectAllNear(t.OutputAsDouble(), exact, is_float ? 1e-6 : 0.0, "the straightforward computation");
  ExpectAllNear(t.OutputAsDouble(), real, is_float ? 1e-6 : 1.0, "double-precision math");
  LABELITE_EXPECT_MATCHES_ORACLE(t, is_float ? 1e-5 : 1.0);
  // Float LOGISTIC: bit for bit LiteRT's optimized kernel (Eigen's packet and scalar paths).
  if (logistic && is_float) LABELITE_EXPECT_MATCHES_LITERT(t, {LiteRtPath::kBuiltin}, 0.0);
}

TEST(LogisticTest, Float) { RunUnary<float>(true, DataType::kFloat32, 0, 0, 0, 0); }
TEST(LogisticTest, Uint8) { RunUnary<uint8_t>(true, DataType::kUInt8, 0.06f, 120, 1.0f / 256, 0); }
TEST(LogisticTest, Int8) { RunUnary<int8_t>(true, DataType::kInt8, 0.1f, -10, 1.0f / 256, -128); }
TEST(TanhTest, Float) { RunUnary<float>(false, DataType::kFloat32, 0, 0, 0, 0); }
TEST(TanhTest, Uint8) { RunUnary<uint8_t>(false, DataType::kUInt8, 0.03f, 128, 1.0f / 128, 128); }
TEST(TanhTest, Int8) { RunUnary<int8_t>(false, DataType::kInt8, 0.05f, 7, 1.0f / 128, 0); }

TEST(LogisticTest, QuantizedOutputScaleMustBeOneOver256) {
  KernelTester t(kOpLogistic, CreateReferenceLogistic);
  const int in = t.Input<uint8_t>(DataType::kUInt8, {4}, {1, 2, 3, 4}, Quant(0.1f, 0));
  t.Output(DataType::kUInt8, {4}, Quant(0.01f, 0));
  t.Op({in});
  const Status s = t.Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("LOGISTIC"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace labelite::testing
