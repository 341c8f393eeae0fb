// RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, HARD_SWISH reference kernels. Each case checks our
// output against a straightforward float computation in this file (exact for float; within 1
// quantum for quantized, the fixed-point rounding of TFLite's multipliers) and against TFLite
// (within 1e-5 for float; within 1 quantum for quantized: the oracle runs XNNPACK, whose
// requantization rounds differently from TFLite's builtin kernels, which labelite reproduces).
// Quantized cases sweep every input value, with input and output parameters that differ.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "kernels/single_op_b.h"
#include "testing/kernel_tester.h"
#include "testing/litert.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceRelu();
std::unique_ptr<Kernel> CreateReferenceRelu6();
std::unique_ptr<Kernel> CreateReferenceReluN1To1();
std::unique_ptr<Kernel> CreateReferenceLeakyRelu();
std::unique_ptr<Kernel> CreateReferenceHardSwish();

namespace {

using testing::Bytes;
using testing::Quant;
using testing::Values;

struct Unary {
  int32_t code;
  KernelFactory factory;
  std::function<float(float)> f;
};

constexpr float kAlpha = 0.2f;

Unary Relu() { return {19, &CreateReferenceRelu, [](float x) { return std::max(x, 0.0f); }}; }
Unary Relu6() {
  return {21, &CreateReferenceRelu6, [](float x) { return std::min(std::max(x, 0.0f), 6.0f); }};
}
Unary ReluN1To1() {
  return {20, &CreateReferenceReluN1To1, [](float x) { return std::min(std::max(x, -1.0f), 1.0f); }};
}
Unary LeakyRelu() {
  return {98, &CreateReferenceLeakyRelu, [](float x) { return x > 0 ? x : kAlpha * x; }};
}
Unary HardSwish() {
  return {117, &CreateReferenceHardSwish,
          [](float x) { return x * std::min(6.0f, std::max(0.0f, x + 3.0f)) / 6.0f; }};
}

std::vector<uint8_t> UnaryModel(int32_t code, DataType type, int n, QuantizationParams in_q,
                                QuantizationParams out_q) {
  testing::ModelBuilder b;
  const int in = b.AddTensor(type, {1, n}, "in", in_q);
  const int out = b.AddTensor(type, {1, n}, "out", out_q);
  OpOptions o;
  o.alpha = kAlpha;
  b.AddOperator(code, {in}, {out}, o);
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

void TestFloat(const Unary& op) {
  std::vector<float> x;
  for (int i = -100; i <= 100; ++i) x.push_back(static_cast<float>(i) * 0.0937f);
  x.push_back(-0.0f);
  const auto model = UnaryModel(op.code, DataType::kFloat32, static_cast<int>(x.size()), {}, {});
  const auto r = testing::RunReference(op.code, op.factory, model, {Bytes(x)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const auto y = Values<float>(r.bytes);
  ASSERT_EQ(y.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], op.f(x[i]), 1e-6f) << "x=" << x[i];
  testing::ExpectMatchesOracle(model, {Bytes(x)}, r.dims, y, 1e-5);
}

template <typename T>
void TestQuantized(const Unary& op, DataType type, float in_scale, int32_t in_zp, float out_scale,
                   int32_t out_zp) {
  std::vector<T> x;
  for (int v = std::numeric_limits<T>::min(); v <= std::numeric_limits<T>::max(); ++v)
    x.push_back(static_cast<T>(v));
  const int n = static_cast<int>(x.size());
  const auto model = UnaryModel(op.code, type, n, Quant(in_scale, in_zp), Quant(out_scale, out_zp));
  const auto r = testing::RunReference(op.code, op.factory, model, {Bytes(x)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const auto y = Values<T>(r.bytes);
  ASSERT_EQ(y.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const float real = op.f(in_scale * static_cast<float>(static_cast<int>(x[i]) - in_zp));
    const float q = std::round(real / out_scale) + static_cast<float>(out_zp);
    const float want = std::clamp(q, static_cast<float>(std::numeric_limits<T>::min()),
                                  static_cast<float>(std::numeric_limits<T>::max()));
    EXPECT_LE(std::fabs(static_cast<float>(y[i]) - want), 1.0f)
        << "x=" << static_cast<int>(x[i]) << " got " << static_cast<int>(y[i]) << " want " << want;
  }
  testing::ExpectMatchesOracle(model, {Bytes(x)}, r.dims, y, 1.0);
}

TEST(ActivationsB, ReluFloat) { TestFloat(Relu()); }
TEST(ActivationsB, Relu6Float) { TestFloat(Relu6()); }
TEST(ActivationsB, ReluN1To1Float) { TestFloat(ReluN1To1()); }
TEST(ActivationsB, LeakyReluFloat) { TestFloat(LeakyRelu()); }
TEST(ActivationsB, HardSwishFloat) { TestFloat(HardSwish()); }

// Float HARD_SWISH rounds as LiteRT's optimized kernel: (x * 1/6) * relu6(x + 3) in its NEON
// blocks of 4 (x86 runs them through NEON_2_SSE), (x * relu6(x + 3)) * 1/6 for the last n mod 4;
// bit for bit equal to LiteRT's builtin kernel (a dynamic-range model's next layer quantizes
// this output on the fly, so an ulp can change a quantized step there).
TEST(ActivationsB, HardSwishFloatEqualsLiteRtBuiltinBitForBit) {
  std::vector<float> x;
  for (int i = 0; i < 115; ++i) {
    x.push_back(-5.0f + 10.0f * static_cast<float>((i * 37) % 115) / 114.0f +
                1e-3f * static_cast<float>(i));
  }
  const auto model = UnaryModel(117, DataType::kFloat32, static_cast<int>(x.size()), {}, {});
  const auto r = testing::RunReference(117, &CreateReferenceHardSwish, model, {Bytes(x)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const auto y = Values<float>(r.bytes);
  const auto results = testing::RunLiteRt(model, {Bytes(x)}, {testing::LiteRtPath::kBuiltin});
  if (!results[0].available) GTEST_SKIP() << results[0].error;
  ASSERT_TRUE(results[0].ran) << results[0].error;
  testing::ExpectAllNear(std::vector<double>(y.begin(), y.end()), results[0].outputs[0].values, 0.0,
                         results[0].runtime);
}

TEST(ActivationsB, ReluUint8Requantizes) {
  TestQuantized<uint8_t>(Relu(), DataType::kUInt8, 0.05f, 128, 0.03f, 10);
}
TEST(ActivationsB, ReluInt8SameParams) {
  TestQuantized<int8_t>(Relu(), DataType::kInt8, 0.1f, -5, 0.1f, -5);
}
TEST(ActivationsB, Relu6Uint8) { TestQuantized<uint8_t>(Relu6(), DataType::kUInt8, 0.1f, 100, 0.0235f, 0); }
TEST(ActivationsB, Relu6Int8NegativeZeroPoint) {
  TestQuantized<int8_t>(Relu6(), DataType::kInt8, 0.07f, -20, 0.0235f, -128);
}
TEST(ActivationsB, ReluN1To1Int8) {
  TestQuantized<int8_t>(ReluN1To1(), DataType::kInt8, 0.02f, 3, 0.008f, 0);
}
TEST(ActivationsB, ReluN1To1Uint8) {
  TestQuantized<uint8_t>(ReluN1To1(), DataType::kUInt8, 0.02f, 128, 0.008f, 128);
}
TEST(ActivationsB, LeakyReluUint8) {
  TestQuantized<uint8_t>(LeakyRelu(), DataType::kUInt8, 0.05f, 120, 0.04f, 60);
}
TEST(ActivationsB, LeakyReluInt8) {
  TestQuantized<int8_t>(LeakyRelu(), DataType::kInt8, 0.05f, -10, 0.03f, -60);
}
TEST(ActivationsB, HardSwishUint8) {
  TestQuantized<uint8_t>(HardSwish(), DataType::kUInt8, 0.05f, 128, 0.03f, 20);
}
TEST(ActivationsB, HardSwishInt8) {
  TestQuantized<int8_t>(HardSwish(), DataType::kInt8, 0.04f, 0, 0.025f, -100);
}
TEST(ActivationsB, HardSwishInt8LargeInputScale) {
  // reluish multiplier > 1: exercises the saturating left shifts.
  TestQuantized<int8_t>(HardSwish(), DataType::kInt8, 0.2f, -3, 0.2f, -100);
}

TEST(ActivationsB, RefusesMismatchedTypes) {
  const auto model = [] {
    testing::ModelBuilder b;
    const int in = b.AddTensor(DataType::kFloat32, {4}, "in");
    const int out = b.AddTensor(DataType::kUInt8, {4}, "out", Quant(0.1f, 0));
    b.AddOperator(19, {in}, {out});
    b.SetInputs({in});
    b.SetOutputs({out});
    return b.Build();
  }();
  const auto r = testing::RunReference(19, &CreateReferenceRelu, model, {});
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("differs from input type"), std::string::npos) << r.status.ToString();
}

}  // namespace
}  // namespace labelite
