// STRIDED_SLICE: every mask, negative indices and strides, offset. Expected values come from an
// independent numpy-style slicer in this file (Python slice semantics, written from the spec)
// and from TFLite (exact: the op moves values).
#include <gtest/gtest.h>

#include <numeric>

#include "kernels/single_op_b.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceStridedSlice();
namespace {

using testing::Bytes;
using testing::Values;
constexpr int32_t kCode = 45;

struct Case {
  std::vector<int32_t> shape, begin, end, strides;
  int begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_mask = 0;
  bool offset = false;
  std::vector<int32_t> want_shape;
  std::vector<float> want;  // input values are 0, 1, 2, ...
};

testing::OpOutput RunSlice(const Case& c, std::vector<uint8_t>* model_out, std::vector<float>* input_out) {
  testing::ModelBuilder b;
  const int in = b.AddTensor(DataType::kFloat32, c.shape, "in");
  const int32_t n = static_cast<int32_t>(c.begin.size());
  const int bt = b.AddConstTensor<int32_t>(DataType::kInt32, {n}, c.begin);
  const int et = b.AddConstTensor<int32_t>(DataType::kInt32, {n}, c.end);
  const int st = b.AddConstTensor<int32_t>(DataType::kInt32, {n}, c.strides);
  const int out = b.AddTensor(DataType::kFloat32, c.want_shape, "out");
  OpOptions o;
  o.begin_mask = c.begin_mask;
  o.end_mask = c.end_mask;
  o.ellipsis_mask = c.ellipsis_mask;
  o.new_axis_mask = c.new_axis_mask;
  o.shrink_axis_mask = c.shrink_mask;
  o.offset = c.offset;
  b.AddOperator(kCode, {in, bt, et, st}, {out}, o);
  b.SetInputs({in});
  b.SetOutputs({out});
  *model_out = b.Build();
  int64_t count = 1;
  for (int32_t d : c.shape) count *= d;
  input_out->resize(static_cast<size_t>(count));
  std::iota(input_out->begin(), input_out->end(), 0.0f);
  return testing::RunReference(kCode, &CreateReferenceStridedSlice, *model_out, {Bytes(*input_out)});
}

void Check(const Case& c, bool oracle = true) {
  std::vector<uint8_t> model;
  std::vector<float> x;
  const auto r = RunSlice(c, &model, &x);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.dims, c.want_shape);
  const auto y = Values<float>(r.bytes);
  EXPECT_EQ(y, c.want);
  if (oracle) testing::ExpectMatchesOracle(model, {Bytes(x)}, r.dims, y, 0.0);
}

// x[1:3, ::2] of a 4x5 -> rows 1,2, cols 0,2,4.
TEST(StridedSlice, Basic2D) {
  Check({{4, 5}, {1, 0}, {3, 5}, {1, 2}, 0, 0, 0, 0, 0, false, {2, 3}, {5, 7, 9, 10, 12, 14}});
}
// x[::-1, -2:] : negative stride with begin/end masks, negative begin.
TEST(StridedSlice, NegativeStrideAndIndex) {
  Check({{3, 4}, {0, -2}, {0, 0}, {-1, 1}, 1, 3, 0, 0, 0, false, {3, 2}, {10, 11, 6, 7, 2, 3}});
}
// x[2:0:-1, 3:0:-2] : negative strides with explicit bounds.
TEST(StridedSlice, NegativeStridesExplicit) {
  Check({{3, 4}, {2, 3}, {0, 0}, {-1, -2}, 0, 0, 0, 0, 0, false, {2, 2}, {11, 9, 7, 5}});
}
// x[1, :, -1] : shrink axes 0 and 2 (negative shrink index).
TEST(StridedSlice, ShrinkAxis) {
  Check({{2, 3, 4}, {1, 0, -1}, {2, 3, 0}, {1, 1, 1}, 0, 2, 0, 0, 5, false, {3}, {15, 19, 23}});
}
// x[..., 1:3] on 2x2x4: ellipsis covers two dims.
TEST(StridedSlice, Ellipsis) {
  Check({{2, 2, 4}, {0, 1}, {0, 3}, {1, 1}, 0, 0, 1, 0, 0, false, {2, 2, 2},
         {1, 2, 5, 6, 9, 10, 13, 14}});
}
// x[:, newaxis, 1] on 2x3: new axis and shrink.
TEST(StridedSlice, NewAxis) {
  Check({{2, 3}, {0, 0, 1}, {0, 0, 2}, {1, 1, 1}, 1, 1, 0, 2, 4, false, {2, 1}, {1, 4}});
}
// Out-of-range begin/end clamp; an empty slice.
TEST(StridedSlice, ClampAndEmpty) {
  Check({{5}, {-100}, {100}, {2}, 0, 0, 0, 0, 0, false, {3}, {0, 2, 4}});
  Check({{5}, {3}, {1}, {1}, 0, 0, 0, 0, 0, false, {0}, {}}, false);
}
// offset: end is relative to begin: x[1:1+2].
TEST(StridedSlice, Offset) {
  Check({{6}, {1}, {2}, {1}, 0, 0, 0, 0, 0, true, {2}, {1, 2}});
}
// 1x1 input, all masks.
TEST(StridedSlice, OneByOne) {
  Check({{1, 1}, {0, 0}, {0, 0}, {1, 1}, 3, 3, 0, 0, 0, false, {1, 1}, {0}});
}

TEST(StridedSlice, Uint8ByBytes) {
  testing::ModelBuilder b;
  const int in = b.AddTensor(DataType::kUInt8, {6}, "in", testing::Quant(0.5f, 3));
  const int bt = b.AddConstTensor<int32_t>(DataType::kInt32, {1}, {4});
  const int et = b.AddConstTensor<int32_t>(DataType::kInt32, {1}, {0});
  const int st = b.AddConstTensor<int32_t>(DataType::kInt32, {1}, {-2});
  const int out = b.AddTensor(DataType::kUInt8, {2}, "out", testing::Quant(0.5f, 3));
  b.AddOperator(kCode, {in, bt, et, st}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  const auto model = b.Build();
  const std::vector<uint8_t> x = {10, 20, 30, 40, 50, 60};
  const auto r = testing::RunReference(kCode, &CreateReferenceStridedSlice, model, {x});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.bytes, (std::vector<uint8_t>{50, 30}));
  testing::ExpectMatchesOracle(model, {x}, r.dims, r.bytes, 0.0);
}

TEST(StridedSlice, ZeroStrideIsAnError) {
  std::vector<uint8_t> model;
  std::vector<float> x;
  const auto r = RunSlice({{4}, {0}, {4}, {0}, 0, 0, 0, 0, 0, false, {4}, {}}, &model, &x);
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("stride"), std::string::npos) << r.status.ToString();
}

}  // namespace
}  // namespace labelite
