// labelite's float32 sigmoid rows (kernels/x86/sigmoid_f32_x86.h) and the kernels on them
// (kernels/fast/swish_f32.h: LOGISTIC, and MUL(x, LOGISTIC(x)) in one pass) against what the
// fast path ran before: XNNPACK's sigmoid operator, then labelite's MUL rows. Bit for bit:
//   - the rows on every 61st float bit pattern (all exponents, both signs, denormals, infinities,
//     NaNs) and on dense windows around 0, the saturation points and the cut-offs; every bit
//     pattern when LABELITE_SIGMOID_EXHAUSTIVE=1 (2^32 values, 16-20 s per kernel);
//   - the kernels in graphs: lengths around the 8/16-lane steps and the task size, every fused
//     activation, either input order, 1 and 2 threads, at every ISA level the CPU has, with the
//     LOGISTIC skipped when only the swish read it;
//   - EfficientNet-B0 float from the zoo cache: the same output bytes with and without.
// XNNPACK picks its sigmoid kernel from cpuinfo (AVX-512F, else AVX2): this file also runs in
// kernels_avx2_xnnpack_tests (hide_avx512_main.cc), whose cpuinfo hides AVX-512 before XNNPACK
// starts, so the AVX2 rows meet XNNPACK's AVX2 kernel on AVX-512 machines too.
#include <cpuinfo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/fast/binary_f32.h"
#include "kernels/fast/first_supported.h"
#include "kernels/fast/isa.h"
#include "kernels/registry.h"
#include "kernels/x86/binary_f32_x86.h"
#include "kernels/x86/denormals.h"
#include "kernels/x86/sigmoid_f32_x86.h"
#include "kernels/xnnpack/binary.h"
#include "kernels/xnnpack/unary.h"
#include "runtime/interpreter.h"
#include "testing/interpreter_inputs.h"
#include "testing/model_builder.h"
#include "testing/testdata.h"

namespace labelite {

std::unique_ptr<Kernel> CreateXnnpackMul();

namespace {

using testing::ModelBuilder;
using xnn::IsaLevel;

constexpr int32_t kLogistic = 14, kMul = 18;

// Which XNNPACK sigmoid kernel runs here (XNNPACK's init reads the same cpuinfo bits).
enum class XnnSigmoid { kAvx512f, kAvx2, kOther };
XnnSigmoid XnnpackSigmoid() {
  if (!cpuinfo_initialize()) return XnnSigmoid::kOther;
  if (cpuinfo_has_x86_avx512f()) return XnnSigmoid::kAvx512f;
  return cpuinfo_has_x86_avx2() ? XnnSigmoid::kAvx2 : XnnSigmoid::kOther;
}

// Whether the fast kernels run at `level`: the rows of XNNPACK's kernel, within the level.
bool FastAt(IsaLevel level) {
  switch (XnnpackSigmoid()) {
    case XnnSigmoid::kAvx512f: return level >= IsaLevel::kAvx512;
    case XnnSigmoid::kAvx2: return level >= IsaLevel::kAvx2;
    case XnnSigmoid::kOther: return false;
  }
  return false;
}

float FromBits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
uint32_t Bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// XNNPACK's float sigmoid operator (what the fast path's LOGISTIC ran before): the oracle.
class XnnSigmoidKernel final : public xnn::UnaryKernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    LABELITE_RETURN_IF_ERROR(PrepareShape(ctx));
    xnn_operator_t op = nullptr;
    const size_t c = channels_;
    return Finish(ctx, xnn_create_sigmoid_nc_f32(c, c, c, 0, &op), &op,
                  &xnn::SetupAs<float, float, xnn_setup_sigmoid_nc_f32>, "xnn_create_sigmoid_nc_f32");
  }
};
std::unique_ptr<Kernel> CreateXnnSigmoid() { return std::make_unique<XnnSigmoidKernel>(); }

// XNNPACK's sigmoid over a whole buffer (one operator per size, run on the caller's thread).
void XnnSigmoidRun(const std::vector<float>& in, std::vector<float>* out) {
  ASSERT_EQ(xnn_initialize(nullptr), xnn_status_success);
  xnn_operator_t op = nullptr;
  const size_t n = in.size();
  ASSERT_EQ(xnn_create_sigmoid_nc_f32(n, n, n, 0, &op), xnn_status_success);
  out->resize(n);
  EXPECT_EQ(xnn_setup_sigmoid_nc_f32(op, 1, in.data(), out->data(), nullptr), xnn_status_success);
  EXPECT_EQ(xnn_run_operator(op, nullptr), xnn_status_success);
  xnn_delete_operator(op);
}

// The fused activations' clamp ranges (xnn_common's ActivationRange: NONE, RELU, RELU_N1_TO_1,
// RELU6).
constexpr float kInf = std::numeric_limits<float>::infinity();
const float kClamps[][2] = {{-kInf, kInf}, {0.0f, kInf}, {-1.0f, 1.0f}, {0.0f, 6.0f}};

// Compares the rows with XNNPACK's sigmoid and, for the swish, with the MUL rows over it.
struct RowChecker {
  void (*sigmoid)(const float*, float*, size_t);
  void (*swish)(const float*, float*, size_t, float, float);
  void (*mul)(xnn::BinaryF32Op, const float*, const float*, bool, float*, size_t, float, float);
  uint64_t mismatches = 0;

  void Check(const std::vector<float>& x) {
    std::vector<float> want, got(x.size()), want_swish(x.size()), got_swish(x.size());
    XnnSigmoidRun(x, &want);
    xnn::DenormalsFlushed flushed;
    sigmoid(x.data(), got.data(), x.size());
    Compare("sigmoid", x, want, got);
    for (const auto& c : kClamps) {
      mul(xnn::BinaryF32Op::kMul, x.data(), want.data(), false, want_swish.data(), x.size(), c[0], c[1]);
      swish(x.data(), got_swish.data(), x.size(), c[0], c[1]);
      Compare("swish", x, want_swish, got_swish);
    }
  }
  void Compare(const char* what, const std::vector<float>& x, const std::vector<float>& want,
               const std::vector<float>& got) {
    if (std::memcmp(want.data(), got.data(), want.size() * 4) == 0) return;
    for (size_t i = 0; i < x.size(); ++i) {
      if (Bits(want[i]) == Bits(got[i])) continue;
      if (++mismatches <= 8)
        ADD_FAILURE() << what << " of bits 0x" << std::hex << Bits(x[i]) << ": rows 0x" << Bits(got[i])
                      << ", XNNPACK 0x" << Bits(want[i]);
    }
  }
};

bool MakeRowChecker(RowChecker* c) {
  switch (XnnpackSigmoid()) {
    case XnnSigmoid::kAvx512f:
      *c = {&xnn::SigmoidRowF32Avx512, &xnn::SwishRowF32Avx512, &xnn::BinaryRowF32Avx512};
      return true;
    case XnnSigmoid::kAvx2:
      *c = {&xnn::SigmoidRowF32Avx2, &xnn::SwishRowF32Avx2, &xnn::BinaryRowF32Avx2};
      return true;
    case XnnSigmoid::kOther: return false;
  }
  return false;
}

// XNNPACK's choice is the one cpuinfo names: on 0x1.BFFE56p-23 its two x86 kernels differ
// (0.5 and the next float up), so this fails if the rows follow the wrong kernel.
TEST(SigmoidF32, XnnpackRunsTheKernelCpuinfoNames) {
  const XnnSigmoid k = XnnpackSigmoid();
  if (k == XnnSigmoid::kOther) GTEST_SKIP() << "XNNPACK's sigmoid here is not an x86 AVX2+ kernel";
  std::vector<float> out;
  XnnSigmoidRun({FromBits(0x345FFF2B)}, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Bits(out[0]), k == XnnSigmoid::kAvx512f ? 0x3F000001u : 0x3F000000u)
      << (k == XnnSigmoid::kAvx512f ? "AVX-512F" : "AVX2");
}

// Every `stride`-th bit pattern (all of them with LABELITE_SIGMOID_EXHAUSTIVE=1), then dense
// windows: around +-0 and the denormals, sigmoid's saturation (|x| near 17.3: f rounds to 1;
// 87.3 and 88.7: e leaves the normal range, the AVX2 kernel's cut-off -0x1.5D589Ep6), 103.3
// and the largest floats.
TEST(SigmoidF32, RowsEqualXnnpackOnFloatBitPatterns) {
  RowChecker checker{};
  if (!MakeRowChecker(&checker)) GTEST_SKIP() << "XNNPACK's sigmoid here is not an x86 AVX2+ kernel";
  const char* env = std::getenv("LABELITE_SIGMOID_EXHAUSTIVE");
  const uint64_t stride = env != nullptr && std::string(env) == "1" ? 1 : 61;
  constexpr size_t kChunk = size_t{1} << 20;
  std::vector<float> x;
  x.reserve(kChunk);
  for (uint64_t b = 0; b < (uint64_t{1} << 32); b += stride) {
    x.push_back(FromBits(static_cast<uint32_t>(b)));
    if (x.size() == kChunk) {
      checker.Check(x);
      x.clear();
    }
  }
  const float centers[] = {0.0f, 17.328679f, 16.635532f, 87.336548f, 87.33654f, 0x1.5D589Ep6f,
                           88.72283f, 103.27893f, std::numeric_limits<float>::max()};
  for (float c : centers)
    for (float sign : {1.0f, -1.0f})
      for (int32_t d = -20000; d <= 20000; ++d)
        x.push_back(FromBits(Bits(sign * c) + static_cast<uint32_t>(d)));  // wraps at 0
  for (uint32_t b = 0; b < 0x10000; ++b) {  // positive denormals; the largest negative ones
    x.push_back(FromBits(b * 61));
    x.push_back(FromBits(0x80000000u | (0x00800000u - b)));
  }
  checker.Check(x);
  EXPECT_EQ(checker.mismatches, 0u);
}

// Mostly values in [-20, 20), with the special values of the pattern test mixed in.
std::vector<uint8_t> Floats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> value(-20.0f, 20.0f);
  const float specials[] = {0.0f, -0.0f, 1e-40f, -3e-39f, kInf, -kInf,
                            std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
                            17.33f, -17.33f, -87.34f, -0x1.5D589Ep6f, 88.8f, -88.8f, 1e-20f, -6.0f};
  constexpr size_t kSpecials = sizeof(specials) / sizeof(specials[0]);
  std::vector<uint8_t> bytes(n * 4);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t r = rng();
    float v = value(rng);
    if (r % 8 == 0) v = specials[(r >> 3) % kSpecials];
    if (r % 8 == 1) v = FromBits(rng());  // any bit pattern
    std::memcpy(bytes.data() + i * 4, &v, 4);
  }
  return bytes;
}

// MUL without the swish, as the fast path chose before: the rows, else XNNPACK.
std::unique_ptr<Kernel> XnnMul() { return std::make_unique<xnn::BinaryKernel>(common::ArithOp::kMul); }
std::unique_ptr<Kernel> UnfusedMul() {
  return std::make_unique<xnn::FirstSupportedKernel>(&xnn::CreateFastMulF32, &XnnMul);
}

// The builtin resolver, or (oracle) with LOGISTIC on XNNPACK and MUL unfused.
class SwishResolver : public OpResolver {
 public:
  explicit SwishResolver(bool oracle) {
    logistic_ = *BuiltinOpResolver().Find(kLogistic);
    mul_ = *BuiltinOpResolver().Find(kMul);
    if (oracle) {
      logistic_.xnnpack = &CreateXnnSigmoid;
      mul_.xnnpack = &UnfusedMul;
    }
  }
  const KernelRegistration* Find(int32_t code) const override {
    if (code == kLogistic) return &logistic_;
    return code == kMul ? &mul_ : BuiltinOpResolver().Find(code);
  }

 private:
  KernelRegistration logistic_, mul_;
};

using RunOutput = testing::GraphRun;

RunOutput RunGraph(std::shared_ptr<const Model> model, bool oracle, int threads,
                   const std::vector<std::vector<uint8_t>>& inputs) {
  return testing::RunGraph(model, SwishResolver(oracle), threads, inputs);
}

struct Graph {
  bool gate_first = false;      // MUL(LOGISTIC(x), x)
  bool gate_of_other = false;   // MUL(y, LOGISTIC(x)): not a swish
  bool gate_is_output = false;  // the sigmoid is a graph output too
  bool no_mul = false;          // LOGISTIC alone
  Activation act = Activation::kNone;
};

std::shared_ptr<const Model> Build(const Graph& c, const std::vector<int32_t>& shape) {
  ModelBuilder b;
  const int x = b.AddTensor(DataType::kFloat32, shape, "x");
  const int g = b.AddTensor(DataType::kFloat32, shape, "sigmoid");
  b.AddOperator(kLogistic, {x}, {g}, OpOptions{});
  std::vector<int32_t> inputs{x}, outputs{g};
  if (!c.no_mul) {
    const int y = c.gate_of_other ? b.AddTensor(DataType::kFloat32, shape, "y") : x;
    const int out = b.AddTensor(DataType::kFloat32, shape, "out");
    OpOptions o;
    o.activation = c.act;
    b.AddOperator(kMul, c.gate_first ? std::vector<int32_t>{g, y} : std::vector<int32_t>{y, g},
                  {out}, o);
    if (c.gate_of_other) inputs.push_back(y);
    outputs = c.gate_is_output ? std::vector<int32_t>{out, g} : std::vector<int32_t>{out};
  }
  b.SetInputs(inputs);
  b.SetOutputs(outputs);
  auto model = Model::FromBytes(b.Build(), "swish");
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? *model : nullptr;
}

TEST(SwishF32, EqualsXnnpackSigmoidThenMulRows) {
  testing::IsaLevelGuard guard;
  const std::vector<std::vector<int32_t>> shapes = {
      {1}, {7}, {8}, {9}, {15}, {16}, {17}, {1, 31}, {1, 33}, {2, 32}, {1, 63}, {1, 65},
      {1, 127}, {1, 129}, {8191}, {1, 8193}, {1, 5, 7, 37}, {1, 56, 56, 24}};
  const Activation acts[] = {Activation::kNone, Activation::kRelu, Activation::kReluN1To1,
                             Activation::kRelu6};
  uint32_t seed = 1;
  for (const auto& shape : shapes) {
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    const std::vector<uint8_t> x = Floats(static_cast<size_t>(n), seed++);
    for (int a = 0; a < 4; ++a) {
      Graph c;
      c.act = acts[a];
      c.gate_first = (seed + static_cast<uint32_t>(a)) % 2 == 0;
      auto model = Build(c, shape);
      ASSERT_NE(model, nullptr);
      const RunOutput want = RunGraph(model, /*oracle=*/true, 1, {x});
      ASSERT_EQ(want.paths.size(), 2u);
      EXPECT_EQ(want.paths[0], "xnnpack");
      for (IsaLevel level : testing::SupportedIsaLevels()) {
        xnn::SetIsaLimit(level);
        for (int threads : {1, 2}) {
          SCOPED_TRACE("elements " + std::to_string(n) + ", activation " + std::to_string(a) +
                       ", gate first " + std::to_string(c.gate_first) + " at " +
                       xnn::IsaLevelName(level) + ", " + std::to_string(threads) + " thread(s)");
          const RunOutput got = RunGraph(model, /*oracle=*/false, threads, {x});
          ASSERT_EQ(got.paths.size(), 2u);
          if (FastAt(level)) {
            EXPECT_EQ(got.paths[0], "skipped (unread)");
            EXPECT_EQ(got.paths[1], "fast (swish)");
          } else {
            EXPECT_EQ(got.paths[0], "xnnpack");
            EXPECT_EQ(got.paths[1], level >= IsaLevel::kAvx2 ? "fast" : "xnnpack");
          }
          ASSERT_EQ(got.out.size(), x.size());
          EXPECT_EQ(got.out, want.out);
        }
      }
    }
  }
}

// LOGISTIC alone, and a sigmoid that is also a graph output: it runs on the rows (the swish
// still serves the MUL); every output equals XNNPACK's.
TEST(SwishF32, LogisticOnTheRowsEqualsXnnpack) {
  testing::IsaLevelGuard guard;
  for (bool no_mul : {true, false}) {
    Graph c;
    c.no_mul = no_mul;
    c.gate_is_output = !no_mul;
    for (const std::vector<int32_t>& shape :
         {std::vector<int32_t>{1, 3, 3, 40}, std::vector<int32_t>{1, 28, 28, 40}}) {
      auto model = Build(c, shape);
      ASSERT_NE(model, nullptr);
      const std::vector<uint8_t> x = Floats(static_cast<size_t>(shape[1] * shape[2] * 40), 77);
      const RunOutput want = RunGraph(model, /*oracle=*/true, 1, {x});
      for (IsaLevel level : testing::SupportedIsaLevels()) {
        xnn::SetIsaLimit(level);
        for (int threads : {1, 2}) {
          SCOPED_TRACE(std::string(no_mul ? "LOGISTIC alone" : "swish + sigmoid output") + " at " +
                       xnn::IsaLevelName(level) + ", " + std::to_string(threads) + " thread(s)");
          const RunOutput got = RunGraph(model, /*oracle=*/false, threads, {x});
          ASSERT_EQ(got.paths.size(), no_mul ? 1u : 2u);
          EXPECT_EQ(got.paths[0], FastAt(level) ? "fast" : "xnnpack");
          if (!no_mul) {
            EXPECT_EQ(got.paths[1], FastAt(level)                ? "fast (swish)"
                                    : level >= IsaLevel::kAvx2 ? "fast"
                                                               : "xnnpack");
          }
          ASSERT_EQ(got.out.size(), x.size() * (no_mul ? 1 : 2));
          EXPECT_EQ(got.out, want.out);
        }
      }
    }
  }
}

// Not a swish: the gate reads another tensor (the MUL rows take it).
TEST(SwishF32, RefusesOtherPatterns) {
  Graph c;
  c.gate_of_other = true;
  auto model = Build(c, {1, 4, 4, 8});
  ASSERT_NE(model, nullptr);
  const std::vector<uint8_t> x = Floats(128, 5), y = Floats(128, 6);
  const RunOutput got = RunGraph(model, /*oracle=*/false, 1, {x, y});
  ASSERT_EQ(got.paths.size(), 2u);
  EXPECT_EQ(got.paths[0], FastAt(xnn::ActiveIsa()) ? "fast" : "xnnpack");
  EXPECT_EQ(got.paths[1], xnn::ActiveIsa() >= IsaLevel::kAvx2 ? "fast" : "xnnpack");
  EXPECT_EQ(got.out, RunGraph(model, /*oracle=*/true, 1, {x, y}).out);
}

// The zoo's EfficientNet-B0 float (tests/zoo/generate.py's cache): 49 of its 65 MULs are
// swish. The whole model gives the same bytes with and without the swish and the sigmoid rows,
// the interpreter skips the 49 LOGISTICs only the swish would have read, and the swish runs
// inside the convolution before it (Interpreter::FuseOutputFunctions) wherever that is one of
// labelite's: all but the stem's, which XNNPACK runs at AVX-512.
TEST(SwishF32, EfficientNetB0FromTheZooIsUnchanged) {
  const char* file = "efficientnet_b0.float32.tflite";
  const std::string path = testing::ZooModelPath(file);
  if (path.empty()) GTEST_SKIP() << file << " is not in the zoo cache (run scripts/zoo.sh first)";
  if (!FastAt(xnn::ActiveIsa())) GTEST_SKIP() << "the sigmoid rows do not run at this ISA level";
  auto model = Model::FromFile(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const SubgraphSpec& g = (*model)->main_subgraph();
  ASSERT_EQ(g.inputs.size(), 1u);
  size_t n = 1;
  for (int32_t d : g.tensors[static_cast<size_t>(g.inputs[0])].shape) n *= static_cast<size_t>(d);
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  std::vector<uint8_t> image(n * 4);
  for (size_t i = 0; i < n; ++i) {
    const float v = value(rng);
    std::memcpy(image.data() + i * 4, &v, 4);
  }
  const RunOutput want = RunGraph(*model, /*oracle=*/true, 1, {image});
  for (int threads : {1, 2}) {
    SCOPED_TRACE(std::to_string(threads) + " thread(s)");
    const RunOutput got = RunGraph(*model, /*oracle=*/false, threads, {image});
    int swish = 0, fused = 0, skipped = 0, logistic_rows = 0;
    for (size_t i = 0; i < g.operators.size(); ++i) {
      if (g.operators[i].builtin_code == kMul && got.paths[i] == "fast (swish)") ++swish;
      if (g.operators[i].builtin_code == kMul && got.paths[i] == "fused (into the operator before)") ++fused;
      if (g.operators[i].builtin_code == kLogistic && got.paths[i] == "skipped (unread)") ++skipped;
      if (g.operators[i].builtin_code == kLogistic && got.paths[i] == std::string("fast")) ++logistic_rows;
      EXPECT_NE(want.paths[i], "skipped (unread)") << "operator " << i;
    }
    EXPECT_EQ(swish + fused, 49);
    EXPECT_GE(fused, 48) << swish << " swish MULs ran on their own";
    EXPECT_EQ(skipped, 49);
    EXPECT_EQ(logistic_rows, 16);  // the squeeze-and-excitation gates
    ASSERT_FALSE(got.out.empty());
    EXPECT_EQ(got.out, want.out);
  }
}

}  // namespace
}  // namespace labelite
