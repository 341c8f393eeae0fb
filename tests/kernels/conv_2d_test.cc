// CONV_2D reference kernel tests. Every case is checked three ways:
//   1. against a straightforward computation in this file (double / int64 sums over the window,
//      padding from TensorFlow's SAME/VALID definitions, then TFLite's requantization:
//      QuantizeMultiplier of the real multiplier and TFLite's double-rounding requantization,
//      gemmlowp's for uint8 and ruy's for int8),
//      which must match exactly (float: 1e-5);
//   2. against the real-valued result round(acc * real_multiplier) + zp within 1;
//   3. against TFLite (the oracle) within 1e-5 (float) or 1 (quantized: the oracle runs
//      XNNPACK, whose fp32 requantization rounds differently from the builtin kernel's).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "kernels/internal/quantization.h"
#include "testing/kernel_tester.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceConv2D();
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

struct ConvCase {
  std::string name;
  DataType type = DataType::kFloat32;
  int n = 1, h = 5, w = 5, c_in = 3, c_out = 4, kh = 3, kw = 3;
  int sh = 1, sw = 1, dh = 1, dw = 1;
  Padding padding = Padding::kSame;
  Activation act = Activation::kNone;
  bool per_channel = false;
  bool bias = true;
  int32_t in_zp = 0;
  int32_t filter_zp = 0;     // uint8 only
  double out_range = 1.0;    // < 1 saturates that fraction of the output range
};

// TensorFlow's definitions: SAME = ceil(in / stride), VALID = ceil((in - eff + 1) / stride).
int OutSize(Padding p, int in, int k, int s, int d) {
  const int eff = (k - 1) * d + 1;
  const double v = p == Padding::kSame ? std::ceil(double(in) / s) : std::ceil(double(in - eff + 1) / s);
  return static_cast<int>(v);
}
int PadBefore(int in, int k, int s, int d, int out) {
  const int eff = (k - 1) * d + 1;
  return std::max(0, (out - 1) * s + eff - in) / 2;
}


void QuantRange(Activation act, DataType type, float scale, int32_t zp, int32_t* lo, int32_t* hi) {
  *lo = type == DataType::kUInt8 ? 0 : -128;
  *hi = type == DataType::kUInt8 ? 255 : 127;
  auto q = [&](double f) { return zp + static_cast<int32_t>(std::round(f / scale)); };
  if (act == Activation::kRelu || act == Activation::kRelu6) *lo = std::max(*lo, q(0));
  if (act == Activation::kRelu6) *hi = std::min(*hi, q(6));
  if (act == Activation::kReluN1To1) *lo = std::max(*lo, q(-1)), *hi = std::min(*hi, q(1));
}

double FloatAct(Activation act, double v) {
  if (act == Activation::kRelu) return std::max(v, 0.0);
  if (act == Activation::kRelu6) return std::clamp(v, 0.0, 6.0);
  if (act == Activation::kReluN1To1) return std::clamp(v, -1.0, 1.0);
  return v;
}

template <typename T>
void RunCase(const ConvCase& spec, uint32_t seed, bool with_oracle) {
  SCOPED_TRACE(spec.name);
  ConvCase c = spec;
  if (c.type != DataType::kUInt8) c.filter_zp = 0;  // int8 weights are symmetric
  const bool is_float = c.type == DataType::kFloat32;
  const int oh = OutSize(c.padding, c.h, c.kh, c.sh, c.dh);
  const int ow = OutSize(c.padding, c.w, c.kw, c.sw, c.dw);
  const int ph = PadBefore(c.h, c.kh, c.sh, c.dh, oh), pw = PadBefore(c.w, c.kw, c.sw, c.dw, ow);
  const size_t in_n = size_t(c.n) * c.h * c.w * c.c_in, f_n = size_t(c.c_out) * c.kh * c.kw * c.c_in;
  const double qlo = c.type == DataType::kUInt8 ? 0 : -128, qhi = qlo + 255;
  std::vector<T> input = is_float ? RandomValues<T>(in_n, -1, 1, seed)
                                  : RandomValues<T>(in_n, qlo, qhi, seed);
  std::vector<T> filter = is_float ? RandomValues<T>(f_n, -0.5, 0.5, seed + 1)
                                   : RandomValues<T>(f_n, c.type == DataType::kInt8 ? -127 : 0, qhi, seed + 1);
  const float in_scale = 0.02f;
  std::vector<float> f_scales(c.per_channel ? c.c_out : 1);
  for (size_t i = 0; i < f_scales.size(); ++i) f_scales[i] = 0.004f * (1.0f + 0.37f * float(i));
  auto fscale = [&](int oc) { return f_scales[c.per_channel ? oc : 0]; };

  // Exact accumulators (int64 or double), bias included.
  std::vector<int32_t> bias_q(c.c_out);
  std::vector<float> bias_f(c.c_out);
  for (int oc = 0; oc < c.c_out; ++oc) {
    bias_q[oc] = static_cast<int32_t>(RandomValues<int32_t>(1, -3000, 3000, seed + 10 + oc)[0]);
    bias_f[oc] = RandomValues<float>(1, -0.5, 0.5, seed + 10 + oc)[0];
  }
  std::vector<double> acc(size_t(c.n) * oh * ow * c.c_out);
  size_t at = 0;
  for (int b = 0; b < c.n; ++b)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int oc = 0; oc < c.c_out; ++oc, ++at) {
          double sum = c.bias ? (is_float ? bias_f[oc] : bias_q[oc]) : 0.0;
          for (int ky = 0; ky < c.kh; ++ky)
            for (int kx = 0; kx < c.kw; ++kx) {
              const int iy = y * c.sh - ph + ky * c.dh, ix = x * c.sw - pw + kx * c.dw;
              if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
              for (int ic = 0; ic < c.c_in; ++ic) {
                const double xv = input[((size_t(b) * c.h + iy) * c.w + ix) * c.c_in + ic];
                const double fv = filter[((size_t(oc) * c.kh + ky) * c.kw + kx) * c.c_in + ic];
                sum += is_float ? xv * fv : (xv - c.in_zp) * (fv - c.filter_zp);
              }
            }
          acc[at] = sum;
        }

  // Output quantization: cover the real-valued range (times out_range, to force saturation).
  float out_scale = 0.0f;
  int32_t out_zp = 0;
  if (!is_float) {
    double lo = 0, hi = 0;
    for (size_t i = 0; i < acc.size(); ++i) {
      const double r = acc[i] * in_scale * fscale(int(i % c.c_out));
      lo = std::min(lo, r), hi = std::max(hi, r);
    }
    out_scale = static_cast<float>((hi - lo) / 255.0 * c.out_range);
    out_zp = static_cast<int32_t>(std::clamp(std::round(qlo - lo / out_scale), qlo, qhi));
  }

  KernelTester t(kOpConv2D, CreateReferenceConv2D);
  const auto qp = [&](float s, int32_t zp) { return is_float ? QuantizationParams{} : Quant(s, zp); };
  const int in = t.Input<T>(c.type, {c.n, c.h, c.w, c.c_in}, input, qp(in_scale, c.in_zp));
  QuantizationParams fq = c.per_channel ? PerChannelQuant(f_scales, 0) : qp(f_scales[0], c.filter_zp);
  const int f = t.Const<T>(c.type, {c.c_out, c.kh, c.kw, c.c_in}, filter, fq);
  int bias = -1;
  if (c.bias && is_float) bias = t.Const<float>(DataType::kFloat32, {c.c_out}, bias_f);
  if (c.bias && !is_float) {
    std::vector<float> bs(f_scales.size());
    for (size_t i = 0; i < bs.size(); ++i) bs[i] = in_scale * f_scales[i];
    bias = t.Const<int32_t>(DataType::kInt32, {c.c_out}, bias_q,
                            c.per_channel ? PerChannelQuant(bs, 0) : Quant(bs[0], 0));
  }
  t.Output(c.type, {c.n, oh, ow, c.c_out}, qp(out_scale, out_zp));
  OpOptions o;
  o.padding = c.padding;
  o.stride_h = c.sh, o.stride_w = c.sw, o.dilation_h = c.dh, o.dilation_w = c.dw;
  o.activation = c.act;
  // TFLite reads "no bias" from a 2-input operator (an absent third input fails its Prepare).
  t.Op(bias >= 0 ? std::vector<int32_t>{in, f, bias} : std::vector<int32_t>{in, f}, o);
  const Status s = t.Run();
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(t.output_dims(), (std::vector<int32_t>{c.n, oh, ow, c.c_out}));
  const std::vector<double> ours = t.OutputAsDouble();

  std::vector<double> exact(acc.size()), real(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    const int oc = int(i % c.c_out);
    if (is_float) {
      exact[i] = real[i] = FloatAct(c.act, acc[i]);
      continue;
    }
    int32_t lo, hi;
    QuantRange(c.act, c.type, out_scale, out_zp, &lo, &hi);
    const double m = c.type == DataType::kUInt8
                         ? double(in_scale * f_scales[0]) / double(out_scale)
                         : double(in_scale) * double(fscale(oc)) / double(out_scale);
    int32_t qm;
    int shift;
    quant::QuantizeMultiplier(m, &qm, &shift);
    exact[i] = std::clamp(GemmRequantize(c.type, int32_t(acc[i]), qm, shift) + out_zp, lo, hi);
    real[i] = std::clamp<double>(std::round(acc[i] * m) + out_zp, lo, hi);
  }
  ExpectAllNear(ours, exact, is_float ? 1e-5 : 0.0, "the straightforward computation");
  ExpectAllNear(ours, real, is_float ? 1e-5 : 1.0, "real-valued arithmetic");
  if (with_oracle) LABELITE_EXPECT_MATCHES_ORACLE(t, is_float ? 1e-5 : 1.0);
}

ConvCase Case(std::string name, DataType type) {
  ConvCase c;
  c.name = std::move(name);
  c.type = type;
  return c;
}

void RunConv(const ConvCase& c, uint32_t seed, bool with_oracle = true) {
  switch (c.type) {
    case DataType::kFloat32: RunCase<float>(c, seed, with_oracle); break;
    case DataType::kUInt8: RunCase<uint8_t>(c, seed, with_oracle); break;
    default: RunCase<int8_t>(c, seed, with_oracle); break;
  }
}

class Conv2DTest : public ::testing::TestWithParam<DataType> {};

TEST_P(Conv2DTest, Same3x3) {
  ConvCase c = Case("same 3x3", GetParam());
  c.in_zp = GetParam() == DataType::kUInt8 ? 120 : -7;
  c.filter_zp = 131;
  RunConv(c, 1);
}

TEST_P(Conv2DTest, ValidStride2Relu6) {
  ConvCase c = Case("valid stride 2", GetParam());
  c.h = 9, c.w = 8, c.c_in = 5, c.c_out = 6, c.sh = 2, c.sw = 2;
  c.padding = Padding::kValid;
  c.act = Activation::kRelu6;
  c.in_zp = GetParam() == DataType::kUInt8 ? 3 : 100;
  c.filter_zp = 77;
  RunConv(c, 2);
}

TEST_P(Conv2DTest, SameStride2OddSizesDilationRelu) {
  ConvCase c = Case("same stride 2 dilation 2", GetParam());
  c.n = 2, c.h = 7, c.w = 6, c.c_in = 4, c.c_out = 3, c.sh = 2, c.sw = 1, c.dh = 2, c.dw = 2;
  c.act = Activation::kRelu;
  c.in_zp = GetParam() == DataType::kUInt8 ? 128 : -128;
  c.filter_zp = 128;
  c.per_channel = GetParam() == DataType::kInt8;
  RunConv(c, 3);
}

TEST_P(Conv2DTest, KernelLargerThanInputSame) {
  ConvCase c = Case("5x5 kernel on a 2x3 image", GetParam());
  c.h = 2, c.w = 3, c.kh = 5, c.kw = 5, c.c_in = 2, c.c_out = 5;
  c.in_zp = GetParam() == DataType::kUInt8 ? 60 : 20;
  c.filter_zp = 140;
  c.per_channel = GetParam() == DataType::kInt8;
  RunConv(c, 4);
}

TEST_P(Conv2DTest, OneByOneImagePointwiseReluN1To1) {
  ConvCase c = Case("1x1 image, 1x1 kernel", GetParam());
  c.h = c.w = 1, c.kh = c.kw = 1, c.c_in = 16, c.c_out = 8;
  c.act = Activation::kReluN1To1;
  c.in_zp = GetParam() == DataType::kUInt8 ? 255 : 127;
  c.filter_zp = 0;
  c.per_channel = GetParam() == DataType::kInt8;
  RunConv(c, 5);
}

// TFLite's CONV_2D refuses a 2-input operator (has_bias), so this one has no oracle check;
// labelite accepts it and computes as with a zero bias.
TEST_P(Conv2DTest, NoBias) {
  ConvCase c = Case("no bias", GetParam());
  c.bias = false;
  c.in_zp = GetParam() == DataType::kUInt8 ? 10 : -10;
  c.filter_zp = 200;
  RunConv(c, 7, /*with_oracle=*/false);
}

TEST_P(Conv2DTest, Saturating) {
  ConvCase c = Case("saturating", GetParam());
  c.h = 6, c.w = 6, c.c_in = 8, c.c_out = 4, c.kh = 2, c.kw = 3, c.sh = 1, c.sw = 2;
  c.out_range = 0.3;  // most outputs clamp at both ends
  c.in_zp = GetParam() == DataType::kUInt8 ? 100 : 5;
  c.filter_zp = 90;
  c.per_channel = GetParam() == DataType::kInt8;
  RunConv(c, 6);
}

INSTANTIATE_TEST_SUITE_P(Types, Conv2DTest,
                         ::testing::Values(DataType::kFloat32, DataType::kUInt8, DataType::kInt8),
                         [](const auto& info) { return std::string(DataTypeName(info.param)); });

// Random shapes, strides, dilations and paddings, without the oracle (fast).
TEST(Conv2DRandomTest, MatchesStraightforwardComputation) {
  std::mt19937 rng(42);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int i = 0; i < 30; ++i) {
    const DataType types[] = {DataType::kFloat32, DataType::kUInt8, DataType::kInt8};
    ConvCase c = Case("random " + std::to_string(i), types[i % 3]);
    c.n = pick(1, 2), c.h = pick(1, 9), c.w = pick(1, 9), c.c_in = pick(1, 7), c.c_out = pick(1, 7);
    c.kh = pick(1, 4), c.kw = pick(1, 4), c.sh = pick(1, 3), c.sw = pick(1, 3);
    c.dh = pick(1, 2), c.dw = pick(1, 2);
    c.padding = pick(0, 1) ? Padding::kSame : Padding::kValid;
    if (c.padding == Padding::kValid && ((c.kh - 1) * c.dh + 1 > c.h || (c.kw - 1) * c.dw + 1 > c.w))
      c.padding = Padding::kSame;
    c.act = static_cast<Activation>(pick(0, 3));
    c.in_zp = c.type == DataType::kUInt8 ? pick(0, 255) : pick(-128, 127);
    c.filter_zp = pick(0, 255);
    c.per_channel = c.type == DataType::kInt8 && pick(0, 1);
    c.bias = pick(0, 3) != 0;
    RunConv(c, 100 + i, /*with_oracle=*/false);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace labelite::testing
