// QUANTIZE (float -> uint8/int8, requantize uint8 <-> int8 and same-type rescale) and
// DEQUANTIZE (uint8/int8/int16, float16, per-channel int8 constant weights). Expected values:
// round(x / s) + zp and (q - zp) * s computed here (quantize/dequantize exactly; requantize
// within 1, fixed-point rounding), and TFLite (float within 1e-5; quantized within 1: XNNPACK).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kernels/single_op_b.h"
#include "testing/kernel_tester.h"
#include "testing/litert.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceQuantize();
std::unique_ptr<Kernel> CreateReferenceDequantize();
namespace {

using testing::Bytes;
using testing::Quant;
using testing::Values;

std::vector<uint8_t> Model(int32_t code, DataType tin, QuantizationParams qin, DataType tout,
                           QuantizationParams qout, std::vector<int32_t> shape) {
  testing::ModelBuilder b;
  const int in = b.AddTensor(tin, shape, "in", qin);
  const int out = b.AddTensor(tout, shape, "out", qout);
  b.AddOperator(code, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

template <typename T>
void QuantizeFloat(DataType type, float scale, int32_t zp) {
  std::vector<float> x;
  for (int i = -300; i <= 300; ++i) x.push_back(static_cast<float>(i) * 0.0731f);
  const auto model = Model(114, DataType::kFloat32, {}, type, Quant(scale, zp), {static_cast<int32_t>(x.size())});
  const auto r = testing::RunReference(114, &CreateReferenceQuantize, model, {Bytes(x)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const auto y = Values<T>(r.bytes);
  for (size_t i = 0; i < x.size(); ++i) {
    const float q = std::round(x[i] / scale) + static_cast<float>(zp);
    const float want = std::clamp(q, static_cast<float>(std::numeric_limits<T>::min()),
                                  static_cast<float>(std::numeric_limits<T>::max()));
    EXPECT_EQ(static_cast<float>(y[i]), want) << "x=" << x[i];
  }
  testing::ExpectMatchesOracle(model, {Bytes(x)}, r.dims, y, 1.0);
}

TEST(Quantize, FloatToUint8) { QuantizeFloat<uint8_t>(DataType::kUInt8, 0.05f, 128); }
TEST(Quantize, FloatToInt8Saturates) { QuantizeFloat<int8_t>(DataType::kInt8, 0.07f, -20); }

template <typename In, typename Out>
void Requantize(DataType tin, float sin, int32_t zin, DataType tout, float sout, int32_t zout) {
  std::vector<In> x;
  for (int v = std::numeric_limits<In>::min(); v <= std::numeric_limits<In>::max(); ++v) x.push_back(static_cast<In>(v));
  const auto model = Model(114, tin, Quant(sin, zin), tout, Quant(sout, zout), {static_cast<int32_t>(x.size())});
  const auto r = testing::RunReference(114, &CreateReferenceQuantize, model, {Bytes(x)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const auto y = Values<Out>(r.bytes);
  for (size_t i = 0; i < x.size(); ++i) {
    const float real = sin * static_cast<float>(static_cast<int>(x[i]) - zin);
    const float want = std::clamp(std::round(real / sout) + static_cast<float>(zout),
                                  static_cast<float>(std::numeric_limits<Out>::min()),
                                  static_cast<float>(std::numeric_limits<Out>::max()));
    EXPECT_LE(std::fabs(static_cast<float>(y[i]) - want), 1.0f) << "x=" << static_cast<int>(x[i]);
  }
  testing::ExpectMatchesOracle(model, {Bytes(x)}, r.dims, y, 1.0);
}

TEST(Quantize, Uint8ToInt8SameScale) {
  Requantize<uint8_t, int8_t>(DataType::kUInt8, 0.1f, 128, DataType::kInt8, 0.1f, 0);
}
TEST(Quantize, Int8ToUint8) { Requantize<int8_t, uint8_t>(DataType::kInt8, 0.1f, -5, DataType::kUInt8, 0.13f, 120); }
TEST(Quantize, Uint8Rescale) { Requantize<uint8_t, uint8_t>(DataType::kUInt8, 0.1f, 100, DataType::kUInt8, 0.045f, 30); }
TEST(Quantize, Int8Rescale) { Requantize<int8_t, int8_t>(DataType::kInt8, 0.02f, 7, DataType::kInt8, 0.05f, -100); }

template <typename T>
void Dequantize(DataType type, float scale, int32_t zp) {
  std::vector<T> x;
  for (int v = 0; v < 256; ++v) x.push_back(static_cast<T>(v * 257 % 65536 + std::numeric_limits<T>::min()));
  const auto model = Model(6, type, Quant(scale, zp), DataType::kFloat32, {}, {static_cast<int32_t>(x.size())});
  const auto r = testing::RunReference(6, &CreateReferenceDequantize, model, {Bytes(x)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const auto y = Values<float>(r.bytes);
  // 8-bit: LiteRT's builtin kernel computes blocks of 8 as float(q) * scale + float(-zp * scale);
  // the rest (and int16) as the double product.
  const size_t vector_end = sizeof(T) == 1 ? x.size() / 8 * 8 : 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const float expected =
        i < vector_end ? static_cast<float>(x[i]) * scale + static_cast<float>(-zp * scale)
                       : static_cast<float>(static_cast<double>(scale) * (static_cast<int>(x[i]) - zp));
    EXPECT_EQ(y[i], expected) << i;
  }
  for (const auto& lr : testing::RunLiteRt(model, {Bytes(x)}, {testing::LiteRtPath::kBuiltin})) {
    if (!lr.available) break;  // the WebAssembly oracle below still runs
    ASSERT_TRUE(lr.ran) << lr.error;
    testing::ExpectAllNear(std::vector<double>(y.begin(), y.end()), lr.outputs[0].values, 0.0,
                           lr.runtime);
  }
  testing::ExpectMatchesOracle(model, {Bytes(x)}, r.dims, y, 1e-5);
}

TEST(Dequantize, Uint8) { Dequantize<uint8_t>(DataType::kUInt8, 0.0235f, 131); }
TEST(Dequantize, Int8) { Dequantize<int8_t>(DataType::kInt8, 0.5f, -3); }
TEST(Dequantize, Int16) { Dequantize<int16_t>(DataType::kInt16, 0.001f, 0); }

// A float16 constant dequantized into a float graph output (TFLite's float16 weights pattern),
// feeding nothing else; the model's input is an unused float tensor.
TEST(Dequantize, ConstantFloat16) {
  const std::vector<uint16_t> h = {0x0000, 0x8000, 0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0x03FF, 0x7C00, 0xFC00};
  const std::vector<float> want = {0.0f, -0.0f, 1.0f, -2.0f, 0.333251953125f, 65504.0f, 5.9604644775390625e-8f,
                                   6.09755516052246e-05f, std::numeric_limits<float>::infinity(),
                                   -std::numeric_limits<float>::infinity()};
  testing::ModelBuilder b;
  const int in = b.AddConstTensor<uint16_t>(DataType::kFloat16, {10}, h);
  const int out = b.AddTensor(DataType::kFloat32, {10}, "out");
  b.AddOperator(6, {in}, {out});
  b.SetInputs({});
  b.SetOutputs({out});
  const auto r = testing::RunReference(6, &CreateReferenceDequantize, b.Build(), {});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const auto y = Values<float>(r.bytes);
  ASSERT_EQ(y.size(), want.size());
  for (size_t i = 0; i < y.size(); ++i) {
    EXPECT_EQ(y[i], want[i]) << i;
    EXPECT_EQ(std::signbit(y[i]), std::signbit(want[i])) << i;
  }
}

TEST(Dequantize, PerChannelInt8Constant) {
  const std::vector<int8_t> w = {-128, -1, 0, 1, 127, 5, 10, -10, 64, -64, 3, 2};  // [3, 4], axis 0
  testing::ModelBuilder b;
  QuantizationParams q = testing::PerChannelQuant({0.5f, 0.01f, 2.0f}, 0);
  q.zero_point = {0, 0, 0};
  const int in = b.AddConstTensor<int8_t>(DataType::kInt8, {3, 4}, w, q);
  const int out = b.AddTensor(DataType::kFloat32, {3, 4}, "out");
  b.AddOperator(6, {in}, {out});
  b.SetInputs({});
  b.SetOutputs({out});
  const auto r = testing::RunReference(6, &CreateReferenceDequantize, b.Build(), {});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const auto y = Values<float>(r.bytes);
  for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(y[i], static_cast<float>(w[i]) * q.scale[i / 4]) << i;
}

TEST(Quantize, Int16InputIsUnsupported) {
  const auto r = testing::RunReference(
      114, &CreateReferenceQuantize,
      Model(114, DataType::kInt16, Quant(0.1f, 0), DataType::kInt8, Quant(0.1f, 0), {4}), {});
  EXPECT_EQ(r.status.code(), StatusCode::kUnsupported) << r.status.ToString();
}

}  // namespace
}  // namespace labelite
