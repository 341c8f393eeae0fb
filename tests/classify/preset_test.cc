// --preprocess presets on the classify side: names, MediaPipe's float normalization, libc++'s
// tie order, no softmax and the refused per-channel normalization. The chain against
// MediaPipe itself: tests/classify/mediapipe_preset_test.py (CTest mediapipe_preset).
#include <gtest/gtest.h>

#include <cmath>

#include "classify/preprocess.h"
#include "classify/scores.h"
#include "labelite/classifier.h"
#include "model/model.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

TEST(PresetTest, NamesRoundTrip) {
  for (PreprocessPreset p : {PreprocessPreset::kLabelite, PreprocessPreset::kMediaPipe,
                             PreprocessPreset::kTaskLib, PreprocessPreset::kKeras})
    EXPECT_EQ(ParsePreprocessPreset(PreprocessPresetName(p)), p);
  EXPECT_EQ(ParsePreprocessPreset("MediaPipe"), std::nullopt);
  EXPECT_EQ(ParsePreprocessPreset(""), std::nullopt);
}

TEST(PresetTest, MediaPipeFloatRangeFromMetadata) {
  // mean 127.5 std 127.5: OpenCV's convertTo with scale (1 - -1) / 255 and offset -1.
  auto model = Model::FromFile(testing::ModelPath("mobilenet_v1_0.25_224_1_metadata_1.tflite"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto plan = PlanInput(**model, {}, {}, false, PreprocessPreset::kMediaPipe);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const float scale = 2.0f / 255.0f;
  for (int p : {0, 1, 127, 128, 200, 255})
    EXPECT_EQ(plan->float_lut[1][static_cast<size_t>(p)], static_cast<float>(p) * scale + -1.0f) << p;
  EXPECT_EQ(plan->float_lut[0][0], -1.0f);
  // labelite's own plan divides: (p - 127.5) / 127.5.
  auto own = PlanInput(**model, {}, {}, false, PreprocessPreset::kLabelite);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->float_lut[0][200], (200.0f - 127.5f) / 127.5f);
  // MediaPipe has no per-channel normalization: refused, saying so.
  auto per_channel = PlanInput(**model, {120, 127.5f, 130}, {127.5f}, false, PreprocessPreset::kMediaPipe);
  ASSERT_FALSE(per_channel.ok());
  EXPECT_NE(per_channel.status().message().find("per-channel"), std::string::npos);
}

TEST(PresetTest, LibcxxTieOrderIsMediaPipes) {
  // mobilenet_v2_1.0_224_quant on burger.jpg: two classes score, 999 tie at 0. MediaPipe's
  // ImageClassifier (max_results 5) answered 934, 932, 2, 4, 0.
  std::vector<float> scores(1001, 0.0f);
  scores[934] = 0.96875f;
  scores[932] = 0.0234375f;
  EXPECT_EQ(TopK(scores, 5, -INFINITY, {}, RankOrder::kLibcxxPartialSort),
            (std::vector<int>{934, 932, 2, 4, 0}));
  EXPECT_EQ(TopK(scores, 5, -INFINITY, {}), (std::vector<int>{934, 932, 0, 1, 2}));
  // Without ties both orders agree.
  std::vector<float> distinct = {0.1f, 0.5f, 0.3f, 0.9f, 0.2f, 0.7f};
  EXPECT_EQ(TopK(distinct, 4, 0.0f, {}, RankOrder::kLibcxxPartialSort), TopK(distinct, 4, 0.0f, {}));
  EXPECT_EQ(TopK(distinct, 6, 0.0f, {}, RankOrder::kLibcxxPartialSort), (std::vector<int>{3, 5, 1, 2, 4, 0}));
}

TEST(PresetTest, MediaPipeCalibrationClampsTheLog) {
  std::vector<uint8_t> storage(3 * 4);
  float* v = reinterpret_cast<float*>(storage.data());
  v[0] = 0.6f; v[1] = 0.0f; v[2] = 0.3f;
  Tensor t;
  t.type = DataType::kFloat32;
  t.dims = {1, 3};
  t.data = storage.data();
  t.bytes = storage.size();
  HeadPlan head;
  head.num_classes = 3;
  head.kind = HeadPlan::Kind::kProbabilities;
  head.transformation = ScoreTransformation::kLog;
  head.float_calibration = true;
  head.calibration = {{true, 0.9f, 1.5f, 0.2f, std::nullopt}, {true, 1.0f, 1.0f, 0.0f, std::nullopt},
                      {true, 1.0f, 2.0f, -0.5f, 0.5f}};
  head.default_score = 0.05f;
  std::vector<float> s;
  ComputeScores(head, t, 0, &s);
  EXPECT_NEAR(s[0], 0.9 / (1 + std::exp(-(1.5 * std::log(0.6) + 0.2))), 1e-6);
  // log(0) is clamped: 2 log(1e-16) - log(2e-16) = log(5e-17), so the score stays finite, > 0.
  EXPECT_GT(s[1], 0.0f);
  EXPECT_NEAR(s[1], 5e-17, 1e-18);
  EXPECT_EQ(s[2], 0.05f);  // below its min score
  // labelite's own arithmetic takes log(0) = -inf: exactly 0.
  head.float_calibration = false;
  ComputeScores(head, t, 0, &s);
  EXPECT_EQ(s[1], 0.0f);
}

TEST(PresetTest, ClassifierUsesThePresetEndToEnd) {
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite");
  o.preprocess = PreprocessPreset::kMediaPipe;
  auto c = Classifier::Create(o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ((*c)->decode_options().decoder, ImageDecoder::kStb);
  EXPECT_EQ((*c)->decode_options().target_width, 0);  // full-size decode
  auto r = (*c)->ClassifyFile(testing::ImagePath("burger.jpg"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 5u);
  // Scores are the dequantized outputs (multiples of 1/256), never re-normalized.
  for (const Classification& x : *r) EXPECT_EQ(x.score * 256.0f, std::round(x.score * 256.0f));
  EXPECT_EQ((*r)[0].label, "cheeseburger");
  // Keras: full decode, float resize.
  o.preprocess = PreprocessPreset::kKeras;
  auto k = Classifier::Create(o);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ((*k)->decode_options().decoder, ImageDecoder::kLabelite);
  EXPECT_EQ((*k)->decode_options().target_width, 0);
  auto kr = (*k)->ClassifyFile(testing::ImagePath("burger.jpg"));
  ASSERT_TRUE(kr.ok()) << kr.status().message();
  EXPECT_EQ((*kr)[0].label, "cheeseburger");
}

}  // namespace
}  // namespace labelite
