// labelite end to end against MediaPipe's ImageClassifier (golden/e2e/mediapipe.json): where
// MediaPipe is confident (top-1 >= 0.5 and >= 0.2 above the second), labelite must name the
// same class. Score closeness is reported (decoders and resizers differ, so scores of resized
// images are not bit-identical).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "labelite/classifier.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

TEST(MediaPipeE2E, SameTop1WhereMediaPipeIsConfident) {
  const std::string text = testing::ReadFileText(testing::GoldenDir() + "/e2e/mediapipe.json");
  ASSERT_FALSE(text.empty());
  const auto j = nlohmann::json::parse(text);
  std::map<std::string, std::unique_ptr<Classifier>> classifiers;
  int confident = 0, agree = 0, compared = 0;
  double max_score_diff = 0, sum_score_diff = 0;
  for (const auto& r : j.at("results")) {
    const std::string model = r.at("model");
    const std::string image = r.at("image");
    if (r.value("image_part", "shared") != "shared" || r.value("model_part", "shared") != "shared") continue;
    const auto& cats = r.at("categories");
    if (cats.empty()) continue;
    if (!classifiers.count(model)) {
      ClassifierOptions o;
      o.model_path = testing::ModelPath(model);
      o.top_k = 5;
      auto c = Classifier::Create(o);
      ASSERT_TRUE(c.ok()) << model << ": " << c.status().message();
      classifiers[model] = std::move(*c);
    }
    // *.rgb files are raw 224x224 RGB: build the image directly.
    Result<std::vector<Classification>> got = InvalidArgument("");
    if (image.size() > 4 && image.substr(image.size() - 4) == ".rgb") {
      Image img;
      img.width = img.height = 224;
      img.channels = 3;
      img.pixels = testing::ReadFileBytes(testing::ImagePath(image));
      ASSERT_EQ(img.pixels.size(), 224u * 224u * 3u);
      got = classifiers[model]->Classify(img);
    } else {
      got = classifiers[model]->ClassifyFile(testing::ImagePath(image));
    }
    ASSERT_TRUE(got.ok()) << model << " " << image << ": " << got.status().message();
    const double top1 = cats[0].at("score");
    const double second = cats.size() > 1 ? cats[1].at("score").get<double>() : 0.0;
    const int mp_index = cats[0].at("index");
    ++compared;
    for (const auto& c : *got) {
      if (c.index == mp_index) {
        const double d = std::fabs(c.score - top1);
        max_score_diff = std::max(max_score_diff, d);
        sum_score_diff += d;
      }
    }
    if (top1 >= 0.5 && top1 - second >= 0.2) {
      ++confident;
      if ((*got)[0].index == mp_index) ++agree;
      EXPECT_EQ((*got)[0].index, mp_index) << model << " on " << image << ": MediaPipe says "
                                           << cats[0].value("categoryName", "") << " " << top1
                                           << ", labelite says " << (*got)[0].label << " "
                                           << (*got)[0].score;
    }
  }
  std::printf("[ MEDIAPIPE ] %d results compared; top-1 agrees on %d/%d confident cases; "
              "|score diff| of MediaPipe's top-1 class: mean %.4f, max %.4f\n",
              compared, agree, confident, compared ? sum_score_diff / compared : 0.0, max_score_diff);
  EXPECT_GT(confident, 20);
}

}  // namespace
}  // namespace labelite
