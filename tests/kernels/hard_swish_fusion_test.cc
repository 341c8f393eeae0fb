// HARD_SWISH fused into the float convolution before it (Interpreter::FuseHardSwish,
// Kernel::FuseHardSwish): on graphs of CONV_2D 1x1 -> HARD_SWISH -> DEPTHWISE_CONV_2D 3x3 ->
// HARD_SWISH -> CONV_2D 3x3 -> HARD_SWISH, at every ISA level the CPU has, 1 and 2 threads, the
// outputs are bit for bit those of the same graph run without fusion (preserve_intermediates
// runs every operator on its own) and those of the XNNPACK level; the HARD_SWISH operators are
// fused exactly where allowed: not when another operator also reads the convolution's output,
// nor when that output is a graph output. The inputs hold values past -3 and 3, -0, a NaN,
// infinities and denormals.
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

constexpr int32_t kAdd = 0, kConv2D = 3, kDepthwise = 4, kHardSwish = 117;
constexpr int kH = 10, kW = 12, kCin = 8, kMid = 24, kCout = 16;

std::vector<float> Random(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// shared: an ADD also reads the first convolution's output (its HARD_SWISH stays); exposed: the
// depthwise convolution's output is a graph output (its HARD_SWISH stays).
std::shared_ptr<const Model> Build(bool shared, bool exposed) {
  ModelBuilder b;
  const int x = b.AddTensor(DataType::kFloat32, {1, kH, kW, kCin}, "x");
  const int w1 = b.AddConstTensor<float>(DataType::kFloat32, {kMid, 1, 1, kCin}, Random(kMid * kCin, 1, -1, 1));
  const int b1 = b.AddConstTensor<float>(DataType::kFloat32, {kMid}, Random(kMid, 2, -2, 2));
  const int w2 = b.AddConstTensor<float>(DataType::kFloat32, {1, 3, 3, kMid}, Random(9 * kMid, 3, -1, 1));
  const int b2 = b.AddConstTensor<float>(DataType::kFloat32, {kMid}, Random(kMid, 4, -2, 2));
  const int w3 = b.AddConstTensor<float>(DataType::kFloat32, {kCout, 3, 3, kMid}, Random(9 * kMid * kCout, 5, -0.5f, 0.5f));
  const int b3 = b.AddConstTensor<float>(DataType::kFloat32, {kCout}, Random(kCout, 6, -2, 2));
  const int c1 = b.AddTensor(DataType::kFloat32, {1, kH, kW, kMid}, "c1");
  const int h1 = b.AddTensor(DataType::kFloat32, {1, kH, kW, kMid}, "h1");
  const int d1 = b.AddTensor(DataType::kFloat32, {1, kH, kW, kMid}, "d1");
  const int h2 = b.AddTensor(DataType::kFloat32, {1, kH, kW, kMid}, "h2");
  const int c3 = b.AddTensor(DataType::kFloat32, {1, kH, kW, kCout}, "c3");
  const int out = b.AddTensor(DataType::kFloat32, {1, kH, kW, kCout}, "out");
  OpOptions same;
  same.padding = Padding::kSame;
  b.AddOperator(kConv2D, {x, w1, b1}, {c1}, same);
  b.AddOperator(kHardSwish, {c1}, {h1});
  b.AddOperator(kDepthwise, {h1, w2, b2}, {d1}, same);
  b.AddOperator(kHardSwish, {d1}, {h2});
  b.AddOperator(kConv2D, {h2, w3, b3}, {c3}, same);
  b.AddOperator(kHardSwish, {c3}, {out});
  std::vector<int32_t> outputs{out};
  if (shared) {
    const int z = b.AddTensor(DataType::kFloat32, {1, kH, kW, kMid}, "z");
    b.AddOperator(kAdd, {c1, c1}, {z});
    outputs.push_back(z);
  }
  if (exposed) outputs.push_back(d1);
  b.SetInputs({x});
  b.SetOutputs(outputs);
  auto model = Model::FromBytes(b.Build(), "hard_swish_fusion");
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? *std::move(model) : nullptr;
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

Outcome RunOnce(const std::shared_ptr<const Model>& model, int threads, bool preserve) {
  Outcome r;
  InterpreterOptions options;
  options.num_threads = threads;
  options.preserve_intermediates = preserve;
  auto it = Interpreter::Create(model, BuiltinOpResolver(), options);
  EXPECT_TRUE(it.ok()) << it.status().message();
  if (!it.ok()) return r;
  const std::vector<float> x = Input();
  std::memcpy((*it)->input(0)->data, x.data(), x.size() * 4);
  for (int i = 0; i < 2; ++i) EXPECT_TRUE((*it)->Invoke().ok());  // twice: the same buffers again
  for (int o = 0; o < (*it)->num_outputs(); ++o) {
    const Tensor* t = (*it)->output(o);
    r.out.insert(r.out.end(), t->data, t->data + t->bytes);
  }
  for (size_t i = 0; i < 7; ++i)
    if ((*it)->KernelPathOf(static_cast<int>(i))[0] != '\0') r.paths.push_back((*it)->KernelPathOf(static_cast<int>(i)));
  return r;
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

TEST(HardSwishFusion, SameBitsAsUnfusedAtEveryLevel) {
  const testing::IsaLevelGuard guard;
  const std::string fused = "fused (into the operator before)";
  for (const bool shared : {false, true}) {
    for (const bool exposed : {false, true}) {
      SCOPED_TRACE(std::string("shared ") + (shared ? "yes" : "no") + ", exposed " + (exposed ? "yes" : "no"));
      const std::shared_ptr<const Model> model = Build(shared, exposed);
      ASSERT_NE(model, nullptr);
      xnn::SetIsaLimit(IsaLevel::kXnnpack);
      const Outcome xnnpack = RunOnce(model, 1, false);
      ASSERT_FALSE(xnnpack.out.empty());
      for (const IsaLevel level : testing::SupportedIsaLevels()) {
        xnn::SetIsaLimit(level);
        for (const int threads : {1, 2}) {
          SCOPED_TRACE(std::string(xnn::IsaLevelName(level)) + ", threads " + std::to_string(threads));
          const Outcome plain = RunOnce(model, threads, true);
          const Outcome run = RunOnce(model, threads, false);
          ASSERT_EQ(run.paths.size(), 7u - (shared ? 0u : 1u));
          EXPECT_EQ(run.out, plain.out);
          EXPECT_EQ(run.out, xnnpack.out);
          for (const std::string& p : plain.paths) EXPECT_NE(p, fused);
#if defined(__x86_64__)
          const bool fusing = level >= IsaLevel::kAvx2;
#else
          const bool fusing = false;
#endif
          // Operators 1, 3, 5 are the HARD_SWISH ones; 0, 2, 4 the convolutions before them.
          const bool want[3] = {fusing && !shared, fusing && !exposed, fusing};
          for (int k = 0; k < 3; ++k) {
            const std::string& hs = run.paths[static_cast<size_t>(2 * k + 1)];
            const std::string& conv = run.paths[static_cast<size_t>(2 * k)];
            EXPECT_EQ(hs == fused, want[k]) << "operator " << 2 * k + 1 << ": " << hs;
            EXPECT_EQ(EndsWith(conv, " + hard-swish"), want[k]) << "operator " << 2 * k << ": " << conv;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace labelite
