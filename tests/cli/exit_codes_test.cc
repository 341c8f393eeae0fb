// README's exit-code table is the one rule: every subcommand is run on one problem of each
// origin (usage 1, input 2, model 3, labels 4) and must exit with the table's code, printing
// one "labelite: " line on stderr. Also: parse errors say what is wrong, with the prefix.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "testing/cli_runner.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

namespace fs = std::filesystem;
using testing::RunLabelite;
using testing::ShellQuote;

struct Case {
  std::string name;
  std::string args;
  int expected;
};

// A 1001-class model with embedded labels; its input is 128x128x3 uint8.
std::string M() { return ShellQuote(testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite")); }
// A 1001-class model without labels.
std::string NoLabels() { return ShellQuote(testing::ModelPath("mobilenet_v1_0.25_224_1_default_1.tflite")); }
std::string Labels() { return ShellQuote(testing::LabelPath("mobilenet_labels_1001.txt")); }
std::string Cat() { return ShellQuote(testing::ImagePath("cat.bmp")); }

class ExitCodeTable : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::MakeTempDir("exit_codes"));
    const std::string& d = *dir_;
    std::ofstream(d + "/not_an_image.jpg") << "this is text, not a JPEG\n";
    fs::create_directories(d + "/empty_dir/sub");
    fs::create_directories(d + "/dataset/Egyptian cat");
    fs::copy_file(testing::ImagePath("cat.bmp"), d + "/dataset/Egyptian cat/cat.bmp");
    std::ofstream(d + "/input.bin", std::ios::binary) << std::string(128 * 128 * 3, '\x40');
    std::ofstream(d + "/short.bin", std::ios::binary) << std::string(100, '\x40');
    fs::copy_file(testing::LabelPath("mobilenet_labels_1001.txt"), d + "/labels.txt");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((d + "/labels.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE names (id INTEGER, name TEXT)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    server_ = new httplib::Server;  // answers 404 to everything
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = new std::thread([] { server_->listen_after_bind(); });
    for (int i = 0; i < 200 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    fs::create_directories(d + "/outdir");
    fs::copy_file(testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite"), d + "/model.tflite");
    fs::create_hard_link(d + "/model.tflite", d + "/outdir/output0.bin");
  }
  static void TearDownTestSuite() {
    server_->stop();
    thread_->join();
    delete thread_;
    delete server_;
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }
  static std::string P(const std::string& rel) { return ShellQuote(*dir_ + "/" + rel); }
  static std::string* dir_;
  static httplib::Server* server_;
  static std::thread* thread_;
  static int port_;
};
std::string* ExitCodeTable::dir_ = nullptr;
httplib::Server* ExitCodeTable::server_ = nullptr;
std::thread* ExitCodeTable::thread_ = nullptr;
int ExitCodeTable::port_ = 0;

TEST_F(ExitCodeTable, EverySubcommandFollowsTheReadmeTable) {
  // A port nobody listens on (refused at once on loopback) and sources that cannot work.
  const std::string refused = "http://127.0.0.1:1/labels.txt";
  const std::string missing_model = P("nope.tflite");
  const std::string http404 = "http://127.0.0.1:" + std::to_string(port_) + "/labels.txt";
  const std::string no_table = "'sqlite:" + *dir_ + "/labels.db?table=nope&label=name'";
  const std::string no_column = "'sqlite:" + *dir_ + "/labels.db?table=names&label=nope'";
  const std::vector<Case> cases = {
      // classify
      {"classify ok", "classify -q -m " + M() + " " + Cat(), 0},
      {"classify bad option", "classify --bogus -m " + M() + " " + Cat(), 1},
      {"classify threshold > 1", "classify -m " + M() + " --threshold 2 " + Cat(), 1},
      {"classify threshold NaN", "classify -m " + M() + " --threshold nan " + Cat(), 1},
      {"classify max-pixels 0", "classify -m " + M() + " --max-pixels 0 " + Cat(), 1},
      {"classify mean without std", "classify -m " + M() + " --mean 127 " + Cat(), 1},
      {"classify output is the model", "classify -m " + M() + " -o " + M() + " " + Cat(), 1},
      {"classify unknown --allow", "classify -m " + M() + " --labels " + Labels() + " --allow nosuchclass " + Cat(), 1},
      {"classify missing image", "classify -m " + M() + " " + P("missing.jpg"), 2},
      {"classify undecodable image", "classify -m " + M() + " " + P("not_an_image.jpg"), 2},
      {"classify folder without images", "classify -q -m " + M() + " " + P("empty_dir"), 2},
      {"classify missing model", "classify -m " + missing_model + " " + Cat(), 3},
      {"classify model is a directory", "classify -m " + P("") + " " + Cat(), 3},
      {"classify model is an image", "classify -m " + Cat() + " " + Cat(), 3},
      {"classify missing labels", "classify -m " + M() + " --labels " + P("nope.txt") + " " + Cat(), 4},
      {"classify labels is a directory", "classify -m " + M() + " --labels " + P("") + " " + Cat(), 4},
      {"classify labels refused", "classify -m " + M() + " --labels " + refused + " " + Cat(), 4},
      {"classify labels https", "classify -m " + M() + " --labels https://127.0.0.1:1/l.txt " + Cat(), 4},
      {"classify labels sqlite missing", "classify -m " + M() + " --labels 'sqlite:" + *dir_ + "/no.db?table=t&label=l' " + Cat(), 4},
      {"classify labels HTTP 404", "classify -m " + M() + " --labels " + http404 + " " + Cat(), 4},
      {"classify labels sqlite no table", "classify -m " + M() + " --labels " + no_table + " " + Cat(), 4},
      {"classify labels sqlite no column", "classify -m " + M() + " --labels " + no_column + " " + Cat(), 4},
      {"classify labels wrong count", "classify -m " + M() + " --labels " + ShellQuote(testing::LabelPath("coco_labels.txt")) + " " + Cat(), 4},
      // eval
      {"eval ok", "eval -q -m " + M() + " --labels " + Labels() + " --dataset " + P("dataset"), 0},
      {"eval no dataset", "eval -m " + M() + " --labels " + Labels(), 1},
      {"eval bad option", "eval --bogus -m " + M() + " --dataset " + P("dataset"), 1},
      {"eval bad --std", "eval -m " + M() + " --mean 1 --std 0 --dataset " + P("dataset"), 1},
      {"eval missing dataset", "eval -m " + M() + " --labels " + Labels() + " --dataset " + P("nope"), 2},
      {"eval missing model", "eval -m " + missing_model + " --labels " + Labels() + " --dataset " + P("dataset"), 3},
      {"eval missing labels", "eval -m " + M() + " --labels " + P("nope.txt") + " --dataset " + P("dataset"), 4},
      {"eval labels refused", "eval -m " + M() + " --labels " + refused + " --dataset " + P("dataset"), 4},
      {"eval labels HTTP 404", "eval -m " + M() + " --labels " + http404 + " --dataset " + P("dataset"), 4},
      {"eval labels sqlite no table", "eval -m " + M() + " --labels " + no_table + " --dataset " + P("dataset"), 4},
      {"eval model without labels", "eval -m " + NoLabels() + " --dataset " + P("dataset"), 4},
      // inspect
      {"inspect ok", "inspect " + M(), 0},
      {"inspect bad option", "inspect --bogus " + M(), 1},
      {"inspect missing model", "inspect " + missing_model, 3},
      {"inspect model is a directory", "inspect " + P(""), 3},
      {"inspect model is an image", "inspect " + Cat(), 3},
      // invoke
      {"invoke ok", "invoke " + M() + " --input " + P("input.bin"), 0},
      {"invoke bad option", "invoke --bogus " + M() + " --input " + P("input.bin"), 1},
      {"invoke output is the model", "invoke " + P("model.tflite") + " --input " + P("input.bin") + " --output-dir " + P("outdir"), 1},
      {"invoke missing input", "invoke " + M() + " --input " + P("nope.bin"), 2},
      {"invoke input of the wrong size", "invoke " + M() + " --input " + P("short.bin"), 2},
      {"invoke missing model", "invoke " + missing_model + " --input " + P("input.bin"), 3},
      // bench
      {"bench ok", "bench " + M() + " --runs 1 --warmup 0 --threads 1", 0},
      {"bench bad value", "bench " + M() + " --runs 0", 1},
      {"bench missing model", "bench " + missing_model, 3},
      {"bench model is an image", "bench " + Cat(), 3},
      // labels check / convert / embed
      {"labels check ok", "labels check -m " + M() + " --labels " + Labels(), 0},
      {"labels check bad option", "labels check --bogus -m " + M() + " --labels " + Labels(), 1},
      {"labels check bad format name", "labels check -m " + M() + " --labels " + Labels() + " --labels-format nope", 1},
      {"labels check missing model", "labels check -m " + missing_model + " --labels " + Labels(), 3},
      {"labels check missing labels", "labels check -m " + M() + " --labels " + P("nope.txt"), 4},
      {"labels check labels refused", "labels check -m " + M() + " --labels " + refused, 4},
      {"labels check labels HTTP 404", "labels check -m " + M() + " --labels " + http404, 4},
      {"labels check sqlite no column", "labels check -m " + M() + " --labels " + no_column, 4},
      {"labels check no embedded labels", "labels check -m " + NoLabels(), 4},
      {"labels convert ok", "labels convert " + Labels() + " --to json", 0},
      {"labels convert output is the source", "labels convert " + P("labels.txt") + " --to json -o " + P("labels.txt"), 1},
      {"labels convert missing source", "labels convert " + P("nope.txt") + " --to json", 4},
      {"labels convert source is a directory", "labels convert " + P("") + " --to json", 4},
      {"labels embed ok", "labels embed " + M() + " --labels " + Labels() + " -o " + P("embedded.tflite"), 0},
      {"labels embed output is the model", "labels embed " + M() + " --labels " + Labels() + " -o " + M(), 1},
      {"labels embed output is the labels", "labels embed -m " + M() + " --labels " + P("labels.txt") + " -o " + P("labels.txt"), 1},
      {"labels embed missing model", "labels embed " + missing_model + " --labels " + Labels() + " -o " + P("x.tflite"), 3},
      {"labels embed labels HTTP 404", "labels embed " + M() + " --labels " + http404 + " -o " + P("x.tflite"), 4},
      {"labels convert labels HTTP 404", "labels convert " + http404 + " --to json", 4},
      {"labels embed missing labels", "labels embed " + M() + " --labels " + P("nope.txt") + " -o " + P("x.tflite"), 4},
      // the command line itself
      {"unknown subcommand", "clasify -m " + M() + " " + Cat(), 1},
      {"no subcommand", "", 1},
  };
  for (const Case& c : cases) {
    const testing::CliResult r = RunLabelite(c.args);
    EXPECT_EQ(r.exit_code, c.expected) << c.name << "\n  labelite " << c.args << "\n  stderr: " << r.err;
    if (c.expected != 0) {
      EXPECT_EQ(r.err.rfind("labelite: ", 0), 0u) << c.name << ": " << r.err;
    }
  }
}

TEST(ParseErrors, SayWhatIsWrongWithThePrefix) {
  testing::CliResult r = RunLabelite("clasify -m m.tflite cat.jpg");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "labelite: unknown subcommand 'clasify' (did you mean 'classify'?)\n");
  r = RunLabelite("labels chek -m m.tflite");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "labelite: unknown subcommand 'chek' of 'labelite labels' (did you mean 'check'?)\n");
  r = RunLabelite("frobnicate");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown subcommand 'frobnicate' (subcommands: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("classify"), std::string::npos) << r.err;
  r = RunLabelite("");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("labelite: 'labelite' needs a subcommand: ", 0), 0u) << r.err;
  r = RunLabelite("classify -m " + M() + " --threshold 2 " + Cat());
  EXPECT_EQ(r.err.rfind("labelite: --threshold: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("'2' is not a number from 0 to 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(see labelite classify --help)"), std::string::npos) << r.err;
  r = RunLabelite("classify --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--allow-any-output"), std::string::npos);
}

}  // namespace
}  // namespace labelite
