// TRANSPOSE: 2-D to 5-D permutations for float and uint8, checked against an independent
// index computation and TFLite (exact).
#include <gtest/gtest.h>

#include "kernels/single_op_b.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceTranspose();
namespace {

using testing::Bytes;
using testing::Values;

template <typename T>
void Check(DataType type, std::vector<int32_t> shape, std::vector<int32_t> perm) {
  const size_t rank = shape.size();
  std::vector<int32_t> oshape(rank);
  for (size_t i = 0; i < rank; ++i) oshape[i] = shape[static_cast<size_t>(perm[i])];
  testing::ModelBuilder b;
  const int in = b.AddTensor(type, shape, "in", type == DataType::kFloat32 ? QuantizationParams{} : testing::Quant(1.0f, 0));
  const int p = b.AddConstTensor<int32_t>(DataType::kInt32, {static_cast<int32_t>(rank)}, perm);
  const int out = b.AddTensor(type, oshape, "out", type == DataType::kFloat32 ? QuantizationParams{} : testing::Quant(1.0f, 0));
  b.AddOperator(39, {in, p}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  const auto model = b.Build();
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  std::vector<T> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) x[static_cast<size_t>(i)] = static_cast<T>(i % 251);
  const auto r = testing::RunReference(39, &CreateReferenceTranspose, model, {Bytes(x)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.dims, oshape);
  // Independent: for every input index, its output position.
  std::vector<T> want(x.size());
  std::vector<int64_t> idx(rank, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i;
    for (size_t d = rank; d-- > 0;) {
      idx[d] = rem % shape[d];
      rem /= shape[d];
    }
    int64_t o = 0;
    for (size_t k = 0; k < rank; ++k) o = o * oshape[k] + idx[static_cast<size_t>(perm[k])];
    want[static_cast<size_t>(o)] = x[static_cast<size_t>(i)];
  }
  EXPECT_EQ(Values<T>(r.bytes), want);
  testing::ExpectMatchesOracle(model, {Bytes(x)}, r.dims, Values<T>(r.bytes), 0.0);
}

TEST(Transpose, Float2D) { Check<float>(DataType::kFloat32, {3, 5}, {1, 0}); }
TEST(Transpose, FloatNhwcToNchw) { Check<float>(DataType::kFloat32, {2, 3, 4, 5}, {0, 3, 1, 2}); }
TEST(Transpose, Uint8_3D) { Check<uint8_t>(DataType::kUInt8, {4, 3, 2}, {2, 0, 1}); }
TEST(Transpose, Float5D) { Check<float>(DataType::kFloat32, {2, 1, 3, 2, 2}, {4, 2, 0, 3, 1}); }
TEST(Transpose, OneByOne) { Check<float>(DataType::kFloat32, {1, 1}, {1, 0}); }

}  // namespace
}  // namespace labelite
