// The byte-table fast path of quantized HARD_SWISH, TANH and LEAKY_RELU (table_unary.h)
// against the reference kernels (the oracle), on single-op models: every one of the 256 input
// bytes, and a large random tensor run with a thread pool (the parallel split). Quantized
// outputs must be byte-identical and the fast path must really run the table; float32 must
// still run on both paths (within 1e-5 relative).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "kernels/fast/isa.h"
#include "kernels/fast/table_unary.h"
#include "runtime/interpreter.h"
#include "testing/model_builder.h"

namespace labelite {

#define DECLARE_KERNELS(stem)                       \
  std::unique_ptr<Kernel> CreateReference##stem(); \
  std::unique_ptr<Kernel> CreateXnnpack##stem();
DECLARE_KERNELS(HardSwish)
DECLARE_KERNELS(Tanh)
DECLARE_KERNELS(LeakyRelu)
#undef DECLARE_KERNELS

namespace {

using testing::ModelBuilder;
using testing::Quant;

struct Op {
  int32_t code;
  const char* name;
  KernelFactory reference, fast;
};
const Op kHardSwish{117, "HARD_SWISH", &CreateReferenceHardSwish, &CreateXnnpackHardSwish};
const Op kTanh{28, "TANH", &CreateReferenceTanh, &CreateXnnpackTanh};
const Op kLeakyRelu{98, "LEAKY_RELU", &CreateReferenceLeakyRelu, &CreateXnnpackLeakyRelu};

// Input and output quantization, zero points given for uint8 (int8: minus 128).
struct Quantization {
  float in_scale;
  int in_zp;
  float out_scale;
  int out_zp;
};

std::vector<uint8_t> UnaryModel(const Op& op, DataType type, std::vector<int32_t> shape,
                                const Quantization& q, float alpha) {
  ModelBuilder b;
  const int shift = type == DataType::kInt8 ? -128 : 0;
  const bool quantized = type != DataType::kFloat32;
  const int in = b.AddTensor(type, shape, "in",
                             quantized ? Quant(q.in_scale, q.in_zp + shift) : QuantizationParams{});
  const int out = b.AddTensor(type, shape, "out",
                              quantized ? Quant(q.out_scale, q.out_zp + shift) : QuantizationParams{});
  OpOptions o;
  o.alpha = alpha;
  b.AddOperator(op.code, {in}, {out}, o);
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

// Fills the input: byte i (mod 256) when `all_bytes`, else pseudo-random bytes or floats.
void FillInput(Tensor* t, bool all_bytes) {
  std::mt19937 rng(77);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<float> real(-8.0f, 8.0f);
  for (int64_t i = 0; i < t->NumElements(); ++i) {
    if (t->type == DataType::kFloat32) t->data_as<float>()[i] = real(rng);
    else t->data[i] = static_cast<uint8_t>(all_bytes ? i : byte(rng));
  }
}

std::unique_ptr<Interpreter> Run(std::shared_ptr<const Model> model, const Op& op, KernelPath path, int threads,
                                 bool all_bytes) {
  ListOpResolver resolver({{op.code, op.name, op.reference, op.fast}});
  auto it = Interpreter::Create(model, resolver, {path, threads});
  EXPECT_TRUE(it.ok()) << it.status().message();
  if (!it.ok()) return nullptr;
  FillInput((*it)->input(0), all_bytes);
  const Status s = (*it)->Invoke();
  EXPECT_TRUE(s.ok()) << s.message();
  return std::move(*it);
}

// Runs the model on both paths and compares the outputs; returns the fast path's name.
std::string FastVsReference(const Op& op, DataType type, std::vector<int32_t> shape,
                            const Quantization& q, float alpha = 0.0f, int threads = 1,
                            bool all_bytes = true) {
  auto model = Model::FromBytes(UnaryModel(op, type, shape, q, alpha), "single-op");
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!model.ok()) return "";
  auto fast = Run(*model, op, KernelPath::kFast, threads, all_bytes);
  auto ref = Run(*model, op, KernelPath::kReference, 1, all_bytes);
  if (!fast || !ref) return "";
  const Tensor& a = *fast->output(0);
  const Tensor& b = *ref->output(0);
  EXPECT_EQ(a.dims, b.dims);
  EXPECT_EQ(a.NumElements(), b.NumElements());
  if (a.type == DataType::kFloat32) {
    for (int64_t i = 0; i < b.NumElements(); ++i) {
      const float x = a.data_as<float>()[i], y = b.data_as<float>()[i];
      if (std::fabs(x - y) > 1e-5f * std::max(1.0f, std::fabs(y))) {
        ADD_FAILURE() << op.name << " float32 element " << i << ": fast " << x << ", reference " << y;
        break;
      }
    }
  } else {
    int mismatches = 0;
    for (int64_t i = 0; i < b.NumElements(); ++i) {
      if (a.data[i] == b.data[i]) continue;
      if (++mismatches <= 5)
        ADD_FAILURE() << op.name << " " << DataTypeName(type) << " element " << i << " input byte "
                      << int{fast->input(0)->data[i]} << ": fast " << int{a.data[i]}
                      << ", reference " << int{b.data[i]};
    }
    EXPECT_EQ(mismatches, 0);
  }
  return fast->KernelPathOf(0);
}

const Quantization kQuantizations[] = {
    {0.05f, 130, 0.05f, 130},   // same in and out
    {0.1f, 0, 0.02f, 200},      // wide input, fine output: saturates
    {0.01f, 255, 0.3f, 10},     // extreme zero points
    {0.07f, 128, 0.04f, 100},
};

class TableUnaryTest : public ::testing::TestWithParam<DataType> {};

TEST_P(TableUnaryTest, HardSwishEqualsReferenceOnEveryByte) {
  for (const Quantization& q : kQuantizations)
    EXPECT_EQ(FastVsReference(kHardSwish, GetParam(), {1, 2, 8, 16}, q), "fast (table)");
}

TEST_P(TableUnaryTest, TanhEqualsReferenceOnEveryByte) {
  for (const Quantization& q : kQuantizations)
    EXPECT_EQ(FastVsReference(kTanh, GetParam(), {1, 256}, q), "fast (table)");
  // TFLite's usual tanh output quantization: 1/128 around the middle.
  EXPECT_EQ(FastVsReference(kTanh, GetParam(), {2, 4, 32}, {0.08f, 128, 1.0f / 128, 128}),
            "fast (table)");
}

TEST_P(TableUnaryTest, LeakyReluEqualsReferenceOnEveryByte) {
  for (float alpha : {0.01f, 0.2f, 0.5f})
    for (const Quantization& q : kQuantizations)
      EXPECT_EQ(FastVsReference(kLeakyRelu, GetParam(), {1, 1, 16, 16}, q, alpha), "fast (table)")
          << "alpha " << alpha;
}

// 1x57x61x19 = 66063 bytes: above the parallel threshold, not a multiple of the chunk size
// or of the 64-byte vector step. With 3 threads the table runs split over the pool.
TEST_P(TableUnaryTest, LargeRandomTensorsWithThreads) {
  const Quantization q{0.06f, 120, 0.05f, 110};
  for (int threads : {1, 3}) {
    EXPECT_EQ(FastVsReference(kHardSwish, GetParam(), {1, 57, 61, 19}, q, 0.0f, threads, false),
              "fast (table)");
    EXPECT_EQ(FastVsReference(kTanh, GetParam(), {1, 57, 61, 19}, q, 0.0f, threads, false),
              "fast (table)");
    EXPECT_EQ(FastVsReference(kLeakyRelu, GetParam(), {1, 57, 61, 19}, q, 0.1f, threads, false),
              "fast (table)");
  }
}

INSTANTIATE_TEST_SUITE_P(Types, TableUnaryTest,
                         ::testing::Values(DataType::kUInt8, DataType::kInt8),
                         [](const auto& info) { return std::string(DataTypeName(info.param)); });

TEST(TableUnary, Float32RunsOnBothPaths) {
  const Quantization none{};
  // Float HARD_SWISH: labelite's rows (fast/swish_f32.h) from AVX2 on, else XNNPACK.
#if defined(__x86_64__)
  const bool rows = xnn::ActiveIsa() >= xnn::IsaLevel::kAvx2;
#else
  const bool rows = false;
#endif
  EXPECT_EQ(FastVsReference(kHardSwish, DataType::kFloat32, {1, 5, 7, 9}, none),
            rows ? "fast" : "xnnpack");
  EXPECT_EQ(FastVsReference(kLeakyRelu, DataType::kFloat32, {1, 5, 7, 9}, none, 0.2f), "xnnpack");
  EXPECT_EQ(FastVsReference(kLeakyRelu, DataType::kFloat32, {1, 5, 7, 9}, none, 0.01f), "xnnpack");
  // Debian 12's XNNPACK has no f32 tanh: the fast interpreter falls back to the reference.
  EXPECT_EQ(FastVsReference(kTanh, DataType::kFloat32, {1, 5, 7, 9}, none), "reference");
}

// Per-channel quantization is not a byte table: the fast interpreter falls back.
TEST(TableUnary, PerChannelQuantizationFallsBack) {
  ModelBuilder b;
  const int in = b.AddTensor(DataType::kInt8, {1, 2, 2, 2}, "in",
                             testing::PerChannelQuant({0.1f, 0.2f}, 3));
  const int out = b.AddTensor(DataType::kInt8, {1, 2, 2, 2}, "out", Quant(0.1f, 0));
  b.AddOperator(kHardSwish.code, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  auto model = Model::FromBytes(b.Build(), "per-channel");
  ASSERT_TRUE(model.ok()) << model.status().message();
  ListOpResolver resolver({{kHardSwish.code, kHardSwish.name, kHardSwish.reference, kHardSwish.fast}});
  auto it = Interpreter::Create(*model, resolver, {KernelPath::kFast, 1});
  ASSERT_TRUE(it.ok()) << it.status().message();
  EXPECT_STREQ((*it)->KernelPathOf(0), "reference");
}

// Writes the benchmark model of the report (a MobileNet v3-sized int8 HARD_SWISH) to
// $TMPDIR/hard_swish_int8.tflite: run with --gtest_also_run_disabled_tests, then
// `labelite bench FILE --kernels fast|reference`.
TEST(TableUnary, DISABLED_WriteHardSwishBenchModel) {
  const std::vector<uint8_t> bytes =
      UnaryModel(kHardSwish, DataType::kInt8, {1, 112, 112, 16}, {0.06f, 120, 0.05f, 110}, 0.0f);
  const char* dir = std::getenv("TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/hard_swish_int8.tflite";
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  EXPECT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
  std::fclose(f);
}

}  // namespace
}  // namespace labelite
