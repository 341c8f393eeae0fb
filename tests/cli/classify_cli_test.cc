// `labelite classify` on many inputs: runs the built binary (testing::CliPath()) and checks
// output order, per-file errors and exit codes, --output/--resume after SIGKILL and SIGINT,
// and what goes to stderr. Expected top-1 classes come from the MediaPipe golden
// (golden/e2e/mediapipe.json), not from labelite.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "testing/testdata.h"

namespace labelite {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out;
};

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// Runs a shell command line whose first word is the labelite binary; stdout captured.
CliRun RunShell(const std::string& args) {
  CliRun r;
  const std::string cmd = Quote(testing::CliPath()) + " " + args;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Model() { return Quote(testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite")); }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

size_t CountLines(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

// A folder of `n` copies of shared images, named so that sorting differs from `order`.
std::vector<std::string> MakeInputs(const std::string& dir, int n) {
  const std::vector<std::string> images = {"cat.bmp", "burger.jpg", "grace_hopper.bmp", "parrot.jpg"};
  std::vector<std::string> paths;
  for (int i = 0; i < n; ++i) {
    const std::string& src = images[static_cast<size_t>(i) % images.size()];
    const std::string path = dir + "/" + std::to_string((i * 7919) % 1000) + "_" + src;
    fs::copy_file(testing::ImagePath(src), path, fs::copy_options::overwrite_existing);
    paths.push_back(path);
  }
  return paths;
}

std::string TopLabelOf(const std::string& path) {
  const std::string name = fs::path(path).filename().string();
  if (name.ends_with("cat.bmp")) return "Egyptian cat";
  if (name.ends_with("burger.jpg")) return "cheeseburger";
  if (name.ends_with("grace_hopper.bmp")) return "military uniform";
  return "macaw";
}

// ",<label>," as the label column of a CSV row.
std::string CsvLabel(const std::string& path) {
  std::string s = ",";
  s.append(TopLabelOf(path)).append(",");
  return s;
}

TEST(ClassifyCliTest, JsonFormatIsValidJson) {
  CliRun r = RunShell("classify --model " + Model() + " --format json " +
                      Quote(testing::ImagePath("cat.bmp")) + " 2>/dev/null | python3 -m json.tool");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["results"][0]["label"], "Egyptian cat");
  EXPECT_TRUE(j[0]["error"].is_null());
  // Top 5 asked, but only 3 classes score above 0: the zero-score padding is left out.
  ASSERT_EQ(j[0]["results"].size(), 3u);
  for (const auto& c : j[0]["results"]) EXPECT_GT(c["score"].get<double>(), 0.0) << c;
}

TEST(ClassifyCliTest, OutputFollowsInputOrder) {
  const std::string dir = testing::MakeTempDir("classify_order");
  std::vector<std::string> paths = MakeInputs(dir, 24);
  std::string args;
  for (const std::string& p : paths) args.append(" ").append(Quote(p));
  for (const char* mode : {"", " --unordered"}) {
    CliRun r = RunShell("classify --model " + Model() + " --threads 2 --format jsonl" + mode + args + " 2>/dev/null");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    std::vector<std::string> lines = Lines(r.out);
    ASSERT_EQ(lines.size(), paths.size());
    std::multiset<std::string> files;
    for (size_t i = 0; i < lines.size(); ++i) {
      auto j = nlohmann::json::parse(lines[i]);
      const std::string file = j["file"];
      if (std::string(mode).empty()) {
        EXPECT_EQ(file, paths[i]);
      }
      EXPECT_EQ(j["results"][0]["label"], TopLabelOf(file));
      files.insert(file);
    }
    EXPECT_EQ(files, std::multiset<std::string>(paths.begin(), paths.end()));
  }
  // A directory: sorted file names.
  CliRun r = RunShell("classify --model " + Model() + " --threads 2 --format csv --top-k 1 " + Quote(dir) + " 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0);
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), paths.size() + 1);
  EXPECT_EQ(lines[0], "file,rank,index,label,score,error");
  std::vector<std::string> sorted = paths;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    EXPECT_EQ(lines[i + 1].substr(0, sorted[i].size() + 3), sorted[i] + ",1,") << lines[i + 1];
    EXPECT_NE(lines[i + 1].find(CsvLabel(sorted[i])), std::string::npos) << lines[i + 1];
  }
}

TEST(ClassifyCliTest, BadFilesFailAloneWithExitCode2) {
  const std::string dir = testing::MakeTempDir("classify_bad");
  std::vector<uint8_t> jpeg = testing::ReadFileBytes(testing::ImagePath("burger.jpg"));
  std::ofstream(dir + "/corrupt.jpg", std::ios::binary).write(reinterpret_cast<const char*>(jpeg.data()), 600);
  std::ofstream(dir + "/empty.jpg", std::ios::binary);
  std::ofstream(dir + "/text.jpg") << "not an image at all\n";
  fs::copy_file(testing::ImagePath("cat.bmp"), dir + "/good_cat.bmp");
  fs::copy_file(testing::ImagePath("burger.jpg"), dir + "/good_burger.jpg");
  CliRun r = RunShell("classify --model " + Model() + " --threads 2 --format jsonl " + Quote(dir) + " " +
                      Quote(dir + "/missing.jpg") + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  std::map<std::string, nlohmann::json> by_name;
  for (const std::string& line : lines) {
    auto j = nlohmann::json::parse(line);
    by_name[fs::path(j["file"].get<std::string>()).filename().string()] = j;
  }
  for (const char* bad : {"corrupt.jpg", "empty.jpg", "text.jpg", "missing.jpg"}) {
    ASSERT_TRUE(by_name.count(bad)) << bad;
    EXPECT_TRUE(by_name[bad]["error"].is_string()) << bad;
    EXPECT_NE(by_name[bad]["error"].get<std::string>().find(bad), std::string::npos) << by_name[bad]["error"];
    EXPECT_TRUE(by_name[bad]["results"].empty());
  }
  EXPECT_EQ(by_name["good_cat.bmp"]["results"][0]["label"], "Egyptian cat");
  EXPECT_EQ(by_name["good_burger.jpg"]["results"][0]["label"], "cheeseburger");
  EXPECT_TRUE(by_name["good_cat.bmp"]["error"].is_null());
}

// Starts labelite with argv (stdout/stderr to /dev/null); returns the pid.
pid_t Spawn(const std::vector<std::string>& args) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    std::string cli = testing::CliPath();
    argv.push_back(cli.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execv(cli.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

// Waits until `path` has at least `n` lines (or the child exits); true when it got there.
bool WaitForLines(const std::string& path, size_t n, pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (CountLines(path) >= n) return true;
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

// Every input exactly once, every line a complete record.
void ExpectCompleteJsonl(const std::string& path, const std::vector<std::string>& inputs) {
  std::map<std::string, int> seen;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);  // throws (fails the test) on a partial line
    ++seen[j["file"].get<std::string>()];
    EXPECT_EQ(j["results"][0]["label"], TopLabelOf(j["file"]));
  }
  EXPECT_EQ(seen.size(), inputs.size());
  for (const std::string& p : inputs) EXPECT_EQ(seen[p], 1) << p;
}

TEST(ClassifyCliTest, KilledOutputRunResumesWithoutDuplicates) {
  const std::string dir = testing::MakeTempDir("classify_kill");
  std::vector<std::string> inputs = MakeInputs(dir, 60);
  const std::string out = testing::MakeTempDir("classify_kill_out") + "/results.jsonl";
  std::vector<std::string> args = {"classify", "--model", testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite"),
                                   "--threads", "2", "--output", out};
  args.insert(args.end(), inputs.begin(), inputs.end());
  // Until the run ends, records go to a partial file beside FILE (renamed over FILE at the end).
  const std::string partial_path = fs::path(out).parent_path().string() + "/.results.jsonl.labelite-partial";
  pid_t pid = Spawn(args);
  ASSERT_TRUE(WaitForLines(partial_path, 5, pid)) << "the first run ended before writing 5 results";
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  const size_t partial = CountLines(partial_path);
  EXPECT_LT(partial, inputs.size()) << "killed too late to test resuming";
  EXPECT_FALSE(fs::exists(out)) << "FILE is replaced only by a finished run";

  args.push_back("--resume");
  pid = Spawn(args);
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ExpectCompleteJsonl(out, inputs);
  EXPECT_FALSE(fs::exists(partial_path));
  // Resuming a complete file does nothing.
  pid = Spawn(args);
  waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(CountLines(out), inputs.size());
}

TEST(ClassifyCliTest, SigintFlushesAndExits130) {
  const std::string dir = testing::MakeTempDir("classify_int");
  std::vector<std::string> inputs = MakeInputs(dir, 60);
  const std::string out = testing::MakeTempDir("classify_int_out") + "/results.csv";
  std::vector<std::string> args = {"classify", "--model", testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite"),
                                   "--threads", "2", "--top-k", "1", "--output", out};
  args.insert(args.end(), inputs.begin(), inputs.end());
  pid_t pid = Spawn(args);
  ASSERT_TRUE(WaitForLines(fs::path(out).parent_path().string() + "/.results.csv.labelite-partial", 4, pid));  // header + 3 results
  kill(pid, SIGINT);
  int status;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_LT(CountLines(out), inputs.size() + 1);

  args.push_back("--resume");
  pid = Spawn(args);
  waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::vector<std::string> lines = Lines(testing::ReadFileText(out));
  ASSERT_EQ(lines.size(), inputs.size() + 1);
  EXPECT_EQ(lines[0], "file,rank,index,label,score,error");
  std::map<std::string, int> seen;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string file = lines[i].substr(0, lines[i].find(','));
    ++seen[file];
    EXPECT_NE(lines[i].find(",1,"), std::string::npos);
    EXPECT_NE(lines[i].find(CsvLabel(file)), std::string::npos) << lines[i];
  }
  for (const std::string& p : inputs) EXPECT_EQ(seen[p], 1) << p;
}

TEST(ClassifyCliTest, StderrIsOneSummaryLineUnlessQuiet) {
  const std::string dir = testing::MakeTempDir("classify_stderr");
  const std::string err = dir + "/stderr.txt";
  const std::string inputs = Quote(testing::ImagePath("cat.bmp")) + " " + Quote(testing::ImagePath("burger.jpg")) +
                             " " + Quote(dir + "/missing.jpg");
  CliRun r = RunShell("classify --model " + Model() + " --format jsonl " + inputs + " 2>" + Quote(err));
  EXPECT_EQ(r.exit_code, 2);
  // The model's notices (here: ImageNet's duplicate "crane"), the failure and one summary
  // line; no per-image lines for successes and no progress bar.
  const std::string text = testing::ReadFileText(err);
  std::vector<std::string> lines = Lines(text);
  ASSERT_GE(lines.size(), 1u);
  EXPECT_EQ(lines.back().rfind("labelite: 3 of 3 images in ", 0), 0u) << text;
  EXPECT_NE(lines.back().find(", 1 failed"), std::string::npos) << text;
  for (size_t i = 0; i + 1 < lines.size(); ++i) EXPECT_EQ(lines[i].rfind("labelite: ", 0), 0u) << text;
  EXPECT_NE(text.find("labelite: failed: " + dir + "/missing.jpg: "), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;

  r = RunShell("classify --model " + Model() + " --quiet --format jsonl " + inputs + " 2>" + Quote(err));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(testing::ReadFileText(err), "");

  r = RunShell("classify --model " + Model() + " --quiet --timing --format jsonl " + inputs + " 2>" + Quote(err));
  EXPECT_NE(testing::ReadFileText(err).find("labelite: timing: 3 images"), std::string::npos) << testing::ReadFileText(err);
  EXPECT_NE(testing::ReadFileText(err).find("inference"), std::string::npos);
}

TEST(ClassifyCliTest, UsageModelAndLabelErrors) {
  const std::string cat = Quote(testing::ImagePath("cat.bmp"));
  EXPECT_EQ(RunShell("classify --model " + Model() + " --resume " + cat + " 2>&1").exit_code, 1);
  EXPECT_EQ(RunShell("classify --model " + Model() + " --output x.json --format json " + cat + " 2>&1").exit_code, 1);
  EXPECT_EQ(RunShell("classify --model " + Quote(testing::ImagePath("cat.bmp")) + " " + cat + " 2>&1").exit_code, 3);
  EXPECT_EQ(RunShell("classify --model " + Model() + " --labels " + Quote(testing::LabelPath("coco_labels.txt")) +
                     " " + cat + " 2>&1").exit_code, 4);
}

}  // namespace
}  // namespace labelite
