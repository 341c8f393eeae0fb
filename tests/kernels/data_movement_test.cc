// Data-movement ops (GATHER, SLICE, SPLIT, SPLIT_V, PACK, UNPACK, SPACE_TO_DEPTH,
// DEPTH_TO_SPACE, EXPAND_DIMS, BROADCAST_TO, TILE, CAST, ARG_MAX, ARG_MIN, SHAPE): the reference
// kernels against both native LiteRT paths; every output must be equal (these ops copy or
// convert values exactly).
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "testing/kernel_tester.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceGather();
std::unique_ptr<Kernel> CreateReferenceSlice();
std::unique_ptr<Kernel> CreateReferenceSplit();
std::unique_ptr<Kernel> CreateReferenceSplitV();
std::unique_ptr<Kernel> CreateReferencePack();
std::unique_ptr<Kernel> CreateReferenceUnpack();
std::unique_ptr<Kernel> CreateReferenceSpaceToDepth();
std::unique_ptr<Kernel> CreateReferenceDepthToSpace();
std::unique_ptr<Kernel> CreateReferenceExpandDims();
std::unique_ptr<Kernel> CreateReferenceBroadcastTo();
std::unique_ptr<Kernel> CreateReferenceTile();
std::unique_ptr<Kernel> CreateReferenceCast();
std::unique_ptr<Kernel> CreateReferenceArgMax();
std::unique_ptr<Kernel> CreateReferenceArgMin();
std::unique_ptr<Kernel> CreateReferenceShape();
}  // namespace labelite

namespace labelite::testing {
namespace {

constexpr int32_t kDepthToSpace = 5, kSpaceToDepth = 26, kGather = 36, kSplit = 49, kCast = 53,
                  kArgMax = 56, kSlice = 65, kTile = 69, kExpandDims = 70, kShape = 77,
                  kArgMin = 79, kPack = 83, kUnpack = 88, kSplitV = 102, kBroadcastTo = 130;

int64_t Count(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

// A tester with one int8 (quantized) or float input of `shape`.
int AddInput(KernelTester& t, DataType type, const std::vector<int32_t>& shape, uint32_t seed) {
  if (type == DataType::kFloat32)
    return t.Input<float>(type, shape, RandomValues<float>(Count(shape), -5, 5, seed));
  return t.Input<int8_t>(type, shape, RandomValues<int8_t>(Count(shape), -128, 127, seed),
                         Quant(0.1f, 3));
}
QuantizationParams QuantOf(DataType type) {
  return type == DataType::kFloat32 ? QuantizationParams{} : Quant(0.1f, 3);
}

void RunAndCompare(KernelTester& t) {
  const Status s = t.Run();
  ASSERT_TRUE(s.ok()) << s.message();
  LABELITE_EXPECT_MATCHES_LITERT_BOTH(t, 0.0);
}

class DataMovementTest : public ::testing::TestWithParam<DataType> {};

TEST_P(DataMovementTest, Gather) {
  const DataType type = GetParam();
  struct Case { std::vector<int32_t> in, idx_shape; std::vector<int32_t> idx; int axis, batch_dims; };
  const Case cases[] = {
      {{5, 4, 3}, {2}, {4, 0}, 0, 0},
      {{2, 7, 3}, {2, 2}, {6, 0, 3, 3}, 1, 0},
      {{2, 7, 3}, {1}, {0}, 1, 0},          // the class token of a ViT
      {{2, 5, 4}, {3}, {3, 1, 3}, -1, 0},
      {{2, 5, 4}, {2, 3}, {0, 4, 2, 1, 1, 3}, 1, 1},  // batch_dims
  };
  uint32_t seed = 1;
  for (const Case& c : cases) {
    KernelTester t(kGather, CreateReferenceGather);
    const int in = AddInput(t, type, c.in, seed++);
    const int idx = t.Const<int32_t>(DataType::kInt32, c.idx_shape, c.idx);
    t.Output(type, {1}, QuantOf(type));
    OpOptions o;
    o.axis = c.axis;
    o.batch_dims = c.batch_dims;
    t.Op({in, idx}, o);
    RunAndCompare(t);
  }
}

TEST_P(DataMovementTest, Slice) {
  const DataType type = GetParam();
  KernelTester t(kSlice, CreateReferenceSlice);
  const int in = AddInput(t, type, {2, 6, 5, 4}, 10);
  const int begin = t.Const<int32_t>(DataType::kInt32, {4}, {1, 2, 0, 1});
  const int size = t.Const<int32_t>(DataType::kInt32, {4}, {1, -1, 3, 2});
  t.Output(type, {1, 4, 3, 2}, QuantOf(type));
  t.Op({in, begin, size});
  RunAndCompare(t);
}

TEST_P(DataMovementTest, SplitAndSplitV) {
  const DataType type = GetParam();
  {
    KernelTester t(kSplit, CreateReferenceSplit);
    const int axis = t.Const<int32_t>(DataType::kInt32, {}, {-1});
    const int in = AddInput(t, type, {2, 3, 12}, 11);
    for (int i = 0; i < 3; ++i) t.Output(type, {2, 3, 4}, QuantOf(type));
    OpOptions o;
    o.num_splits = 3;
    t.Op({axis, in}, o);
    RunAndCompare(t);
  }
  {
    KernelTester t(kSplitV, CreateReferenceSplitV);
    const int in = AddInput(t, type, {2, 9, 3}, 12);
    const int sizes = t.Const<int32_t>(DataType::kInt32, {3}, {2, -1, 4});
    const int axis = t.Const<int32_t>(DataType::kInt32, {}, {1});
    t.Output(type, {2, 2, 3}, QuantOf(type));
    t.Output(type, {2, 3, 3}, QuantOf(type));
    t.Output(type, {2, 4, 3}, QuantOf(type));
    OpOptions o;
    o.num_splits = 3;
    t.Op({in, sizes, axis}, o);
    RunAndCompare(t);
  }
}

TEST_P(DataMovementTest, PackAndUnpack) {
  const DataType type = GetParam();
  for (int axis : {0, 1, -1}) {
    KernelTester t(kPack, CreateReferencePack);
    std::vector<int32_t> ins;
    for (int i = 0; i < 3; ++i) ins.push_back(AddInput(t, type, {4, 5}, 20 + i));
    t.Output(type, {3, 4, 5}, QuantOf(type));
    OpOptions o;
    o.values_count = 3;
    o.axis = axis;
    t.Op(ins, o);
    RunAndCompare(t);
  }
  KernelTester t(kUnpack, CreateReferenceUnpack);
  const int in = AddInput(t, type, {3, 4, 5}, 30);
  for (int i = 0; i < 4; ++i) t.Output(type, {3, 5}, QuantOf(type));
  OpOptions o;
  o.num = 4;
  o.axis = 1;
  t.Op({in}, o);
  RunAndCompare(t);
}

TEST_P(DataMovementTest, SpaceToDepthAndBack) {
  const DataType type = GetParam();
  {
    KernelTester t(kSpaceToDepth, CreateReferenceSpaceToDepth);
    const int in = AddInput(t, type, {2, 6, 4, 3}, 40);
    t.Output(type, {2, 3, 2, 12}, QuantOf(type));
    OpOptions o;
    o.block_size = 2;
    t.Op({in}, o);
    RunAndCompare(t);
  }
  {
    KernelTester t(kDepthToSpace, CreateReferenceDepthToSpace);
    const int in = AddInput(t, type, {1, 2, 3, 18}, 41);
    t.Output(type, {1, 6, 9, 2}, QuantOf(type));
    OpOptions o;
    o.block_size = 3;
    t.Op({in}, o);
    RunAndCompare(t);
  }
}

TEST_P(DataMovementTest, ExpandDimsBroadcastToTile) {
  const DataType type = GetParam();
  {
    KernelTester t(kExpandDims, CreateReferenceExpandDims);
    const int in = AddInput(t, type, {3, 4}, 50);
    const int axis = t.Const<int32_t>(DataType::kInt32, {1}, {-1});
    t.Output(type, {3, 4, 1}, QuantOf(type));
    t.Op({in, axis});
    RunAndCompare(t);
  }
  {
    KernelTester t(kBroadcastTo, CreateReferenceBroadcastTo);
    const int in = AddInput(t, type, {1, 1, 6}, 51);
    const int shape = t.Const<int32_t>(DataType::kInt32, {4}, {2, 3, 1, 6});
    t.Output(type, {2, 3, 1, 6}, QuantOf(type));
    t.Op({in, shape}, {}, /*version=*/2);  // LiteRT registers BROADCAST_TO from version 2
    RunAndCompare(t);
  }
  {
    KernelTester t(kTile, CreateReferenceTile);
    const int in = AddInput(t, type, {2, 3, 2}, 52);
    const int mult = t.Const<int32_t>(DataType::kInt32, {3}, {2, 1, 3});
    t.Output(type, {4, 3, 6}, QuantOf(type));
    t.Op({in, mult});
    RunAndCompare(t);
  }
}

TEST_P(DataMovementTest, ArgMaxArgMin) {
  const DataType type = GetParam();
  for (int axis : {0, 1, 2}) {
    for (DataType out_type : {DataType::kInt32, DataType::kInt64}) {
      for (bool max : {true, false}) {
        KernelTester t(max ? kArgMax : kArgMin, max ? CreateReferenceArgMax : CreateReferenceArgMin);
        const int in = AddInput(t, type, {3, 5, 4}, 60 + axis);
        const int a = t.Const<int32_t>(DataType::kInt32, {1}, {axis});
        t.Output(out_type, {1});
        OpOptions o;
        o.output_type = out_type;
        t.Op({in, a}, o);
        RunAndCompare(t);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Types, DataMovementTest,
                         ::testing::Values(DataType::kFloat32, DataType::kInt8),
                         [](const auto& info) { return std::string(DataTypeName(info.param)); });

TEST(DataMovementMiscTest, CastBetweenTypes) {
  const std::vector<float> f = {-3.7f, -1.0f, -0.2f, 0.0f, 0.4f, 1.5f, 2.9f, 100.25f};
  for (DataType to : {DataType::kInt32, DataType::kInt64, DataType::kBool, DataType::kUInt8}) {
    KernelTester t(kCast, CreateReferenceCast);
    const int in = t.Input<float>(DataType::kFloat32, {8}, to == DataType::kUInt8 ?
        std::vector<float>{0.f, 1.5f, 2.9f, 7.f, 100.25f, 200.f, 3.f, 9.99f} : f);
    t.Output(to, {8});
    t.Op({in});
    RunAndCompare(t);
  }
  KernelTester t(kCast, CreateReferenceCast);
  const int in = t.Input<int32_t>(DataType::kInt32, {5}, {-7, 0, 3, 100000, -2});
  t.Output(DataType::kFloat32, {5});
  t.Op({in});
  RunAndCompare(t);
}

TEST(DataMovementMiscTest, ShapeOfATensor) {
  KernelTester t(kShape, CreateReferenceShape);
  const int in = t.Input<float>(DataType::kFloat32, {2, 7, 3}, std::vector<float>(42, 1.0f));
  t.Output(DataType::kInt32, {3});
  OpOptions o;
  o.output_type = DataType::kInt32;
  t.Op({in}, o);
  RunAndCompare(t);
  EXPECT_EQ(t.OutputValues<int32_t>(), (std::vector<int32_t>{2, 7, 3}));
}

TEST(DataMovementMiscTest, GatherIndexOutOfRangeIsAnError) {
  KernelTester t(kGather, CreateReferenceGather);
  const int in = t.Input<float>(DataType::kFloat32, {3, 2}, std::vector<float>(6));
  const int idx = t.Input<int32_t>(DataType::kInt32, {2}, {1, 3});
  t.Output(DataType::kFloat32, {2, 2});
  t.Op({in, idx});
  const Status s = t.Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("out of range"), std::string::npos) << s.message();
}

TEST(DataMovementMiscTest, SliceOutOfRangeIsAnError) {
  KernelTester t(kSlice, CreateReferenceSlice);
  const int in = t.Input<float>(DataType::kFloat32, {3, 2}, std::vector<float>(6));
  const int begin = t.Const<int32_t>(DataType::kInt32, {2}, {2, 0});
  const int size = t.Const<int32_t>(DataType::kInt32, {2}, {2, 2});
  t.Output(DataType::kFloat32, {2, 2});
  t.Op({in, begin, size});
  EXPECT_FALSE(t.Run().ok());
}

}  // namespace
}  // namespace labelite::testing
