// Options that work for real names and real runs: --allow/--deny with commas and synonyms,
// out-of-range values refused, eval's preprocessing options, the labels subcommands' option
// names, --resume retrying failed inputs, the CSV header rule, zero-score padding left out.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "testing/cli_runner.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::RunLabelite;
using testing::ShellQuote;

std::string M() { return ShellQuote(testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite")); }
std::string Labels() { return ShellQuote(testing::LabelPath("imagenet_labels.txt")); }
std::string Cat() { return ShellQuote(testing::ImagePath("cat.bmp")); }

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::vector<std::string> Labels(const nlohmann::json& record) {
  std::vector<std::string> v;
  for (const auto& r : record["results"]) v.push_back(r["label"]);
  return v;
}

TEST(CliOptions, AllowAndDenyTakeRealNames) {
  const std::string base = "classify -q --format jsonl -m " + M() + " --labels " + Labels() + " ";
  // A whole ImageNet name with its comma, a synonym of another, repeated --allow.
  CliResult r = RunLabelite(base + "--allow 'tabby, tabby cat' --allow 'tiger cat' --allow siamese " + Cat());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> got = Labels(JsonLines(r.out).at(0));
  ASSERT_FALSE(got.empty());
  for (const std::string& l : got)
    EXPECT_TRUE(l == "tabby, tabby cat" || l == "tiger cat" || l == "Siamese cat, Siamese") << l;
  // "tabby cat" is a synonym; "egyptian cat,tabby" a list of two names.
  r = RunLabelite(base + "--allow 'tabby cat' " + Cat());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Labels(JsonLines(r.out).at(0)), std::vector<std::string>{"tabby, tabby cat"});
  r = RunLabelite(base + "--allow 'egyptian cat,tabby' " + Cat());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(JsonLines(r.out).at(0)["results"].size(), 2u) << r.out;
  r = RunLabelite(base + "--deny 'Egyptian cat' --deny tabby " + Cat());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& l : Labels(JsonLines(r.out).at(0)))
    EXPECT_TRUE(l != "Egyptian cat" && l != "tabby, tabby cat") << l;
  r = RunLabelite(base + "--allow 'tabby, no such cat' " + Cat());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "labelite: --allow: no class is named 'no such cat' (nor 'tabby, no such cat')\n");
}

TEST(CliOptions, OutOfRangeValuesAreRefused) {
  for (const char* bad : {"--threshold 1.5", "--threshold -0.1", "--threshold nan", "--threshold x",
                                 "--max-pixels 0", "--max-pixels -5", "--top-k 0", "--mean 1,2 --std 1,2",
                                 "--std 0 --mean 0", "--resize squash", "--threads 0"}) {
    CliResult r = RunLabelite("classify -m " + M() + " " + bad + " " + Cat());
    EXPECT_EQ(r.exit_code, 1) << bad << ": " << r.err;
    EXPECT_EQ(r.err.rfind("labelite: ", 0), 0u) << r.err;
  }
}

TEST(CliOptions, EvalTakesPreprocessingAndLabelsTakeClassifyNames) {
  const std::string dir = testing::MakeTempDir("cli_options_eval");
  fs::create_directories(dir + "/ds/tiger cat");  // this small model's top-1 for cat.bmp
  fs::copy_file(testing::ImagePath("cat.bmp"), dir + "/ds/tiger cat/cat.bmp");
  const std::string eval = "eval -q --json -m " + M() + " --labels " + Labels() + " --dataset " + ShellQuote(dir + "/ds");
  CliResult plain = RunLabelite(eval);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  // A pixel mean of 255 maps every quantized input to its lowest value: the answer changes.
  CliResult shifted = RunLabelite(eval + " --mean 255 --std 1 --resize crop");
  ASSERT_EQ(shifted.exit_code, 0) << shifted.err;
  EXPECT_EQ(nlohmann::json::parse(plain.out)["top1"], 1.0) << plain.out;
  EXPECT_EQ(nlohmann::json::parse(shifted.out)["top1"], 0.0) << shifted.out;
  // labels check/embed take -m/--model, --labels-format and --allow-label-mismatch.
  CliResult check = RunLabelite("labels check -m " + M() + " --labels " + ShellQuote(testing::LabelPath("coco_labels.txt")) +
                                " --labels-format text --allow-label-mismatch");
  EXPECT_EQ(check.exit_code, 0) << check.err;
  CliResult embed = RunLabelite("labels embed --model " + M() + " --labels " + Labels() +
                                " --labels-format text -o " + ShellQuote(dir + "/embedded.tflite"));
  EXPECT_EQ(embed.exit_code, 0) << embed.err;
  CliResult convert = RunLabelite("labels convert " + Labels() + " --labels-format text --to indexed");
  EXPECT_EQ(convert.exit_code, 0) << convert.err;
  EXPECT_EQ(convert.out.rfind("0 background\n1 tench, Tinca tinca\n", 0), 0u);
  fs::remove_all(dir);
}

TEST(CliOptions, ResumeRetriesFailuresAndCsvHeaderOnce) {
  const std::string dir = testing::MakeTempDir("cli_options_resume");
  const std::string later = dir + "/later.bmp";  // missing on the first run
  const std::string out = dir + "/results.csv";
  const std::string cmd = "classify -q -k 1 -m " + M() + " --labels " + Labels() + " -o " + ShellQuote(out) + " " +
                          Cat() + " " + ShellQuote(later);
  CliResult r = RunLabelite(cmd);
  EXPECT_EQ(r.exit_code, 2);
  std::string text = testing::ReadFileText(out);
  EXPECT_EQ(text.rfind("file,rank,index,label,score,error\n", 0), 0u) << text;
  EXPECT_NE(text.find(later + ",,,,,"), std::string::npos) << text;
  fs::copy_file(testing::ImagePath("cat.bmp"), later);
  r = RunLabelite(cmd + " --resume");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  text = testing::ReadFileText(out);
  // One header, one successful row per input, the error row gone.
  std::istringstream lines(text);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 3u) << text;
  EXPECT_EQ(rows[0], "file,rank,index,label,score,error");
  EXPECT_EQ(rows[1].rfind(testing::ImagePath("cat.bmp") + ",1,", 0), 0u) << text;
  EXPECT_EQ(rows[2].rfind(later + ",1,", 0), 0u) << text;
  // Standard output appended to a CSV that has its header: no second header.
  r = RunLabelite("classify -q -k 1 --format csv -m " + M() + " " + Cat() + " >> " + ShellQuote(out));
  EXPECT_EQ(r.exit_code, 0);
  text = testing::ReadFileText(out);
  EXPECT_EQ(text.find("file,rank"), text.rfind("file,rank")) << text;
  // ... but a fresh standard output gets one.
  r = RunLabelite("classify -q -k 1 --format csv -m " + M() + " " + Cat());
  EXPECT_EQ(r.out.rfind("file,rank,index,label,score,error\n", 0), 0u) << r.out;
  fs::remove_all(dir);
}

TEST(CliOptions, ZeroScorePaddingIsLeftOutUnlessAsked) {
  // A quantized softmax puts most of 1001 classes at exactly 0.
  CliResult r = RunLabelite("classify -q -k 1000 --format jsonl -m " + M() + " " + Cat());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json rec = JsonLines(r.out).at(0);
  ASSERT_GT(rec["results"].size(), 0u);
  EXPECT_LT(rec["results"].size(), 1000u);
  for (const auto& c : rec["results"]) EXPECT_GT(c["score"].get<double>(), 0.0) << c;
  r = RunLabelite("classify -q -k 1000 --threshold 0 --format jsonl -m " + M() + " " + Cat());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json all = JsonLines(r.out).at(0);
  EXPECT_EQ(all["results"].size(), 1000u);
  EXPECT_EQ(all["results"][999]["score"].get<double>(), 0.0);
}

}  // namespace
}  // namespace labelite
