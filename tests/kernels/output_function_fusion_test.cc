// Element-wise float functions fused into the convolution that writes their input
// (Interpreter::FuseOutputFunctions, Kernel::OutputFunction / FuseOutputFunction): HARD_SWISH,
// and the swish MUL(x, LOGISTIC(x)). On graphs of CONV_2D 1x1 -> f -> DEPTHWISE_CONV_2D 3x3 -> f
// -> CONV_2D 3x3 -> f, at every ISA level the CPU has, 1 and 2 threads, the outputs are bit for
// bit those of the same graph run without fusion (preserve_intermediates runs every operator on
// its own) and those of the XNNPACK level; f is fused exactly where allowed: not when another
// operator also reads the convolution's output, nor when that output is a graph output. The
// inputs hold values past -3 and 3, -0, a NaN, infinities and denormals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/fast/isa.h"
#include "kernels/registry.h"
#include "runtime/interpreter.h"
#include "testing/interpreter_inputs.h"
#include "testing/model_builder.h"

namespace labelite {
namespace {

using testing::ModelBuilder;
using xnn::IsaLevel;

constexpr int32_t kAdd = 0, kConv2D = 3, kDepthwise = 4, kLogistic = 14, kMul = 18,
                  kHardSwish = 117;
constexpr int kH = 10, kW = 12, kCin = 8, kMid = 24, kCout = 16;

std::vector<float> Random(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

enum class Function { kHardSwish, kSwish };

struct Graph {
  std::shared_ptr<const Model> model;
  int ops = 0;
  int conv[3] = {}, function[3] = {};  // the convolutions, and the operators of f that fuse
};

// shared: an ADD also reads the first convolution's output (its f stays); exposed: the depthwise
// convolution's output is a graph output (its f stays).
Graph Build(Function fn, bool shared, bool exposed) {
  Graph graph;
  ModelBuilder b;
  auto add_op = [&](int32_t code, std::vector<int32_t> in, std::vector<int32_t> out,
                    const OpOptions& o = {}) {
    b.AddOperator(code, std::move(in), std::move(out), o);
    return graph.ops++;
  };
  auto tensor = [&](int c, const char* name) {
    return b.AddTensor(DataType::kFloat32, {1, kH, kW, c}, name);
  };
  // f(in) -> out; returns the operator that fuses.
  auto apply = [&](int in, int out, int c) {
    if (fn == Function::kHardSwish) return add_op(kHardSwish, {in}, {out});
    const int gate = tensor(c, "gate");
    add_op(kLogistic, {in}, {gate});
    return add_op(kMul, {in, gate}, {out});
  };
  const int x = tensor(kCin, "x");
  const int w1 = b.AddConstTensor<float>(DataType::kFloat32, {kMid, 1, 1, kCin}, Random(kMid * kCin, 1, -1, 1));
  const int b1 = b.AddConstTensor<float>(DataType::kFloat32, {kMid}, Random(kMid, 2, -2, 2));
  const int w2 = b.AddConstTensor<float>(DataType::kFloat32, {1, 3, 3, kMid}, Random(9 * kMid, 3, -1, 1));
  const int b2 = b.AddConstTensor<float>(DataType::kFloat32, {kMid}, Random(kMid, 4, -2, 2));
  const int w3 = b.AddConstTensor<float>(DataType::kFloat32, {kCout, 3, 3, kMid}, Random(9 * kMid * kCout, 5, -0.5f, 0.5f));
  const int b3 = b.AddConstTensor<float>(DataType::kFloat32, {kCout}, Random(kCout, 6, -2, 2));
  const int c1 = tensor(kMid, "c1"), h1 = tensor(kMid, "h1"), d1 = tensor(kMid, "d1");
  const int h2 = tensor(kMid, "h2"), c3 = tensor(kCout, "c3"), out = tensor(kCout, "out");
  OpOptions same;
  same.padding = Padding::kSame;
  graph.conv[0] = add_op(kConv2D, {x, w1, b1}, {c1}, same);
  graph.function[0] = apply(c1, h1, kMid);
  graph.conv[1] = add_op(kDepthwise, {h1, w2, b2}, {d1}, same);
  graph.function[1] = apply(d1, h2, kMid);
  graph.conv[2] = add_op(kConv2D, {h2, w3, b3}, {c3}, same);
  graph.function[2] = apply(c3, out, kCout);
  std::vector<int32_t> outputs{out};
  if (shared) {
    const int z = tensor(kMid, "z");
    add_op(kAdd, {c1, c1}, {z});
    outputs.push_back(z);
  }
  if (exposed) outputs.push_back(d1);
  b.SetInputs({x});
  b.SetOutputs(outputs);
  auto model = Model::FromBytes(b.Build(), "output_function_fusion");
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (model.ok()) graph.model = *std::move(model);
  return graph;
}

std::vector<float> Input() {
  std::vector<float> x = Random(kH * kW * kCin, 7, -6, 6);
  const float inf = std::numeric_limits<float>::infinity();
  x[5] = std::numeric_limits<float>::quiet_NaN();  // pixel 0
  x[kCin * 40 + 1] = inf;                          // pixel 40
  x[kCin * 77 + 3] = -inf;                         // pixel 77
  x[kCin * 90] = -0.0f;
  x[kCin * 91 + 2] = 1e-40f;  // denormals
  x[kCin * 92 + 6] = -3e-39f;
  return x;
}

struct Outcome {
  std::vector<uint8_t> out;  // every output's bytes
  std::vector<std::string> paths;
};

Outcome RunOnce(const Graph& graph, int threads, bool preserve) {
  Outcome r;
  InterpreterOptions options;
  options.num_threads = threads;
  options.preserve_intermediates = preserve;
  auto it = Interpreter::Create(graph.model, BuiltinOpResolver(), options);
  EXPECT_TRUE(it.ok()) << it.status().message();
  if (!it.ok()) return r;
  const std::vector<float> x = Input();
  std::memcpy((*it)->input(0)->data, x.data(), x.size() * 4);
  for (int i = 0; i < 2; ++i) EXPECT_TRUE((*it)->Invoke().ok());  // twice: the same buffers again
  for (int o = 0; o < (*it)->num_outputs(); ++o) {
    const Tensor* t = (*it)->output(o);
    r.out.insert(r.out.end(), t->data, t->data + t->bytes);
  }
  for (int i = 0; i < graph.ops; ++i) r.paths.push_back((*it)->KernelPathOf(i));
  return r;
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

TEST(OutputFunctionFusion, SameBitsAsUnfusedAtEveryLevel) {
  const testing::IsaLevelGuard guard;
  const std::string fused = "fused (into the operator before)";
  for (const Function fn : {Function::kHardSwish, Function::kSwish}) {
    const std::string name = fn == Function::kHardSwish ? "hard-swish" : "swish";
    for (const bool shared : {false, true}) {
      for (const bool exposed : {false, true}) {
        SCOPED_TRACE(name + ", shared " + (shared ? "yes" : "no") + ", exposed " + (exposed ? "yes" : "no"));
        const Graph graph = Build(fn, shared, exposed);
        ASSERT_NE(graph.model, nullptr);
        xnn::SetIsaLimit(IsaLevel::kXnnpack);
        const Outcome xnnpack = RunOnce(graph, 1, false);
        ASSERT_FALSE(xnnpack.out.empty());
        for (const IsaLevel level : testing::SupportedIsaLevels()) {
          xnn::SetIsaLimit(level);
          for (const int threads : {1, 2}) {
            SCOPED_TRACE(std::string(xnn::IsaLevelName(level)) + ", threads " + std::to_string(threads));
            const Outcome plain = RunOnce(graph, threads, true);
            const Outcome run = RunOnce(graph, threads, false);
            ASSERT_EQ(run.paths.size(), static_cast<size_t>(graph.ops));
            EXPECT_EQ(run.out, plain.out);
            EXPECT_EQ(run.out, xnnpack.out);
            for (const std::string& p : plain.paths) EXPECT_NE(p, fused);
            // Where the function runs on labelite's rows (from AVX2 on; the swish rows are those
            // of the sigmoid kernel XNNPACK picks on this CPU, so on an AVX-512 CPU they need
            // the AVX-512 level), labelite's convolutions fuse it.
            const std::string alone = plain.paths[static_cast<size_t>(graph.function[2])];
            const bool fusing = alone == (fn == Function::kHardSwish ? "fast" : "fast (swish)");
            const bool want[3] = {fusing && !shared, fusing && !exposed, fusing};
            for (int k = 0; k < 3; ++k) {
              const std::string& f = run.paths[static_cast<size_t>(graph.function[k])];
              const std::string& conv = run.paths[static_cast<size_t>(graph.conv[k])];
              EXPECT_EQ(f == fused, want[k]) << "function " << k << ": " << f;
              EXPECT_EQ(EndsWith(conv, " + " + name), want[k]) << "convolution " << k << ": " << conv;
            }
          }
        }
      }
    }
  }
}

// At AVX2 and up on x86-64 both functions fuse in this graph (the test above would pass with
// no fusion at all if the kernels never offered it).
TEST(OutputFunctionFusion, FusesOnX86FromAvx2) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "labelite's own float convolutions are x86-64 kernels";
#else
  if (xnn::DetectedIsa() < IsaLevel::kAvx2) GTEST_SKIP() << "this CPU has no AVX2 + FMA";
  const testing::IsaLevelGuard guard;
  xnn::SetIsaLimit(xnn::DetectedIsa());
  for (const Function fn : {Function::kHardSwish, Function::kSwish}) {
    const Graph graph = Build(fn, false, false);
    ASSERT_NE(graph.model, nullptr);
    const Outcome run = RunOnce(graph, 2, false);
    for (int k = 0; k < 3; ++k)
      EXPECT_EQ(run.paths[static_cast<size_t>(graph.function[k])], "fused (into the operator before)");
  }
#endif
}

}  // namespace
}  // namespace labelite
