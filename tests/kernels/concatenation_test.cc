// CONCATENATION: byte copy for float/int32 along any axis (negative too), and uint8/int8
// inputs requantized to the output's parameters. Expected values come from an independent
// computation here (exact copies; requantization within 1 of the float ideal) and from TFLite
// (exact for copies; within 1 for requantization, XNNPACK rounds on its own). The fast path
// (threaded row blocks) gives the reference kernel's bytes, and leaves requantization to it.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/single_op_b.h"
#include "testing/interpreter_inputs.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceConcatenation();
std::unique_ptr<Kernel> CreateXnnpackConcatenation();
namespace {

using testing::Bytes;
using testing::Quant;
using testing::Values;
constexpr int32_t kCode = 2;

TEST(Concatenation, FloatAxis1And3Inputs) {
  testing::ModelBuilder b;
  const int a = b.AddTensor(DataType::kFloat32, {2, 1, 2}, "a");
  const int c = b.AddTensor(DataType::kFloat32, {2, 2, 2}, "c");
  const int d = b.AddTensor(DataType::kFloat32, {2, 1, 2}, "d");
  const int out = b.AddTensor(DataType::kFloat32, {2, 4, 2}, "out");
  OpOptions o;
  o.axis = -2;
  b.AddOperator(kCode, {a, c, d}, {out}, o);
  b.SetInputs({a, c, d});
  b.SetOutputs({out});
  const auto model = b.Build();
  const std::vector<float> xa = {1, 2, 3, 4}, xc = {10, 11, 12, 13, 14, 15, 16, 17}, xd = {-1, -2, -3, -4};
  const auto r = testing::RunReference(kCode, &CreateReferenceConcatenation, model,
                                       {Bytes(xa), Bytes(xc), Bytes(xd)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.dims, (std::vector<int32_t>{2, 4, 2}));
  const std::vector<float> want = {1, 2, 10, 11, 12, 13, -1, -2, 3, 4, 14, 15, 16, 17, -3, -4};
  EXPECT_EQ(Values<float>(r.bytes), want);
  testing::ExpectMatchesOracle(model, {Bytes(xa), Bytes(xc), Bytes(xd)}, r.dims, Values<float>(r.bytes), 0.0);
}

TEST(Concatenation, Int32LastAxis) {
  testing::ModelBuilder b;
  const int a = b.AddTensor(DataType::kInt32, {2, 1}, "a");
  const int c = b.AddTensor(DataType::kInt32, {2, 2}, "c");
  const int out = b.AddTensor(DataType::kInt32, {2, 3}, "out");
  OpOptions o;
  o.axis = 1;
  b.AddOperator(kCode, {a, c}, {out}, o);
  b.SetInputs({a, c});
  b.SetOutputs({out});
  const std::vector<int32_t> xa = {7, 8}, xc = {1, 2, 3, 4};
  const auto r = testing::RunReference(kCode, &CreateReferenceConcatenation, b.Build(), {Bytes(xa), Bytes(xc)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(Values<int32_t>(r.bytes), (std::vector<int32_t>{7, 1, 2, 8, 3, 4}));
}

template <typename T>
void TestRequantize(DataType type, QuantizationParams qa, QuantizationParams qb, QuantizationParams qo,
                    bool oracle) {
  testing::ModelBuilder b;
  const int a = b.AddTensor(type, {1, 2, 2, 64}, "a", qa);
  const int c = b.AddTensor(type, {1, 2, 2, 64}, "c", qb);
  const int out = b.AddTensor(type, {1, 2, 2, 128}, "out", qo);
  OpOptions o;
  o.axis = 3;
  b.AddOperator(kCode, {a, c}, {out}, o);
  b.SetInputs({a, c});
  b.SetOutputs({out});
  const auto model = b.Build();
  std::vector<T> xa(256), xc(256);
  for (int i = 0; i < 256; ++i) {
    xa[static_cast<size_t>(i)] = static_cast<T>(i + std::numeric_limits<T>::min());
    xc[static_cast<size_t>(i)] = static_cast<T>(std::numeric_limits<T>::max() - i);
  }
  const auto r = testing::RunReference(kCode, &CreateReferenceConcatenation, model, {Bytes(xa), Bytes(xc)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const auto y = Values<T>(r.bytes);
  ASSERT_EQ(y.size(), 512u);
  for (int p = 0; p < 4; ++p)
    for (int k = 0; k < 128; ++k) {
      const bool first = k < 64;
      const T q = first ? xa[static_cast<size_t>(p * 64 + k)] : xc[static_cast<size_t>(p * 64 + k - 64)];
      const auto& qi = first ? qa : qb;
      const float real = qi.scale[0] * static_cast<float>(static_cast<int>(q) - qi.zero_point[0]);
      const float want = std::clamp(std::round(real / qo.scale[0]) + static_cast<float>(qo.zero_point[0]),
                                    static_cast<float>(std::numeric_limits<T>::min()),
                                    static_cast<float>(std::numeric_limits<T>::max()));
      EXPECT_LE(std::fabs(static_cast<float>(y[static_cast<size_t>(p * 128 + k)]) - want), 1.0f);
    }
  if (oracle) testing::ExpectMatchesOracle(model, {Bytes(xa), Bytes(xc)}, r.dims, y, 1.0);
}

TEST(Concatenation, Uint8RequantizesDifferentScales) {
  TestRequantize<uint8_t>(DataType::kUInt8, Quant(0.1f, 128), Quant(0.05f, 10), Quant(0.08f, 100), true);
}
TEST(Concatenation, Uint8SameParamsCopies) {
  TestRequantize<uint8_t>(DataType::kUInt8, Quant(0.1f, 128), Quant(0.1f, 128), Quant(0.1f, 128), true);
}
TEST(Concatenation, Int8SameParamsCopies) {
  TestRequantize<int8_t>(DataType::kInt8, Quant(0.1f, -3), Quant(0.1f, -3), Quant(0.1f, -3), true);
}
// TFLite refuses int8 inputs with differing parameters; labelite requantizes them like uint8.
TEST(Concatenation, Int8RequantizesDifferentScales) {
  TestRequantize<int8_t>(DataType::kInt8, Quant(0.1f, -128), Quant(0.03f, 5), Quant(0.07f, -20), false);
}

TEST(Concatenation, MismatchedShapesAreAnError) {
  testing::ModelBuilder b;
  const int a = b.AddTensor(DataType::kFloat32, {2, 3}, "a");
  const int c = b.AddTensor(DataType::kFloat32, {3, 3}, "c");
  const int out = b.AddTensor(DataType::kFloat32, {2, 6}, "out");
  OpOptions o;
  o.axis = 1;
  b.AddOperator(kCode, {a, c}, {out}, o);
  b.SetInputs({a, c});
  b.SetOutputs({out});
  const auto r = testing::RunReference(kCode, &CreateReferenceConcatenation, b.Build(), {});
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("does not match"), std::string::npos) << r.status.ToString();
}

using FastRun = testing::SingleOpRun;

FastRun RunPath(const std::vector<uint8_t>& model_bytes, KernelPath path, int threads,
                const std::vector<std::vector<uint8_t>>& inputs) {
  return testing::RunSingleOp(
      model_bytes, {kCode, "CONCATENATION", &CreateReferenceConcatenation, &CreateXnnpackConcatenation},
      path, threads, inputs);
}

// DenseNet's concatenations (many pixels, a few channel blocks each), along other axes too, on
// 1 and 2 threads: the fast path's bytes are the reference's.
TEST(Concatenation, FastPathCopiesTheReferenceBytes) {
  struct Case {
    std::vector<std::vector<int32_t>> in;
    std::vector<int32_t> out;
    int axis;
  };
  const Case cases[] = {
      {{{1, 28, 28, 64}, {1, 28, 28, 32}}, {1, 28, 28, 96}, 3},
      {{{1, 56, 56, 24}, {1, 56, 56, 8}, {1, 56, 56, 40}}, {1, 56, 56, 72}, -1},
      {{{2, 3, 5}, {2, 4, 5}}, {2, 7, 5}, 1},
      {{{3, 600}, {2, 600}}, {5, 600}, 0},
  };
  uint32_t seed = 1;
  for (const Case& c : cases) {
    testing::ModelBuilder b;
    std::vector<int> ins;
    std::vector<std::vector<uint8_t>> data;
    for (size_t i = 0; i < c.in.size(); ++i) {
      ins.push_back(b.AddTensor(DataType::kFloat32, c.in[i], "in" + std::to_string(i)));
      int64_t n = 1;
      for (int32_t d : c.in[i]) n *= d;
      std::vector<uint8_t> bytes(static_cast<size_t>(n) * 4);
      for (uint8_t& x : bytes) x = static_cast<uint8_t>((seed = seed * 1103515245u + 12345u) >> 16);
      data.push_back(bytes);
    }
    const int out = b.AddTensor(DataType::kFloat32, c.out, "out");
    OpOptions o;
    o.axis = c.axis;
    b.AddOperator(kCode, ins, {out}, o);
    b.SetInputs(ins);
    b.SetOutputs({out});
    const auto model = b.Build();
    const FastRun ref = RunPath(model, KernelPath::kReference, 1, data);
    ASSERT_EQ(ref.path, "reference");
    for (int threads : {1, 2}) {
      const FastRun fast = RunPath(model, KernelPath::kFast, threads, data);
      EXPECT_EQ(fast.path, "fast");
      EXPECT_EQ(fast.bytes, ref.bytes) << "axis " << c.axis << ", " << threads << " thread(s)";
    }
  }
  // Requantization stays on the reference kernel.
  testing::ModelBuilder b;
  const int a = b.AddTensor(DataType::kUInt8, {1, 2, 2, 8}, "a", Quant(0.1f, 128));
  const int c = b.AddTensor(DataType::kUInt8, {1, 2, 2, 8}, "c", Quant(0.05f, 10));
  const int out = b.AddTensor(DataType::kUInt8, {1, 2, 2, 16}, "out", Quant(0.08f, 100));
  OpOptions o;
  o.axis = 3;
  b.AddOperator(kCode, {a, c}, {out}, o);
  b.SetInputs({a, c});
  b.SetOutputs({out});
  const auto model = b.Build();
  const std::vector<std::vector<uint8_t>> data{std::vector<uint8_t>(32, 200),
                                               std::vector<uint8_t>(32, 7)};
  const FastRun fast = RunPath(model, KernelPath::kFast, 2, data);
  EXPECT_EQ(fast.path, "reference");
  EXPECT_EQ(fast.bytes, RunPath(model, KernelPath::kReference, 1, data).bytes);
}

}  // namespace
}  // namespace labelite
