// The `labelite` binary on the hostile inputs of issue 18: an endless label database view, a
// model whose embedded zip is damaged, and a model whose metadata names a file with raw bytes.
// Each must end with its documented exit code and a one-line message that quotes outside text
// escaped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <string>

#include "testing/cli_runner.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using testing::RunLabelite;
using testing::ShellQuote;
using ::testing::HasSubstr;
using ::testing::Not;

const char kModel[] = "mobilenet_v1_0.25_224_quant.tflite";  // metadata + zip with labels.txt

std::string ReadBytes(const std::string& path) { return testing::ReadFileText(path); }

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The model with `edit` applied, written to a temporary file.
template <typename Edit>
std::string EditedModel(const std::string& name, Edit edit) {
  std::string bytes = ReadBytes(testing::ModelPath(kModel));
  edit(bytes);
  const std::string path = testing::MakeTempDir("hostile") + "/" + name;
  WriteBytes(path, bytes);
  return path;
}

std::string Classify(const std::string& model, const std::string& extra = "") {
  return "classify --model " + ShellQuote(model) + " " + extra + " " +
         ShellQuote(testing::ImagePath("cat.bmp"));
}

TEST(HostileSourcesCli, AnEndlessLabelViewEndsWithExit4) {
  const std::string db = testing::MakeTempDir("hostile") + "/endless.db";
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "CREATE VIEW endless AS WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL "
                         "SELECT x + 1 FROM c) SELECT x AS id, 'label ' || x AS name FROM c",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  // Ordered by id the view never yields a row: the default deadline (10 s) ends the query. (The
  // row limit and short deadlines are tested on the library: tests/labels/sources_test.cc.)
  const auto start = std::chrono::steady_clock::now();
  const auto r = RunLabelite(Classify(testing::ModelPath(kModel),
                                      "--labels " + ShellQuote("sqlite:" + db + "?table=endless&index=id&label=name")));
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("?table=endless&index=id&label=name: timed out after 10000 ms"));
  EXPECT_GE(seconds, 10.0);
  EXPECT_LT(seconds, 40.0);
}

TEST(HostileSourcesCli, ADamagedCentralDirectoryFailsInspectLikeClassify) {
  const std::string model = EditedModel("bad_directory.tflite", [](std::string& b) {
    const size_t central = b.rfind(std::string("PK\x01\x02", 4));
    ASSERT_NE(central, std::string::npos);
    b[central + 2] = 'X';  // the central directory entry's signature
  });
  const auto inspect = RunLabelite("inspect " + ShellQuote(model));
  EXPECT_EQ(inspect.exit_code, 3) << inspect.out << inspect.err;
  EXPECT_THAT(inspect.out, HasSubstr("embedded files: none"));  // the report is still printed
  EXPECT_THAT(inspect.err, HasSubstr(model + ": damaged embedded zip: "));
  const auto json = RunLabelite("inspect --json " + ShellQuote(model));
  EXPECT_EQ(json.exit_code, 3);
  const auto classify = RunLabelite(Classify(model));
  EXPECT_EQ(classify.exit_code, 3) << classify.out << classify.err;
}

TEST(HostileSourcesCli, ACorruptLabelEntryFailsInspectLikeClassify) {
  const std::string model = EditedModel("bad_entry.tflite", [](std::string& b) {
    const size_t local = b.find(std::string("PK\x03\x04", 4));
    ASSERT_NE(local, std::string::npos);
    const size_t name_len = static_cast<uint8_t>(b[local + 26]) | (static_cast<uint8_t>(b[local + 27]) << 8);
    const size_t extra_len = static_cast<uint8_t>(b[local + 28]) | (static_cast<uint8_t>(b[local + 29]) << 8);
    b[local + 30 + name_len + extra_len + 5] ^= 0x55;  // a byte of labels.txt's data
  });
  const auto inspect = RunLabelite("inspect " + ShellQuote(model));
  EXPECT_EQ(inspect.exit_code, 3) << inspect.out << inspect.err;
  EXPECT_THAT(inspect.err, HasSubstr("damaged embedded zip: embedded file 'labels.txt'"));
  const auto classify = RunLabelite(Classify(model));
  EXPECT_EQ(classify.exit_code, 3) << classify.out << classify.err;
  // The intact model passes both.
  EXPECT_EQ(RunLabelite("inspect " + ShellQuote(testing::ModelPath(kModel))).exit_code, 0);
}

TEST(HostileSourcesCli, AFileNameWithRawBytesIsQuotedEscaped) {
  // The metadata's name of the label file becomes "labels.\xff\x00t" (same length): the zip
  // still holds "labels.txt", so the named file is missing, and its name has raw bytes.
  const std::string model = EditedModel("raw_name.tflite", [](std::string& b) {
    const size_t name = b.find("labels.txt");
    ASSERT_NE(name, std::string::npos);
    b.replace(name, 10, std::string("labels.\xff\0t", 10), 0, 10);
    b[name + 7] = '\xff';
    b[name + 8] = '\0';
  });
  const auto classify = RunLabelite(Classify(model));
  EXPECT_EQ(classify.exit_code, 3) << classify.out << classify.err;
  EXPECT_THAT(classify.err, HasSubstr("'labels.\\xff\\x00t'"));
  EXPECT_THAT(classify.err, Not(HasSubstr("\xff")));
  const auto inspect = RunLabelite("inspect " + ShellQuote(model));
  EXPECT_EQ(inspect.exit_code, 3) << inspect.out << inspect.err;
  EXPECT_THAT(inspect.err, HasSubstr("the metadata names 'labels.\\xff\\x00t', which is not embedded"));
}

}  // namespace
}  // namespace labelite
