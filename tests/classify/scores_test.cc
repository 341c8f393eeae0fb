// Output tensors to scores: dequantization, the softmax decision, metadata score calibration,
// and stable top-k, each checked against values computed by hand.
#include "classify/scores.h"

#include <gtest/gtest.h>

#include <cmath>

namespace labelite {
namespace {

Tensor MakeTensor(DataType type, std::vector<uint8_t>& storage, int classes, float scale = 0, int zp = 0) {
  Tensor t;
  t.type = type;
  t.dims = {1, classes};
  t.data = storage.data();
  t.bytes = storage.size();
  t.scale = scale;
  t.zero_point = zp;
  return t;
}

TEST(Scores, QuantizedOutputsAreDequantized) {
  // uint8 255 with scale 1/256 is 0.996, not 255.
  std::vector<uint8_t> bytes = {255, 1, 0};
  Tensor t = MakeTensor(DataType::kUInt8, bytes, 3, 1.0f / 256, 0);
  HeadPlan head;
  head.num_classes = 3;
  head.kind = HeadPlan::Kind::kProbabilities;
  std::vector<float> s;
  ComputeScores(head, t, 0, &s);
  EXPECT_FLOAT_EQ(s[0], 255.0f / 256.0f);
  EXPECT_FLOAT_EQ(s[1], 1.0f / 256.0f);
  EXPECT_FLOAT_EQ(s[2], 0.0f);
  // int8 with zero point -128.
  std::vector<uint8_t> i8 = {static_cast<uint8_t>(int8_t{127}), static_cast<uint8_t>(int8_t{-128})};
  Tensor u = MakeTensor(DataType::kInt8, i8, 2, 1.0f / 256, -128);
  head.num_classes = 2;
  ComputeScores(head, u, 0, &s);
  EXPECT_FLOAT_EQ(s[0], 255.0f / 256.0f);
  EXPECT_FLOAT_EQ(s[1], 0.0f);
}

TEST(Scores, LogitsGetSoftmaxAndDistributionsDoNot) {
  std::vector<uint8_t> storage(3 * 4);
  float* v = reinterpret_cast<float*>(storage.data());
  v[0] = 2.0f; v[1] = 1.0f; v[2] = -1.0f;
  Tensor t = MakeTensor(DataType::kFloat32, storage, 3);
  HeadPlan head;
  head.num_classes = 3;  // Kind::kDetect: decided by the values
  std::vector<float> s;
  ComputeScores(head, t, 0, &s);
  const double z = std::exp(2.0) + std::exp(1.0) + std::exp(-1.0);
  EXPECT_NEAR(s[0], std::exp(2.0) / z, 1e-6);
  EXPECT_NEAR(s[2], std::exp(-1.0) / z, 1e-6);
  // Already a distribution: left alone.
  v[0] = 0.7f; v[1] = 0.2f; v[2] = 0.1f;
  ComputeScores(head, t, 0, &s);
  EXPECT_FLOAT_EQ(s[0], 0.7f);
  // --no-softmax keeps logits; --softmax forces it even on a distribution.
  v[0] = 2.0f; v[1] = 1.0f; v[2] = -1.0f;
  head.softmax = SoftmaxMode::kNever;
  ComputeScores(head, t, 0, &s);
  EXPECT_FLOAT_EQ(s[0], 2.0f);
  head.softmax = SoftmaxMode::kAlways;
  v[0] = 0.7f; v[1] = 0.2f; v[2] = 0.1f;
  ComputeScores(head, t, 0, &s);
  EXPECT_NEAR(s[0], std::exp(0.7) / (std::exp(0.7) + std::exp(0.2) + std::exp(0.1)), 1e-6);
}

TEST(Scores, MetadataScoreCalibration) {
  // TFLite metadata: score' = scale / (1 + exp(-(slope * T(score) + offset))); classes without
  // parameters, or below their min score, get the default score.
  std::vector<uint8_t> storage(3 * 4);
  float* v = reinterpret_cast<float*>(storage.data());
  v[0] = 0.6f; v[1] = 0.3f; v[2] = 0.1f;
  Tensor t = MakeTensor(DataType::kFloat32, storage, 3);
  HeadPlan head;
  head.num_classes = 3;
  head.kind = HeadPlan::Kind::kProbabilities;
  head.transformation = ScoreTransformation::kLog;
  head.default_score = 0.05f;
  head.calibration.resize(3);
  head.calibration[0] = {true, 0.9f, 1.5f, 0.2f, std::nullopt};
  head.calibration[1] = {true, 1.0f, 2.0f, -0.5f, 0.5f};  // 0.3 is below min score 0.5
  head.calibration[2] = {};                              // no parameters
  std::vector<float> s;
  ComputeScores(head, t, 0, &s);
  EXPECT_NEAR(s[0], 0.9 / (1 + std::exp(-(1.5 * std::log(0.6) + 0.2))), 1e-6);
  EXPECT_FLOAT_EQ(s[1], 0.05f);
  EXPECT_FLOAT_EQ(s[2], 0.05f);
  head.transformation = ScoreTransformation::kInverseLogistic;
  head.calibration[1].min_score.reset();
  ComputeScores(head, t, 0, &s);
  EXPECT_NEAR(s[1], 1.0 / (1 + std::exp(-(2.0 * std::log(0.3 / 0.7) - 0.5))), 1e-6);
}

TEST(Scores, TopKIsStableThresholdedAndFiltered) {
  const std::vector<float> s = {0.1f, 0.4f, 0.4f, 0.05f, 0.4f};
  EXPECT_EQ(TopK(s, 3, 0.0f, {}), (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(TopK(s, 10, 0.09f, {}), (std::vector<int>{1, 2, 4, 0}));
  EXPECT_EQ(TopK(s, 2, 0.0f, {1, 0, 0, 1, 1}), (std::vector<int>{4, 0}));
  EXPECT_TRUE(TopK(s, 5, 0.5f, {}).empty());
}

}  // namespace
}  // namespace labelite
