// BatchClassifier (order, bounded window, cancellation, per-file errors, worker layout) and
// the evaluation helpers of classify/eval.h (class matching, dataset CSV, Evaluate).
// Expected classes come from Classifier::ClassifyFile (the one-image path) and from the
// MediaPipe end-to-end golden (golden/e2e/mediapipe.json): mobilenet_v2_1.0_224_quant names
// cat.bmp "Egyptian cat" (0.83, then "tabby, tabby cat" 0.09), grace_hopper.bmp "military
// uniform" (0.95) and burger.jpg "cheeseburger" (0.97); kite_and_cold.jpg's top-5 are seashore,
// sandbar, parachute, volleyball, lakeside.
#include "classify/batch.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "classify/eval.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

namespace fs = std::filesystem;

ClassifierOptions MobilenetV2() {
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite");
  return o;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(BatchClassifierTest, HeaderExample) {
  std::vector<std::string> paths = {testing::ImagePath("cat.bmp"), testing::ImagePath("burger.jpg")};
  ClassifierOptions options;
  options.model_path = testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite");
  BatchOptions batch;
  batch.threads = 2;
  auto classifier = BatchClassifier::Create(options, batch, paths.size());
  ASSERT_TRUE(classifier.ok()) << classifier.status().message();
  std::vector<std::string> top;
  BatchStats stats = (*classifier)->Run(paths, [&](BatchResult&& r) {
    top.push_back(r.status.ok() ? r.classes[0].label : "error");
  });
  EXPECT_EQ(top, (std::vector<std::string>{"Egyptian cat", "cheeseburger"}));
  EXPECT_EQ(stats.done, 2u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_FALSE(stats.cancelled);
}

TEST(BatchClassifierTest, WorkerLayout) {
  BatchOptions batch;
  batch.threads = 2;
  auto one = BatchClassifier::Create(MobilenetV2(), batch, 1);
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ((*one)->workers(), 1);
  EXPECT_EQ((*one)->threads_per_worker(), 2);
  auto many = BatchClassifier::Create(MobilenetV2(), batch, 100);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ((*many)->workers(), 2);
  EXPECT_EQ((*many)->threads_per_worker(), 1);
  batch.threads = 3;
  auto two = BatchClassifier::Create(MobilenetV2(), batch, 2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ((*two)->workers(), 2);
  EXPECT_EQ((*two)->threads_per_worker(), 1);
}

// Many inputs, 3 workers, a window of 2: results arrive in input order and equal the
// one-image path (ClassifyFile), which resizes inside Classify instead of before it.
TEST(BatchClassifierTest, OrderedResultsEqualSingleImagePath) {
  const std::vector<std::string> images = {"cat.bmp", "burger.jpg", "grace_hopper.bmp", "parrot.jpg",
                                           "sparrow.png", "cat_720p.jpg", "dragonfly.bmp"};
  auto single = Classifier::Create(MobilenetV2());
  ASSERT_TRUE(single.ok());
  std::vector<std::vector<Classification>> expected;
  for (const std::string& name : images) {
    auto r = (*single)->ClassifyFile(testing::ImagePath(name));
    ASSERT_TRUE(r.ok()) << r.status().message();
    expected.push_back(*r);
  }
  std::vector<std::string> paths;
  for (int i = 0; i < 35; ++i) paths.push_back(testing::ImagePath(images[static_cast<size_t>(i * 3 % 7)]));
  BatchOptions batch;
  batch.threads = 3;
  batch.window = 2;
  auto classifier = BatchClassifier::Create(MobilenetV2(), batch, paths.size());
  ASSERT_TRUE(classifier.ok());
  std::vector<size_t> order;
  (*classifier)->Run(paths, [&](BatchResult&& r) {
    order.push_back(r.index);
    ASSERT_LT(r.index, paths.size());
    EXPECT_EQ(r.path, paths[r.index]);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    const auto& want = expected[r.index * 3 % 7];
    ASSERT_EQ(r.classes.size(), want.size());
    for (size_t k = 0; k < want.size(); ++k) {
      EXPECT_EQ(r.classes[k].index, want[k].index) << r.path;
      EXPECT_EQ(r.classes[k].score, want[k].score) << r.path;
    }
  });
  ASSERT_EQ(order.size(), paths.size());
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i);
}

// Inputs that already have the model's size (224x224) go to Classify without the batch's own
// resize; in every ResizeMode the results equal the one-image path's, as do those of an input
// that needs resizing (cat.bmp, 512x341) in the same batch.
TEST(BatchClassifierTest, PresizedInputsEqualSingleImagePathInEveryResizeMode) {
  const std::vector<std::string> names = {"resized_cat.bmp", "checker224X224.bmp", "burger-224.png", "cat.bmp"};
  for (ResizeMode mode : {ResizeMode::kStretch, ResizeMode::kCrop, ResizeMode::kPad}) {
    ClassifierOptions options = MobilenetV2();
    options.resize = mode;
    auto single = Classifier::Create(options);
    ASSERT_TRUE(single.ok());
    std::vector<std::string> paths;
    std::vector<std::vector<Classification>> expected;
    for (const std::string& name : names) {
      paths.push_back(testing::ImagePath(name));
      auto r = (*single)->ClassifyFile(paths.back());
      ASSERT_TRUE(r.ok()) << r.status().message();
      expected.push_back(*r);
    }
    BatchOptions batch;
    batch.threads = 2;
    auto classifier = BatchClassifier::Create(options, batch, paths.size());
    ASSERT_TRUE(classifier.ok());
    size_t n = 0;
    (*classifier)->Run(paths, [&](BatchResult&& r) {
      ++n;
      ASSERT_TRUE(r.status.ok()) << r.status.message();
      const auto& want = expected[r.index];
      ASSERT_EQ(r.classes.size(), want.size()) << r.path;
      for (size_t k = 0; k < want.size(); ++k) {
        EXPECT_EQ(r.classes[k].index, want[k].index) << r.path << " mode " << static_cast<int>(mode);
        EXPECT_EQ(r.classes[k].score, want[k].score) << r.path << " mode " << static_cast<int>(mode);
      }
    });
    EXPECT_EQ(n, paths.size());
  }
  // The cheeseburger is still named at 224x224 (a wrong shortcut would feed the model garbage).
  auto single = Classifier::Create(MobilenetV2());
  ASSERT_TRUE(single.ok());
  auto burger = (*single)->ClassifyFile(testing::ImagePath("burger-224.png"));
  ASSERT_TRUE(burger.ok());
  EXPECT_EQ((*burger)[0].label, "cheeseburger");
}

TEST(BatchClassifierTest, UnorderedDeliversEachInputOnce) {
  std::vector<std::string> paths(20, testing::ImagePath("burger-224.png"));
  BatchOptions batch;
  batch.threads = 2;
  batch.ordered = false;
  auto classifier = BatchClassifier::Create(MobilenetV2(), batch, paths.size());
  ASSERT_TRUE(classifier.ok());
  std::multiset<size_t> seen;
  BatchStats stats = (*classifier)->Run(paths, [&](BatchResult&& r) {
    seen.insert(r.index);
    ASSERT_TRUE(r.status.ok());
    EXPECT_EQ(r.classes[0].label, "cheeseburger");
  });
  EXPECT_EQ(stats.done, 20u);
  ASSERT_EQ(seen.size(), 20u);
  for (size_t i = 0; i < 20; ++i) EXPECT_EQ(seen.count(i), 1u);
}

TEST(BatchClassifierTest, BadFilesAreResultsAndTheRestIsClassified) {
  const std::string dir = testing::MakeTempDir("batch_bad");
  const std::string empty = dir + "/empty.jpg", text = dir + "/notes.jpg", cut = dir + "/cut.jpg";
  WriteFile(empty, "");
  WriteFile(text, "this is a text file, not a JPEG\n");
  std::string jpeg;
  for (uint8_t b : testing::ReadFileBytes(testing::ImagePath("burger.jpg"))) jpeg += static_cast<char>(b);
  WriteFile(cut, jpeg.substr(0, jpeg.size() / 3));
  const std::vector<std::string> paths = {empty, testing::ImagePath("cat.bmp"), text, dir + "/missing.png", cut,
                                          testing::ImagePath("grace_hopper.bmp")};
  BatchOptions batch;
  batch.threads = 2;
  auto classifier = BatchClassifier::Create(MobilenetV2(), batch, paths.size());
  ASSERT_TRUE(classifier.ok());
  std::vector<BatchResult> results;
  BatchStats stats = (*classifier)->Run(paths, [&](BatchResult&& r) { results.push_back(std::move(r)); });
  ASSERT_EQ(results.size(), 6u);
  EXPECT_EQ(stats.failed, 4u);
  for (size_t i : {0u, 2u, 3u, 4u}) {
    EXPECT_FALSE(results[i].status.ok()) << paths[i];
    EXPECT_TRUE(results[i].classes.empty());
    EXPECT_NE(results[i].status.message().find(paths[i]), std::string::npos) << results[i].status.message();
  }
  ASSERT_TRUE(results[1].status.ok());
  EXPECT_EQ(results[1].classes[0].label, "Egyptian cat");
  ASSERT_TRUE(results[5].status.ok());
  EXPECT_EQ(results[5].classes[0].label, "military uniform");
}

TEST(BatchClassifierTest, CancelFlushesFinishedResultsInOrder) {
  std::vector<std::string> paths(40, testing::ImagePath("cat.bmp"));
  BatchOptions batch;
  batch.threads = 2;
  auto classifier = BatchClassifier::Create(MobilenetV2(), batch, paths.size());
  ASSERT_TRUE(classifier.ok());
  std::atomic<bool> cancel{false};
  std::vector<size_t> order;
  BatchStats stats = (*classifier)->Run(paths, [&](BatchResult&& r) {
    order.push_back(r.index);
    if (order.size() == 5) cancel = true;
  }, &cancel);
  EXPECT_TRUE(stats.cancelled);
  EXPECT_GE(order.size(), 5u);
  EXPECT_LT(order.size(), 40u);
  EXPECT_EQ(stats.done, order.size());
  for (size_t i = 1; i < order.size(); ++i) EXPECT_LT(order[i - 1], order[i]);
}

TEST(EvalTest, MatchClassStages) {
  std::vector<std::string> labels;
  for (const char* l : {"background", "tabby, tabby cat", "Egyptian cat", "crane", "military uniform", "crane",
                        "maillot", "maillot, tank suit", "hotdog, hot dog, red hot"})
    labels.push_back(l);
  auto m = MatchClass("Egyptian cat", labels);
  EXPECT_EQ(m.kind, MatchKind::kExact);
  EXPECT_EQ(m.label, 2);
  m = MatchClass("egyptian_CAT", labels);
  EXPECT_EQ(m.kind, MatchKind::kNormalized);
  EXPECT_EQ(m.label, 2);
  m = MatchClass("military-uniform", labels);
  EXPECT_EQ(m.kind, MatchKind::kNormalized);
  EXPECT_EQ(m.label, 4);
  m = MatchClass("tabby", labels);
  EXPECT_EQ(m.kind, MatchKind::kSynonym);
  EXPECT_EQ(m.label, 1);
  m = MatchClass("Tabby_Cat", labels);
  EXPECT_EQ(m.kind, MatchKind::kSynonym);
  EXPECT_EQ(m.label, 1);
  m = MatchClass("hot-dog", labels);
  EXPECT_EQ(m.kind, MatchKind::kSynonym);
  EXPECT_EQ(m.label, 8);
  m = MatchClass("crane", labels);
  EXPECT_EQ(m.kind, MatchKind::kAmbiguous);
  EXPECT_EQ(m.candidates, (std::vector<int>{3, 5}));
  EXPECT_EQ(m.label, -1);
  m = MatchClass("maillot", labels);  // the exact stage decides before synonyms are looked at
  EXPECT_EQ(m.kind, MatchKind::kExact);
  EXPECT_EQ(m.label, 6);
  m = MatchClass("sunflower", labels);
  EXPECT_EQ(m.kind, MatchKind::kNone);
  EXPECT_EQ(m.label, -1);
  EXPECT_EQ(MatchClass("", labels).kind, MatchKind::kNone);
}

TEST(EvalTest, ParseDatasetCsv) {
  auto rows = ParseDatasetCsv("\xEF\xBB\xBFpath,label\r\na.jpg,tabby\r\n\r\n\"b, c.jpg\",\"tabby, tabby cat\"\n/abs/d.png, cheeseburger \n",
                              "/data", "set.csv");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].path, "/data/a.jpg");
  EXPECT_EQ((*rows)[0].class_name, "tabby");
  EXPECT_EQ((*rows)[1].path, "/data/b, c.jpg");
  EXPECT_EQ((*rows)[1].class_name, "tabby, tabby cat");
  EXPECT_EQ((*rows)[2].path, "/abs/d.png");
  EXPECT_EQ((*rows)[2].class_name, "cheeseburger");

  auto bad = ParseDatasetCsv("a.jpg,tabby\nb.jpg,tabby, tabby cat\n", "", "set.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("set.csv:2: expected 2 fields"), std::string::npos) << bad.status().message();
  bad = ParseDatasetCsv("a.jpg,\"tabby\n", "", "set.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("set.csv:1: unterminated"), std::string::npos) << bad.status().message();
  bad = ParseDatasetCsv("a.jpg,tabby\n,tabby\n", "", "set.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("set.csv:2: empty path"), std::string::npos);
}

TEST(EvalTest, ClassNamesAreTheEmbeddedLabels) {
  auto names = ClassNames(MobilenetV2());
  ASSERT_TRUE(names.ok()) << names.status().message();
  ASSERT_EQ(names->size(), 1001u);
  // imagenet_labels.txt lines 1, 283, 287 (index = line - 1).
  EXPECT_EQ((*names)[0], "background");
  EXPECT_EQ((*names)[282], "tabby, tabby cat");
  EXPECT_EQ((*names)[286], "Egyptian cat");
}

// Dataset: Egyptian cat/{cat.bmp}, tabby/{cat.bmp}, cheeseburger/{burger.jpg,
// kite_and_cold.jpg}, military_uniform/{grace_hopper.bmp}, sunflower/{bird.bmp} (no label),
// crane/{dragonfly.bmp} (two labels). By the golden top-5 lists: top-1 hits are cat.bmp as
// Egyptian cat, burger.jpg, grace_hopper.bmp (3 of 5); top-5 adds cat.bmp as tabby (4 of 5).
TEST(EvalTest, EvaluateFolderDataset) {
  const std::string dir = testing::MakeTempDir("eval_lib");
  const std::vector<std::pair<std::string, std::string>> layout = {
      {"Egyptian cat", "cat.bmp"}, {"tabby", "cat.bmp"}, {"cheeseburger", "burger.jpg"},
      {"cheeseburger", "kite_and_cold.jpg"}, {"military_uniform", "grace_hopper.bmp"},
      {"sunflower", "bird.bmp"}, {"crane", "dragonfly.bmp"}};
  for (const auto& [cls, image] : layout) {
    fs::create_directories(dir + "/" + cls);
    fs::copy_file(testing::ImagePath(image), dir + "/" + cls + "/" + image);
  }
  auto data = ListDatasetFolder(dir);
  ASSERT_TRUE(data.ok()) << data.status().message();
  ASSERT_EQ(data->size(), 7u);
  EXPECT_EQ((*data)[0].class_name, "Egyptian cat");  // sorted: uppercase first
  EvalOptions options;
  options.batch.threads = 2;
  size_t callbacks = 0;
  options.on_result = [&](const BatchResult&) { ++callbacks; };
  auto report = Evaluate(MobilenetV2(), *data, options);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(callbacks, 5u);
  EXPECT_EQ(report->count, 5u);
  EXPECT_EQ(report->failed, 0u);
  EXPECT_EQ(report->skipped, 2u);
  EXPECT_EQ(report->top1_hits, 3u);
  EXPECT_EQ(report->topk_hits, 4u);
  EXPECT_DOUBLE_EQ(report->top1(), 0.6);
  EXPECT_DOUBLE_EQ(report->topk(), 0.8);
  ASSERT_EQ(report->classes.size(), 4u);
  // Dataset order: "Egyptian cat", "cheeseburger", "military_uniform", "tabby".
  const ClassReport& egyptian = report->classes[0];
  EXPECT_EQ(egyptian.class_name, "Egyptian cat");
  EXPECT_EQ(egyptian.predicted, 2u);  // both copies of cat.bmp
  EXPECT_DOUBLE_EQ(*egyptian.precision(), 0.5);
  EXPECT_DOUBLE_EQ(*egyptian.recall(), 1.0);
  const ClassReport& burger = report->classes[1];
  EXPECT_EQ(burger.support, 2u);
  EXPECT_DOUBLE_EQ(*burger.precision(), 1.0);
  EXPECT_DOUBLE_EQ(*burger.recall(), 0.5);
  EXPECT_EQ(report->classes[2].match, MatchKind::kNormalized);
  EXPECT_EQ(report->classes[2].label_name, "military uniform");
  const ClassReport& tabby = report->classes[3];
  EXPECT_EQ(tabby.match, MatchKind::kSynonym);
  EXPECT_FALSE(tabby.precision().has_value());
  EXPECT_DOUBLE_EQ(*tabby.recall(), 0.0);
  EXPECT_EQ(tabby.topk_hits, 1u);
  ASSERT_EQ(report->unmatched.size(), 2u);
  EXPECT_EQ(report->unmatched[0].class_name, "crane");
  EXPECT_EQ(report->unmatched[0].kind, MatchKind::kAmbiguous);
  EXPECT_EQ(report->unmatched[0].candidates, (std::vector<std::string>{"crane", "crane"}));
  EXPECT_EQ(report->unmatched[1].class_name, "sunflower");
  EXPECT_EQ(report->unmatched[1].kind, MatchKind::kNone);
  EXPECT_EQ(ConfusionCsv(*report),
            "true\\predicted,Egyptian cat,cheeseburger,military_uniform,tabby,(other)\n"
            "Egyptian cat,1,0,0,0,0\n"
            "cheeseburger,0,1,0,0,1\n"
            "military_uniform,0,0,1,0,0\n"
            "tabby,1,0,0,0,0\n");
}

TEST(EvalTest, NoMatchingClassIsALabelsError) {
  std::vector<LabeledImage> data = {{testing::ImagePath("cat.bmp"), "sunflower"}};
  auto report = Evaluate(MobilenetV2(), data, EvalOptions{});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidLabels);
  EXPECT_NE(report.status().message().find("'sunflower'"), std::string::npos);
}

}  // namespace
}  // namespace labelite
