// `labelite classify --model MODEL [options] INPUT...`: labelite's main job.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/options.h"
#include "labelite/classifier.h"

namespace labelite::cli {

namespace {

enum class Format { kTable, kJson, kJsonl, kCsv };

struct ClassifyFlags {
  ClassifierOptions classifier;
  std::vector<std::string> inputs;
  bool recursive = false;
  std::string format;
  std::string allow, deny, mean, std;
  std::string resize = "stretch";
  bool softmax = false, no_softmax = false;
  bool verbose = false;
  RuntimeFlags runtime;
};

struct Outcome {
  std::string file;
  std::vector<Classification> results;
  std::string error;  // empty on success
};

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string item = s.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

Result<std::vector<float>> ParseFloats(const std::string& s, const char* flag) {
  std::vector<float> v;
  for (const std::string& item : SplitList(s)) {
    char* end = nullptr;
    const float f = std::strtof(item.c_str(), &end);
    if (end == item.c_str() || *end != '\0') return InvalidArgument(std::string(flag) + ": not a number: '" + item + "'");
    v.push_back(f);
  }
  return v;
}

bool HasImageExtension(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp" || ext == ".gif";
}

// Expands directories into their image files (sorted); files and "-" pass through.
Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& inputs, bool recursive) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (in != "-" && fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      auto add = [&](const fs::directory_entry& e) {
        std::error_code ec2;
        if (e.is_regular_file(ec2) && HasImageExtension(e.path())) found.push_back(e.path().string());
      };
      if (recursive) {
        for (const auto& e : fs::recursive_directory_iterator(in, fs::directory_options::skip_permission_denied, ec)) add(e);
      } else {
        for (const auto& e : fs::directory_iterator(in, ec)) add(e);
      }
      if (ec) return InvalidArgument(in + ": cannot list directory: " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(in);  // a missing file is reported per input, not as a usage error
    }
  }
  return files;
}

std::string FormatScore(float s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(s));
  return buf;
}

nlohmann::json OutcomeJson(const Outcome& o, const std::string& model) {
  nlohmann::json results = nlohmann::json::array();
  for (const Classification& c : o.results) {
    nlohmann::json r = {{"index", c.index}, {"label", c.label}, {"score", c.score}};
    if (!c.display_name.empty()) r["display_name"] = c.display_name;
    if (c.head != 0) r["head"] = c.head;
    results.push_back(std::move(r));
  }
  return {{"file", o.file}, {"model", model}, {"results", results},
          {"error", o.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.error)}};
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Prints outcomes in input order as they become ready.
class Printer {
 public:
  Printer(Format format, std::string model) : format_(format), model_(std::move(model)) {}
  void Begin() {
    if (format_ == Format::kJson) std::printf("[");
    if (format_ == Format::kCsv) std::printf("file,rank,index,label,score\n");
  }
  void Print(const Outcome& o) {
    switch (format_) {
      case Format::kJson:
        std::printf("%s\n  %s", count_++ ? "," : "", OutcomeJson(o, model_).dump().c_str());
        break;
      case Format::kJsonl:
        std::printf("%s\n", OutcomeJson(o, model_).dump().c_str());
        break;
      case Format::kCsv:
        for (size_t r = 0; r < o.results.size(); ++r) {
          const Classification& c = o.results[r];
          std::printf("%s,%zu,%d,%s,%s\n", CsvField(o.file).c_str(), r + 1, c.index,
                      CsvField(c.label).c_str(), FormatScore(c.score).c_str());
        }
        break;
      case Format::kTable:
        std::printf("%s\n", o.file.c_str());
        if (!o.error.empty()) {
          std::printf("  error: %s\n", o.error.c_str());
          break;
        }
        if (o.results.empty()) std::printf("  (no class above the threshold)\n");
        for (size_t r = 0; r < o.results.size(); ++r) {
          const Classification& c = o.results[r];
          std::string name = c.label;
          if (!c.display_name.empty() && c.display_name != c.label) name += " (" + c.display_name + ")";
          std::printf("  %zu. %-40s %s  [%d]%s\n", r + 1, name.c_str(), FormatScore(c.score).c_str(), c.index,
                      c.head ? (" head " + std::to_string(c.head)).c_str() : "");
        }
        break;
    }
    std::fflush(stdout);
  }
  void End() {
    if (format_ == Format::kJson) std::printf("%s]\n", count_ ? "\n" : "");
  }

 private:
  Format format_;
  std::string model_;
  int count_ = 0;
};

Result<Outcome> ClassifyOne(Classifier& c, const std::string& file) {
  Outcome o;
  o.file = file;
  Result<std::vector<Classification>> r = InvalidArgument("");
  if (file == "-") {
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    r = c.ClassifyEncoded(bytes);
    if (!r.ok()) r = r.status().WithPrefix("<stdin>");
  } else {
    r = c.ClassifyFile(file);
  }
  if (r.ok()) o.results = std::move(*r);
  else o.error = r.status().message();
  return o;
}

int RunClassify(ClassifyFlags& f) {
  ClassifierOptions& o = f.classifier;
  o.allow = SplitList(f.allow);
  o.deny = SplitList(f.deny);
  if (!o.allow.empty() && !o.deny.empty()) return ReportError(InvalidArgument("--allow and --deny are exclusive"));
  if (f.softmax && f.no_softmax) return ReportError(InvalidArgument("--softmax and --no-softmax are exclusive"));
  o.softmax = f.softmax ? SoftmaxMode::kAlways : f.no_softmax ? SoftmaxMode::kNever : SoftmaxMode::kAuto;
  auto mean = ParseFloats(f.mean, "--mean");
  if (!mean.ok()) return ReportError(mean.status());
  auto std = ParseFloats(f.std, "--std");
  if (!std.ok()) return ReportError(std.status());
  if (mean->empty() != std->empty()) return ReportError(InvalidArgument("--mean and --std go together"));
  o.mean = *mean;
  o.std = *std;
  o.resize = f.resize == "crop" ? ResizeMode::kCrop : f.resize == "pad" ? ResizeMode::kPad : ResizeMode::kStretch;
  o.kernels = f.runtime.kernels;

  Format format = isatty(STDOUT_FILENO) ? Format::kTable : Format::kJsonl;
  if (f.format == "table") format = Format::kTable;
  else if (f.format == "json") format = Format::kJson;
  else if (f.format == "jsonl") format = Format::kJsonl;
  else if (f.format == "csv") format = Format::kCsv;

  auto files = ExpandInputs(f.inputs, f.recursive);
  if (!files.ok()) return ReportError(files.status());
  if (files->empty()) return ReportError(InvalidArgument("no image files among the inputs"));
  if (std::count(files->begin(), files->end(), "-") > 1)
    return ReportError(InvalidArgument("'-' (standard input) can be given only once"));

  // Parallelism: one classifier per worker; a few images share the threads inside one model.
  const int threads = f.runtime.threads;
  const int workers = std::max(1, std::min<int>(threads, static_cast<int>(files->size())));
  o.num_threads = std::max(1, threads / workers);
  auto first = Classifier::Create(o);
  if (!first.ok()) return ReportError(first.status());
  std::vector<std::unique_ptr<Classifier>> classifiers;
  classifiers.push_back(std::move(*first));
  for (int w = 1; w < workers; ++w) {
    auto clone = classifiers[0]->Clone();
    if (!clone.ok()) return ReportError(clone.status());
    classifiers.push_back(std::move(*clone));
  }
  for (const std::string& n : classifiers[0]->notices()) std::fprintf(stderr, "labelite: %s\n", n.c_str());
  if (f.verbose) {
    const ClassifierSummary& s = classifiers[0]->summary();
    std::fprintf(stderr, "labelite: %s\n", s.normalization.c_str());
    for (size_t h = 0; h < s.score_mode.size(); ++h)
      std::fprintf(stderr, "labelite: output %zu: %d classes, %s\n", h, s.num_classes[h], s.score_mode[h].c_str());
    std::fprintf(stderr, "labelite: labels: %s\n", s.label_source.c_str());
  }

  const std::string model_name = std::filesystem::path(o.model_path).filename().string();
  Printer printer(format, model_name);
  printer.Begin();
  std::vector<std::optional<Outcome>> outcomes(files->size());
  std::mutex mu;
  std::condition_variable ready;
  std::atomic<size_t> next{0};
  auto work = [&](Classifier& c) {
    for (size_t i = next++; i < files->size(); i = next++) {
      auto outcome = ClassifyOne(c, (*files)[i]);
      std::lock_guard<std::mutex> lock(mu);
      outcomes[i] = std::move(*outcome);
      ready.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(work, std::ref(*classifiers[static_cast<size_t>(w)]));
  // The main thread works too, and prints results in input order as soon as they are ready.
  int failed = 0;
  std::thread printer_thread([&] {
    for (size_t i = 0; i < files->size(); ++i) {
      std::unique_lock<std::mutex> lock(mu);
      ready.wait(lock, [&] { return outcomes[i].has_value(); });
      Outcome out = std::move(*outcomes[i]);
      outcomes[i].reset();
      lock.unlock();
      if (!out.error.empty()) {
        ++failed;
        if (format != Format::kTable) std::fprintf(stderr, "labelite: %s\n", out.error.c_str());
      }
      printer.Print(out);
    }
  });
  work(*classifiers[0]);
  for (auto& t : pool) t.join();
  printer_thread.join();
  printer.End();
  if (failed > 0 && format == Format::kTable)
    std::fprintf(stderr, "labelite: %d of %zu inputs failed\n", failed, files->size());
  return failed > 0 ? kExitSomeFailed : kExitOk;
}

}  // namespace

void AddClassifyCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ClassifyFlags>();
  ClassifierOptions defaults;
  CLI::App* cmd = app.add_subcommand("classify", "Classify images: name the classes a model sees");
  cmd->add_option("--model,-m", f->classifier.model_path, "The .tflite image classifier")->required();
  cmd->add_option("--labels", f->classifier.labels,
                  "Label source: a file (text, indexed, synset, JSON, CSV), sqlite:PATH?table=..., http://...; "
                  "default: the labels embedded in the model");
  cmd->add_option("--labels-format", f->classifier.labels_format, "Override label format sniffing");
  cmd->add_option("--locale", f->classifier.locale, "Display names from the model's label file of this locale");
  cmd->add_flag("--allow-label-mismatch", f->classifier.allow_label_mismatch,
                "Accept labels whose count does not fit the model (unnamed classes print as class_<index>)");
  cmd->add_option("inputs", f->inputs, "Image files, directories, or - for standard input")->required();
  cmd->add_flag("--recursive,-r", f->recursive, "Descend into subdirectories");
  cmd->add_option("--top-k,-k", f->classifier.top_k, "Results per image")->default_val(defaults.top_k)->check(CLI::Range(1, 1000000));
  cmd->add_option("--threshold", f->classifier.score_threshold, "Minimum score")->default_val(defaults.score_threshold);
  cmd->add_option("--allow", f->allow, "Only these class names (comma-separated)");
  cmd->add_option("--deny", f->deny, "Never these class names (comma-separated)");
  cmd->add_option("--format", f->format, "table|json|jsonl|csv (default: table on a terminal, else jsonl)")
      ->check(CLI::IsMember({"table", "json", "jsonl", "csv"}));
  cmd->add_option("--mean", f->mean, "Normalization mean, M or M,M,M (overrides metadata)");
  cmd->add_option("--std", f->std, "Normalization std, S or S,S,S (overrides metadata)");
  cmd->add_option("--resize", f->resize, "stretch (default), crop (central crop) or pad (letterbox)")
      ->check(CLI::IsMember({"stretch", "crop", "pad"}));
  cmd->add_flag("--softmax", f->softmax, "Always apply softmax to the scores");
  cmd->add_flag("--no-softmax", f->no_softmax, "Never apply softmax to the scores");
  cmd->add_option("--max-pixels", f->classifier.max_image_pixels, "Refuse larger images")->default_val(defaults.max_image_pixels);
  cmd->add_flag("--verbose,-v", f->verbose, "Say how the model is fed and read");
  f->runtime.AddTo(cmd);
  cmd->callback([f, exit_code] { *exit_code = RunClassify(*f); });
}

}  // namespace labelite::cli
