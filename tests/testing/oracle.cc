#include "testing/oracle.h"

#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "testing/testdata.h"

namespace labelite::testing {

namespace {

bool WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

// Single-quotes `s` for /bin/sh.
std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

// Runs `command` through the shell; returns its exit status (-1 when it could not start) and
// its stdout in *out.
int RunCommand(const std::string& command, std::string* out) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out->append(buf.data(), n);
  const int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

bool NodeAvailable() {
  std::string ignored;
  return RunCommand("command -v node >/dev/null 2>&1", &ignored) == 0;
}

bool ParseOutputs(const std::string& text, OracleResult* result) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("outputs") || !j["outputs"].is_array()) {
    return false;
  }
  if (j.contains("runtime") && j["runtime"].is_string()) result->runtime = j["runtime"];
  for (const auto& o : j["outputs"]) {
    OracleTensor t;
    if (o.contains("name") && o["name"].is_string()) t.name = o["name"];
    if (o.contains("dtype") && o["dtype"].is_string()) t.dtype = o["dtype"];
    if (o.contains("shape") && o["shape"].is_array()) {
      for (const auto& d : o["shape"]) t.shape.push_back(d.get<int32_t>());
    }
    if (!o.contains("values") || !o["values"].is_array()) return false;
    for (const auto& v : o["values"]) {
      // JSON.stringify writes NaN and infinities as null.
      t.values.push_back(v.is_number() ? v.get<double>() : std::nan(""));
    }
    result->outputs.push_back(std::move(t));
  }
  return true;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// The command prefix that runs the oracle, or "" with result->error set. With
// LABELITE_ORACLE_PYTHON (a Python with ai-edge-litert, e.g. build/venv/bin/python): native
// LiteRT through tools/litert_oracle.py on LABELITE_ORACLE_LITERT_PATH (default builtin);
// otherwise the WebAssembly oracle under node.
std::string OracleCommand(OracleResult* result) {
  namespace fs = std::filesystem;
  const std::string python = Env("LABELITE_ORACLE_PYTHON");
  if (!python.empty()) {
    const std::string script = std::string(LABELITE_SOURCE_DIR) + "/tools/litert_oracle.py";
    if (!fs::exists(python)) {
      result->error = "LABELITE_ORACLE_PYTHON names no file: " + python;
      return "";
    }
    std::string path = Env("LABELITE_ORACLE_LITERT_PATH");
    if (path.empty()) path = "builtin";
    return ShellQuote(python) + " " + ShellQuote(script) + " --json --path " + ShellQuote(path);
  }
  const std::string script = OracleDir() + "/run.mjs";
  if (!fs::exists(script)) {
    result->error = "the TFLite oracle is not installed: no " + script +
                    " (run scripts/setup-oracle.sh or set LABELITE_ORACLE_DIR)";
    return "";
  }
  if (!NodeAvailable()) {
    result->error = "the TFLite oracle needs node, which is not on PATH";
    return "";
  }
  return "node " + ShellQuote(script);
}

}  // namespace

OracleResult RunOracle(const std::vector<uint8_t>& model,
                       const std::vector<std::vector<uint8_t>>& inputs) {
  namespace fs = std::filesystem;
  OracleResult result;
  std::string command = OracleCommand(&result);
  if (command.empty()) return result;
  result.available = true;

  const std::string dir = MakeTempDir("labelite-oracle");
  const std::string model_path = dir + "/model.tflite";
  if (!WriteFile(model_path, model)) {
    result.error = "cannot write " + model_path;
    return result;
  }
  command += " " + ShellQuote(model_path);
  // Without inputs both oracles feed the pattern of the golden *.pattern37.json files.
  if (inputs.empty() && command.find("litert_oracle.py") != std::string::npos) command += " --pattern37";
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string path = dir + "/input" + std::to_string(i) + ".bin";
    if (!WriteFile(path, inputs[i])) {
      result.error = "cannot write " + path;
      return result;
    }
    command += " --input " + ShellQuote(path);
  }
  const std::string stderr_path = dir + "/stderr.txt";
  command += " 2>" + ShellQuote(stderr_path);

  std::string out;
  const int status = RunCommand(command, &out);
  const std::string err = ReadFileText(stderr_path);
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (status == 2) {  // the oracle cannot load or run this model
    result.error = err.empty() ? "the oracle cannot run the model" : err;
    return result;
  }
  if (status != 0) {
    result.error = "oracle failed (exit " + std::to_string(status) + "): " + err;
    return result;
  }
  if (!ParseOutputs(out, &result)) {
    result.error = "cannot parse the oracle's output: " + out.substr(0, 200);
    result.outputs.clear();
    return result;
  }
  result.ran = true;
  return result;
}

}  // namespace labelite::testing
