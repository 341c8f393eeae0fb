// Say what is wrong, without -v: label gaps and bad indices, a model whose output is not class
// scores, a truncated model, eval without labels, a folder of subfolders, HTTP failures, the
// batch summary naming failures, and -v printing every decision. Each runs the real binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "testing/cli_runner.h"
#include "testing/model_builder.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::RunLabelite;
using testing::ShellQuote;

std::string M() { return ShellQuote(testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite")); }
std::string Cat() { return ShellQuote(testing::ImagePath("cat.bmp")); }

class Messages : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("messages"); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Path(const std::string& rel) const { return dir_ + "/" + rel; }
  std::string Q(const std::string& rel) const { return ShellQuote(Path(rel)); }
  // mobilenet_labels_1001.txt as "<index> <name>" lines, through `edit` (index, name) -> line.
  void WriteIndexed(const std::string& rel, const std::function<std::string(int, const std::string&)>& edit) {
    std::ifstream in(testing::LabelPath("mobilenet_labels_1001.txt"));
    std::ofstream out(Path(rel));
    int i = 0;
    for (std::string line; std::getline(in, line); ++i) out << edit(i, line);
  }
  std::string dir_;
};

TEST_F(Messages, LabelGapsWarnAndFailCheck) {
  WriteIndexed("gap.txt", [](int i, const std::string& n) { return i == 5 ? std::string() : std::to_string(i) + " " + n + "\n"; });
  CliResult r = RunLabelite("classify -m " + M() + " --labels " + Q("gap.txt") + " --format jsonl " + Cat());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("labelite: warning: no label for index 5"), std::string::npos) << r.err;
  r = RunLabelite("labels check -m " + M() + " --labels " + Q("gap.txt"));
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("no label for class 5 of the model"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("ok:"), std::string::npos) << r.out;
  r = RunLabelite("labels check -m " + M() + " --labels " + Q("gap.txt") + " --allow-label-mismatch");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("warning: no label for index 5"), std::string::npos) << r.out;
}

TEST_F(Messages, IndexedLabelProblemsNameTheLines) {
  WriteIndexed("dup.txt", [](int i, const std::string& n) { return std::to_string(i == 7 ? 6 : i) + " " + n + "\n"; });
  CliResult r = RunLabelite("labels check -m " + M() + " --labels " + Q("dup.txt"));
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("dup.txt:8: duplicate index 6 (also on line 7)"), std::string::npos) << r.err;
  WriteIndexed("range.txt", [](int i, const std::string& n) { return std::to_string(i == 1000 ? 5000 : i) + " " + n + "\n"; });
  r = RunLabelite("classify -m " + M() + " --labels " + Q("range.txt") + " " + Cat());
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("index 5000 (line 1001) beyond the model's last class 1000"), std::string::npos) << r.err;
}

TEST_F(Messages, OutputThatIsNotClassScoresIsRefused) {
  // An embedding extractor: a 16x16x3 image averaged into a [1,1,1,3] feature vector.
  testing::ModelBuilder b;
  const int in = b.AddTensor(DataType::kUInt8, {1, 16, 16, 3}, "image", testing::Quant(1.0f, 0));
  const int out = b.AddTensor(DataType::kUInt8, {1, 1, 1, 3}, "embedding", testing::Quant(1.0f, 0));
  OpOptions pool;
  pool.padding = Padding::kValid;
  pool.filter_w = pool.filter_h = 16;
  b.AddOperator(/*AVERAGE_POOL_2D*/ 1, {in}, {out}, pool);
  b.SetInputs({in});
  b.SetOutputs({out});
  const std::vector<uint8_t> bytes = b.Build();
  std::ofstream(Path("embedder.tflite"), std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                                 static_cast<std::streamsize>(bytes.size()));
  CliResult r = RunLabelite("classify -m " + Q("embedder.tflite") + " " + Cat());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("output 0 'embedding' is a 3-value feature vector [1,1,1,3] from AVERAGE_POOL_2D"),
            std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--allow-any-output"), std::string::npos) << r.err;
  fs::create_directories(Path("ds/cat"));
  fs::copy_file(testing::ImagePath("cat.bmp"), Path("ds/cat/cat.bmp"));
  r = RunLabelite("eval -q -m " + Q("embedder.tflite") + " --dataset " + Q("ds"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("feature vector"), std::string::npos) << r.err;
  r = RunLabelite("classify -q --allow-any-output --format jsonl -m " + Q("embedder.tflite") + " " + Cat());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"label\":\"class_"), std::string::npos) << r.out;
  r = RunLabelite("inspect " + Q("embedder.tflite"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("output 0: a 3-value feature vector"), std::string::npos) << r.out;
  r = RunLabelite("inspect " + M());
  EXPECT_NE(r.out.find("output 0: 1001 class scores [1,1001] (graph ends in SOFTMAX)"), std::string::npos) << r.out;
}

TEST_F(Messages, TruncatedModelIsNamedWithByteCounts) {
  std::vector<uint8_t> bytes = testing::ReadFileBytes(testing::ModelPath("mobilenet_v1_0.25_224_1_metadata_1.tflite"));
  ASSERT_GT(bytes.size(), 2000u);
  const size_t full = bytes.size();
  bytes.resize(full - 1000);
  std::ofstream(Path("cut.tflite"), std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                            static_cast<std::streamsize>(bytes.size()));
  const std::string expect = "truncated: the file is " + std::to_string(full - 1000) + " bytes";
  CliResult r = RunLabelite("inspect " + Q("cut.tflite"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(expect), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("labels.txt"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("embedded files: none readable: truncated"), std::string::npos) << r.out;
  r = RunLabelite("classify -m " + Q("cut.tflite") + " " + Cat());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(expect), std::string::npos) << r.err;
  // The whole file is fine.
  r = RunLabelite("inspect " + ShellQuote(testing::ModelPath("mobilenet_v1_0.25_224_1_metadata_1.tflite")));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Messages, EvalWithoutLabelsAndFoldersWithoutImages) {
  fs::create_directories(Path("ds/cat"));
  fs::copy_file(testing::ImagePath("cat.bmp"), Path("ds/cat/cat.bmp"));
  CliResult r = RunLabelite("eval -q -m " + ShellQuote(testing::ModelPath("mobilenet_v1_0.25_224_1_default_1.tflite")) +
                            " --dataset " + Q("ds"));
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("the model has no labels: pass --labels"), std::string::npos) << r.err;
  r = RunLabelite("classify -m " + M() + " " + Q("ds"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "labelite: no images in " + Path("ds") + " (use -r to look in its 1 subfolder)\n");
  r = RunLabelite("classify -q -r --format jsonl -m " + M() + " " + Q("ds"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Messages, HttpLabelErrorsSayRefused) {
  CliResult r = RunLabelite("classify -m " + M() + " --labels http://127.0.0.1:1/labels.txt " + Cat());
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "labelite: http://127.0.0.1:1/labels.txt: cannot fetch labels: connection refused\n");
}

TEST_F(Messages, SummaryNamesFailuresAndVerboseSaysEveryDecision) {
  fs::create_directories(Path("in"));
  fs::copy_file(testing::ImagePath("burger.jpg"), Path("in/burger.jpg"));
  std::ofstream(Path("in/notes.txt")) << "not an image\n";
  std::ofstream(Path("in/broken.png")) << "not a PNG\n";
  CliResult r = RunLabelite("classify --format jsonl -m " + M() + " " + Q("in") + " " + Q("missing.jpg"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("labelite: failed: " + Path("in/broken.png") + ": "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("labelite: failed: " + Path("missing.jpg") + ": "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(", 2 failed\n"), std::string::npos) << r.err;
  r = RunLabelite("classify -v --format jsonl -m " + M() + " " + Q("in"));
  EXPECT_NE(r.err.find("labelite: resize: stretch (bilinear, half-pixel centers) to 128x128"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("labelite: skipped " + Path("in/notes.txt") + ": not an image file name"), std::string::npos)
      << r.err;
  // burger.jpg is 480x325: 1/4 would be 120x82, below 128x128, so the DCT scale is 1/2.
  EXPECT_NE(r.err.find("labelite: " + Path("in/burger.jpg") +
                       ": JPEG 480x325, DCT-scaled 1/2 to 240x163, resized (stretch) 240x163 -> 128x128\n"),
            std::string::npos) << r.err;
}

// burger.jpg with an EXIF APP1 segment saying "rotate 90 clockwise" (orientation 6).
std::vector<uint8_t> RotatedJpeg() {
  std::vector<uint8_t> jpeg = testing::ReadFileBytes(testing::ImagePath("burger.jpg"));
  const std::vector<uint8_t> tiff = {'I', 'I', 42, 0, 8, 0, 0, 0,          // little-endian TIFF, IFD at 8
                                     1, 0,                                 // one entry
                                     0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0,  // Orientation SHORT 6
                                     0, 0, 0, 0};                          // no next IFD
  std::vector<uint8_t> app1 = {0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
  app1.insert(app1.end(), tiff.begin(), tiff.end());
  const size_t length = app1.size() - 2;
  app1[2] = static_cast<uint8_t>(length >> 8);
  app1[3] = static_cast<uint8_t>(length & 0xFF);
  jpeg.insert(jpeg.begin() + 2, app1.begin(), app1.end());  // right after SOI
  return jpeg;
}

TEST_F(Messages, VerboseSaysTheExifRotation) {
  const std::vector<uint8_t> jpeg = RotatedJpeg();
  std::ofstream(Path("rotated.jpg"), std::ios::binary).write(reinterpret_cast<const char*>(jpeg.data()),
                                                             static_cast<std::streamsize>(jpeg.size()));
  CliResult r = RunLabelite("classify -v --format jsonl -m " + M() + " " + Q("rotated.jpg"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Upright, the 480x325 picture is 325x480; 1/2 is the smallest DCT scale still >= 128x128.
  EXPECT_NE(r.err.find(": JPEG 325x480, EXIF orientation 6 applied (rotated 90 clockwise), DCT-scaled 1/2 to "
                       "163x240, resized (stretch) 163x240 -> 128x128\n"),
            std::string::npos) << r.err;
}

}  // namespace
}  // namespace labelite
