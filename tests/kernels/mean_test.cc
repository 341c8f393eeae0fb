// MEAN reference kernel tests: the global-average-pool form (keep_dims, axes {1, 2}) that
// classifiers use, other axes with and without keep_dims, negative and repeated axes; exact
// against a straightforward computation of TFLite's arithmetic for each path (see mean.cc) and
// against TFLite: exact against native LiteRT's builtin kernel, within 1 of the WebAssembly
// oracle (XNNPACK requantizes in float).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "kernels/internal/quantization.h"
#include "testing/kernel_tester.h"

namespace labelite {
std::unique_ptr<Kernel> CreateReferenceMean();
}

namespace labelite::testing {
namespace {

struct MeanCase {
  DataType type = DataType::kFloat32;
  std::vector<int32_t> shape{1, 4, 5, 3};
  std::vector<int32_t> axes{1, 2};
  bool keep_dims = true;
  float in_scale = 0.05f, out_scale = 0.03f;
  int32_t in_zp = 10, out_zp = -5;
};

template <typename T>
void RunMean(MeanCase c, uint32_t seed, bool with_oracle = true) {
  if (c.type == DataType::kUInt8) c.in_zp += 128, c.out_zp += 128;
  const bool is_float = c.type == DataType::kFloat32;
  const int rank = int(c.shape.size());
  int64_t total = 1;
  for (int32_t d : c.shape) total *= d;
  const double qlo = c.type == DataType::kUInt8 ? 0 : -128, qhi = qlo + 255;
  auto input = is_float ? RandomValues<T>(total, -3, 3, seed) : RandomValues<T>(total, qlo, qhi, seed);
  std::vector<bool> reduced(rank, false);
  for (int a : c.axes) reduced[(a + rank) % rank] = true;
  std::vector<int32_t> out_shape;
  int64_t per_out = 1;
  for (int d = 0; d < rank; ++d) {
    if (reduced[d]) per_out *= c.shape[d];
    if (!reduced[d]) out_shape.push_back(c.shape[d]);
    else if (c.keep_dims) out_shape.push_back(1);
  }
  int64_t out_count = total / per_out;
  // Sums per output element, by explicit coordinates.
  std::vector<double> sums(out_count, 0.0);
  std::vector<int> idx(rank, 0);
  for (int64_t i = 0; i < total; ++i) {
    int64_t rem = i, o = 0, ostride = 1;
    for (int d = rank - 1; d >= 0; --d) idx[d] = rem % c.shape[d], rem /= c.shape[d];
    for (int d = rank - 1; d >= 0; --d)
      if (!reduced[d]) o += idx[d] * ostride, ostride *= c.shape[d];
    sums[o] += double(input[i]);
  }
  const bool spatial = c.keep_dims && rank == 4 && c.axes.size() == 2 &&
                       ((c.axes[0] == 1 && c.axes[1] == 2) || (c.axes[0] == 2 && c.axes[1] == 1));
  std::vector<double> expected(out_count);
  for (int64_t o = 0; o < out_count; ++o) {
    if (is_float) {
      expected[o] = sums[o] / per_out;
    } else if (spatial) {
      float temp = float(c.in_zp) * c.in_scale / c.out_scale;
      temp = temp > 0 ? temp + 0.5f : temp - 0.5f;
      const int32_t bias = c.out_zp - int32_t(temp);
      int32_t m;
      int shift;
      quant::QuantizeMultiplier(double(c.in_scale / (float(per_out) * c.out_scale)), &m, &shift);
      // TFLite's optimized kernel: a 16-lane NEON loop (ties toward +infinity; x86 runs it
      // through NEON_2_SSE), then a scalar loop for the last C mod 16 channels.
      const int64_t channels = c.shape[3];
      const bool neon = o % channels < channels / 16 * 16;
      const int32_t scaled =
          neon ? quant::MultiplyByQuantizedMultiplierTiesUp(int32_t(sums[o]), m, shift)
               : quant::MultiplyByQuantizedMultiplier(int32_t(sums[o]), m, shift);
      expected[o] = std::clamp<double>(scaled + bias, qlo, qhi);
    } else {  // TFLite's integer QuantizedMeanOrSum
      int32_t m;
      int shift;
      quant::QuantizeMultiplier(double(c.in_scale) / double(c.out_scale), &m, &shift);
      int k = 0;
      while ((int64_t{2} << k) <= per_out) ++k;  // floor(log2(count))
      k = std::min({k, 32, 31 + shift});
      m = int32_t((int64_t(m) << k) / per_out);
      const int32_t shifted = int32_t(sums[o]) - c.in_zp * int32_t(per_out);
      expected[o] = std::clamp<double>(
          quant::MultiplyByQuantizedMultiplier(shifted, m, shift - k) + c.out_zp, qlo, qhi);
    }
  }

  KernelTester t(kOpMean, CreateReferenceMean);
  const int in = t.Input<T>(c.type, c.shape, input, is_float ? QuantizationParams{} : Quant(c.in_scale, c.in_zp));
  const int axis = t.Const<int32_t>(DataType::kInt32, {int32_t(c.axes.size())}, c.axes);
  t.Output(c.type, out_shape, is_float ? QuantizationParams{} : Quant(c.out_scale, c.out_zp));
  OpOptions o;
  o.keep_dims = c.keep_dims;
  t.Op({in, axis}, o);
  const Status s = t.Run();
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(t.output_dims(), out_shape);
  ExpectAllNear(t.OutputAsDouble(), expected, is_float ? 1e-5 : 0.0, "the straightforward computation");
  // Bit for bit against LiteRT's optimized builtin kernel (the zoo's reference), float too
  // (a mean over the last axis sums as Eigen does).
  if (with_oracle) LABELITE_EXPECT_MATCHES_LITERT(t, {LiteRtPath::kBuiltin}, 0.0);
  if (with_oracle) LABELITE_EXPECT_MATCHES_ORACLE(t, is_float ? 1e-5 : 1.0);
}

void RunAny(const MeanCase& c, uint32_t seed, bool with_oracle = true) {
  if (c.type == DataType::kFloat32) RunMean<float>(c, seed, with_oracle);
  else if (c.type == DataType::kUInt8) RunMean<uint8_t>(c, seed, with_oracle);
  else RunMean<int8_t>(c, seed, with_oracle);
}

class MeanTest : public ::testing::TestWithParam<DataType> {};

TEST_P(MeanTest, GlobalAveragePoolKeepDims) {
  MeanCase c;
  c.type = GetParam();
  c.shape = {2, 7, 7, 5};
  RunAny(c, 1);
}

// The scales of MobileNet v1's int8 global pool (4x4 input; multiplier 0.149 = 0.595 * 2^-2):
// the NEON loop's rounding (ties toward +infinity, twice) and the scalar tail's (ties away from
// zero) disagree on about a quarter of the negative sums; 40 channels take both loops (zero
// points 0 keep the outputs off the clamp).
TEST_P(MeanTest, GlobalAveragePoolNeonAndScalarChannels) {
  MeanCase c;
  c.type = GetParam();
  c.shape = {1, 4, 4, 40};
  c.in_scale = 0.0235294122f, c.in_zp = 0;
  c.out_scale = 0.00988037419f, c.out_zp = 0;
  RunAny(c, 12);  // seed 12: 3 channels of the NEON loop and 1 of the tail land on such a tie
}

TEST_P(MeanTest, GlobalAveragePoolBatchOfTwoOddChannels) {
  MeanCase c;
  c.type = GetParam();
  c.shape = {2, 3, 5, 37};
  c.in_scale = 0.07f, c.in_zp = 40;
  c.out_scale = 0.11f, c.out_zp = -20;
  RunAny(c, 12);
}

TEST_P(MeanTest, GlobalAveragePoolAxesReversedSameParams) {
  MeanCase c;
  c.type = GetParam();
  c.axes = {2, 1};
  c.out_scale = c.in_scale, c.out_zp = c.in_zp;
  RunAny(c, 2);
}

TEST_P(MeanTest, SpatialWithoutKeepDims) {
  MeanCase c;
  c.type = GetParam();
  c.keep_dims = false;
  c.in_zp = -3, c.out_zp = 7;
  RunAny(c, 3);
}

TEST_P(MeanTest, LastAxisSameParams) {
  MeanCase c;
  c.type = GetParam();
  c.shape = {3, 4, 6};
  c.axes = {-1};
  c.keep_dims = false;
  c.out_scale = c.in_scale, c.out_zp = c.in_zp;
  RunAny(c, 4);
}

TEST_P(MeanTest, RepeatedAndNegativeAxesKeepDims) {
  MeanCase c;
  c.type = GetParam();
  c.shape = {2, 3, 4};
  c.axes = {0, -3, 2};
  RunAny(c, 5, /*with_oracle=*/false);  // TFLite's Prepare rejects repeated axes in some builds
}

INSTANTIATE_TEST_SUITE_P(Types, MeanTest,
                         ::testing::Values(DataType::kFloat32, DataType::kUInt8, DataType::kInt8),
                         [](const auto& info) { return std::string(DataTypeName(info.param)); });

}  // namespace
}  // namespace labelite::testing
