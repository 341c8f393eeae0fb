// BATCH_MATMUL: float32 and int8 (int8 and int32 outputs) against native LiteRT, with adj_x /
// adj_y, broadcast batch dimensions and ranks 2 to 5, as ViT attention uses it. int8 and int32
// outputs equal both LiteRT paths; float within 1e-4.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "testing/kernel_tester.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceBatchMatMul();
}

namespace labelite::testing {
namespace {

constexpr int32_t kBatchMatMul = 126;

int64_t Count(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

struct Case {
  std::vector<int32_t> lhs, rhs, out;
  bool adj_x = false, adj_y = false;
};

const Case kCases[] = {
    {{5, 7}, {7, 3}, {5, 3}},
    {{2, 5, 7}, {2, 7, 3}, {2, 5, 3}},
    {{1, 3, 17, 8}, {1, 3, 17, 8}, {1, 3, 17, 17}, false, true},  // q @ k^T per head
    {{1, 3, 17, 17}, {1, 3, 17, 8}, {1, 3, 17, 8}},               // attention @ v
    {{2, 1, 4, 6}, {3, 6, 5}, {2, 3, 4, 5}},                      // broadcast batches
    {{2, 6, 4}, {2, 5, 6}, {2, 4, 5}, true, true},
    {{1, 2, 1, 3, 4}, {1, 3, 4, 2}, {1, 2, 3, 3, 2}},             // rank 5
};

void RunCase(const Case& c, DataType type, DataType out_type, uint32_t seed) {
  KernelTester t(kBatchMatMul, CreateReferenceBatchMatMul);
  OpOptions o;
  o.adj_x = c.adj_x;
  o.adj_y = c.adj_y;
  if (type == DataType::kFloat32) {
    const int l = t.Input<float>(type, c.lhs, RandomValues<float>(Count(c.lhs), -2, 2, seed));
    const int r = t.Input<float>(type, c.rhs, RandomValues<float>(Count(c.rhs), -2, 2, seed + 1));
    t.Output(type, c.out);
    t.Op({l, r}, o);
  } else {
    const int l = t.Input<int8_t>(type, c.lhs, RandomValues<int8_t>(Count(c.lhs), -128, 127, seed),
                                  Quant(0.05f, -3));
    const int r = t.Input<int8_t>(type, c.rhs,
                                  RandomValues<int8_t>(Count(c.rhs), -128, 127, seed + 1),
                                  Quant(0.02f, 5));
    t.Output(out_type, c.out, out_type == DataType::kInt8 ? Quant(0.3f, 2) : QuantizationParams{});
    t.Op({l, r}, o);
  }
  const Status s = t.Run();
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(t.output_dims(), c.out);
  if (type == DataType::kFloat32) {
    LABELITE_EXPECT_MATCHES_LITERT_BOTH(t, 1e-4);
  } else {
    LABELITE_EXPECT_MATCHES_LITERT_BOTH(t, 0.0);
  }
}

TEST(BatchMatMulTest, Float) {
  uint32_t seed = 1;
  for (const Case& c : kCases) RunCase(c, DataType::kFloat32, DataType::kFloat32, seed += 2);
}

TEST(BatchMatMulTest, Int8) {
  uint32_t seed = 100;
  for (const Case& c : kCases) RunCase(c, DataType::kInt8, DataType::kInt8, seed += 2);
}

TEST(BatchMatMulTest, Int8ToInt32) {
  RunCase(kCases[2], DataType::kInt8, DataType::kInt32, 300);
}

TEST(BatchMatMulTest, MismatchedDepthIsAnError) {
  KernelTester t(kBatchMatMul, CreateReferenceBatchMatMul);
  const int l = t.Input<float>(DataType::kFloat32, {2, 3}, std::vector<float>(6));
  const int r = t.Input<float>(DataType::kFloat32, {4, 2}, std::vector<float>(8));
  t.Output(DataType::kFloat32, {2, 2});
  t.Op({l, r});
  const Status s = t.Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("depth"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace labelite::testing
