// `labelite eval`: runs the built binary on a generated dataset of the shared images.
//
// Expected figures, worked out by hand from the MediaPipe golden top-5 lists of
// mobilenet_v2_1.0_224_quant (golden/e2e/mediapipe.json):
//   Egyptian cat/cat.bmp            top-1 "Egyptian cat"                 -> top-1 hit
//   tabby/cat.bmp                   "tabby, tabby cat" is 2nd            -> top-1 miss, top-5 hit
//   cheeseburger/burger.jpg         top-1 "cheeseburger"                 -> top-1 hit
//   cheeseburger/kite_and_cold.jpg  seashore, sandbar, parachute, ...    -> miss, miss
//   military_uniform/grace_hopper   top-1 "military uniform"             -> top-1 hit
//   Egyptian cat/broken.jpg         a truncated JPEG                     -> failed
//   sunflower/bird.bmp              no ImageNet label "sunflower"        -> skipped
//   crane/dragonfly.bmp             two labels "crane"                   -> skipped
// count 5, failed 1, top-1 3/5 = 0.6, top-5 4/5 = 0.8. Egyptian cat is predicted for both
// cat.bmp copies: precision 1/2, recall 1/1; cheeseburger precision 1/1, recall 1/2;
// tabby: nothing predicted (precision null), recall 0/1.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "testing/testdata.h"

namespace labelite {
namespace {

namespace fs = std::filesystem;

struct EvalRun {
  int exit_code = -1;
  std::string out;
};

std::string Q(const std::string& s) { return "'" + s + "'"; }

EvalRun RunEval(const std::string& args) {
  EvalRun r;
  const std::string cmd = Q(testing::CliPath()) + " eval --model " +
                          Q(testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite")) + " " + args;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

const std::vector<std::pair<std::string, std::string>> kLayout = {
    {"Egyptian cat", "cat.bmp"},       {"tabby", "cat.bmp"},
    {"cheeseburger", "burger.jpg"},    {"cheeseburger", "kite_and_cold.jpg"},
    {"military_uniform", "grace_hopper.bmp"}, {"sunflower", "bird.bmp"},
    {"crane", "dragonfly.bmp"}};

std::string MakeDataset(bool with_broken) {
  const std::string dir = testing::MakeTempDir("eval_cli");
  for (const auto& [cls, image] : kLayout) {
    fs::create_directories(dir + "/" + cls);
    fs::copy_file(testing::ImagePath(image), dir + "/" + cls + "/" + image);
  }
  fs::create_directories(dir + "/Egyptian cat");
  if (with_broken) {
    std::vector<uint8_t> jpeg = testing::ReadFileBytes(testing::ImagePath("burger.jpg"));
    std::ofstream(dir + "/Egyptian cat/broken.jpg", std::ios::binary)
        .write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size() / 4));
  }
  std::ofstream(dir + "/README.txt") << "files beside the class folders are ignored\n";
  return dir;
}

const nlohmann::json* FindClass(const nlohmann::json& per_class, const std::string& name) {
  for (const auto& c : per_class)
    if (c["class"] == name) return &c;
  return nullptr;
}

TEST(EvalCliTest, FolderDatasetJson) {
  const std::string dir = MakeDataset(/*with_broken=*/true);
  const std::string confusion = dir + "/confusion.csv";
  EvalRun r = RunEval("--dataset " + Q(dir) + " --json --threads 2 --confusion " + Q(confusion) + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, 2) << r.out;  // one image failed
  auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["top1"].get<double>(), 0.6);
  EXPECT_DOUBLE_EQ(j["topk"].get<double>(), 0.8);
  EXPECT_EQ(j["k"], 5);
  EXPECT_EQ(j["count"], 5);
  EXPECT_EQ(j["failed"], 1);
  EXPECT_EQ(j["skipped"], 2);
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_NE(j["errors"][0].get<std::string>().find("broken.jpg"), std::string::npos);
  ASSERT_EQ(j["per_class"].size(), 4u);
  const nlohmann::json* egyptian = FindClass(j["per_class"], "Egyptian cat");
  ASSERT_NE(egyptian, nullptr);
  EXPECT_DOUBLE_EQ((*egyptian)["precision"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ((*egyptian)["recall"].get<double>(), 1.0);
  EXPECT_EQ((*egyptian)["support"], 1);
  const nlohmann::json* burger = FindClass(j["per_class"], "cheeseburger");
  ASSERT_NE(burger, nullptr);
  EXPECT_DOUBLE_EQ((*burger)["precision"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ((*burger)["recall"].get<double>(), 0.5);
  EXPECT_EQ((*burger)["support"], 2);
  const nlohmann::json* tabby = FindClass(j["per_class"], "tabby");
  ASSERT_NE(tabby, nullptr);
  EXPECT_TRUE((*tabby)["precision"].is_null());
  EXPECT_DOUBLE_EQ((*tabby)["recall"].get<double>(), 0.0);
  EXPECT_EQ((*tabby)["label"], "tabby, tabby cat");
  EXPECT_EQ((*tabby)["match"], "synonym");
  const nlohmann::json* uniform = FindClass(j["per_class"], "military_uniform");
  ASSERT_NE(uniform, nullptr);
  EXPECT_EQ((*uniform)["label"], "military uniform");
  EXPECT_EQ((*uniform)["match"], "normalized");
  ASSERT_EQ(j["unmatched"].size(), 2u);
  EXPECT_EQ(j["unmatched"][0]["class"], "crane");
  EXPECT_EQ(j["unmatched"][0]["reason"], "ambiguous");
  EXPECT_EQ(j["unmatched"][1]["class"], "sunflower");
  EXPECT_EQ(j["unmatched"][1]["reason"], "no label");
  EXPECT_EQ(testing::ReadFileText(confusion),
            "true\\predicted,Egyptian cat,cheeseburger,military_uniform,tabby,(other)\n"
            "Egyptian cat,1,0,0,0,0\n"
            "cheeseburger,0,1,0,0,1\n"
            "military_uniform,0,0,1,0,0\n"
            "tabby,1,0,0,0,0\n");
}

TEST(EvalCliTest, TextReportAndTopK) {
  const std::string dir = MakeDataset(/*with_broken=*/false);
  EvalRun r = RunEval("--dataset " + Q(dir) + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("top-1 accuracy: 60.0% (3/5)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("top-5 accuracy: 80.0% (4/5)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("skipped class 'sunflower' (1 images): matches no label"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("skipped class 'crane' (1 images): ambiguous: 'crane', 'crane'"), std::string::npos) << r.out;
  // k = 1: top-k equals top-1.
  r = RunEval("--dataset " + Q(dir) + " --top-k 1 --json 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["k"], 1);
  EXPECT_DOUBLE_EQ(j["topk"].get<double>(), 0.6);
}

TEST(EvalCliTest, CsvDatasetWithRelativePaths) {
  const std::string dir = testing::MakeTempDir("eval_csv");
  fs::create_directories(dir + "/img");
  for (const char* image : {"cat.bmp", "burger.jpg", "grace_hopper.bmp", "kite_and_cold.jpg"})
    fs::copy_file(testing::ImagePath(image), dir + "/img/" + image);
  std::ofstream(dir + "/set.csv") << "path,label\n"
                                     "img/cat.bmp,Egyptian cat\n"
                                     "img/cat.bmp,\"tabby, tabby cat\"\n"
                                     "img/burger.jpg,Cheeseburger\n"
                                     "img/kite_and_cold.jpg,cheeseburger\n"
                                     "img/grace_hopper.bmp,military-uniform\n";
  EvalRun r = RunEval("--dataset-csv " + Q(dir + "/set.csv") + " --json 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["count"], 5);
  EXPECT_DOUBLE_EQ(j["top1"].get<double>(), 0.6);
  EXPECT_DOUBLE_EQ(j["topk"].get<double>(), 0.8);
  const nlohmann::json* tabby = FindClass(j["per_class"], "tabby, tabby cat");
  ASSERT_NE(tabby, nullptr);
  EXPECT_EQ((*tabby)["match"], "exact");
  // "Cheeseburger" and "cheeseburger" name one label: one class, under the first name.
  ASSERT_EQ(j["per_class"].size(), 4u);
  const nlohmann::json* burger = FindClass(j["per_class"], "Cheeseburger");
  ASSERT_NE(burger, nullptr);
  EXPECT_EQ((*burger)["support"], 2);
  EXPECT_EQ((*burger)["match"], "normalized");
  EXPECT_DOUBLE_EQ((*burger)["recall"].get<double>(), 0.5);
}

TEST(EvalCliTest, Errors) {
  const std::string dir = testing::MakeTempDir("eval_err");
  EXPECT_EQ(RunEval("--dataset " + Q(dir + "/nope") + " 2>&1").exit_code, 2);  // an unreadable input
  EXPECT_EQ(RunEval("2>&1").exit_code, 1);  // neither --dataset nor --dataset-csv
  fs::create_directories(dir + "/sunflower");
  fs::copy_file(testing::ImagePath("bird.bmp"), dir + "/sunflower/bird.bmp");
  EvalRun r = RunEval("--dataset " + Q(dir) + " 2>&1");
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.out.find("no dataset class matches a label of the model: 'sunflower'"), std::string::npos) << r.out;
  std::ofstream(dir + "/bad.csv") << "a.jpg,tabby,extra\n";
  r = RunEval("--dataset-csv " + Q(dir + "/bad.csv") + " 2>&1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("bad.csv:1: expected 2 fields"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace labelite
