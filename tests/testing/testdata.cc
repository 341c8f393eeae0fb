#include "testing/testdata.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

namespace labelite::testing {

namespace {
std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : fallback;
}
}  // namespace

std::string TestDataDir() { return EnvOr("LABELITE_TESTDATA", LABELITE_DEFAULT_TESTDATA); }
std::string ModelPath(const std::string& name) { return TestDataDir() + "/models/" + name; }
std::string ImagePath(const std::string& name) { return TestDataDir() + "/images/" + name; }
std::string LabelPath(const std::string& name) { return TestDataDir() + "/labels/" + name; }
std::string GoldenDir() { return TestDataDir() + "/golden"; }
std::string OracleDir() { return EnvOr("LABELITE_ORACLE_DIR", LABELITE_DEFAULT_ORACLE_DIR); }
std::string CliPath() { return EnvOr("LABELITE_CLI", LABELITE_CLI_PATH); }

std::vector<uint8_t> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string MakeTempDir(const std::string& prefix) {
  namespace fs = std::filesystem;
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path p = fs::temp_directory_path() / (prefix + "-" + std::to_string(rd()));
    std::error_code ec;
    if (fs::create_directory(p, ec)) return p.string();
  }
  return fs::temp_directory_path().string();
}

bool OracleRequired() {
  const char* v = std::getenv("LABELITE_REQUIRE_ORACLE");
  return v && std::string(v) == "1";
}

std::string ZooModelPath(const std::string& file) {
  std::filesystem::path root;
  if (const char* env = std::getenv("LABELITE_ZOO_CACHE")) root = env;
  else if (const char* home = std::getenv("HOME")) root = std::filesystem::path(home) / ".cache/labelite/zoo";
  std::error_code ec;
  if (root.empty() || !std::filesystem::is_directory(root, ec)) return "";
  for (const auto& dir : std::filesystem::directory_iterator(root, ec))
    if (std::filesystem::exists(dir.path() / file, ec)) return (dir.path() / file).string();
  return "";
}

}  // namespace labelite::testing
