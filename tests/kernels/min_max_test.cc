// MAXIMUM and MINIMUM with broadcasting (scalar, row, column, equal shapes) for float, uint8,
// int8; checked against std::max/std::min here and TFLite (exact: values are selected).
#include <gtest/gtest.h>

#include <algorithm>

#include "kernels/single_op_b.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceMaximum();
std::unique_ptr<Kernel> CreateReferenceMinimum();
namespace {

using testing::Bytes;
using testing::Values;

template <typename T>
void Check(bool is_max, DataType type, std::vector<int32_t> sa, std::vector<int32_t> sb, std::vector<int32_t> so) {
  const QuantizationParams q = type == DataType::kFloat32 ? QuantizationParams{} : testing::Quant(0.5f, type == DataType::kUInt8 ? 3 : -2);
  testing::ModelBuilder b;
  const int a = b.AddTensor(type, sa, "a", q);
  const int c = b.AddTensor(type, sb, "b", q);
  const int out = b.AddTensor(type, so, "out", q);
  const int32_t code = is_max ? 55 : 57;
  b.AddOperator(code, {a, c}, {out});
  b.SetInputs({a, c});
  b.SetOutputs({out});
  const auto model = b.Build();
  auto count = [](const std::vector<int32_t>& s) { int64_t n = 1; for (int32_t d : s) n *= d; return n; };
  std::vector<T> xa(static_cast<size_t>(count(sa))), xb(static_cast<size_t>(count(sb)));
  for (size_t i = 0; i < xa.size(); ++i) xa[i] = static_cast<T>((static_cast<int>(i) * 37) % 101 - 50);
  for (size_t i = 0; i < xb.size(); ++i) xb[i] = static_cast<T>((static_cast<int>(i) * 53) % 97 - 40);
  if (type == DataType::kUInt8) {
    for (auto& v : xa) v = static_cast<T>(static_cast<int>(v) + 60);
    for (auto& v : xb) v = static_cast<T>(static_cast<int>(v) + 60);
  }
  const auto r = testing::RunReference(code, is_max ? &CreateReferenceMaximum : &CreateReferenceMinimum, model,
                                       {Bytes(xa), Bytes(xb)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.dims, so);
  // Independent 4-D broadcast (shapes here are all rank 4 after left-padding with 1).
  auto pad4 = [](std::vector<int32_t> s) { while (s.size() < 4) s.insert(s.begin(), 1); return s; };
  const auto pa = pad4(sa), pb = pad4(sb), po = pad4(so);
  std::vector<T> want;
  for (int i0 = 0; i0 < po[0]; ++i0)
    for (int i1 = 0; i1 < po[1]; ++i1)
      for (int i2 = 0; i2 < po[2]; ++i2)
        for (int i3 = 0; i3 < po[3]; ++i3) {
          auto at = [&](const std::vector<int32_t>& s, const std::vector<T>& v) {
            const int j[4] = {s[0] == 1 ? 0 : i0, s[1] == 1 ? 0 : i1, s[2] == 1 ? 0 : i2, s[3] == 1 ? 0 : i3};
            return v[static_cast<size_t>(((j[0] * s[1] + j[1]) * s[2] + j[2]) * s[3] + j[3])];
          };
          want.push_back(is_max ? std::max(at(pa, xa), at(pb, xb)) : std::min(at(pa, xa), at(pb, xb)));
        }
  EXPECT_EQ(Values<T>(r.bytes), want);
  testing::ExpectMatchesOracle(model, {Bytes(xa), Bytes(xb)}, r.dims, Values<T>(r.bytes), 0.0);
}

TEST(MinMax, MaximumFloatSameShape) { Check<float>(true, DataType::kFloat32, {2, 3, 4}, {2, 3, 4}, {2, 3, 4}); }
TEST(MinMax, MinimumFloatScalar) { Check<float>(false, DataType::kFloat32, {1, 2, 2, 3}, {1}, {1, 2, 2, 3}); }
TEST(MinMax, MaximumUint8RowColumn) { Check<uint8_t>(true, DataType::kUInt8, {4, 1}, {1, 5}, {4, 5}); }
TEST(MinMax, MinimumInt8Channels) { Check<int8_t>(false, DataType::kInt8, {1, 3, 3, 4}, {4}, {1, 3, 3, 4}); }
TEST(MinMax, MaximumInt8Broadcast4D) { Check<int8_t>(true, DataType::kInt8, {2, 1, 3, 1}, {1, 4, 1, 2}, {2, 4, 3, 2}); }

}  // namespace
}  // namespace labelite
