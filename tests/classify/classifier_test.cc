// End-to-end classification on the shared models and images: expected top-1 names and minimum
// scores checked by eye against the images (a cat, Grace Hopper in uniform, a cheeseburger,
// a bird) and against MediaPipe's results, under both kernel paths.
#include "labelite/classifier.h"

#include <gtest/gtest.h>

#include "testing/testdata.h"

namespace labelite {
namespace {

struct Case {
  const char* model;
  const char* image;
  const char* top1;
  float min_score;
};

class ClassifierAcceptance : public ::testing::TestWithParam<KernelPath> {};

TEST_P(ClassifierAcceptance, NamesTheRightClass) {
  const Case cases[] = {
      {"mobilenet_v2_1.0_224_quant.tflite", "cat.bmp", "Egyptian cat", 0.6f},
      {"mobilenet_v2_1.0_224_quant.tflite", "grace_hopper.bmp", "military uniform", 0.8f},
      {"mobilenet_v2_1.0_224_quant.tflite", "burger.jpg", "cheeseburger", 0.9f},
      {"tf2_mobilenet_v2_1.0_224_ptq.tflite", "cat.bmp", "Egyptian cat", 0.5f},
      {"mobilenet_v2_1.0_224_inat_bird_quant.tflite", "bird.bmp",
       "Poecile atricapillus (Black-capped Chickadee)", 0.5f},
  };
  for (const Case& c : cases) {
    ClassifierOptions o;
    o.model_path = testing::ModelPath(c.model);
    o.kernels = GetParam();
    auto classifier = Classifier::Create(o);
    ASSERT_TRUE(classifier.ok()) << classifier.status().message();
    auto r = (*classifier)->ClassifyFile(testing::ImagePath(c.image));
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_FALSE(r->empty());
    EXPECT_EQ((*r)[0].label, c.top1) << c.model << " on " << c.image;
    EXPECT_GE((*r)[0].score, c.min_score) << c.model << " on " << c.image;
    // Scores are probabilities in rank order.
    for (size_t i = 1; i < r->size(); ++i) EXPECT_LE((*r)[i].score, (*r)[i - 1].score);
  }
}

TEST_P(ClassifierAcceptance, FloatModelWithoutMetadataUsesDefaultNormalizationAndSaysSo) {
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v1_0.25_224_1_default_1.tflite");
  o.labels = testing::LabelPath("mobilenet_labels_1001.txt");
  o.kernels = GetParam();
  auto classifier = Classifier::Create(o);
  ASSERT_TRUE(classifier.ok()) << classifier.status().message();
  bool notice = false;
  for (const auto& n : (*classifier)->notices()) notice |= n.find("127.5") != std::string::npos;
  EXPECT_TRUE(notice) << "the default normalization must be announced";
  auto r = (*classifier)->ClassifyFile(testing::ImagePath("burger.jpg"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)[0].label, "cheeseburger");
  EXPECT_GE((*r)[0].score, 0.5f);
}

INSTANTIATE_TEST_SUITE_P(Kernels, ClassifierAcceptance,
                         ::testing::Values(KernelPath::kReference, KernelPath::kFast),
                         [](const auto& info) {
                           return info.param == KernelPath::kFast ? std::string("fast") : std::string("reference");
                         });

TEST(Classifier, TopKIsStableForTiesAndThresholdFilters) {
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite");
  o.top_k = 1001;
  auto classifier = Classifier::Create(o);
  ASSERT_TRUE(classifier.ok());
  auto r = (*classifier)->ClassifyFile(testing::ImagePath("cat.bmp"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1001u);
  for (size_t i = 1; i < r->size(); ++i) {
    const auto& a = (*r)[i - 1];
    const auto& b = (*r)[i];
    EXPECT_TRUE(a.score > b.score || (a.score == b.score && a.index < b.index)) << i;
  }
  o.top_k = 5;
  o.score_threshold = 0.05f;
  auto filtered = Classifier::Create(o);
  ASSERT_TRUE(filtered.ok());
  auto f = (*filtered)->ClassifyFile(testing::ImagePath("cat.bmp"));
  ASSERT_TRUE(f.ok());
  ASSERT_FALSE(f->empty());
  for (const auto& c : *f) EXPECT_GE(c.score, 0.05f);
  EXPECT_LT(f->size(), 5u);
}

TEST(Classifier, AllowAndDenyLists) {
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite");
  o.deny = {"Egyptian cat"};
  auto deny = Classifier::Create(o);
  ASSERT_TRUE(deny.ok()) << deny.status().message();
  auto r = (*deny)->ClassifyFile(testing::ImagePath("cat.bmp"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].label, "tabby, tabby cat");
  o.deny.clear();
  o.allow = {"cheeseburger", "tabby, tabby cat"};
  auto allow = Classifier::Create(o);
  ASSERT_TRUE(allow.ok());
  r = (*allow)->ClassifyFile(testing::ImagePath("cat.bmp"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].label, "tabby, tabby cat");
  o.allow = {"no such class"};
  auto bad = Classifier::Create(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(Classifier, QuantizedOutputIsDequantizedNotRaw) {
  // mobilenet_v2_1.0_224_quant ends in a uint8 SOFTMAX with scale 1/256: scores must be
  // probabilities summing to about 1, never raw 0..255 values.
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite");
  o.top_k = 1001;
  auto classifier = Classifier::Create(o);
  ASSERT_TRUE(classifier.ok());
  auto r = (*classifier)->ClassifyFile(testing::ImagePath("grace_hopper.bmp"));
  ASSERT_TRUE(r.ok());
  double sum = 0;
  for (const auto& c : *r) {
    EXPECT_LE(c.score, 1.0f);
    sum += c.score;
  }
  EXPECT_NEAR(sum, 1.0, 0.05);
}

TEST(Classifier, CorruptImageIsAPerFileErrorNamingTheFile) {
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite");
  auto classifier = Classifier::Create(o);
  ASSERT_TRUE(classifier.ok());
  const std::string missing = testing::ImagePath("no_such_image.jpg");
  auto r = (*classifier)->ClassifyFile(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no_such_image.jpg"), std::string::npos);
  std::vector<uint8_t> junk = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F'};
  auto j = (*classifier)->ClassifyEncoded(junk);
  EXPECT_FALSE(j.ok());
  // The classifier still works after errors.
  auto ok = (*classifier)->ClassifyFile(testing::ImagePath("cat.bmp"));
  EXPECT_TRUE(ok.ok());
}

TEST(Classifier, ModelErrorsAreReportedAtCreate) {
  ClassifierOptions o;
  o.model_path = testing::ModelPath("model_invoking_error.tflite");
  auto c = Classifier::Create(o);
  ASSERT_FALSE(c.ok());
  o.model_path = testing::ImagePath("cat.bmp");
  c = Classifier::Create(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace labelite
