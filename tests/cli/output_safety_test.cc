// Never destroy a user's file: every subcommand that writes refuses an output that is a file it
// reads (the model, a label source, any input, also one found in a folder; by path, hard link
// or symlink) before any work, with exit 1 and one line naming both roles; `classify -o`
// replaces FILE only when the run ends, and `-o -` is standard output.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "testing/cli_runner.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::RunLabelite;
using testing::ShellQuote;

class OutputSafety : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("output_safety");
    fs::copy_file(testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite"), Path("model.tflite"));
    fs::copy_file(testing::LabelPath("mobilenet_labels_1001.txt"), Path("labels.txt"));
    fs::create_directories(Path("images"));
    fs::copy_file(testing::ImagePath("cat.bmp"), Path("images/cat.bmp"));
    fs::copy_file(testing::ImagePath("burger.jpg"), Path("images/burger.jpg"));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Path(const std::string& rel) const { return dir_ + "/" + rel; }
  std::string Q(const std::string& rel) const { return ShellQuote(Path(rel)); }
  std::string Classify(const std::string& rest) const {
    return "classify -q -m " + Q("model.tflite") + " --labels " + Q("labels.txt") + " " + rest;
  }
  // Runs and checks the refusal: exit 1, one stderr line naming the role, the file unchanged.
  void ExpectRefused(const std::string& args, const std::string& victim, const std::string& role) {
    const std::vector<uint8_t> before = testing::ReadFileBytes(Path(victim));
    ASSERT_FALSE(before.empty()) << victim;
    const CliResult r = RunLabelite(args);
    EXPECT_EQ(r.exit_code, 1) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("labelite: refusing to write ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("it is " + role), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(testing::ReadFileBytes(Path(victim)), before) << victim << " was changed by: " << args;
  }
  std::string dir_;
};

TEST_F(OutputSafety, ClassifyRefusesToOverwriteWhatItReads) {
  ExpectRefused(Classify("-o " + Q("model.tflite") + " " + Q("images/cat.bmp")), "model.tflite", "the model");
  ExpectRefused(Classify("-o " + Q("images/cat.bmp") + " " + Q("images/cat.bmp")), "images/cat.bmp", "an input");
  ExpectRefused(Classify("-o " + Q("images/cat.bmp") + " " + Q("images")), "images/cat.bmp", "an input image");
  ExpectRefused(Classify("-o " + Q("labels.txt") + " " + Q("images/cat.bmp")), "labels.txt", "the label source");
  // The same files under other names: a hard link, a symlink, a path with "..".
  fs::create_hard_link(Path("model.tflite"), Path("hardlink.jsonl"));
  ExpectRefused(Classify("-o " + Q("hardlink.jsonl") + " " + Q("images/cat.bmp")), "model.tflite", "the model");
  fs::create_symlink(Path("images/burger.jpg"), Path("symlink.jsonl"));
  ExpectRefused(Classify("-o " + Q("symlink.jsonl") + " -r " + Q("images")), "images/burger.jpg", "an input image");
  ExpectRefused(Classify("-o " + Q("images/../labels.txt") + " " + Q("images/cat.bmp")), "labels.txt",
                "the label source");
}

TEST_F(OutputSafety, OtherSubcommandsRefuseToo) {
  ExpectRefused("labels convert " + Q("labels.txt") + " --to json -o " + Q("labels.txt"), "labels.txt",
                "the label source");
  ExpectRefused("labels embed " + Q("model.tflite") + " --labels " + Q("labels.txt") + " -o " + Q("labels.txt"),
                "labels.txt", "the label source");
  ExpectRefused("labels embed " + Q("model.tflite") + " --labels " + Q("labels.txt") + " -o " + Q("model.tflite"),
                "model.tflite", "the model");
  fs::create_directories(Path("ds/Egyptian cat"));
  fs::copy_file(testing::ImagePath("cat.bmp"), Path("ds/Egyptian cat/cat.bmp"));
  ExpectRefused("eval -q -m " + Q("model.tflite") + " --labels " + Q("labels.txt") + " --dataset " + Q("ds") +
                    " --confusion " + Q("ds/Egyptian cat/cat.bmp"),
                "ds/Egyptian cat/cat.bmp", "a dataset image");
  std::ofstream(Path("input.bin"), std::ios::binary) << std::string(128 * 128 * 3, '\x10');
  fs::create_directories(Path("out"));
  fs::create_hard_link(Path("input.bin"), Path("out/output0.bin"));
  ExpectRefused("invoke " + Q("model.tflite") + " --input " + Q("input.bin") + " --output-dir " + Q("out"),
                "input.bin", "an --input file");
}

TEST_F(OutputSafety, DashIsStandardOutputAndFileIsReplacedAtTheEnd) {
  CliResult r = RunLabelite(Classify("--format jsonl -o - " + Q("images/cat.bmp")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(Path("-")));
  EXPECT_EQ(nlohmann::json::parse(r.out)["results"][0]["label"], "tiger cat") << r.out;

  // A fresh run writes a partial file and renames it: FILE holds only complete runs.
  std::ofstream(Path("results.jsonl")) << "old results\n";
  r = RunLabelite(Classify("-o " + Q("results.jsonl") + " " + Q("images")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(Path(".results.jsonl.labelite-partial")));
  const std::string text = testing::ReadFileText(Path("results.jsonl"));
  EXPECT_EQ(text.find("old results"), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;

  // A run that fails before its first record (bad labels) leaves FILE as it was.
  r = RunLabelite("classify -q -m " + Q("model.tflite") + " --labels " +
                  ShellQuote(testing::LabelPath("coco_labels.txt")) + " -o " + Q("results.jsonl") + " " +
                  Q("images"));
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(testing::ReadFileText(Path("results.jsonl")), text);
}

}  // namespace
}  // namespace labelite
