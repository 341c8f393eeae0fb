#include "testing/litert.h"

#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "testing/testdata.h"

namespace labelite::testing {

namespace {

std::string Python() {
  const char* v = std::getenv("LABELITE_LITERT_PYTHON");
  return (v && *v) ? std::string(v) : std::string(LABELITE_SOURCE_DIR) + "/build/venv/bin/python";
}

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

bool WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

// Runs `command` through the shell: its exit status (-1 when it did not exit) and stdout.
int RunCommand(const std::string& command, std::string* out) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out->append(buf.data(), n);
  const int status = pclose(pipe);
  return (status == -1 || !WIFEXITED(status)) ? -1 : WEXITSTATUS(status);
}

bool Parse(const std::string& line, OracleResult* result) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("outputs")) return false;
  result->runtime = j.value("runtime", "");
  for (const auto& o : j["outputs"]) {
    OracleTensor t;
    t.name = o.value("name", "");
    t.dtype = o.value("dtype", "");
    for (const auto& d : o["shape"]) t.shape.push_back(d.get<int32_t>());
    for (const auto& v : o["values"]) t.values.push_back(v.is_number() ? v.get<double>() : NAN);
    result->outputs.push_back(std::move(t));
  }
  return true;
}

}  // namespace

const char* LiteRtPathName(LiteRtPath path) {
  return path == LiteRtPath::kBuiltinRef ? "builtin-ref" : "builtin";
}

std::vector<OracleResult> RunLiteRt(const std::vector<uint8_t>& model,
                                    const std::vector<std::vector<uint8_t>>& inputs,
                                    const std::vector<LiteRtPath>& paths) {
  namespace fs = std::filesystem;
  std::vector<OracleResult> results(paths.size());
  const std::string python = Python();
  const std::string script = std::string(LABELITE_SOURCE_DIR) + "/tests/testing/litert_run.py";
  std::string ignored;
  if (!fs::exists(python) ||
      RunCommand(ShellQuote(python) + " -c 'import ai_edge_litert' 2>/dev/null", &ignored) != 0) {
    for (OracleResult& r : results) {
      r.error = "native LiteRT is not installed: " + python +
                " cannot import ai_edge_litert (run scripts/setup-venv.sh or set "
                "LABELITE_LITERT_PYTHON)";
    }
    return results;
  }
  std::string names;
  for (LiteRtPath p : paths) names += std::string(names.empty() ? "" : ",") + LiteRtPathName(p);
  const std::string dir = MakeTempDir("labelite-litert");
  std::string command = ShellQuote(python) + " " + ShellQuote(script) + " " +
                        ShellQuote(dir + "/model.tflite") + " " + names;
  bool written = WriteFile(dir + "/model.tflite", model);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string p = dir + "/input" + std::to_string(i) + ".bin";
    written = written && WriteFile(p, inputs[i]);
    command += " " + ShellQuote(p);
  }
  command += " 2>" + ShellQuote(dir + "/stderr.txt");
  std::string out;
  const int status = written ? RunCommand(command, &out) : -1;
  const std::string err = ReadFileText(dir + "/stderr.txt");
  std::error_code ec;
  fs::remove_all(dir, ec);
  size_t at = 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    OracleResult& r = results[i];
    r.available = true;
    const size_t end = out.find('\n', at);
    const std::string line = out.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? out.size() : end + 1;
    if (!written) {
      r.error = "cannot write the model or inputs under " + dir;
    } else if (line.empty()) {
      r.error = "LiteRT (" + std::string(LiteRtPathName(paths[i])) + ") failed (exit " +
                std::to_string(status) + "): " + err;
    } else if (!Parse(line, &r)) {
      r.error = "cannot parse LiteRT's output: " + line.substr(0, 200);
      r.outputs.clear();
    } else {
      r.ran = true;
    }
  }
  return results;
}

}  // namespace labelite::testing
