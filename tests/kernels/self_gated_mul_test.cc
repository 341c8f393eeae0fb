// The fast path's swish table (kernels/fast/self_gated_mul.h, MUL(x, LOGISTIC(x)) as one byte
// table) against the fast MUL it stands in for (XNNPACK, or labelite's exact rows where
// XNNPACK refuses the scales), byte for byte: single-op-pair models over every byte value,
// int8 and uint8, several scales and activations, either input order, 1 and 2 threads, at
// every ISA level the CPU has. Then the cases the table must refuse, and EfficientNet-B0
// int8 from the zoo cache: the whole model's output with and without the table.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "kernels/fast/first_supported.h"
#include "kernels/fast/isa.h"
#include "kernels/fast/quantized_arith.h"
#include "kernels/xnnpack/binary.h"
#include "runtime/interpreter.h"
#include "testing/interpreter_inputs.h"
#include "testing/model_builder.h"
#include "testing/testdata.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceLogistic();
std::unique_ptr<Kernel> CreateXnnpackLogistic();
std::unique_ptr<Kernel> CreateReferenceMul();
std::unique_ptr<Kernel> CreateXnnpackMul();

namespace {

using testing::ModelBuilder;
using testing::Quant;
using xnn::IsaLevel;

constexpr int32_t kLogistic = 14, kMul = 18;

// The fast MUL without the table: XNNPACK, else the exact rows (xnnpack/mul.cc's steps 3-4).
std::unique_ptr<Kernel> CreateBinaryMul() {
  return std::make_unique<xnn::BinaryKernel>(common::ArithOp::kMul);
}
std::unique_ptr<Kernel> CreateMulWithoutTable() {
  return std::make_unique<xnn::FirstSupportedKernel>(&CreateBinaryMul,
                                                     &xnn::CreateFastQuantizedMul);
}


using RunOutput = testing::GraphRun;

RunOutput RunModel(std::shared_ptr<const Model> model, KernelFactory mul, int threads,
                   const std::vector<std::vector<uint8_t>>& inputs) {
  return testing::RunGraph(model, testing::FastKernelOverride(kMul, mul), threads, inputs);
}

// Every byte value first, then random bytes.
std::vector<uint8_t> AllBytesThenRandom(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i < 256 ? i : rng());
  return v;
}

struct SwishCase {
  DataType type;
  float x_scale;
  int x_zero;  // int8; uint8 adds 128
  float out_scale;
  int out_zero;
  Activation act = Activation::kNone;
  bool gate_first = false;  // MUL(LOGISTIC(x), x)
  bool gate_of_other = false;  // MUL(y, LOGISTIC(x)): not a swish
  bool gate_is_output = false;  // the sigmoid is a graph output too
};

std::shared_ptr<const Model> BuildSwish(const SwishCase& c, const std::vector<int32_t>& shape) {
  const int shift = c.type == DataType::kUInt8 ? 128 : 0;
  ModelBuilder b;
  const int x = b.AddTensor(c.type, shape, "x", Quant(c.x_scale, c.x_zero + shift));
  const int g = b.AddTensor(c.type, shape, "sigmoid", Quant(1.0f / 256, shift - 128));
  const int out = b.AddTensor(c.type, shape, "out", Quant(c.out_scale, c.out_zero + shift));
  b.AddOperator(kLogistic, {x}, {g}, OpOptions{});
  const int y = c.gate_of_other ? b.AddTensor(c.type, shape, "y", Quant(c.x_scale, c.x_zero + shift)) : x;
  OpOptions o;
  o.activation = c.act;
  b.AddOperator(kMul, c.gate_first ? std::vector<int32_t>{g, y} : std::vector<int32_t>{y, g}, {out}, o);
  b.SetInputs(c.gate_of_other ? std::vector<int32_t>{x, y} : std::vector<int32_t>{x});
  b.SetOutputs(c.gate_is_output ? std::vector<int32_t>{out, g} : std::vector<int32_t>{out});
  auto model = Model::FromBytes(b.Build(), "swish");
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? *model : nullptr;
}

struct IsaGuard {
  ~IsaGuard() { xnn::SetIsaLimit(xnn::DetectedIsa()); }
};

TEST(SelfGatedMul, EqualsTheFastMulOnEveryByte) {
  IsaGuard guard;
  const std::vector<int32_t> shape = {1, 5, 7, 37};  // 1295: every byte, then a 64-byte tail
  // EfficientNet-like scales, and product/output scale ratios XNNPACK refuses (below 2^-16,
  // above 2^8): there the table reproduces the exact rows.
  const SwishCase kCases[] = {
      {DataType::kInt8, 0.0627f, 11, 0.0311f, -110},
      {DataType::kInt8, 0.021f, -60, 0.009f, -120, Activation::kRelu6},
      {DataType::kInt8, 0.5f, 0, 0.25f, 5, Activation::kNone, true},
      {DataType::kInt8, 1e-4f, 3, 1.0f, -2},
      {DataType::kInt8, 1.0f, -3, 1e-5f, 0},
      {DataType::kUInt8, 0.0627f, 11, 0.0311f, -110},
      {DataType::kUInt8, 0.13f, -30, 0.07f, -128, Activation::kRelu, true},
      {DataType::kUInt8, 1e-4f, 3, 1.0f, -2, Activation::kNone, true},
  };
  for (const SwishCase& c : kCases) {
    auto model = BuildSwish(c, shape);
    ASSERT_NE(model, nullptr);
    const std::vector<uint8_t> x = AllBytesThenRandom(1295, 3);
    for (IsaLevel level : {IsaLevel::kXnnpack, IsaLevel::kAvx2, IsaLevel::kAvx512}) {
      if (level > xnn::DetectedIsa()) continue;
      xnn::SetIsaLimit(level);
      for (int threads : {1, 2}) {
        SCOPED_TRACE(std::string(DataTypeName(c.type)) + " x scale " + std::to_string(c.x_scale) +
                     " out scale " + std::to_string(c.out_scale) + " at " +
                     xnn::IsaLevelName(level) + ", " + std::to_string(threads) + " thread(s)");
        const RunOutput want = RunModel(model, &CreateMulWithoutTable, threads, {x});
        const RunOutput got = RunModel(model, &CreateXnnpackMul, threads, {x});
        ASSERT_EQ(got.paths.size(), 2u);
        EXPECT_EQ(got.paths[1], "fast (table)");
        EXPECT_EQ(got.paths[0], "skipped (unread)");  // only the table would read the sigmoid
        EXPECT_NE(want.paths[1], "fast (table)");
        ASSERT_EQ(got.out.size(), x.size());
        EXPECT_EQ(got.out, want.out);
      }
    }
  }
}

// A sigmoid that is also a graph output: the table still serves the MUL, the LOGISTIC runs.
TEST(SelfGatedMul, SigmoidReadElsewhereStillRuns) {
  SwishCase c{DataType::kInt8, 0.0627f, 11, 0.0311f, -110};
  c.gate_is_output = true;
  auto model = BuildSwish(c, {1, 3, 3, 40});
  ASSERT_NE(model, nullptr);
  const std::vector<uint8_t> x = AllBytesThenRandom(360, 13);
  const RunOutput want = RunModel(model, &CreateMulWithoutTable, 1, {x});
  const RunOutput got = RunModel(model, &CreateXnnpackMul, 1, {x});
  ASSERT_EQ(got.paths.size(), 2u);
  EXPECT_EQ(got.paths[0], "fast (table)");  // the LOGISTIC's own table
  EXPECT_EQ(got.paths[1], "fast (table)");
  ASSERT_EQ(got.out.size(), 720u);
  EXPECT_EQ(got.out, want.out);
}

// Not a swish: the gate reads another tensor, or the tensors are float32.
TEST(SelfGatedMul, RefusesOtherPatterns) {
  SwishCase other{DataType::kInt8, 0.05f, 1, 0.02f, 3};
  other.gate_of_other = true;
  auto model = BuildSwish(other, {1, 4, 4, 8});
  ASSERT_NE(model, nullptr);
  const std::vector<uint8_t> bytes = AllBytesThenRandom(128, 5);
  const RunOutput got = RunModel(model, &CreateXnnpackMul, 1, {bytes, bytes});
  ASSERT_EQ(got.paths.size(), 2u);
  EXPECT_EQ(got.paths[1], "xnnpack");

  ModelBuilder b;
  const int x = b.AddTensor(DataType::kFloat32, {1, 8}, "x");
  const int g = b.AddTensor(DataType::kFloat32, {1, 8}, "sigmoid");
  const int out = b.AddTensor(DataType::kFloat32, {1, 8}, "out");
  b.AddOperator(kLogistic, {x}, {g}, OpOptions{});
  b.AddOperator(kMul, {x, g}, {out}, OpOptions{});
  b.SetInputs({x});
  b.SetOutputs({out});
  auto f32 = Model::FromBytes(b.Build(), "float swish");
  ASSERT_TRUE(f32.ok()) << f32.status().message();
  const RunOutput fr = RunModel(*f32, &CreateXnnpackMul, 1, {std::vector<uint8_t>(32, 0x3f)});
  ASSERT_EQ(fr.paths.size(), 2u);
  // float32 MUL: never the byte table (the float swish, fast/swish_f32.h, tested in
  // x86/swish_f32_test.cc, or the float rows, or XNNPACK).
  EXPECT_NE(fr.paths[1], "fast (table)");
  EXPECT_NE(fr.paths[1], "reference");
}

// The zoo's EfficientNet-B0 (tests/zoo/generate.py's cache): 49 of its 65 MULs are swish; the
// whole model gives the same bytes with and without the table, and the interpreter skips the
// 49 LOGISTICs only the tables would have read. Each conversion the cache holds is checked (CI's
// subset, scripts/zoo.sh ci, has int8-uint8 only); skipped when it holds neither.
TEST(SelfGatedMul, EfficientNetB0FromTheZooIsUnchanged) {
  std::vector<std::string> paths, missing;
  for (const char* file : {"efficientnet_b0.int8-uint8.tflite", "efficientnet_b0.int8-int8.tflite"}) {
    const std::string path = testing::ZooModelPath(file);
    (path.empty() ? missing : paths).push_back(path.empty() ? file : path);
  }
  if (paths.empty()) GTEST_SKIP() << "no EfficientNet-B0 int8 model in the zoo cache (run scripts/zoo.sh first)";
  for (const std::string& file : missing)
    std::cout << "[   NOTE   ] " << file << " is not in the zoo cache: not checked\n";
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    auto model = Model::FromFile(path);
    ASSERT_TRUE(model.ok()) << model.status().message();
    std::mt19937 rng(9);
    const SubgraphSpec& g = (*model)->main_subgraph();
    ASSERT_EQ(g.inputs.size(), 1u);
    size_t n = 1;
    for (int32_t d : g.tensors[static_cast<size_t>(g.inputs[0])].shape) n *= static_cast<size_t>(d);
    std::vector<uint8_t> image(n);  // 1 byte per element (uint8 or int8 input)
    for (uint8_t& v : image) v = static_cast<uint8_t>(rng());
    const RunOutput want = RunModel(*model, &CreateMulWithoutTable, 1, {image});
    const RunOutput got = RunModel(*model, &CreateXnnpackMul, 1, {image});
    int tables = 0, skipped = 0;
    for (size_t i = 0; i < g.operators.size(); ++i) {
      if (g.operators[i].builtin_code == kMul && got.paths[i] == "fast (table)") ++tables;
      if (g.operators[i].builtin_code == kLogistic && got.paths[i] == "skipped (unread)") ++skipped;
      EXPECT_NE(want.paths[i], "skipped (unread)") << "operator " << i;
    }
    EXPECT_EQ(tables, 49);   // the swish MULs
    EXPECT_EQ(skipped, 49);  // their LOGISTICs (the squeeze-excite ones still run)
    ASSERT_FALSE(got.out.empty());
    EXPECT_EQ(got.out, want.out);
  }
}

}  // namespace
}  // namespace labelite
