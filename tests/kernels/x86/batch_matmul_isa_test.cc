// Quantized BATCH_MATMUL through the interpreter's fast kernel (kernels/xnnpack/batch_matmul.cc:
// MatMulS8Avx2) at every ISA level this CPU supports, against the reference kernel, bit for
// bit: ViT's attention shapes ([1, 3, 17, 32] x [1, 3, 32, 17], then [1, 3, 17, 17] x
// [1, 3, 17, 32]), adj_x / adj_y, broadcast batches, ranks 2 to 5, depths around the 16-value
// vectors, column counts around the 4-column groups, int8 and int32 outputs, zero points at
// both ends. Below AVX2 (level xnnpack) the reference must run it.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/fast/isa.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"
#include "testing/model_builder.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceBatchMatMul();
std::unique_ptr<Kernel> CreateXnnpackBatchMatMul();
}  // namespace labelite

namespace labelite::xnn {
namespace {

constexpr int32_t kBatchMatMul = 126;

struct Case {
  std::vector<int32_t> lhs, rhs, out;
  bool adj_x = false, adj_y = false;
  DataType out_type = DataType::kInt8;
  int32_t lhs_zp = -3, rhs_zp = 5;
};

std::vector<uint8_t> Model(const Case& c) {
  testing::ModelBuilder b;
  const int l = b.AddTensor(DataType::kInt8, c.lhs, "lhs", testing::Quant(0.05f, c.lhs_zp));
  const int r = b.AddTensor(DataType::kInt8, c.rhs, "rhs", testing::Quant(0.02f, c.rhs_zp));
  const int o = b.AddTensor(
      c.out_type, c.out, "out",
      c.out_type == DataType::kInt8 ? testing::Quant(0.4f, 2) : QuantizationParams{});
  OpOptions options;
  options.adj_x = c.adj_x;
  options.adj_y = c.adj_y;
  b.AddOperator(kBatchMatMul, {l, r}, {o}, options);
  b.SetInputs({l, r});
  b.SetOutputs({o});
  return b.Build();
}

// Output bytes of one run with random inputs (the same for every path); the kernel path.
std::vector<uint8_t> RunModel(const std::vector<uint8_t>& bytes, KernelPath path, std::string* used) {
  auto model = Model::FromBytes(bytes, "batch_matmul");
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!model.ok()) return {};
  const ListOpResolver resolver(
      {{kBatchMatMul, "BATCH_MATMUL", &CreateReferenceBatchMatMul, &CreateXnnpackBatchMatMul}});
  auto interp = Interpreter::Create(*model, resolver, {path, 1});
  EXPECT_TRUE(interp.ok()) << interp.status().message();
  if (!interp.ok()) return {};
  std::mt19937 rng(17);
  for (int i = 0; i < 2; ++i) {
    Tensor* t = (*interp)->input(i);
    for (size_t k = 0; k < t->bytes; ++k) t->data[k] = static_cast<uint8_t>(rng());
  }
  EXPECT_TRUE((*interp)->Invoke().ok());
  *used = (*interp)->KernelPathOf(0);
  const Tensor* out = (*interp)->output(0);
  return std::vector<uint8_t>(out->data, out->data + out->bytes);
}

class BatchMatMulIsaTest : public ::testing::TestWithParam<IsaLevel> {
 protected:
  void SetUp() override {
    saved_ = ActiveIsa();
    if (DetectedIsa() < GetParam()) GTEST_SKIP() << "CPU without " << IsaLevelName(GetParam());
    SetIsaLimit(GetParam());
  }
  void TearDown() override { SetIsaLimit(saved_); }

  void Check(const Case& c) {
    SCOPED_TRACE("lhs " + std::to_string(c.lhs.size()) + "-D, depth " +
                 std::to_string(c.adj_x ? c.lhs[c.lhs.size() - 2] : c.lhs.back()) + ", adj " +
                 std::to_string(c.adj_x) + std::to_string(c.adj_y) + ", " +
                 std::string(DataTypeName(c.out_type)));
    const std::vector<uint8_t> bytes = Model(c);
    std::string ref_path, fast_path;
    const std::vector<uint8_t> ref = RunModel(bytes, KernelPath::kReference, &ref_path);
    const std::vector<uint8_t> fast = RunModel(bytes, KernelPath::kFast, &fast_path);
    EXPECT_EQ(ref_path, "reference");
    EXPECT_EQ(fast_path, GetParam() >= IsaLevel::kAvx2 ? "avx2" : "reference");
    ASSERT_EQ(fast.size(), ref.size());
    ASSERT_FALSE(ref.empty());
    size_t mismatches = 0;
    for (size_t i = 0; i < ref.size(); ++i) mismatches += fast[i] != ref[i];
    EXPECT_EQ(mismatches, 0u) << "of " << ref.size() << " bytes";
  }

  IsaLevel saved_ = IsaLevel::kXnnpack;
};

TEST_P(BatchMatMulIsaTest, VitAttention) {
  Check({{1, 3, 17, 32}, {1, 3, 32, 17}, {1, 3, 17, 17}});
  Check({{1, 3, 17, 17}, {1, 3, 17, 32}, {1, 3, 17, 32}});
  Check({{1, 3, 17, 32}, {1, 3, 17, 32}, {1, 3, 17, 17}, false, true});  // q @ k^T
  Check({{1, 6, 197, 64}, {1, 6, 64, 197}, {1, 6, 197, 197}});           // ViT-S at 224
}

TEST_P(BatchMatMulIsaTest, LayoutsAndTypes) {
  Check({{5, 7}, {7, 3}, {5, 3}});
  Check({{2, 6, 4}, {2, 5, 6}, {2, 4, 5}, true, true});
  Check({{2, 1, 4, 33}, {3, 33, 5}, {2, 3, 4, 5}});                        // broadcast batches
  Check({{1, 2, 1, 3, 16}, {1, 3, 16, 9}, {1, 2, 3, 3, 9}});               // rank 5
  Check({{3, 40, 17}, {3, 40, 8}, {3, 17, 8}, true, false});               // adj_x
  Check({{4, 1}, {1, 4}, {4, 4}, false, false, DataType::kInt8, -128, 127});
  Check({{2, 9, 31}, {2, 31, 7}, {2, 9, 7}, false, false, DataType::kInt32});
  Check({{1, 17, 64}, {1, 13, 64}, {1, 17, 13}, false, true, DataType::kInt32, 127, -128});
}

INSTANTIATE_TEST_SUITE_P(Levels, BatchMatMulIsaTest,
                         ::testing::Values(IsaLevel::kAvx512, IsaLevel::kAvx2, IsaLevel::kXnnpack),
                         [](const auto& info) { return std::string(IsaLevelName(info.param)); });

}  // namespace
}  // namespace labelite::xnn
