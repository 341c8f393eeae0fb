// labelite's float32 ADD, SUB and MUL rows (kernels/fast/binary_f32.h) against XNNPACK's
// operators (kernels/xnnpack/binary.h, what the fast path ran before): bit for bit, in the three
// forms the rows take (same shapes, a scalar, a per-channel vector, either input the full one),
// every fused activation, values that include denormals (flushed by both), infinities and NaN,
// lengths around the 8/16-lane steps, 1 and 2 threads, at every ISA level the CPU has. Then
// the choice: the rows at AVX2 and up, XNNPACK below and for other broadcasts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/fast/binary_f32.h"
#include "kernels/fast/isa.h"
#include "kernels/registry.h"
#include "kernels/xnnpack/binary.h"
#include "runtime/interpreter.h"
#include "testing/interpreter_inputs.h"
#include "testing/model_builder.h"

namespace labelite {

std::unique_ptr<Kernel> CreateReferenceAdd();
std::unique_ptr<Kernel> CreateReferenceSub();
std::unique_ptr<Kernel> CreateReferenceMul();
std::unique_ptr<Kernel> CreateXnnpackAdd();
std::unique_ptr<Kernel> CreateXnnpackSub();
std::unique_ptr<Kernel> CreateXnnpackMul();

namespace {

using testing::ModelBuilder;
using xnn::IsaLevel;

std::unique_ptr<Kernel> XnnAdd() { return std::make_unique<xnn::BinaryKernel>(common::ArithOp::kAdd); }
std::unique_ptr<Kernel> XnnSub() { return std::make_unique<xnn::BinaryKernel>(common::ArithOp::kSub); }
std::unique_ptr<Kernel> XnnMul() { return std::make_unique<xnn::BinaryKernel>(common::ArithOp::kMul); }

struct Op {
  int32_t code;
  const char* name;
  KernelFactory reference, xnnpack, rows, registered;
};
const Op kOps[] = {
    {0, "ADD", &CreateReferenceAdd, &XnnAdd, &xnn::CreateFastAddF32, &CreateXnnpackAdd},
    {41, "SUB", &CreateReferenceSub, &XnnSub, &xnn::CreateFastSubF32, &CreateXnnpackSub},
    {18, "MUL", &CreateReferenceMul, &XnnMul, &xnn::CreateFastMulF32, &CreateXnnpackMul},
};

struct Shapes {
  std::vector<int32_t> a, b, out;
};
const Shapes kShapes[] = {
    {{1, 5, 7, 37}, {1, 5, 7, 37}, {1, 5, 7, 37}},      // same shapes
    {{1, 4, 3, 64}, {64}, {1, 4, 3, 64}},               // per-channel (batch norm)
    {{40}, {1, 6, 6, 40}, {1, 6, 6, 40}},               // the first input the vector
    {{1, 3, 3, 24}, {1, 1, 1, 24}, {1, 3, 3, 24}},      // squeeze-and-excitation gate
    {{1, 9, 9, 8}, {1}, {1, 9, 9, 8}},                  // scalar
    {{}, {3, 65}, {3, 65}},                             // scalar first input
    {{1, 56, 56, 24}, {1, 56, 56, 24}, {1, 56, 56, 24}},  // several tasks
    {{1, 28, 28, 40}, {1, 1, 1, 40}, {1, 28, 28, 40}},    // several tasks of rows
    {{15}, {15}, {15}},
    {{17}, {17}, {17}},
    {{1}, {1}, {1}},
};

int64_t Count(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

// Mostly values in [-8, 8), with denormals, zeros, infinities and a NaN mixed in.
std::vector<uint8_t> RandomFloats(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> value(-8.0f, 8.0f);
  std::uniform_int_distribution<int> pick(0, 19);
  const float specials[] = {1e-40f, -3e-39f, 0.0f, -0.0f, std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(), 1e30f, 1e-20f};
  std::vector<uint8_t> bytes(static_cast<size_t>(n) * 4);
  for (int64_t i = 0; i < n; ++i) {
    const int k = pick(rng);
    const float v = k < 9 && n > 4 ? specials[k] : value(rng);
    std::memcpy(bytes.data() + i * 4, &v, 4);
  }
  return bytes;
}

std::vector<uint8_t> BuildModel(const Op& op, const Shapes& s, Activation act) {
  ModelBuilder b;
  const int in1 = b.AddTensor(DataType::kFloat32, s.a, "a");
  const int in2 = b.AddTensor(DataType::kFloat32, s.b, "b");
  const int out = b.AddTensor(DataType::kFloat32, s.out, "out");
  OpOptions o;
  o.activation = act;
  b.AddOperator(op.code, {in1, in2}, {out}, o);
  b.SetInputs({in1, in2});
  b.SetOutputs({out});
  return b.Build();
}

using RunResult = testing::SingleOpRun;

RunResult RunOp(const std::vector<uint8_t>& model_bytes, const Op& op, KernelFactory fast,
                KernelPath path, int threads, const std::vector<std::vector<uint8_t>>& inputs) {
  return testing::RunSingleOp(model_bytes, {op.code, op.name, op.reference, fast}, path, threads,
                              inputs);
}

// Bitwise equality, NaN payloads included (both sides compute the same operation on it).
void ExpectSameBits(const std::vector<uint8_t>& got, const std::vector<uint8_t>& want) {
  ASSERT_EQ(got.size(), want.size());
  size_t mismatches = 0;
  for (size_t i = 0; i + 4 <= got.size(); i += 4) {
    if (std::memcmp(got.data() + i, want.data() + i, 4) == 0) continue;
    float g, w;
    std::memcpy(&g, got.data() + i, 4);
    std::memcpy(&w, want.data() + i, 4);
    if (++mismatches <= 5) ADD_FAILURE() << "element " << i / 4 << ": rows " << g << ", XNNPACK " << w;
  }
  EXPECT_EQ(mismatches, 0u);
}

TEST(BinaryF32, RowsEqualXnnpackBitForBit) {
  testing::IsaLevelGuard guard;
  uint32_t seed = 1;
  int runs = 0;
  for (const Op& op : kOps)
    for (const Shapes& s : kShapes)
      for (Activation act : {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                             Activation::kReluN1To1}) {
        const std::vector<uint8_t> model = BuildModel(op, s, act);
        const std::vector<std::vector<uint8_t>> inputs{RandomFloats(Count(s.a), seed),
                                                       RandomFloats(Count(s.b), seed + 1)};
        seed += 2;
        const RunResult want = RunOp(model, op, op.xnnpack, KernelPath::kFast, 1, inputs);
        ASSERT_EQ(want.path, "xnnpack");
        for (IsaLevel level : testing::SupportedIsaLevels()) {
          if (level < IsaLevel::kAvx2) continue;
          xnn::SetIsaLimit(level);
          for (int threads : {1, 2}) {
            SCOPED_TRACE(std::string(op.name) + " at " + xnn::IsaLevelName(level) + ", " +
                         std::to_string(threads) + " thread(s), activation " +
                         std::to_string(static_cast<int>(act)) + ", output elements " +
                         std::to_string(Count(s.out)));
            const RunResult got = RunOp(model, op, op.rows, KernelPath::kFast, threads, inputs);
            EXPECT_EQ(got.path, "fast");
            ExpectSameBits(got.bytes, want.bytes);
            ++runs;
          }
        }
      }
  if (runs == 0) GTEST_SKIP() << "this CPU has no AVX2: the rows never run here";
}

// The registered fast path: the rows at AVX2 and up in their three forms, XNNPACK below
// AVX2 and for a general broadcast; both equal the reference on exactly representable values.
TEST(BinaryF32, FastPathChoosesRowsOrXnnpack) {
  testing::IsaLevelGuard guard;
  const Shapes general{{2, 1, 5, 1}, {1, 3, 1, 6}, {2, 3, 5, 6}};
  for (const Op& op : kOps)
    for (IsaLevel level : testing::SupportedIsaLevels()) {
      xnn::SetIsaLimit(level);
      for (const Shapes* s : {&kShapes[1], &kShapes[4], &general}) {
        SCOPED_TRACE(std::string(op.name) + " at " + xnn::IsaLevelName(level));
        std::vector<std::vector<uint8_t>> inputs;
        for (const auto* shape : {&s->a, &s->b}) {
          std::vector<uint8_t> v(static_cast<size_t>(Count(*shape)) * 4);
          for (size_t i = 0; i < v.size() / 4; ++i) {
            const float f = static_cast<float>(i % 13) * 0.25f - 1.5f;
            std::memcpy(v.data() + i * 4, &f, 4);
          }
          inputs.push_back(v);
        }
        const std::vector<uint8_t> model = BuildModel(op, *s, Activation::kNone);
        const RunResult fast = RunOp(model, op, op.registered, KernelPath::kFast, 1, inputs);
        const bool rows = level >= IsaLevel::kAvx2 && s != &general;
        EXPECT_EQ(fast.path, rows ? "fast" : "xnnpack");
        EXPECT_EQ(fast.bytes,
                  RunOp(model, op, op.registered, KernelPath::kReference, 1, inputs).bytes);
      }
    }
}

// A MUL by a constant, then ADD / SUB / MUL with a constant (an unfolded batch norm, input
// normalization): the second operator runs both in one pass from the MUL's input and the
// interpreter skips the MUL. Every output equals the two operators run one after the other
// (the MUL on the rows, the second on XNNPACK's operator), bit for bit, with denormals,
// infinities and NaN among the inputs; at every ISA level from AVX2, 1 and 2 threads.
struct ChainCase {
  std::vector<int32_t> shape, s_shape, y_shape;
  int32_t code2;          // ADD, SUB or MUL
  bool y_first = false;   // the second operator's constant is its first input (SUB: y - t)
  bool s_first = false;   // MUL(s, z)
  Activation act1 = Activation::kNone, act2 = Activation::kNone;
  bool mul_is_output = false;  // the MUL's output is a graph output too: it still runs
};

std::shared_ptr<const Model> BuildChain(const ChainCase& c, uint32_t seed) {
  ModelBuilder b;
  auto values = [&](const std::vector<int32_t>& shape, uint32_t k) {
    std::vector<float> v(static_cast<size_t>(Count(shape)));
    std::mt19937 rng(seed + k);
    std::uniform_real_distribution<float> d(-3.0f, 3.0f);
    for (float& f : v) f = d(rng);
    if (v.size() > 2) v[1] = 0.0f, v[2] = -1e-39f;
    return v;
  };
  const int z = b.AddTensor(DataType::kFloat32, c.shape, "z");
  const int s = b.AddConstTensor(DataType::kFloat32, c.s_shape, values(c.s_shape, 1), {}, "scale");
  const int t = b.AddTensor(DataType::kFloat32, c.shape, "t");
  const int y = b.AddConstTensor(DataType::kFloat32, c.y_shape, values(c.y_shape, 2), {}, "shift");
  const int out = b.AddTensor(DataType::kFloat32, c.shape, "out");
  OpOptions o1, o2;
  o1.activation = c.act1;
  o2.activation = c.act2;
  b.AddOperator(18, c.s_first ? std::vector<int32_t>{s, z} : std::vector<int32_t>{z, s}, {t}, o1);
  b.AddOperator(c.code2, c.y_first ? std::vector<int32_t>{y, t} : std::vector<int32_t>{t, y}, {out}, o2);
  b.SetInputs({z});
  b.SetOutputs(c.mul_is_output ? std::vector<int32_t>{out, t} : std::vector<int32_t>{out});
  auto model = Model::FromBytes(b.Build(), "chain");
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? *model : nullptr;
}

TEST(BinaryF32, MulThenConstantOpRunsInOnePass) {
  testing::IsaLevelGuard guard;
  const ChainCase kCases[] = {
      {{1, 6, 6, 40}, {40}, {40}, 0, false, false, Activation::kNone, Activation::kRelu},
      {{1, 28, 28, 40}, {1, 1, 1, 40}, {40}, 0, false, true},  // several tasks
      {{1, 9, 9, 3}, {1}, {1}, 41},                            // scalars over 3 channels
      {{1, 5, 7, 37}, {37}, {1}, 41, true, false, Activation::kRelu6, Activation::kReluN1To1},
      {{1, 4, 4, 24}, {1}, {24}, 18, false, false, Activation::kRelu},
      {{1, 3, 3, 16}, {16}, {16}, 0, false, false, Activation::kNone, Activation::kRelu6, true},
      {{2, 7, 130}, {130}, {130}, 0, true},                    // rows longer than 64
  };
  uint32_t seed = 7;
  int runs = 0;
  for (const ChainCase& c : kCases) {
    auto model = BuildChain(c, seed);
    ASSERT_NE(model, nullptr);
    const std::vector<std::vector<uint8_t>> inputs{RandomFloats(Count(c.shape), seed)};
    seed += 3;
    KernelFactory unchained = c.code2 == 0 ? &XnnAdd : c.code2 == 41 ? &XnnSub : &XnnMul;
    for (IsaLevel level : testing::SupportedIsaLevels()) {
      if (level < IsaLevel::kAvx2) continue;
      xnn::SetIsaLimit(level);
      for (int threads : {1, 2}) {
        SCOPED_TRACE("op " + std::to_string(c.code2) + " over " + std::to_string(Count(c.shape)) +
                     " elements at " + xnn::IsaLevelName(level) + ", " +
                     std::to_string(threads) + " thread(s)");
        const testing::GraphRun want = testing::RunGraph(
            model, testing::FastKernelOverride(c.code2, unchained), threads, inputs);
        const testing::GraphRun got = testing::RunGraph(model, BuiltinOpResolver(), threads, inputs);
        ASSERT_EQ(got.paths.size(), 2u);
        EXPECT_EQ(got.paths[1], "fast (after MUL)");
        EXPECT_EQ(got.paths[0], c.mul_is_output ? "fast" : "skipped (unread)");
        EXPECT_NE(want.paths[1], "fast (after MUL)");
        ExpectSameBits(got.out, want.out);
        ++runs;
      }
    }
  }
  if (runs == 0) GTEST_SKIP() << "this CPU has no AVX2: the rows never run here";
}

// Not chained: the MUL's second input is not constant, the MUL broadcasts its input to the
// output's shape, or the MUL has an activation the rows do not clamp with.
TEST(BinaryF32, MulThenOpStaysTwoOperatorsOtherwise) {
  testing::IsaLevelGuard guard;
  if (xnn::DetectedIsa() < IsaLevel::kAvx2) GTEST_SKIP() << "this CPU has no AVX2: no rows";
  auto run = [](ModelBuilder& b, const std::vector<std::vector<uint8_t>>& inputs) {
    auto model = Model::FromBytes(b.Build(), "not a chain");
    EXPECT_TRUE(model.ok()) << model.status().message();
    return testing::RunGraph(*model, BuiltinOpResolver(), 1, inputs);
  };
  const std::vector<float> c8(8, 0.5f);
  {  // MUL(z, w), w a graph input
    ModelBuilder b;
    const int z = b.AddTensor(DataType::kFloat32, {1, 2, 2, 8}, "z");
    const int w = b.AddTensor(DataType::kFloat32, {8}, "w");
    const int t = b.AddTensor(DataType::kFloat32, {1, 2, 2, 8}, "t");
    const int y = b.AddConstTensor(DataType::kFloat32, {8}, c8);
    const int out = b.AddTensor(DataType::kFloat32, {1, 2, 2, 8}, "out");
    b.AddOperator(18, {z, w}, {t});
    b.AddOperator(0, {t, y}, {out});
    b.SetInputs({z, w});
    b.SetOutputs({out});
    const auto r = run(b, {RandomFloats(32, 1), RandomFloats(8, 2)});
    ASSERT_EQ(r.paths.size(), 2u);
    EXPECT_EQ(r.paths[0], "fast");
    EXPECT_EQ(r.paths[1], "fast");
  }
  {  // MUL(z [1,1,1,8], s [1,2,2,8]): z is not of the output's shape
    ModelBuilder b;
    const int z = b.AddTensor(DataType::kFloat32, {1, 1, 1, 8}, "z");
    const int s = b.AddConstTensor(DataType::kFloat32, {1, 2, 2, 8}, std::vector<float>(32, 2.0f));
    const int t = b.AddTensor(DataType::kFloat32, {1, 2, 2, 8}, "t");
    const int y = b.AddConstTensor(DataType::kFloat32, {8}, c8);
    const int out = b.AddTensor(DataType::kFloat32, {1, 2, 2, 8}, "out");
    b.AddOperator(18, {z, s}, {t});
    b.AddOperator(0, {t, y}, {out});
    b.SetInputs({z});
    b.SetOutputs({out});
    const auto r = run(b, {RandomFloats(8, 3)});
    ASSERT_EQ(r.paths.size(), 2u);
    EXPECT_EQ(r.paths[1], "fast");
    EXPECT_NE(r.paths[0], "skipped (unread)");
  }
}

}  // namespace
}  // namespace labelite
