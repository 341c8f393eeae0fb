// Elementwise unary math ops (ABS, NEG, SQRT, RSQRT, EXP, LOG, SQUARE, FLOOR, SIN, COS, GELU):
// the reference kernels against native LiteRT, both its reference kernels (BUILTIN_REF) and its
// optimized builtin kernels. Quantized outputs must be equal; float outputs within 1e-5
// (LiteRT's GELU runs Eigen's vectorized erfc/tanh, the others the same libm calls).
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "testing/kernel_tester.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceAbs();
std::unique_ptr<Kernel> CreateReferenceNeg();
std::unique_ptr<Kernel> CreateReferenceSqrt();
std::unique_ptr<Kernel> CreateReferenceRsqrt();
std::unique_ptr<Kernel> CreateReferenceExp();
std::unique_ptr<Kernel> CreateReferenceLog();
std::unique_ptr<Kernel> CreateReferenceSquare();
std::unique_ptr<Kernel> CreateReferenceFloor();
std::unique_ptr<Kernel> CreateReferenceSin();
std::unique_ptr<Kernel> CreateReferenceCos();
std::unique_ptr<Kernel> CreateReferenceGelu();
}  // namespace labelite

namespace labelite::testing {
namespace {

constexpr int32_t kFloor = 8, kExp = 47, kNeg = 59, kSin = 66, kLog = 73, kSqrt = 75,
                  kRsqrt = 76, kSquare = 92, kAbs = 101, kCos = 108, kGelu = 150;

constexpr std::initializer_list<int32_t> kShape = {2, 3, 37};  // 222 elements

// Runs a one-op model on `values` and compares with both LiteRT paths.
template <typename T>
void Check(int32_t code, KernelFactory factory, DataType type, const std::vector<T>& values,
           QuantizationParams in_q = {}, QuantizationParams out_q = {}, OpOptions o = {},
           double float_tolerance = 1e-5) {
  KernelTester t(code, factory);
  const int in = t.Input<T>(type, kShape, values, in_q);
  t.Output(type, kShape, out_q);
  t.Op({in}, o);
  const Status s = t.Run();
  ASSERT_TRUE(s.ok()) << s.message();
  const double tol = type == DataType::kFloat32 ? float_tolerance : 0.0;
  LABELITE_EXPECT_MATCHES_LITERT_BOTH(t, tol);
}

std::vector<float> Floats(double lo, double hi, uint32_t seed) {
  return RandomValues<float>(2 * 3 * 37, lo, hi, seed);
}
std::vector<int8_t> Int8s(int lo, int hi, uint32_t seed) {
  std::vector<int8_t> v = RandomValues<int8_t>(2 * 3 * 37 - 2, lo, hi, seed);
  v.push_back(static_cast<int8_t>(lo));  // both ends of the range
  v.push_back(static_cast<int8_t>(hi));
  return v;
}

TEST(UnaryMathTest, FloatOps) {
  Check<float>(kAbs, CreateReferenceAbs, DataType::kFloat32, Floats(-5, 5, 1));
  Check<float>(kNeg, CreateReferenceNeg, DataType::kFloat32, Floats(-5, 5, 2));
  Check<float>(kSqrt, CreateReferenceSqrt, DataType::kFloat32, Floats(0, 9, 3));
  Check<float>(kRsqrt, CreateReferenceRsqrt, DataType::kFloat32, Floats(0.05, 9, 4));
  Check<float>(kExp, CreateReferenceExp, DataType::kFloat32, Floats(-8, 3, 5));
  Check<float>(kLog, CreateReferenceLog, DataType::kFloat32, Floats(0.01, 20, 6));
  Check<float>(kSquare, CreateReferenceSquare, DataType::kFloat32, Floats(-3, 3, 7));
  Check<float>(kFloor, CreateReferenceFloor, DataType::kFloat32, Floats(-5, 5, 8));
  Check<float>(kSin, CreateReferenceSin, DataType::kFloat32, Floats(-6, 6, 9));
  Check<float>(kCos, CreateReferenceCos, DataType::kFloat32, Floats(-6, 6, 10));
}

TEST(UnaryMathTest, FloatGeluExactAndApproximate) {
  Check<float>(kGelu, CreateReferenceGelu, DataType::kFloat32, Floats(-6, 6, 11));
  OpOptions o;
  o.approximate = true;
  Check<float>(kGelu, CreateReferenceGelu, DataType::kFloat32, Floats(-6, 6, 12), {}, {}, o);
}

TEST(UnaryMathTest, Int32AbsNeg) {
  const auto v = RandomValues<int32_t>(2 * 3 * 37, -100000, 100000, 13);
  Check<int32_t>(kAbs, CreateReferenceAbs, DataType::kInt32, v);
  Check<int32_t>(kNeg, CreateReferenceNeg, DataType::kInt32, v);
}

TEST(UnaryMathTest, Int8AbsSameAndRescaled) {
  Check<int8_t>(kAbs, CreateReferenceAbs, DataType::kInt8, Int8s(-128, 127, 14), Quant(0.05f, 3),
                Quant(0.05f, -100));
  Check<int8_t>(kAbs, CreateReferenceAbs, DataType::kInt8, Int8s(-128, 127, 15), Quant(0.05f, 3),
                Quant(0.027f, -128));
}

TEST(UnaryMathTest, Int8Rsqrt) {
  // RSQRT is defined for q >= zero point only.
  Check<int8_t>(kRsqrt, CreateReferenceRsqrt, DataType::kInt8, Int8s(-20, 127, 16),
                Quant(0.02f, -20), Quant(0.06f, -128));
  Check<int8_t>(kRsqrt, CreateReferenceRsqrt, DataType::kInt8, Int8s(-128, 127, 17),
                Quant(0.0009f, -128), Quant(0.3f, -128));
}

TEST(UnaryMathTest, Int8RsqrtRejectsNegativeInput) {
  KernelTester t(kRsqrt, CreateReferenceRsqrt);
  const int in = t.Input<int8_t>(DataType::kInt8, {3}, {5, 0, -1}, Quant(0.1f, 0));
  t.Output(DataType::kInt8, {3}, Quant(0.1f, 0));
  t.Op({in});
  const Status s = t.Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("positive"), std::string::npos) << s.message();
}

TEST(UnaryMathTest, Int8ExpLog) {
  Check<int8_t>(kExp, CreateReferenceExp, DataType::kInt8, Int8s(-128, 127, 18), Quant(0.04f, 60),
                Quant(0.05f, -128));
  Check<int8_t>(kLog, CreateReferenceLog, DataType::kInt8, Int8s(-128, 127, 19),
                Quant(0.1f, -100), Quant(0.03f, 10));
}

TEST(UnaryMathTest, QuantizedGelu) {
  OpOptions approx;
  approx.approximate = true;
  for (const OpOptions& o : {OpOptions{}, approx}) {
    Check<int8_t>(kGelu, CreateReferenceGelu, DataType::kInt8, Int8s(-128, 127, 20),
                  Quant(0.05f, 5), Quant(0.03f, -100), o);
    Check<uint8_t>(kGelu, CreateReferenceGelu, DataType::kUInt8,
                   RandomValues<uint8_t>(2 * 3 * 37, 0, 255, 21), Quant(0.05f, 133),
                   Quant(0.03f, 28), o);
  }
}

TEST(UnaryMathTest, UnsupportedTypeIsAnError) {
  KernelTester t(kSqrt, CreateReferenceSqrt);
  const int in = t.Input<int8_t>(DataType::kInt8, {2}, {1, 2}, Quant(0.1f, 0));
  t.Output(DataType::kInt8, {2}, Quant(0.1f, 0));
  t.Op({in});
  const Status s = t.Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("int8"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace labelite::testing
