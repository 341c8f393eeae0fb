// SQUARED_DIFFERENCE, DIV and POW: the reference kernels against native LiteRT (its reference
// and optimized builtin kernels), same shapes and broadcasts. Quantized and integer outputs must
// be equal; float outputs within 1e-5 relative to their magnitude (values here are O(10)).
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "testing/kernel_tester.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceSquaredDifference();
std::unique_ptr<Kernel> CreateReferenceDiv();
std::unique_ptr<Kernel> CreateReferencePow();
}  // namespace labelite

namespace labelite::testing {
namespace {

constexpr int32_t kDiv = 42, kPow = 78, kSquaredDifference = 99;

int64_t Count(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

template <typename T>
void Check(int32_t code, KernelFactory factory, DataType type, std::vector<int32_t> a_shape,
           std::vector<int32_t> b_shape, std::vector<int32_t> out_shape, const std::vector<T>& a,
           const std::vector<T>& b, QuantizationParams qa = {}, QuantizationParams qb = {},
           QuantizationParams qo = {}, OpOptions o = {}) {
  KernelTester t(code, factory);
  const int ia = t.Input<T>(type, a_shape, a, qa);
  const int ib = t.Input<T>(type, b_shape, b, qb);
  t.Output(type, out_shape, qo);
  t.Op({ia, ib}, o);
  const Status s = t.Run();
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(t.output_dims(), out_shape);
  LABELITE_EXPECT_MATCHES_LITERT_BOTH(t, type == DataType::kFloat32 ? 1e-4 : 0.0);
}

struct Shapes {
  std::vector<int32_t> a, b, out;
};
const Shapes kShapes[] = {
    {{2, 5, 7, 3}, {2, 5, 7, 3}, {2, 5, 7, 3}},  // same shape
    {{2, 5, 7, 3}, {1, 1, 1, 3}, {2, 5, 7, 3}},  // per channel
    {{1, 6, 1}, {4, 1, 5}, {4, 6, 5}},           // both broadcast
    {{3, 17}, {1}, {3, 17}},                     // scalar-like
};

TEST(BinaryMathTest, SquaredDifferenceFloatInt32) {
  uint32_t seed = 1;
  for (const Shapes& s : kShapes) {
    Check<float>(kSquaredDifference, CreateReferenceSquaredDifference, DataType::kFloat32, s.a,
                 s.b, s.out, RandomValues<float>(Count(s.a), -3, 3, seed),
                 RandomValues<float>(Count(s.b), -3, 3, seed + 1));
    Check<int32_t>(kSquaredDifference, CreateReferenceSquaredDifference, DataType::kInt32, s.a,
                   s.b, s.out, RandomValues<int32_t>(Count(s.a), -300, 300, seed + 2),
                   RandomValues<int32_t>(Count(s.b), -300, 300, seed + 3));
    seed += 4;
  }
}

TEST(BinaryMathTest, SquaredDifferenceInt8) {
  uint32_t seed = 20;
  for (const Shapes& s : kShapes) {
    // As a LayerNorm variance: x against its mean (similar scales), and unrelated scales.
    Check<int8_t>(kSquaredDifference, CreateReferenceSquaredDifference, DataType::kInt8, s.a, s.b,
                  s.out, RandomValues<int8_t>(Count(s.a), -128, 127, seed),
                  RandomValues<int8_t>(Count(s.b), -128, 127, seed + 1), Quant(0.05f, -3),
                  Quant(0.04f, 10), Quant(0.09f, -128));
    Check<int8_t>(kSquaredDifference, CreateReferenceSquaredDifference, DataType::kInt8, s.a, s.b,
                  s.out, RandomValues<int8_t>(Count(s.a), -128, 127, seed + 2),
                  RandomValues<int8_t>(Count(s.b), -128, 127, seed + 3), Quant(0.011f, 40),
                  Quant(0.3f, -7), Quant(0.5f, -120));
    seed += 4;
  }
}

TEST(BinaryMathTest, DivFloatWithActivationAndInt32) {
  uint32_t seed = 40;
  for (const Shapes& s : kShapes) {
    auto b = RandomValues<float>(Count(s.b), 0.2, 4, seed + 1);
    for (size_t i = 0; i < b.size(); i += 2) b[i] = -b[i];
    Check<float>(kDiv, CreateReferenceDiv, DataType::kFloat32, s.a, s.b, s.out,
                 RandomValues<float>(Count(s.a), -5, 5, seed), b);
    OpOptions relu6;
    relu6.activation = Activation::kRelu6;
    Check<float>(kDiv, CreateReferenceDiv, DataType::kFloat32, s.a, s.b, s.out,
                 RandomValues<float>(Count(s.a), -5, 5, seed + 2), b, {}, {}, {}, relu6);
    auto bi = RandomValues<int32_t>(Count(s.b), 1, 9, seed + 3);
    for (size_t i = 0; i < bi.size(); i += 2) bi[i] = -bi[i];
    Check<int32_t>(kDiv, CreateReferenceDiv, DataType::kInt32, s.a, s.b, s.out,
                   RandomValues<int32_t>(Count(s.a), -1000, 1000, seed + 4), bi);
    seed += 5;
  }
}

TEST(BinaryMathTest, PowFloatInt32) {
  uint32_t seed = 60;
  for (const Shapes& s : kShapes) {
    Check<float>(kPow, CreateReferencePow, DataType::kFloat32, s.a, s.b, s.out,
                 RandomValues<float>(Count(s.a), 0.1, 3, seed),
                 RandomValues<float>(Count(s.b), -2, 3, seed + 1));
    Check<int32_t>(kPow, CreateReferencePow, DataType::kInt32, s.a, s.b, s.out,
                   RandomValues<int32_t>(Count(s.a), -9, 9, seed + 2),
                   RandomValues<int32_t>(Count(s.b), 0, 6, seed + 3));
    seed += 4;
  }
}

TEST(BinaryMathTest, Int32DivisionByZeroIsAnError) {
  KernelTester t(kDiv, CreateReferenceDiv);
  const int a = t.Input<int32_t>(DataType::kInt32, {2}, {4, 5});
  const int b = t.Input<int32_t>(DataType::kInt32, {2}, {2, 0});
  t.Output(DataType::kInt32, {2});
  t.Op({a, b});
  EXPECT_FALSE(t.Run().ok());
}

TEST(BinaryMathTest, IncompatibleShapesAreAnError) {
  KernelTester t(kSquaredDifference, CreateReferenceSquaredDifference);
  const int a = t.Input<float>(DataType::kFloat32, {2, 3}, std::vector<float>(6));
  const int b = t.Input<float>(DataType::kFloat32, {4}, std::vector<float>(4));
  t.Output(DataType::kFloat32, {2, 3});
  t.Op({a, b});
  const Status s = t.Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("broadcast"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace labelite::testing
