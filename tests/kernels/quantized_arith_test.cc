// labelite's own quantized ADD, SUB and MUL (kernels/fast/quantized_arith.h: the full kernel,
// xnn::CreateFastQuantized*) against the reference kernels (TFLite's builtin integer
// arithmetic, the oracle): byte for byte, for int8 and uint8,
// every fused activation with a quantized range, scales inside and outside XNNPACK's range
// (multipliers with a left shift, and one flushed to zero), same shapes, trailing vectors,
// scalars, other 4-D broadcasts (either input broadcast), constant second inputs (DenseNet's
// folded batch norms), lengths around the 8/16/64-element steps, 1 and 2 threads, at every
// ISA level the CPU has (xnn::SetIsaLimit). Then the fast path's choice among the affine
// pieces, XNNPACK and the full kernel (xnnpack/add.cc). Float32 is binary_f32_test.cc's.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "kernels/fast/isa.h"
#include "kernels/fast/quantized_arith.h"
#include "runtime/interpreter.h"
#include "testing/interpreter_inputs.h"
#include "testing/model_builder.h"

namespace labelite {

#define DECLARE_KERNELS(stem)                       \
  std::unique_ptr<Kernel> CreateReference##stem(); \
  std::unique_ptr<Kernel> CreateXnnpack##stem();
DECLARE_KERNELS(Add)
DECLARE_KERNELS(Sub)
DECLARE_KERNELS(Mul)
#undef DECLARE_KERNELS

namespace {

using testing::ModelBuilder;
using testing::Quant;
using xnn::IsaLevel;

struct Op {
  int32_t code;
  const char* name;
  KernelFactory reference, fast;
};
const Op kAdd{0, "ADD", &CreateReferenceAdd, &xnn::CreateFastQuantizedAdd};
const Op kSub{41, "SUB", &CreateReferenceSub, &xnn::CreateFastQuantizedSub};
const Op kMul{18, "MUL", &CreateReferenceMul, &xnn::CreateFastQuantizedMul};
const Op* const kOps[] = {&kAdd, &kSub, &kMul};
// The registered fast path.
const Op kFastAdd{0, "ADD", &CreateReferenceAdd, &CreateXnnpackAdd};
const Op kFastSub{41, "SUB", &CreateReferenceSub, &CreateXnnpackSub};
const Op kFastMul{18, "MUL", &CreateReferenceMul, &CreateXnnpackMul};
const Op* const kFastOps[] = {&kFastAdd, &kFastSub, &kFastMul};

struct QuantSet {
  float s1, s2, so;
  int z1, z2, zo;  // int8 zero points; uint8 adds 128
};
// Ordinary scales, and ratios XNNPACK refuses (ADD: s/so outside [2^-10, 2^8); MUL:
// s1*s2/so outside [2^-16, 2^8)), a MUL multiplier with a left shift (ratio 40) and one that
// QuantizeMultiplier flushes to zero.
const QuantSet kQuants[] = {
    {0.031f, 0.017f, 0.042f, 7, -20, -3},   {0.5f, 0.5f, 0.004f, -128, 127, 0},
    {0.0001f, 0.3f, 0.35f, 0, -5, 12},      {2.0f, 0.01f, 0.0005f, 100, -100, -128},
    {1.0f, 2.0f, 0.05f, 3, 9, 127},         {1e-6f, 1e-6f, 1.0f, 1, 2, 3},
    {0.02f, 0.02f, 0.02f, -1, -1, -1},
};

struct Shapes {
  std::vector<int32_t> a, b, out;
};
const Shapes kShapes[] = {
    {{1, 5, 7, 37}, {1, 5, 7, 37}, {1, 5, 7, 37}},  // same shapes, flat tail
    {{1, 4, 3, 64}, {64}, {1, 4, 3, 64}},           // trailing vector (batch norm)
    {{40}, {1, 6, 6, 40}, {1, 6, 6, 40}},           // first input the vector
    {{1, 3, 3, 24}, {1, 1, 1, 24}, {1, 3, 3, 24}},  // squeeze-excite scaling
    {{1, 9, 9, 8}, {1}, {1, 9, 9, 8}},              // scalar
    {{}, {3, 65}, {3, 65}},                         // scalar first input
    {{1, 1, 7, 17}, {2, 5, 7, 17}, {2, 5, 7, 17}},  // a trailing block of the second input
    {{2, 1, 5, 1}, {1, 3, 1, 6}, {2, 3, 5, 6}},     // general, both broadcast
    {{2, 3, 4, 1}, {2, 3, 4, 15}, {2, 3, 4, 15}},   // general, broadcast along the row
    {{3, 1}, {1, 1}, {3, 1}},                       // rows of one element
    {{1}, {1}, {1}},
    {{63}, {63}, {63}},
    {{65}, {65}, {65}},
    {{2, 129}, {129}, {2, 129}},
};

int64_t Count(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

std::vector<uint8_t> RandomBytes(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<uint8_t> v(static_cast<size_t>(n));
  for (uint8_t& b : v) b = static_cast<uint8_t>(byte(rng));
  // The extremes first, where the values saturate.
  const uint8_t extremes[] = {0, 255, 127, 128};
  for (size_t i = 0; i < v.size() && i < 4; ++i) v[i] = extremes[i];
  return v;
}

struct Case {
  const Op* op;
  DataType type;
  Shapes shapes;
  QuantSet q;
  Activation act = Activation::kNone;
  bool b_constant = false;
  int threads = 1;
};

std::vector<uint8_t> BuildModel(const Case& c, const std::vector<uint8_t>& b_bytes) {
  const int shift = c.type == DataType::kUInt8 ? 128 : 0;
  ModelBuilder b;
  const int in1 = b.AddTensor(c.type, c.shapes.a, "a", Quant(c.q.s1, c.q.z1 + shift));
  const int in2 = c.b_constant
                      ? b.AddConstTensorBytes(c.type, c.shapes.b, b_bytes,
                                              Quant(c.q.s2, c.q.z2 + shift))
                      : b.AddTensor(c.type, c.shapes.b, "b", Quant(c.q.s2, c.q.z2 + shift));
  const int out = b.AddTensor(c.type, c.shapes.out, "out", Quant(c.q.so, c.q.zo + shift));
  OpOptions o;
  o.activation = c.act;
  b.AddOperator(c.op->code, {in1, in2}, {out}, o);
  if (c.b_constant) b.SetInputs({in1});
  else b.SetInputs({in1, in2});
  b.SetOutputs({out});
  return b.Build();
}

using RunResult = testing::SingleOpRun;

RunResult RunModel(const std::vector<uint8_t>& model_bytes, const Op& op, KernelPath path,
                   int threads, const std::vector<std::vector<uint8_t>>& inputs) {
  return testing::RunSingleOp(model_bytes, {op.code, op.name, op.reference, op.fast}, path,
                              threads, inputs);
}

// Reference once, then the fast path at every ISA level: byte for byte, and path "fast" or,
// with a constant broadcast input, "fast (affine)" when the fit succeeded. Counts the affine
// runs in *affine_runs.
void ExpectExact(const Case& c, uint32_t seed, int* affine_runs = nullptr) {
  testing::IsaLevelGuard guard;
  const std::vector<uint8_t> a = RandomBytes(Count(c.shapes.a), seed);
  const std::vector<uint8_t> b = RandomBytes(Count(c.shapes.b), seed + 1);
  const std::vector<uint8_t> model = BuildModel(c, b);
  std::vector<std::vector<uint8_t>> inputs{a};
  if (!c.b_constant) inputs.push_back(b);
  const RunResult ref = RunModel(model, *c.op, KernelPath::kReference, 1, inputs);
  ASSERT_EQ(ref.path, "reference");
  ASSERT_EQ(static_cast<int64_t>(ref.bytes.size()), Count(c.shapes.out));
  for (IsaLevel level : testing::SupportedIsaLevels()) {
    SCOPED_TRACE(std::string(c.op->name) + " " + std::string(DataTypeName(c.type)) +
                 " at ISA level " + xnn::IsaLevelName(level) + ", activation " +
                 std::to_string(static_cast<int>(c.act)) + ", scales " + std::to_string(c.q.s1) +
                 " " + std::to_string(c.q.s2) + " " + std::to_string(c.q.so) +
                 (c.b_constant ? ", constant b" : "") + ", threads " + std::to_string(c.threads));
    xnn::SetIsaLimit(level);
    const RunResult fast = RunModel(model, *c.op, KernelPath::kFast, c.threads, inputs);
    if (c.b_constant && fast.path == "fast (affine)") {
      if (affine_runs != nullptr) ++*affine_runs;
    } else {
      EXPECT_EQ(fast.path, "fast");
    }
    ASSERT_EQ(fast.bytes.size(), ref.bytes.size());
    size_t mismatches = 0;
    for (size_t i = 0; i < ref.bytes.size(); ++i)
      if (fast.bytes[i] != ref.bytes[i] && ++mismatches <= 5)
        ADD_FAILURE() << "byte " << i << ": fast " << int{fast.bytes[i]} << ", reference "
                      << int{ref.bytes[i]};
    EXPECT_EQ(mismatches, 0u);
  }
}

TEST(QuantizedArith, EveryShapeAndQuantizationIsBitIdentical) {
  uint32_t seed = 1;
  for (const Op* op : kOps)
    for (DataType t : {DataType::kInt8, DataType::kUInt8})
      for (const QuantSet& q : kQuants)
        for (const Shapes& s : kShapes) ExpectExact({op, t, s, q}, seed += 2);
}

TEST(QuantizedArith, EveryActivationIsBitIdentical) {
  uint32_t seed = 1000;
  const Shapes shapes[] = {kShapes[0], kShapes[1], kShapes[4], kShapes[7]};
  for (const Op* op : kOps)
    for (DataType t : {DataType::kInt8, DataType::kUInt8})
      for (Activation act : {Activation::kRelu, Activation::kRelu6, Activation::kReluN1To1})
        for (const QuantSet& q : {kQuants[0], kQuants[1], kQuants[4]})
          for (const Shapes& s : shapes) ExpectExact({op, t, s, q, act}, seed += 2);
}

TEST(QuantizedArith, ConstantSecondInputsAreBitIdentical) {
  // DenseNet's folded batch norm: [1,H,W,C] times, then plus, a constant [C] vector; these all
  // fit the affine pieces (the test asks for more than half, so that a fit that stops working
  // shows).
  uint32_t seed = 2000;
  int affine_runs = 0, runs = 0;
  const Shapes shapes[] = {kShapes[1], kShapes[3], kShapes[4], kShapes[13],
                           {{1, 7, 7, 1024}, {1024}, {1, 7, 7, 1024}}};
  for (const Op* op : kOps)
    for (DataType t : {DataType::kInt8, DataType::kUInt8})
      for (Activation act : {Activation::kNone, Activation::kRelu})
        for (const QuantSet& q : kQuants)
          for (const Shapes& s : shapes) {
            ExpectExact({op, t, s, q, act, true}, seed += 2, &affine_runs);
            runs += static_cast<int>(testing::SupportedIsaLevels().size());
          }
  EXPECT_GT(affine_runs, runs / 2) << affine_runs << " of " << runs << " runs were affine";
  ::testing::Test::RecordProperty("affine_runs", std::to_string(affine_runs) + " of " +
                                                     std::to_string(runs));
}

// Every byte value of the first input meets every element of the constant [C] vector: the
// affine pieces are checked on all 256 x C pairs.
TEST(QuantizedArith, AffinePiecesAreExactOnEveryByte) {
  testing::IsaLevelGuard guard;
  const int32_t channels = 37;
  const Shapes shapes{{1, 256, channels}, {channels}, {1, 256, channels}};
  std::vector<uint8_t> a(256 * channels);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = static_cast<uint8_t>(i / channels + 7 * (i % channels));
  for (const Op* op : kOps)
    for (DataType t : {DataType::kInt8, DataType::kUInt8})
      for (Activation act : {Activation::kNone, Activation::kRelu6})
        for (const QuantSet& q : kQuants) {
          const Case c{op, t, shapes, q, act, true};
          const std::vector<uint8_t> b = RandomBytes(channels, 77);
          const std::vector<uint8_t> model = BuildModel(c, b);
          const RunResult ref = RunModel(model, *op, KernelPath::kReference, 1, {a});
          for (IsaLevel level : testing::SupportedIsaLevels()) {
            SCOPED_TRACE(std::string(op->name) + " " + std::string(DataTypeName(t)) + " at " +
                         xnn::IsaLevelName(level) + ", scales " + std::to_string(q.s1) + " " +
                         std::to_string(q.s2) + " " + std::to_string(q.so));
            xnn::SetIsaLimit(level);
            const RunResult fast = RunModel(model, *op, KernelPath::kFast, 1, {a});
            EXPECT_EQ(fast.path, "fast (affine)");
            EXPECT_EQ(fast.bytes, ref.bytes);
          }
        }
}

TEST(QuantizedArith, TwoThreadsAreBitIdentical) {
  // Large enough to be split into chunks over the pool.
  uint32_t seed = 3000;
  const Shapes shapes[] = {{{1, 56, 56, 24}, {1, 56, 56, 24}, {1, 56, 56, 24}},
                           {{1, 56, 56, 40}, {1, 1, 1, 40}, {1, 56, 56, 40}},
                           {{1, 112, 112, 3}, {1}, {1, 112, 112, 3}}};
  for (const Op* op : kOps)
    for (const Shapes& s : shapes)
      for (bool constant : {false, true}) {
        int affine_runs = 0;
        ExpectExact({op, DataType::kInt8, s, kQuants[0], Activation::kNone, constant, 2},
                    seed += 2, &affine_runs);
        if (constant && Count(s.b) < Count(s.out)) {
          EXPECT_GT(affine_runs, 0) << op->name;
        }
      }
}

// The fast path: affine pieces for a constant vector (AVX2 and up), XNNPACK for the rest
// within its limits, the full kernel (exact) for what XNNPACK refuses.
TEST(QuantizedArith, FastPathChoosesAffineXnnpackOrRows) {
  testing::IsaLevelGuard guard;
  const Shapes vector{{1, 4, 3, 64}, {64}, {1, 4, 3, 64}};
  for (const Op* op : kFastOps) {
    for (IsaLevel level : testing::SupportedIsaLevels()) {
      SCOPED_TRACE(std::string(op->name) + " at " + xnn::IsaLevelName(level));
      xnn::SetIsaLimit(level);
      const Case constant{op, DataType::kInt8, vector, kQuants[0], Activation::kNone, true};
      const std::vector<uint8_t> a = RandomBytes(Count(vector.a), 5);
      const std::vector<uint8_t> b = RandomBytes(Count(vector.b), 6);
      const std::vector<uint8_t> m1 = BuildModel(constant, b);
      const RunResult affine = RunModel(m1, *op, KernelPath::kFast, 1, {a});
      EXPECT_EQ(affine.path, level >= IsaLevel::kAvx2 ? "fast (affine)" : "xnnpack");
      if (level >= IsaLevel::kAvx2) {
        EXPECT_EQ(affine.bytes, RunModel(m1, *op, KernelPath::kReference, 1, {a}).bytes);
      }
      Case ordinary = constant;
      ordinary.b_constant = false;
      // A gate that is not a constant: MUL's per-channel rows in XNNPACK's arithmetic
      // (fast/channel_mul_q8.h, tested in channel_mul_q8_test.cc) from AVX2 on, else XNNPACK.
      const bool gate = std::string(op->name) == "MUL" && level >= IsaLevel::kAvx2;
      EXPECT_EQ(RunModel(BuildModel(ordinary, b), *op, KernelPath::kFast, 1, {a, b}).path,
                gate ? "fast (gate)" : "xnnpack");
      Case refused = ordinary;
      refused.q = kQuants[5];  // ADD: 1e-6 / 1 < 2^-10; MUL: 1e-12 / 1 < 2^-16
      const std::vector<uint8_t> m3 = BuildModel(refused, b);
      const RunResult rows = RunModel(m3, *op, KernelPath::kFast, 1, {a, b});
      EXPECT_EQ(rows.path, "fast");
      EXPECT_EQ(rows.bytes, RunModel(m3, *op, KernelPath::kReference, 1, {a, b}).bytes);
    }
  }
}

}  // namespace
}  // namespace labelite
