// PAD and PADV2: padded shapes, pad value 0 / output zero point / constant_values, int64
// paddings, 1x1 inputs. Expected values come from an independent index computation here and
// from TFLite (exact: padding moves values).
#include <gtest/gtest.h>

#include "kernels/single_op_b.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferencePad();
std::unique_ptr<Kernel> CreateReferencePadV2();
namespace {

using testing::Bytes;
using testing::Quant;
using testing::Values;

// Independent expectation for 4-D NHWC padding.
template <typename T>
std::vector<T> Expected(const std::vector<int32_t>& s, const std::vector<int32_t>& p, const std::vector<T>& x, T pad) {
  const int32_t o[4] = {s[0] + p[0] + p[1], s[1] + p[2] + p[3], s[2] + p[4] + p[5], s[3] + p[6] + p[7]};
  std::vector<T> y;
  for (int a = 0; a < o[0]; ++a)
    for (int b = 0; b < o[1]; ++b)
      for (int c = 0; c < o[2]; ++c)
        for (int d = 0; d < o[3]; ++d) {
          const int ia = a - p[0], ib = b - p[2], ic = c - p[4], id = d - p[6];
          const bool inside = ia >= 0 && ia < s[0] && ib >= 0 && ib < s[1] && ic >= 0 && ic < s[2] && id >= 0 && id < s[3];
          y.push_back(inside ? x[static_cast<size_t>(((ia * s[1] + ib) * s[2] + ic) * s[3] + id)] : pad);
        }
  return y;
}

template <typename T, typename P>
void Check(DataType type, DataType pad_type, QuantizationParams q, std::vector<int32_t> shape,
           std::vector<int32_t> pads, bool v2, T constant, T want_pad, bool oracle = true) {
  testing::ModelBuilder b;
  const int in = b.AddTensor(type, shape, "in", q);
  const std::vector<P> pv(pads.begin(), pads.end());
  const int pt = b.AddConstTensor<P>(pad_type, {4, 2}, pv);
  std::vector<int32_t> oshape = {shape[0] + pads[0] + pads[1], shape[1] + pads[2] + pads[3],
                                 shape[2] + pads[4] + pads[5], shape[3] + pads[6] + pads[7]};
  const int out = b.AddTensor(type, oshape, "out", q);
  std::vector<int32_t> ins = {in, pt};
  if (v2) ins.push_back(b.AddConstTensor<T>(type, {1}, {constant}, q));
  const int32_t code = v2 ? 60 : 34;
  b.AddOperator(code, ins, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  const auto model = b.Build();
  std::vector<T> x;
  for (int i = 0; i < shape[0] * shape[1] * shape[2] * shape[3]; ++i) x.push_back(static_cast<T>(i % 100 + 1));
  const auto r = testing::RunReference(code, v2 ? &CreateReferencePadV2 : &CreateReferencePad, model, {Bytes(x)});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.dims, oshape);
  const auto y = Values<T>(r.bytes);
  EXPECT_EQ(y, Expected<T>(shape, pads, x, want_pad));
  if (oracle) testing::ExpectMatchesOracle(model, {Bytes(x)}, r.dims, y, 0.0);
}

TEST(Pad, Float) {
  Check<float, int32_t>(DataType::kFloat32, DataType::kInt32, {}, {1, 3, 2, 2}, {0, 0, 1, 2, 2, 0, 0, 1}, false, 0, 0);
}
// The kernel copies the longest contiguous run: the padded axis and every unpadded axis inside
// it. Each case pads a different axis last: C (runs of C), W (runs of W*C, a ResNet stem), H only
// (runs of H*W*C), N only (one run per image).
TEST(Pad, ContiguousRunsOfEveryLength) {
  const std::vector<std::vector<int32_t>> cases = {
      {0, 0, 1, 0, 0, 2, 1, 1}, {0, 0, 3, 3, 3, 3, 0, 0}, {0, 0, 2, 1, 0, 0, 0, 0}, {1, 2, 0, 0, 0, 0, 0, 0}};
  for (const auto& pads : cases) {
    SCOPED_TRACE(::testing::PrintToString(pads));
    Check<uint8_t, int32_t>(DataType::kUInt8, DataType::kInt32, Quant(0.5f, 31), {2, 5, 4, 3}, pads, false, 0, 31,
                            /*oracle=*/false);
    Check<float, int32_t>(DataType::kFloat32, DataType::kInt32, {}, {2, 5, 4, 3}, pads, false, 0, 0, /*oracle=*/false);
    Check<int16_t, int32_t>(DataType::kInt16, DataType::kInt32, Quant(0.5f, 0), {2, 5, 4, 3}, pads, true, 7, 7,
                            /*oracle=*/false);
  }
}
TEST(Pad, Uint8PadsWithZeroPoint) {
  Check<uint8_t, int32_t>(DataType::kUInt8, DataType::kInt32, Quant(0.5f, 77), {1, 2, 3, 3}, {0, 0, 1, 1, 1, 1, 0, 0}, false, 0, 77);
}
TEST(Pad, Int8NegativeZeroPoint) {
  Check<int8_t, int32_t>(DataType::kInt8, DataType::kInt32, Quant(0.5f, -9), {1, 2, 2, 3}, {1, 0, 0, 2, 1, 0, 2, 1}, false, 0, -9);
}
// TFLite's builtin PAD reads int64 paddings; the oracle (XNNPACK delegate) misreads them as
// int32 pairs, so this case is checked against the independent computation only.
TEST(Pad, Int64Paddings) {
  Check<int8_t, int64_t>(DataType::kInt8, DataType::kInt64, Quant(0.5f, -9), {1, 2, 2, 3}, {1, 0, 0, 2, 1, 0, 2, 1}, false, 0, -9, false);
}
TEST(Pad, OneByOne) {
  Check<float, int32_t>(DataType::kFloat32, DataType::kInt32, {}, {1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 0, 0}, false, 0, 0);
}
TEST(PadV2, FloatConstant) {
  Check<float, int32_t>(DataType::kFloat32, DataType::kInt32, {}, {1, 2, 2, 2}, {0, 0, 1, 1, 0, 2, 0, 0}, true, -3.5f, -3.5f);
}
TEST(PadV2, Uint8Constant) {
  Check<uint8_t, int32_t>(DataType::kUInt8, DataType::kInt32, Quant(0.25f, 128), {1, 2, 2, 4}, {0, 0, 2, 0, 1, 1, 0, 0}, true, 200, 200);
}
TEST(PadV2, Int8Constant) {
  Check<int8_t, int32_t>(DataType::kInt8, DataType::kInt32, Quant(0.25f, -1), {1, 3, 2, 2}, {0, 0, 1, 0, 0, 1, 1, 1}, true, -128, -128);
}

TEST(Pad, NegativePaddingIsAnError) {
  testing::ModelBuilder b;
  const int in = b.AddTensor(DataType::kFloat32, {1, 2, 2, 1}, "in");
  const int pt = b.AddConstTensor<int32_t>(DataType::kInt32, {4, 2}, {0, 0, -1, 0, 0, 0, 0, 0});
  const int out = b.AddTensor(DataType::kFloat32, {1, 1, 2, 1}, "out");
  b.AddOperator(34, {in, pt}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  const auto r = testing::RunReference(34, &CreateReferencePad, b.Build(), {});
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("paddings"), std::string::npos) << r.status.ToString();
}

}  // namespace
}  // namespace labelite
