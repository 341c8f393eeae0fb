// RESHAPE (shape from options, from a constant shape input, with -1) and SQUEEZE (listed,
// negative and implicit dims). Values are copied unchanged; shapes are checked against the
// expected ones and TFLite.
#include <gtest/gtest.h>

#include <numeric>

#include "kernels/single_op_b.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceReshape();
std::unique_ptr<Kernel> CreateReferenceSqueeze();
namespace {

using testing::Bytes;
using testing::Values;

void Check(int32_t code, KernelFactory f, std::vector<int32_t> in_shape, std::vector<int32_t> out_shape,
           const OpOptions& o, const std::vector<int32_t>* shape_input, bool oracle = true) {
  testing::ModelBuilder b;
  const int in = b.AddTensor(DataType::kFloat32, in_shape, "in");
  std::vector<int32_t> ins = {in};
  if (shape_input)
    ins.push_back(b.AddConstTensor<int32_t>(DataType::kInt32, {static_cast<int32_t>(shape_input->size())}, *shape_input));
  const int out = b.AddTensor(DataType::kFloat32, out_shape, "out");
  b.AddOperator(code, ins, {out}, o);
  b.SetInputs({in});
  b.SetOutputs({out});
  const auto model = b.Build();
  int64_t n = 1;
  for (int32_t d : in_shape) n *= d;
  std::vector<float> x(static_cast<size_t>(n));
  std::iota(x.begin(), x.end(), 0.5f);
  const auto r = testing::RunReference(code, f, model, {Bytes(x)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.dims, out_shape);
  EXPECT_EQ(Values<float>(r.bytes), x);
  if (oracle) testing::ExpectMatchesOracle(model, {Bytes(x)}, r.dims, Values<float>(r.bytes), 0.0);
}

TEST(Reshape, FromOptions) {
  OpOptions o;
  o.has_new_shape = true;
  o.new_shape = {2, 3, 4};
  Check(22, &CreateReferenceReshape, {1, 24}, {2, 3, 4}, o, nullptr);
}
TEST(Reshape, FromShapeInputWithMinusOne) {
  const std::vector<int32_t> s = {-1, 6};
  Check(22, &CreateReferenceReshape, {2, 3, 4}, {4, 6}, {}, &s);
}
TEST(Reshape, ShapeInputWinsOverOptions) {
  OpOptions o;
  o.has_new_shape = true;
  o.new_shape = {1, 1001};
  const std::vector<int32_t> s = {1001};
  Check(22, &CreateReferenceReshape, {1, 1, 1, 1001}, {1001}, o, &s);
}
TEST(Reshape, ElementCountMismatchIsAnError) {
  testing::ModelBuilder b;
  const int in = b.AddTensor(DataType::kFloat32, {2, 3}, "in");
  const int s = b.AddConstTensor<int32_t>(DataType::kInt32, {2}, {4, 2});
  const int out = b.AddTensor(DataType::kFloat32, {4, 2}, "out");
  b.AddOperator(22, {in, s}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  const auto r = testing::RunReference(22, &CreateReferenceReshape, b.Build(), {});
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("elements"), std::string::npos) << r.status.ToString();
}
TEST(Squeeze, ListedAndNegativeDims) {
  OpOptions o;
  o.squeeze_dims = {1, -2};
  Check(43, &CreateReferenceSqueeze, {1, 1, 4, 1, 3}, {1, 4, 3}, o, nullptr);
}
TEST(Squeeze, AllOnes) { Check(43, &CreateReferenceSqueeze, {1, 1, 1, 1001}, {1001}, {}, nullptr); }
TEST(Squeeze, NonUnitDimIsAnError) {
  testing::ModelBuilder b;
  const int in = b.AddTensor(DataType::kFloat32, {1, 2}, "in");
  const int out = b.AddTensor(DataType::kFloat32, {1}, "out");
  OpOptions o;
  o.squeeze_dims = {1};
  b.AddOperator(43, {in}, {out}, o);
  b.SetInputs({in});
  b.SetOutputs({out});
  const auto r = testing::RunReference(43, &CreateReferenceSqueeze, b.Build(), {});
  EXPECT_FALSE(r.status.ok());
}

}  // namespace
}  // namespace labelite
