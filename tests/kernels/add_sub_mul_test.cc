// ADD, SUB and MUL reference kernel tests with broadcasting: quantized exactly against TFLite's
// arithmetic written out here (ADD/SUB: left shift 20 and the three multipliers; MUL: one
// multiplier; TFLite's double-rounding requantization), within 1 of real-valued arithmetic, and
// against TFLite (the oracle; within 1, XNNPACK requantizes in float); float within 1e-5.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "kernels/internal/quantization.h"
#include "testing/kernel_tester.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceAdd();
std::unique_ptr<Kernel> CreateReferenceSub();
std::unique_ptr<Kernel> CreateReferenceMul();
}

namespace labelite::testing {
namespace {

enum class Op { kAdd, kSub, kMul };

struct BinCase {
  Op op = Op::kAdd;
  DataType type = DataType::kFloat32;
  std::vector<int32_t> a_shape{1, 3, 4, 5}, b_shape{1, 3, 4, 5};
  float sa = 0.05f, sb = 0.02f, so = 0.06f;
  int32_t za = 3, zb = -7, zo = 1;
  Activation act = Activation::kNone;
  bool with_oracle = true;
};

std::vector<int32_t> BroadcastShape(std::vector<int32_t> a, std::vector<int32_t> b) {
  while (a.size() < b.size()) a.insert(a.begin(), 1);
  while (b.size() < a.size()) b.insert(b.begin(), 1);
  for (size_t i = 0; i < a.size(); ++i) a[i] = std::max(a[i], b[i]);
  return a;
}

// Flat index into `shape` (right-aligned to `out`) of output coordinates `idx`.
int64_t Index(const std::vector<int32_t>& shape, const std::vector<int>& idx) {
  const size_t off = idx.size() - shape.size();
  int64_t at = 0;
  for (size_t i = 0; i < shape.size(); ++i) at = at * shape[i] + (shape[i] == 1 ? 0 : idx[i + off]);
  return at;
}

template <typename T>
void RunBin(BinCase c, uint32_t seed) {
  const bool is_float = c.type == DataType::kFloat32;
  if (c.type == DataType::kUInt8) c.za += 128, c.zb += 128, c.zo += 128;
  const double qlo = c.type == DataType::kUInt8 ? 0 : -128, qhi = qlo + 255;
  int64_t na = 1, nb = 1;
  for (int32_t d : c.a_shape) na *= d;
  for (int32_t d : c.b_shape) nb *= d;
  auto a = is_float ? RandomValues<T>(na, -5, 5, seed) : RandomValues<T>(na, qlo, qhi, seed);
  auto b = is_float ? RandomValues<T>(nb, -5, 5, seed + 1) : RandomValues<T>(nb, qlo, qhi, seed + 1);
  const std::vector<int32_t> out_shape = BroadcastShape(c.a_shape, c.b_shape);
  int64_t no = 1;
  for (int32_t d : out_shape) no *= d;

  // TFLite's multipliers, derived here from its definitions.
  const double twice_max = 2 * std::max(c.sa, c.sb);
  int32_t ma, mb, mo, mm;
  int sha, shb, sho, shm;
  quant::QuantizeMultiplier(c.sa / twice_max, &ma, &sha);
  quant::QuantizeMultiplier(c.sb / twice_max, &mb, &shb);
  quant::QuantizeMultiplier(twice_max / ((1 << 20) * c.so), &mo, &sho);
  quant::QuantizeMultiplier(double(c.sa) * double(c.sb) / double(c.so), &mm, &shm);
  double lo = is_float ? -1e300 : qlo, hi = is_float ? 1e300 : qhi;
  auto q = [&](double v) { return is_float ? v : c.zo + std::round(v / c.so); };
  if (c.act == Activation::kRelu || c.act == Activation::kRelu6) lo = std::max(lo, q(0));
  if (c.act == Activation::kRelu6) hi = std::min(hi, q(6));
  if (c.act == Activation::kReluN1To1) lo = std::max(lo, q(-1)), hi = std::min(hi, q(1));

  std::vector<double> exact, real;
  std::vector<int> idx(out_shape.size(), 0);
  for (int64_t i = 0; i < no; ++i) {
    int64_t rem = i;
    for (int d = int(out_shape.size()) - 1; d >= 0; --d) idx[d] = int(rem % out_shape[d]), rem /= out_shape[d];
    const double x = a[Index(c.a_shape, idx)], y = b[Index(c.b_shape, idx)];
    if (is_float) {
      const double v = c.op == Op::kAdd ? x + y : c.op == Op::kSub ? x - y : x * y;
      exact.push_back(std::clamp(v, lo, hi)), real.push_back(std::clamp(v, lo, hi));
      continue;
    }
    const double rx = c.sa * (x - c.za), ry = c.sb * (y - c.zb);
    const double rv = c.op == Op::kAdd ? rx + ry : c.op == Op::kSub ? rx - ry : rx * ry;
    real.push_back(std::clamp(std::round(rv / c.so) + c.zo, lo, hi));
    int32_t r;
    if (c.op == Op::kMul) {
      r = quant::MultiplyByQuantizedMultiplier(int32_t(x - c.za) * int32_t(y - c.zb), mm, shm);
    } else {
      const int32_t xs = quant::MultiplyByQuantizedMultiplier(int32_t(x - c.za) * (1 << 20), ma, sha);
      const int32_t ys = quant::MultiplyByQuantizedMultiplier(int32_t(y - c.zb) * (1 << 20), mb, shb);
      r = quant::MultiplyByQuantizedMultiplier(c.op == Op::kAdd ? xs + ys : xs - ys, mo, sho);
    }
    exact.push_back(std::clamp<double>(r + c.zo, lo, hi));
  }

  const int32_t code = c.op == Op::kAdd ? kOpAdd : c.op == Op::kSub ? kOpSub : kOpMul;
  KernelTester t(code, c.op == Op::kAdd ? CreateReferenceAdd
                       : c.op == Op::kSub ? CreateReferenceSub : CreateReferenceMul);
  auto qp = [&](float s, int32_t z) { return is_float ? QuantizationParams{} : Quant(s, z); };
  const int ia = t.Input<T>(c.type, c.a_shape, a, qp(c.sa, c.za));
  const int ib = t.Input<T>(c.type, c.b_shape, b, qp(c.sb, c.zb));
  t.Output(c.type, out_shape, qp(c.so, c.zo));
  OpOptions o;
  o.activation = c.act;
  t.Op({ia, ib}, o);
  const Status s = t.Run();
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(t.output_dims(), out_shape);
  ExpectAllNear(t.OutputAsDouble(), exact, is_float ? 1e-5 : 0.0, "the straightforward computation");
  ExpectAllNear(t.OutputAsDouble(), real, is_float ? 1e-5 : 1.0, "real-valued arithmetic");
  if (c.with_oracle) LABELITE_EXPECT_MATCHES_ORACLE(t, is_float ? 1e-5 : 1.0);
}

void RunAny(const BinCase& c, uint32_t seed) {
  if (c.type == DataType::kFloat32) RunBin<float>(c, seed);
  else if (c.type == DataType::kUInt8) RunBin<uint8_t>(c, seed);
  else RunBin<int8_t>(c, seed);
}

class BinaryTest : public ::testing::TestWithParam<std::tuple<Op, DataType>> {
 protected:
  BinCase Base() const {
    BinCase c;
    c.op = std::get<0>(GetParam());
    c.type = std::get<1>(GetParam());
    if (c.op == Op::kMul) c.so = 0.1f;
    return c;
  }
};

TEST_P(BinaryTest, SameShape) { RunAny(Base(), 1); }

TEST_P(BinaryTest, BroadcastChannelVectorRelu) {
  BinCase c = Base();
  c.b_shape = {5};
  c.act = Activation::kRelu;
  RunAny(c, 2);
}

TEST_P(BinaryTest, BroadcastBothWaysRelu6) {
  BinCase c = Base();
  c.a_shape = {2, 1, 4, 1};
  c.b_shape = {1, 3, 1, 6};
  c.act = Activation::kRelu6;
  RunAny(c, 3);
}

TEST_P(BinaryTest, ScalarSecondInputSaturatingReluN1To1) {
  BinCase c = Base();
  c.b_shape = {1};
  c.so = 0.004f;  // most results saturate
  c.act = Activation::kReluN1To1;
  RunAny(c, 4);
}

TEST_P(BinaryTest, RandomShapesAndScales) {
  std::mt19937 rng(5);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int i = 0; i < 20; ++i) {
    BinCase c = Base();
    c.with_oracle = false;
    const int rank = pick(1, 5);
    c.a_shape.assign(rank, 1), c.b_shape.assign(pick(1, rank), 1);
    for (auto& d : c.a_shape) d = pick(1, 4);
    for (size_t k = 0; k < c.b_shape.size(); ++k)
      c.b_shape[k] = pick(0, 1) ? 1 : c.a_shape[rank - c.b_shape.size() + k];
    if (pick(0, 1)) std::swap(c.a_shape, c.b_shape);
    c.sa = 0.01f * pick(1, 20), c.sb = 0.01f * pick(1, 20), c.so = 0.01f * pick(1, 30);
    c.za = pick(-100, 100), c.zb = pick(-100, 100), c.zo = pick(-100, 100);
    c.act = static_cast<Activation>(pick(0, 3));
    SCOPED_TRACE("random case " + std::to_string(i));
    RunAny(c, 100 + i);
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Ops, BinaryTest,
    ::testing::Combine(::testing::Values(Op::kAdd, Op::kSub, Op::kMul),
                       ::testing::Values(DataType::kFloat32, DataType::kUInt8, DataType::kInt8)),
    [](const auto& info) {
      const Op op = std::get<0>(info.param);
      return std::string(op == Op::kAdd ? "add_" : op == Op::kSub ? "sub_" : "mul_") +
             std::string(DataTypeName(std::get<1>(info.param)));
    });

TEST(BinaryErrorTest, IncompatibleShapes) {
  KernelTester t(kOpAdd, CreateReferenceAdd);
  const int a = t.Input<float>(DataType::kFloat32, {2, 3}, std::vector<float>(6));
  const int b = t.Input<float>(DataType::kFloat32, {2, 4}, std::vector<float>(8));
  t.Output(DataType::kFloat32, {2, 3});
  t.Op({a, b});
  const Status s = t.Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot be broadcast"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace labelite::testing
