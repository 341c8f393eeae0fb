// Quantized FULLY_CONNECTED through the interpreter's fast kernel at every ISA level this CPU
// supports (kernels/fast/isa.h: avx512 runs it on Conv1x1Vnni, avx2 on ConvAvx2's direct GEMM
// with each of its dot products, xnnpack on XNNPACK's fully connected operator or, for
// per-channel weights, the reference kernel). Real layer shapes: a classifier's logits (one
// row, K 1280, N 1000/1001), ViT's token layers ([1, 17, 64] x [64, 256], keep_num_dims), odd
// sizes around the 16-column blocks and row tiles; int8 per-channel and per-tensor, uint8 with
// a weight zero point; NONE, RELU and RELU6. Each case checks:
//   - the path the interpreter chose (the own kernel really runs it);
//   - bit-identical bytes with XNNPACK's qc8 / qs8 / qu8 1x1 convolution operator (which the
//     zoo's goldens from TFLite's XNNPACK delegate confirm), on 1 and 2 threads;
//   - within 1 unit of the reference kernel (TFLite's builtin double rounding vs XNNPACK's
//     fp32 requantization).
#include <gtest/gtest.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "kernels/fast/isa.h"
#include "kernels/x86/avx2/gemm_avx2.h"
#include "kernels/xnnpack/xnn_common.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"
#include "testing/model_builder.h"
#include "testing/xnn_conv.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceFullyConnected();
std::unique_ptr<Kernel> CreateXnnpackFullyConnected();
}  // namespace labelite

namespace labelite::xnn {
namespace {

using Kind = testing::ConvKind;
constexpr int32_t kFullyConnected = 9;

struct FcCase {
  Kind kind;
  std::vector<int32_t> input_shape;  // read as rows of K = the last dimension
  int32_t units;
  Activation act = Activation::kNone;
  bool keep_num_dims = false;
  bool bias = true;
  uint32_t seed = 1;
};

// One FULLY_CONNECTED with constant weights and bias, its output scale fitted to the real
// accumulators (so outputs spread over the whole range and some saturate).
struct FcModel {
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> input, weights;
  std::vector<int32_t> bias;
  ConvQuant quant;  // the same op for XNNPACK's convolution operator
  size_t rows = 0, k = 0;
};

FcModel BuildModel(const FcCase& c) {
  std::mt19937 rng(c.seed);
  FcModel m;
  const bool is_signed = c.kind != Kind::kQU8;
  const DataType type = is_signed ? DataType::kInt8 : DataType::kUInt8;
  const int offset = is_signed ? -128 : 0;
  m.k = static_cast<size_t>(c.input_shape.back());
  m.rows = 1;
  for (int32_t d : c.input_shape) m.rows *= static_cast<size_t>(d);
  m.rows /= m.k;
  const size_t n = static_cast<size_t>(c.units);
  m.input.resize(m.rows * m.k);
  m.weights.resize(n * m.k);
  for (auto& b : m.input) b = static_cast<uint8_t>(rng());
  for (auto& b : m.weights) b = static_cast<uint8_t>(rng());
  if (is_signed)  // TFLite's int8 weights are symmetric: no -128
    for (auto& b : m.weights) b = b == 0x80 ? 0x81 : b;
  ConvQuant& q = m.quant;
  q.is_signed = is_signed;
  q.input_zero_point = static_cast<int>(rng() % 256) + offset;
  // uint8 weights centred as TFLite's converter leaves them (a far-off zero point would make
  // every accumulator share one large sign, and RELU6 clamp all of them).
  q.kernel_zero_point = is_signed ? 0 : 100 + static_cast<int>(rng() % 56);
  q.input_scale = 0.02f + 0.01f * static_cast<float>(rng() % 100) / 100.0f;
  const size_t scales = c.kind == Kind::kQC8 ? n : 1;
  for (size_t i = 0; i < scales; ++i)
    q.kernel_scales.push_back((0.002f + 0.004f * static_cast<float>(rng() % 100) / 100.0f));
  m.bias.resize(n);
  for (auto& b : m.bias) b = static_cast<int32_t>(rng() % 40001) - 20000;
  // The real outputs' spread over the first rows, rescaled (with the weight scales) to about
  // [-8, 8] so that RELU6 clamps some outputs and not all; the output scale covers 80% of it.
  auto spread = [&](double* lo, double* hi) {
    *lo = *hi = 0.0;
    for (size_t r = 0; r < std::min<size_t>(m.rows, 4); ++r)
      for (size_t u = 0; u < n; ++u) {
        int64_t acc = c.bias ? m.bias[u] : 0;
        for (size_t i = 0; i < m.k; ++i) {
          const int32_t a = is_signed ? int8_t(m.input[r * m.k + i]) : m.input[r * m.k + i];
          const int32_t w = is_signed ? int8_t(m.weights[u * m.k + i]) : m.weights[u * m.k + i];
          acc += int64_t{a - q.input_zero_point} * (w - q.kernel_zero_point);
        }
        const double real = double(acc) * q.input_scale * q.kernel_scales[scales == 1 ? 0 : u];
        *lo = std::min(*lo, real), *hi = std::max(*hi, real);
      }
  };
  double lo = 0.0, hi = 0.0;
  spread(&lo, &hi);
  const double factor = 8.0 / std::max({-lo, hi, 1e-6});
  for (float& ks : q.kernel_scales) ks = static_cast<float>(ks * factor);
  spread(&lo, &hi);
  q.output_scale = static_cast<float>(std::max(hi - lo, 1e-3) / 255.0 * 0.8);
  q.output_zero_point =
      std::clamp(offset + static_cast<int>(std::lround(-lo / q.output_scale)), offset, offset + 255);
  // The delegate's clamp bounds (xnn_common.h), as the interpreter's fast kernel derives them.
  auto bound = [&](float v) {
    return is_signed ? int32_t{QuantizeBoundS8(v, q.output_scale, q.output_zero_point)}
                     : int32_t{QuantizeBoundU8(v, q.output_scale, q.output_zero_point)};
  };
  q.output_min = c.act == Activation::kNone ? offset : bound(0.0f);
  q.output_max = c.act == Activation::kRelu6 ? bound(6.0f) : offset + 255;

  testing::ModelBuilder b;
  const int in = b.AddTensor(type, c.input_shape, "in",
                             testing::Quant(q.input_scale, q.input_zero_point));
  const QuantizationParams wq = c.kind == Kind::kQC8
                                    ? testing::PerChannelQuant(q.kernel_scales, 0)
                                    : testing::Quant(q.kernel_scales[0], q.kernel_zero_point);
  const int w = b.AddConstTensorBytes(type, {c.units, static_cast<int32_t>(m.k)}, m.weights, wq);
  int bias = -1;
  if (c.bias) {
    std::vector<float> bs;
    for (float s : q.kernel_scales) bs.push_back(q.input_scale * s);
    bias = b.AddConstTensor<int32_t>(
        DataType::kInt32, {c.units}, m.bias,
        c.kind == Kind::kQC8 ? testing::PerChannelQuant(bs, 0) : testing::Quant(bs[0], 0));
  }
  std::vector<int32_t> out_shape = {static_cast<int32_t>(m.rows), c.units};
  if (c.keep_num_dims) out_shape = c.input_shape, out_shape.back() = c.units;
  const int out = b.AddTensor(type, out_shape, "out",
                              testing::Quant(q.output_scale, q.output_zero_point));
  OpOptions o;
  o.activation = c.act;
  o.keep_num_dims = c.keep_num_dims;
  b.AddOperator(kFullyConnected, {in, w, bias}, {out}, o);
  b.SetInputs({in});
  b.SetOutputs({out});
  m.bytes = b.Build();
  if (!c.bias) m.bias.clear();
  return m;
}

// Runs the model once; returns the output bytes and the kernel path of operator 0.
std::vector<uint8_t> RunInterpreter(const FcModel& m, KernelPath path, int threads,
                                    std::string* kernel_path, std::vector<int32_t>* dims) {
  auto model = Model::FromBytes(m.bytes, "fully_connected");
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!model.ok()) return {};
  const ListOpResolver resolver({{kFullyConnected, "FULLY_CONNECTED",
                                  &CreateReferenceFullyConnected,
                                  &CreateXnnpackFullyConnected}});
  auto interp = Interpreter::Create(*model, resolver, {path, threads});
  EXPECT_TRUE(interp.ok()) << interp.status().message();
  if (!interp.ok()) return {};
  Tensor* in = (*interp)->input(0);
  EXPECT_EQ(in->bytes, m.input.size());
  std::memcpy(in->data, m.input.data(), std::min(in->bytes, m.input.size()));
  EXPECT_TRUE((*interp)->Invoke().ok());
  const Tensor* out = (*interp)->output(0);
  *kernel_path = (*interp)->KernelPathOf(0);
  *dims = out->dims;
  return std::vector<uint8_t>(out->data, out->data + out->bytes);
}

class FullyConnectedIsaTest : public ::testing::TestWithParam<std::tuple<IsaLevel, Avx2Dot>> {
 protected:
  void SetUp() override {
    saved_ = ActiveIsa();
    level_ = std::get<0>(GetParam());
    dot_ = std::get<1>(GetParam());
    if (DetectedIsa() < level_) GTEST_SKIP() << "CPU without " << IsaLevelName(level_);
    if (dot_ == Avx2Dot::kAvxVnni && !HasAvxVnni()) GTEST_SKIP() << "CPU without AVX-VNNI";
    if (dot_ == Avx2Dot::kEvexVnni && DetectedIsa() < IsaLevel::kAvx512)
      GTEST_SKIP() << "CPU without AVX-512 VNNI";
    Avx2Gemm::ForceDotForTesting(dot_);
    SetIsaLimit(level_);
    ASSERT_EQ(xnn_initialize(nullptr), xnn_status_success);
  }
  void TearDown() override {
    Avx2Gemm::ForceDotForTesting(std::nullopt);
    SetIsaLimit(saved_);
  }

  // The path the fast kernel must take at this level.
  // (Weights with one scale, one unit, are per-tensor.)
  std::string ExpectedPath(const FcModel& m) const {
    if (level_ == IsaLevel::kAvx512) return "vnni";
    if (level_ == IsaLevel::kAvx2) return dot_ == Avx2Dot::kMaddwd ? "avx2" : "avx2 vnni";
    return m.quant.kernel_scales.size() > 1 ? "reference" : "xnnpack";
  }

  void RunCase(const FcCase& c) {
    std::string shape;
    for (int32_t d : c.input_shape) shape += std::to_string(d) + " ";
    SCOPED_TRACE("input [ " + shape + "] units " + std::to_string(c.units) + " kind " +
                 std::to_string(int(c.kind)) + " activation " + std::to_string(int(c.act)));
    const FcModel m = BuildModel(c);
    // XNNPACK's 1x1 convolution over `rows` one-pixel images.
    FastConvSpec spec;
    spec.in_h = spec.in_w = spec.out_h = spec.out_w = 1;
    spec.cin = m.k;
    spec.cout = static_cast<size_t>(c.units);
    spec.quant = m.quant;
    spec.weights = m.weights.data();
    spec.bias = c.bias ? m.bias.data() : nullptr;
    const std::vector<uint8_t> xnn_conv = testing::RunXnnpackConv(c.kind, spec, m.rows, m.input);

    std::string path;
    std::vector<int32_t> ref_dims, dims;
    const std::vector<uint8_t> ref =
        RunInterpreter(m, KernelPath::kReference, 1, &path, &ref_dims);
    EXPECT_EQ(path, "reference");
    std::vector<int32_t> want_dims = {static_cast<int32_t>(m.rows), c.units};
    if (c.keep_num_dims) want_dims = c.input_shape, want_dims.back() = c.units;
    EXPECT_EQ(ref_dims, want_dims);
    std::vector<uint8_t> distinct = ref;  // the fitted output scale spreads the outputs
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    EXPECT_GE(distinct.size(), std::min<size_t>(ref.size(), 16) / 2);
    for (int threads : {1, 2}) {
      SCOPED_TRACE(std::to_string(threads) + " thread(s)");
      const std::vector<uint8_t> fast = RunInterpreter(m, KernelPath::kFast, threads, &path, &dims);
      EXPECT_EQ(path, ExpectedPath(m));
      EXPECT_EQ(dims, want_dims);
      ASSERT_EQ(fast.size(), ref.size());
      ASSERT_EQ(fast.size(), xnn_conv.size());
      size_t off_by_one = 0, mismatches = 0;
      for (size_t i = 0; i < fast.size(); ++i) {
        const int a = m.quant.is_signed ? int8_t(fast[i]) : fast[i];
        const int r = m.quant.is_signed ? int8_t(ref[i]) : ref[i];
        ASSERT_LE(std::abs(a - r), 1) << "element " << i << " vs the reference";
        off_by_one += a != r;
        if (path != "reference") mismatches += fast[i] != xnn_conv[i];
      }
      EXPECT_EQ(mismatches, 0u) << "bytes differ from XNNPACK's convolution, of " << fast.size();
      // Double rounding and fp32 rounding rarely disagree.
      EXPECT_LE(off_by_one, fast.size() / 20 + 1) << "of " << fast.size();
    }
  }

  IsaLevel saved_ = IsaLevel::kXnnpack, level_ = IsaLevel::kXnnpack;
  Avx2Dot dot_ = Avx2Dot::kMaddwd;
};

// MobileNet / EfficientNet logits: one row, K 1280, N 1000 or 1001 (column split).
TEST_P(FullyConnectedIsaTest, ClassifierLogits) {
  RunCase({Kind::kQC8, {1, 1280}, 1000, Activation::kNone, false, true, 11});
  RunCase({Kind::kQC8, {1, 1280}, 1001, Activation::kRelu6, false, true, 12});
  RunCase({Kind::kQU8, {1, 1280}, 1001, Activation::kNone, false, true, 13});
  RunCase({Kind::kQS8, {1, 2048}, 1000, Activation::kRelu, false, true, 14});
}

// ViT's token layers: [1, 17, 64] rows through 256 units and back, keep_num_dims.
TEST_P(FullyConnectedIsaTest, TransformerTokens) {
  RunCase({Kind::kQC8, {1, 17, 64}, 256, Activation::kRelu, true, true, 21});
  RunCase({Kind::kQC8, {1, 17, 256}, 64, Activation::kNone, true, true, 22});
  RunCase({Kind::kQC8, {1, 197, 384}, 1536, Activation::kNone, true, true, 23});
  RunCase({Kind::kQU8, {1, 17, 64}, 256, Activation::kRelu6, false, true, 24});
  RunCase({Kind::kQS8, {2, 17, 64}, 96, Activation::kRelu6, true, false, 25});
}

// Sizes around the 16-column blocks and row tiles, rows above and below the column count
// (row or column thread split), flattened 4-D inputs, no bias.
TEST_P(FullyConnectedIsaTest, OddShapes) {
  const Kind kinds[] = {Kind::kQC8, Kind::kQS8, Kind::kQU8};
  const Activation acts[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6};
  const std::vector<int32_t> shapes[] = {{1, 1}, {2, 3}, {5, 37}, {49, 100}, {1, 2, 3, 7},
                                         {3, 2, 40}, {64, 17}, {7, 513}};
  const int32_t units[] = {1, 17, 21, 7, 9, 33, 160, 65};
  for (size_t i = 0; i < std::size(shapes); ++i)
    RunCase({kinds[i % 3], shapes[i], units[i], acts[i % 3], false, i % 4 != 3,
             static_cast<uint32_t>(31 + i)});
}

std::string ParamName(const ::testing::TestParamInfo<FullyConnectedIsaTest::ParamType>& info) {
  const Avx2Dot dot = std::get<1>(info.param);
  return std::string(IsaLevelName(std::get<0>(info.param))) +
         (dot == Avx2Dot::kAvxVnni ? "_avxvnni" : dot == Avx2Dot::kEvexVnni ? "_evexvnni" : "");
}

INSTANTIATE_TEST_SUITE_P(
    Levels, FullyConnectedIsaTest,
    ::testing::Values(std::make_tuple(IsaLevel::kAvx512, Avx2Dot::kMaddwd),
                      std::make_tuple(IsaLevel::kAvx2, Avx2Dot::kMaddwd),
                      std::make_tuple(IsaLevel::kAvx2, Avx2Dot::kAvxVnni),
                      std::make_tuple(IsaLevel::kAvx2, Avx2Dot::kEvexVnni),
                      std::make_tuple(IsaLevel::kXnnpack, Avx2Dot::kMaddwd)),
    ParamName);

}  // namespace
}  // namespace labelite::xnn
