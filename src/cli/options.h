// Command-line flags shared by several subcommands.
#ifndef LABELITE_CLI_OPTIONS_H_
#define LABELITE_CLI_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>

#include "labelite/classifier.h"
#include "runtime/interpreter.h"

namespace labelite::cli {

inline int DefaultThreads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

// --threads N and --kernels reference|fast.
struct RuntimeFlags {
  int threads = DefaultThreads();
  KernelPath kernels = KernelPath::kFast;

  void AddTo(CLI::App* cmd) {
    cmd->add_option("--threads", threads, "Worker threads (1: no thread pool)")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    const std::map<std::string, KernelPath> kinds{{"reference", KernelPath::kReference},
                                                  {"fast", KernelPath::kFast}};
    cmd->add_option("--kernels", kernels, "Kernel path: fast (XNNPACK) or reference (the oracle)")
        ->transform(CLI::CheckedTransformer(kinds, CLI::ignore_case))
        ->default_str("fast");
  }
  InterpreterOptions ToInterpreterOptions() const { return InterpreterOptions{kernels, threads}; }
};

// --mean, --std and --resize: how images are fed to the model (classify and eval).
struct PreprocessFlags {
  std::string mean, std;
  std::string resize = "stretch";

  void AddTo(CLI::App* cmd) {
    cmd->add_option("--mean", mean, "Normalization mean, M or M,M,M (overrides metadata)");
    cmd->add_option("--std", std, "Normalization std, S or S,S,S (overrides metadata)");
    cmd->add_option("--resize", resize, "stretch (default), crop (central crop) or pad (letterbox)")
        ->check(CLI::IsMember({"stretch", "crop", "pad"}));
  }
  // Errors are tagged kUsage.
  Status ApplyTo(ClassifierOptions& o) const;
};

// "--threshold" style checks CLI11's Range lets through (NaN).
inline CLI::Validator UnitInterval() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (end == s.c_str() || *end != '\0' || !(v >= 0.0 && v <= 1.0))
          return "'" + s + "' is not a number from 0 to 1";
        return "";
      },
      "NUMBER in [0, 1]");
}

inline CLI::Validator PositiveCount() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        char* end = nullptr;
        const long long v = std::strtoll(s.c_str(), &end, 10);
        if (end == s.c_str() || *end != '\0' || v < 1) return "'" + s + "' is not a whole number of at least 1";
        return "";
      },
      "INT >= 1");
}

// --preprocess labelite|mediapipe|tasklib|keras into ClassifierOptions::preprocess.
inline CLI::Option* AddPreprocessOption(CLI::App* cmd, PreprocessPreset* preset) {
  std::vector<std::string> names;
  for (PreprocessPreset p : {PreprocessPreset::kLabelite, PreprocessPreset::kMediaPipe,
                             PreprocessPreset::kTaskLib, PreprocessPreset::kKeras})
    names.push_back(PreprocessPresetName(p));
  return cmd
      ->add_option_function<std::string>(
          "--preprocess", [preset](const std::string& name) { *preset = *ParsePreprocessPreset(name); },
          "Whose decode, resize, normalization and score handling to reproduce: labelite "
          "(default), mediapipe, tasklib or keras")
      ->check(CLI::IsMember(names));
}

}  // namespace labelite::cli

#endif  // LABELITE_CLI_OPTIONS_H_
