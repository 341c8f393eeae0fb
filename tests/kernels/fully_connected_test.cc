// FULLY_CONNECTED reference kernel tests: exact against a straightforward computation in this
// file (int64 dot products, TFLite's multiplier derivation, its double-rounding
// requantization: gemmlowp's for uint8, ruy's for int8; float within 1e-5), within 1 of real-valued arithmetic, and against TFLite (the
// oracle: float 1e-5, quantized 1 because it runs XNNPACK's fp32 requantization).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "kernels/internal/quantization.h"
#include "testing/kernel_tester.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceFullyConnected();
}

namespace labelite::testing {
namespace {

// TFLite's GEMM requantization, written out independently: gemmlowp's double rounding for
// uint8; for int8, ruy's, whose doubling high multiply and final rounding shift both break
// ties toward +infinity (ARM's VQRDMULH and SRSHL; a 1x1 int8 CONV_2D in LiteRT 2.3 with
// multiplier 0.375 turns -2 into 0, where gemmlowp's rounding gives -1).
int32_t GemmRequantize(DataType type, int32_t acc, int32_t qm, int shift) {
  if (type == DataType::kUInt8) return quant::MultiplyByQuantizedMultiplier(acc, qm, shift);
  const int64_t high = (int64_t(shift > 0 ? acc * (1 << shift) : acc) * qm + (int64_t{1} << 30)) >> 31;
  return int32_t(std::floor(std::ldexp(double(high), std::min(shift, 0)) + 0.5));
}

struct FcCase {
  DataType type = DataType::kFloat32;
  std::vector<int32_t> input_shape{2, 6};
  int units = 4;
  bool keep_num_dims = false;
  bool bias = true;
  bool per_channel = false;
  Activation act = Activation::kNone;
  int32_t in_zp = 0, filter_zp = 0;
  double out_range = 1.0;
};


template <typename T>
void RunFc(FcCase c, uint32_t seed) {
  const bool is_float = c.type == DataType::kFloat32;
  if (c.type == DataType::kInt8) c.filter_zp = 0;
  const int depth = c.input_shape.back();
  int64_t total = 1;
  for (int32_t d : c.input_shape) total *= d;
  const int batches = int(total / depth);
  const double qlo = c.type == DataType::kUInt8 ? 0 : -128, qhi = qlo + 255;
  auto input = is_float ? RandomValues<T>(total, -1, 1, seed) : RandomValues<T>(total, qlo, qhi, seed);
  auto filter = is_float ? RandomValues<T>(size_t(c.units) * depth, -1, 1, seed + 1)
                         : RandomValues<T>(size_t(c.units) * depth, c.type == DataType::kInt8 ? -127 : 0, qhi, seed + 1);
  const float in_scale = 0.03f;
  std::vector<float> fs(c.per_channel ? c.units : 1);
  for (size_t i = 0; i < fs.size(); ++i) fs[i] = 0.005f + 0.002f * float(i);
  auto bias_q = RandomValues<int32_t>(c.units, -5000, 5000, seed + 2);
  auto bias_f = RandomValues<float>(c.units, -1, 1, seed + 2);

  std::vector<double> acc(size_t(batches) * c.units);
  for (int b = 0; b < batches; ++b)
    for (int u = 0; u < c.units; ++u) {
      double s = c.bias ? (is_float ? double(bias_f[u]) : double(bias_q[u])) : 0.0;
      for (int d = 0; d < depth; ++d) {
        const double x = input[size_t(b) * depth + d], w = filter[size_t(u) * depth + d];
        s += is_float ? x * w : (x - c.in_zp) * (w - c.filter_zp);
      }
      acc[size_t(b) * c.units + u] = s;
    }
  float out_scale = 0;
  int32_t out_zp = 0;
  auto fscale = [&](int u) { return fs[c.per_channel ? u : 0]; };
  if (!is_float) {
    double lo = 0, hi = 0;
    for (size_t i = 0; i < acc.size(); ++i) {
      const double r = acc[i] * in_scale * fscale(int(i % c.units));
      lo = std::min(lo, r), hi = std::max(hi, r);
    }
    out_scale = float((hi - lo) / 255 * c.out_range);
    out_zp = int32_t(std::clamp(std::round(qlo - lo / out_scale), qlo, qhi));
  }
  std::vector<int32_t> out_shape = c.input_shape;
  if (c.keep_num_dims) out_shape.back() = c.units;
  else out_shape = {batches, c.units};

  KernelTester t(kOpFullyConnected, CreateReferenceFullyConnected);
  auto qp = [&](float s, int32_t zp) { return is_float ? QuantizationParams{} : Quant(s, zp); };
  const int in = t.Input<T>(c.type, c.input_shape, input, qp(in_scale, c.in_zp));
  const int f = t.Const<T>(c.type, {c.units, depth}, filter,
                           c.per_channel ? PerChannelQuant(fs, 0) : qp(fs[0], c.filter_zp));
  int bias = -1;
  if (c.bias && is_float) bias = t.Const<float>(DataType::kFloat32, {c.units}, bias_f);
  if (c.bias && !is_float) {
    std::vector<float> bs(fs.size());
    for (size_t i = 0; i < bs.size(); ++i) bs[i] = in_scale * fs[i];
    bias = t.Const<int32_t>(DataType::kInt32, {c.units}, bias_q,
                            c.per_channel ? PerChannelQuant(bs, 0) : Quant(bs[0], 0));
  }
  t.Output(c.type, out_shape, qp(out_scale, out_zp));
  OpOptions o;
  o.keep_num_dims = c.keep_num_dims;
  o.activation = c.act;
  t.Op({in, f, bias}, o);
  const Status s = t.Run();
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(t.output_dims(), out_shape);

  std::vector<double> exact(acc.size()), real(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    if (is_float) {
      double v = acc[i];
      if (c.act == Activation::kRelu) v = std::max(v, 0.0);
      if (c.act == Activation::kRelu6) v = std::clamp(v, 0.0, 6.0);
      if (c.act == Activation::kReluN1To1) v = std::clamp(v, -1.0, 1.0);
      exact[i] = real[i] = v;
      continue;
    }
    int32_t lo = int32_t(qlo), hi = int32_t(qhi);
    auto q = [&](double v) { return out_zp + int32_t(std::round(v / out_scale)); };
    if (c.act == Activation::kRelu || c.act == Activation::kRelu6) lo = std::max(lo, q(0));
    if (c.act == Activation::kRelu6) hi = std::min(hi, q(6));
    const double m = c.per_channel ? double(in_scale) * double(fscale(int(i % c.units))) / double(out_scale)
                                   : double(in_scale * fs[0]) / double(out_scale);
    int32_t qm;
    int shift;
    quant::QuantizeMultiplier(m, &qm, &shift);
    exact[i] = std::clamp(GemmRequantize(c.type, int32_t(acc[i]), qm, shift) + out_zp, lo, hi);
    real[i] = std::clamp<double>(std::round(acc[i] * m) + out_zp, lo, hi);
  }
  ExpectAllNear(t.OutputAsDouble(), exact, is_float ? 1e-5 : 0.0, "the straightforward computation");
  ExpectAllNear(t.OutputAsDouble(), real, is_float ? 1e-5 : 1.0, "real-valued arithmetic");
  LABELITE_EXPECT_MATCHES_ORACLE(t, is_float ? 1e-5 : 1.0);
}

void RunAny(const FcCase& c, uint32_t seed) {
  if (c.type == DataType::kFloat32) RunFc<float>(c, seed);
  else if (c.type == DataType::kUInt8) RunFc<uint8_t>(c, seed);
  else RunFc<int8_t>(c, seed);
}

class FullyConnectedTest : public ::testing::TestWithParam<DataType> {};

TEST_P(FullyConnectedTest, Basic) {
  FcCase c;
  c.type = GetParam();
  c.in_zp = c.type == DataType::kUInt8 ? 130 : -3;
  c.filter_zp = 125;
  RunAny(c, 1);
}

TEST_P(FullyConnectedTest, FlattensRank4InputRelu) {
  FcCase c;
  c.type = GetParam();
  c.input_shape = {1, 2, 3, 7};  // 6 rows of depth 7
  c.units = 9;
  c.act = Activation::kRelu;
  c.in_zp = c.type == DataType::kUInt8 ? 0 : 127;
  c.filter_zp = 3;
  c.per_channel = c.type == DataType::kInt8;
  RunAny(c, 2);
}

TEST_P(FullyConnectedTest, KeepNumDimsRelu6) {
  FcCase c;
  c.type = GetParam();
  c.input_shape = {2, 3, 5};
  c.units = 3;
  c.keep_num_dims = true;
  c.act = Activation::kRelu6;
  c.in_zp = c.type == DataType::kUInt8 ? 77 : -77;
  c.filter_zp = 200;
  RunAny(c, 3);
}

TEST_P(FullyConnectedTest, NoBiasSaturating) {
  FcCase c;
  c.type = GetParam();
  c.input_shape = {3, 16};
  c.units = 10;
  c.bias = false;
  c.out_range = 0.25;
  c.in_zp = c.type == DataType::kUInt8 ? 255 : -128;
  c.filter_zp = 1;
  c.per_channel = c.type == DataType::kInt8;
  RunAny(c, 4);
}

INSTANTIATE_TEST_SUITE_P(Types, FullyConnectedTest,
                         ::testing::Values(DataType::kFloat32, DataType::kUInt8, DataType::kInt8),
                         [](const auto& info) { return std::string(DataTypeName(info.param)); });

TEST(FullyConnectedErrorTest, DepthMismatchIsAnError) {
  KernelTester t(kOpFullyConnected, CreateReferenceFullyConnected);
  const int in = t.Input<float>(DataType::kFloat32, {2, 5}, std::vector<float>(10, 1.0f));
  const int f = t.Const<float>(DataType::kFloat32, {3, 4}, std::vector<float>(12, 1.0f));
  t.Output(DataType::kFloat32, {2, 3});
  t.Op({in, f, -1});
  const Status s = t.Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("FULLY_CONNECTED"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace labelite::testing
