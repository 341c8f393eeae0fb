// uint8 / int8 MUL by a per-channel gate on labelite's rows (kernels/fast/channel_mul_q8.h)
// against XNNPACK's own operator (xnnpack/binary.h), byte for byte: every pair of byte values
// (256 rows over 256 channels), random shapes with tails around the 32-byte step, scales from
// EfficientNet's to the ends of XNNPACK's range, every fused activation, the gate first or
// second, 1 and 2 threads, at every ISA level the CPU has. Then what the kernel must leave to
// XNNPACK (a constant gate, other broadcasts, scales XNNPACK refuses).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "kernels/xnnpack/binary.h"
#include "runtime/interpreter.h"
#include "testing/interpreter_inputs.h"
#include "testing/model_builder.h"

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackMul();

namespace {

using testing::ModelBuilder;
using testing::Quant;

constexpr int32_t kMul = 18;

std::unique_ptr<Kernel> CreateXnnpackOperatorMul() {
  return std::make_unique<xnn::BinaryKernel>(common::ArithOp::kMul);
}

// The graph with `mul` as MUL's fast kernel.
testing::GraphRun RunMul(std::shared_ptr<const Model> model, KernelFactory mul, int threads,
                         const std::vector<std::vector<uint8_t>>& inputs) {
  return testing::RunGraph(model, testing::FastKernelOverride(kMul, mul), threads, inputs);
}


struct Case {
  DataType type;
  int rows, channels;
  float x_scale, y_scale, out_scale;
  int x_zero, y_zero, out_zero;  // int8 values; uint8 adds 128
  Activation act = Activation::kNone;
  bool gate_first = false;
  bool constant_gate = false;
};

std::shared_ptr<const Model> Build(const Case& c, const std::vector<uint8_t>& gate) {
  const int shift = c.type == DataType::kUInt8 ? 128 : 0;
  ModelBuilder b;
  const int x = b.AddTensor(c.type, {1, c.rows, 1, c.channels}, "x", Quant(c.x_scale, c.x_zero + shift));
  const int y = c.constant_gate
                    ? b.AddConstTensor<uint8_t>(c.type, {1, 1, 1, c.channels}, gate,
                                                Quant(c.y_scale, c.y_zero + shift))
                    : b.AddTensor(c.type, {1, 1, 1, c.channels}, "gate", Quant(c.y_scale, c.y_zero + shift));
  const int out = b.AddTensor(c.type, {1, c.rows, 1, c.channels}, "out", Quant(c.out_scale, c.out_zero + shift));
  OpOptions o;
  o.activation = c.act;
  b.AddOperator(kMul, c.gate_first ? std::vector<int32_t>{y, x} : std::vector<int32_t>{x, y}, {out}, o);
  b.SetInputs(c.constant_gate ? std::vector<int32_t>{x} : std::vector<int32_t>{x, y});
  b.SetOutputs({out});
  auto model = Model::FromBytes(b.Build(), "gate mul");
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? *model : nullptr;
}

// Runs the case with labelite's MUL and with XNNPACK's operator; false (and a test failure)
// when the bytes differ.
void Compare(const Case& c, uint32_t seed, const char* want_path) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> x(static_cast<size_t>(c.rows) * c.channels), gate(static_cast<size_t>(c.channels));
  const bool all_pairs = c.rows == 256 && c.channels == 256;
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<uint8_t>(all_pairs ? i / 256 + i % 256 : rng());  // row r, channel ch: r + ch
  for (size_t ch = 0; ch < gate.size(); ++ch) gate[ch] = static_cast<uint8_t>(all_pairs ? ch : rng());
  auto model = Build(c, gate);
  ASSERT_NE(model, nullptr);
  const std::vector<std::vector<uint8_t>> inputs =
      c.constant_gate ? std::vector<std::vector<uint8_t>>{x} : std::vector<std::vector<uint8_t>>{x, gate};
  testing::IsaLevelGuard guard;
  for (xnn::IsaLevel level : testing::SupportedIsaLevels()) {
    xnn::SetIsaLimit(level);
    for (int threads : {1, 2}) {
      SCOPED_TRACE(std::string(DataTypeName(c.type)) + " " + std::to_string(c.rows) + "x" +
                   std::to_string(c.channels) + " at " + xnn::IsaLevelName(level) + ", " +
                   std::to_string(threads) + " thread(s)");
      const testing::GraphRun want = RunMul(model, &CreateXnnpackOperatorMul, threads, inputs);
      const testing::GraphRun got = RunMul(model, &CreateXnnpackMul, threads, inputs);
      ASSERT_EQ(want.paths.size(), 1u);
      ASSERT_EQ(got.paths.size(), 1u);
      EXPECT_EQ(want.paths[0], "xnnpack");
      // Below AVX2 the kernel leaves the operator to XNNPACK.
      EXPECT_EQ(got.paths[0], level >= xnn::IsaLevel::kAvx2 ? want_path : std::string("xnnpack"));
      ASSERT_EQ(got.out.size(), x.size());
      size_t differ = 0;
      for (size_t i = 0; i < x.size(); ++i) differ += got.out[i] != want.out[i];
      EXPECT_EQ(differ, 0u);
    }
  }
}

TEST(ChannelMulQ8, EveryBytePairEqualsXnnpack) {
  for (DataType t : {DataType::kInt8, DataType::kUInt8})
    for (Activation act : {Activation::kNone, Activation::kRelu6})
      Compare({t, 256, 256, 0.0627f, 1.0f / 256, 0.0311f, 11, -128, -110, act}, 1, "fast (gate)");
}

TEST(ChannelMulQ8, ShapesScalesAndActivationsEqualXnnpack) {
  std::mt19937 rng(2024);
  const Activation acts[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                             Activation::kReluN1To1};
  for (int i = 0; i < 40; ++i) {
    Case c;
    c.type = i % 2 ? DataType::kUInt8 : DataType::kInt8;
    c.rows = 1 + static_cast<int>(rng() % 70);
    c.channels = 2 + static_cast<int>(rng() % 70);  // tails around 32 and row edges inside steps
    c.x_scale = 0.001f + 0.2f * static_cast<float>(rng() % 1000) / 1000.0f;
    c.y_scale = 1.0f / 256;
    c.out_scale = c.x_scale * c.y_scale * (0.5f + static_cast<float>(rng() % 100) / 10.0f);
    c.x_zero = static_cast<int>(rng() % 256) - 128;
    c.y_zero = static_cast<int>(rng() % 256) - 128;
    c.out_zero = static_cast<int>(rng() % 256) - 128;
    c.act = acts[rng() % 4];
    c.gate_first = rng() % 2 == 0;
    Compare(c, static_cast<uint32_t>(rng()), "fast (gate)");
  }
  // Near the ends of XNNPACK's product/output scale range [2^-16, 2^8).
  Compare({DataType::kInt8, 9, 40, 0.5f, 0.5f, 0.25f * 65535.0f, 0, 0, 0}, 7, "fast (gate)");
  Compare({DataType::kUInt8, 9, 40, 1.0f, 1.0f, 1.0f / 255.0f, 3, -3, 0}, 8, "fast (gate)");
}

TEST(ChannelMulQ8, LeavesOtherFormsToXnnpack) {
  // A constant gate is a folded batch norm: the affine rows take it (not this kernel).
  Case constant{DataType::kInt8, 5, 40, 0.05f, 0.01f, 0.02f, 1, 2, 3};
  constant.constant_gate = true;
  std::vector<uint8_t> gate(40, 7), x(200, 9);
  auto model = Build(constant, gate);
  ASSERT_NE(model, nullptr);
  const testing::GraphRun got = RunMul(model, &CreateXnnpackMul, 1, {x});
  ASSERT_EQ(got.paths.size(), 1u);
  EXPECT_NE(got.paths[0], "fast (gate)");
  // A product/output scale XNNPACK refuses (above 2^8): the exact TFLite rows run instead.
  Case big{DataType::kInt8, 5, 40, 4.0f, 4.0f, 0.01f, 1, 2, 3};
  auto big_model = Build(big, gate);
  ASSERT_NE(big_model, nullptr);
  const testing::GraphRun rows = RunMul(big_model, &CreateXnnpackMul, 1, {x, gate});
  ASSERT_EQ(rows.paths.size(), 1u);
  EXPECT_EQ(rows.paths[0], "fast");  // quantized_arith.h's rows
  EXPECT_NE(rows.paths[0], "xnnpack");
}

}  // namespace
}  // namespace labelite
