// `labelite labels check|convert|embed`: runs the built binary (testing::CliPath()) and checks
// its output, exit codes, that failures leave no output file, and that embedded labels are
// what labelite then classifies with.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "labelite/classifier.h"
#include "model/model.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// Runs `labelite <args>`; stderr is folded into stdout unless `stderr_to` names a file.
CliRun RunCli(const std::string& args, const std::string& stderr_to = "") {
  CliRun r;
  std::string cmd = Quote(testing::CliPath()) + " " + args +
                    (stderr_to.empty() ? " 2>&1" : " 2>" + Quote(stderr_to));
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string ModelArg(const std::string& name) { return Quote(testing::ModelPath(name)); }
std::string Imagenet() { return testing::LabelPath("imagenet_labels.txt"); }
constexpr char kQuantModel[] = "mobilenet_v1_0.25_224_quant.tflite";  // 1001 classes

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// ImageNet without its "background" line: 1000 labels for a 1001-class model.
std::string Labels1000(const std::string& dir) {
  std::string text = testing::ReadFileText(Imagenet());
  std::string path = dir + "/labels1000.txt";
  WriteText(path, text.substr(text.find('\n') + 1));
  return path;
}

TEST(LabelsCheckCliTest, MatchingLabelsAreOk) {
  CliRun r = RunCli("labels check --model " + ModelArg(kQuantModel) + " --labels " +
                    Quote(Imagenet()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("(1001 classes)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0=background; 1=tench, Tinca tinca;"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok:      labels fit the model\n"), std::string::npos) << r.out;
}

TEST(LabelsCheckCliTest, ThousandLabelsAreShiftedWithANotice) {
  std::string dir = testing::MakeTempDir("labels-cli");
  CliRun r = RunCli("labels check --model " + ModelArg(kQuantModel) + " --labels " +
                    Quote(Labels1000(dir)));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("note:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(shifted by +1)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1=tench, Tinca tinca;"), std::string::npos) << r.out;
}

TEST(LabelsCheckCliTest, MismatchIsExit4) {
  CliRun r = RunCli("labels check --model " + ModelArg(kQuantModel) + " --labels " +
                    Quote(testing::LabelPath("coco_labels.txt")));
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.out.find("1001"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("90"), std::string::npos) << r.out;
}

TEST(LabelsCheckCliTest, JsonHasTheFields) {
  std::string dir = testing::MakeTempDir("labels-cli");
  CliRun r = RunCli("labels check --json --model " + ModelArg(kQuantModel) + " --labels " +
                        Quote(Labels1000(dir)),
                    dir + "/stderr");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["num_classes"], 1001);
  EXPECT_EQ(j["labels"]["count"], 1000);
  EXPECT_EQ(j["labels"]["format"], "text");
  EXPECT_EQ(j["offset"], 1);
  EXPECT_EQ(j["notices"].size(), 1u);
  ASSERT_EQ(j["names"].size(), 1001u);
  EXPECT_EQ(j["names"][1], "tench, Tinca tinca");
  EXPECT_EQ(j["names"][1000], "toilet tissue, toilet paper, bathroom tissue");

  CliRun bad = RunCli("labels check --json --model " + ModelArg(kQuantModel) + " --labels " +
                          Quote(testing::LabelPath("coco_labels.txt")),
                      dir + "/stderr");
  EXPECT_EQ(bad.exit_code, 4);
  auto e = nlohmann::json::parse(bad.out);
  EXPECT_EQ(e["ok"], false);
  EXPECT_EQ(e["num_classes"], 1001);
  EXPECT_FALSE(e["error"].get<std::string>().empty());
}

TEST(LabelsConvertCliTest, ToJsonCsvAndTxt) {
  std::string dir = testing::MakeTempDir("labels-cli");
  CliRun json = RunCli("labels convert " + Quote(Imagenet()) + " --to json -o " +
                       Quote(dir + "/l.json"));
  ASSERT_EQ(json.exit_code, 0) << json.out;
  auto j = nlohmann::json::parse(testing::ReadFileText(dir + "/l.json"));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1001u);
  EXPECT_EQ(j[0], "background");
  EXPECT_EQ(j[286], "Egyptian cat");

  CliRun csv = RunCli("labels convert " + Quote(dir + "/l.json") + " --to csv -o " +
                      Quote(dir + "/l.csv"));
  ASSERT_EQ(csv.exit_code, 0) << csv.out;
  std::string c = testing::ReadFileText(dir + "/l.csv");
  EXPECT_EQ(c.substr(0, c.find('\n')), "index,label");
  EXPECT_NE(c.find("\n286,Egyptian cat\n"), std::string::npos);

  // Back to plain text through CSV: the original file, byte for byte.
  CliRun txt = RunCli("labels convert " + Quote(dir + "/l.csv") + " --to txt", dir + "/stderr");
  ASSERT_EQ(txt.exit_code, 0) << txt.out;
  EXPECT_EQ(txt.out, testing::ReadFileText(Imagenet()));
}

// A failed convert prints a clear error, exits 4 and creates no output file.
void ExpectConvertFails(const std::string& source, const std::string& extra,
                        const std::string& message) {
  std::string out = testing::MakeTempDir("labels-cli") + "/out.json";
  CliRun r = RunCli("labels convert " + Quote(source) + " --to json -o " + Quote(out) + extra);
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.out.find(message), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(out)) << source;
}

TEST(LabelsConvertCliTest, MalformedJson) {
  std::string dir = testing::MakeTempDir("labels-cli");
  WriteText(dir + "/bad.json", "[\"cat\",\n \"dog\"\n");
  ExpectConvertFails(dir + "/bad.json", " --format json-list", "bad.json");
}

TEST(LabelsConvertCliTest, CsvWithoutTheNamedColumns) {
  std::string dir = testing::MakeTempDir("labels-cli");
  WriteText(dir + "/bad.csv", "id,colour\n0,red\n1,blue\n");
  ExpectConvertFails(dir + "/bad.csv", " --format csv", "bad.csv:1:");
}

TEST(LabelsConvertCliTest, MissingSqliteTable) {
  std::string db_path = testing::MakeTempDir("labels-cli") + "/labels.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE names (id INTEGER, name TEXT)", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ExpectConvertFails("sqlite:" + db_path + "?table=labels&label=name", "", "labels");
}

TEST(LabelsConvertCliTest, Http500) {
  httplib::Server server;
  server.Get("/labels.txt", [](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content("boom", "text/plain");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread t([&] { server.listen_after_bind(); });
  for (int i = 0; i < 200 && !server.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ExpectConvertFails("http://127.0.0.1:" + std::to_string(port) + "/labels.txt", "", "500");
  server.stop();
  t.join();
}

// --- embed ------------------------------------------------------------------------------------

std::string TopLabel(const std::string& model_path, const std::string& image) {
  ClassifierOptions options;
  options.model_path = model_path;  // labels empty: only the embedded ones
  auto c = Classifier::Create(options);
  if (!c.ok()) return "error: " + c.status().message();
  auto r = (*c)->ClassifyFile(testing::ImagePath(image));
  if (!r.ok() || r->empty()) return "error";
  return (*r)[0].label;
}

TEST(LabelsEmbedCliTest, QuantModelRoundTripKeepsTheInput) {
  const std::string in = testing::ModelPath("mobilenet_v1_0.25_224_quant_without_subgraph_metadata.tflite");
  std::string dir = testing::MakeTempDir("labels-cli");
  std::string out = dir + "/embedded.tflite";
  std::vector<uint8_t> before = testing::ReadFileBytes(in);
  CliRun r = RunCli("labels embed " + Quote(in) + " --labels " + Quote(Labels1000(dir)) +
                    " -o " + Quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("note:"), std::string::npos) << r.out;  // shifted by +1
  EXPECT_EQ(testing::ReadFileBytes(in), before);                // input unchanged
  // No temporary file is left beside the output.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()), 2);

  auto model = Model::FromFile(out);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto text = (*model)->ReadEmbeddedFile("labels.txt");
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(*text, testing::ReadFileText(Imagenet()));  // background added back by alignment

  CliRun check = RunCli("labels check --json --model " + Quote(out), dir + "/stderr");
  ASSERT_EQ(check.exit_code, 0) << check.out;
  auto j = nlohmann::json::parse(check.out);
  EXPECT_EQ(j["offset"], 0);
  EXPECT_EQ(j["labels"]["source"], "labels.txt (embedded)");

  EXPECT_EQ(TopLabel(out, "cat.bmp"), "Egyptian cat");
  CliRun classify = RunCli("classify --model " + Quote(out) + " --format json " +
                               Quote(testing::ImagePath("cat.bmp")),
                           dir + "/stderr");
  ASSERT_EQ(classify.exit_code, 0) << classify.out;
  EXPECT_EQ(nlohmann::json::parse(classify.out)[0]["results"][0]["label"], "Egyptian cat");
}

TEST(LabelsEmbedCliTest, FloatModelWithNormalization) {
  const std::string in = testing::ModelPath("mobilenet_v1_0.25_224_1_default_1.tflite");
  std::string dir = testing::MakeTempDir("labels-cli");
  std::string out = dir + "/float.tflite";
  CliRun r = RunCli("labels embed " + Quote(in) + " --labels " + Quote(Imagenet()) +
                    " --mean 127.5 --std 127.5,127.5,127.5 -o " + Quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto model = Model::FromFile(out);
  ASSERT_TRUE(model.ok()) << model.status().message();
  ASSERT_TRUE((*model)->metadata());
  const auto& norm = (*model)->metadata()->inputs[0].normalization;
  ASSERT_TRUE(norm);
  EXPECT_EQ(norm->mean, std::vector<float>{127.5f});
  EXPECT_EQ(norm->std, (std::vector<float>{127.5f, 127.5f, 127.5f}));
  EXPECT_EQ(TopLabel(out, "cat.bmp"), "Egyptian cat");
}

TEST(LabelsEmbedCliTest, ErrorsLeaveNoOutput) {
  const std::string in = testing::ModelPath(kQuantModel);
  std::string dir = testing::MakeTempDir("labels-cli");
  std::string out = dir + "/out.tflite";
  std::string labels = " --labels " + Quote(Imagenet());

  CliRun mismatch = RunCli("labels embed " + Quote(in) + " --labels " +
                           Quote(testing::LabelPath("coco_labels.txt")) + " -o " + Quote(out));
  EXPECT_EQ(mismatch.exit_code, 4) << mismatch.out;
  CliRun bad_mean = RunCli("labels embed " + Quote(in) + labels + " --mean x --std 1 -o " +
                           Quote(out));
  EXPECT_EQ(bad_mean.exit_code, 1) << bad_mean.out;
  EXPECT_NE(bad_mean.out.find("--mean: 'x' is not a number"), std::string::npos) << bad_mean.out;
  CliRun lone_std = RunCli("labels embed " + Quote(in) + labels + " --std 2 -o " + Quote(out));
  EXPECT_EQ(lone_std.exit_code, 1) << lone_std.out;
  CliRun no_model = RunCli("labels embed " + Quote(dir + "/none.tflite") + labels + " -o " +
                           Quote(out));
  EXPECT_EQ(no_model.exit_code, 3) << no_model.out;  // a missing model is a model problem
  CliRun no_dir = RunCli("labels embed " + Quote(in) + labels + " -o " +
                         Quote(dir + "/missing/out.tflite"));
  EXPECT_EQ(no_dir.exit_code, 1) << no_dir.out;
  EXPECT_FALSE(std::filesystem::exists(out));

  // Writing over the input is refused; the input stays as it was.
  std::string copy = dir + "/copy.tflite";
  std::filesystem::copy_file(in, copy);
  std::vector<uint8_t> before = testing::ReadFileBytes(copy);
  CliRun self = RunCli("labels embed " + Quote(copy) + labels + " -o " + Quote(copy));
  EXPECT_EQ(self.exit_code, 1) << self.out;
  EXPECT_EQ(testing::ReadFileBytes(copy), before);
}

}  // namespace
}  // namespace labelite
