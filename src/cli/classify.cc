// `labelite classify --model MODEL [options] INPUT...`: labelite's main job.
//
// Many inputs go through classify/batch.h (one classifier per worker, results in input order
// or --unordered). Records go to stdout or, with --output FILE, are appended to FILE one
// write() each so a killed run keeps every finished record; --resume skips the inputs FILE
// already holds. Exit codes: 0 all classified, 2 some inputs failed, 130 interrupted by
// SIGINT (after flushing finished results), others from ReportError.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "base/quote.h"
#include "cli/exit_codes.h"
#include "classify/batch.h"
#include "cli/options.h"
#include "cli/progress.h"
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
  bool unordered = false, resume = false, quiet = false, timing = false;
  std::string output;
  RuntimeFlags runtime;
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
    if (end == item.c_str() || *end != '\0') return InvalidArgument(std::string(flag) + ": not a number: " + QuoteForMessage(item));
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

nlohmann::json ResultJson(const BatchResult& o, const std::string& model) {
  nlohmann::json results = nlohmann::json::array();
  for (const Classification& c : o.classes) {
    nlohmann::json r = {{"index", c.index}, {"label", c.label}, {"score", c.score}};
    if (!c.display_name.empty()) r["display_name"] = c.display_name;
    if (c.head != 0) r["head"] = c.head;
    results.push_back(std::move(r));
  }
  return {{"file", o.path}, {"model", model}, {"results", results},
          {"error", o.status.ok() ? nlohmann::json(nullptr) : nlohmann::json(o.status.message())}};
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// The first field of a CSV line written by CsvField.
std::string FirstCsvField(const std::string& line) {
  if (line.empty() || line[0] != '"') return line.substr(0, line.find(','));
  std::string out;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] != '"') out += line[i];
    else if (i + 1 < line.size() && line[i + 1] == '"') out += line[++i];
    else break;
  }
  return out;
}

constexpr const char* kCsvHeader = "file,rank,index,label,score,error\n";

// Formats one result as the text of its record(s).
std::string FormatResult(Format format, const BatchResult& o, const std::string& model, bool first) {
  std::string out;
  switch (format) {
    case Format::kJson:
      return std::string(first ? "\n  " : ",\n  ") + ResultJson(o, model).dump();
    case Format::kJsonl:
      return ResultJson(o, model).dump() + "\n";
    case Format::kCsv:
      // Every input gets at least one row, so --resume finds it: errors and empty results
      // leave rank..score empty.
      if (!o.status.ok() || o.classes.empty())
        return CsvField(o.path) + ",,,,," + CsvField(o.status.ok() ? "" : o.status.message()) + "\n";
      for (size_t r = 0; r < o.classes.size(); ++r) {
        const Classification& c = o.classes[r];
        out += CsvField(o.path) + "," + std::to_string(r + 1) + "," + std::to_string(c.index) + "," +
               CsvField(c.label) + "," + FormatScore(c.score) + ",\n";
      }
      return out;
    case Format::kTable:
      out = o.path + "\n";
      if (!o.status.ok()) return out + "  error: " + o.status.message() + "\n";
      if (o.classes.empty()) out += "  (no class above the threshold)\n";
      for (size_t r = 0; r < o.classes.size(); ++r) {
        const Classification& c = o.classes[r];
        std::string name = c.label;
        if (!c.display_name.empty() && c.display_name != c.label) name += " (" + c.display_name + ")";
        if (name.size() < 40) name.resize(40, ' ');
        out += "  " + std::to_string(r + 1) + ". " + name + " " + FormatScore(c.score) + "  [" + std::to_string(c.index) + "]" +
               (c.head ? " head " + std::to_string(c.head) : "") + "\n";
      }
      return out;
  }
  return out;
}

// Where records go: standard output, or a file opened for appending. Each record is written
// with one write() (a kill lands between records) and is on disk-cache before the next.
class Output {
 public:
  ~Output() {
    if (fd_ > STDOUT_FILENO) close(fd_);
  }
  Status OpenFile(const std::string& path, bool append) {
    fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
    if (fd_ < 0) return InvalidArgument(path + ": cannot open for writing: " + std::strerror(errno));
    path_ = path;
    return Status::Ok();
  }
  bool empty() const {
    struct stat st {};
    return fstat(fd_, &st) != 0 || st.st_size == 0;
  }
  Status Write(const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = write(fd_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return IoError((path_.empty() ? "standard output" : path_) + ": write failed: " + std::strerror(errno));
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

 private:
  int fd_ = STDOUT_FILENO;
  std::string path_;
};

// --resume: the inputs already in FILE. A last record cut short by a kill is removed.
Result<std::set<std::string>> ReadDone(const std::string& path, Format format) {
  std::set<std::string> done;
  std::ifstream in(path, std::ios::binary);
  if (!in) return done;  // nothing yet
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  if (!text.empty() && text.back() != '\n') {
    const size_t keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
    std::fprintf(stderr, "labelite: %s: dropping an incomplete last record (%zu bytes)\n", path.c_str(),
                 text.size() - keep);
    if (truncate(path.c_str(), static_cast<off_t>(keep)) != 0)
      return IoError(path + ": cannot truncate: " + std::strerror(errno));
    text.resize(keep);
  }
  std::istringstream lines(text);
  std::string line;
  for (int n = 1; std::getline(lines, line); ++n) {
    if (line.empty()) continue;
    if (format == Format::kCsv) {
      if (n > 1 || line + "\n" != kCsvHeader) done.insert(FirstCsvField(line));
      continue;
    }
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("file") || !j["file"].is_string())
      return InvalidArgument(path + ":" + std::to_string(n) + ": not a labelite JSON line (wrong --format?)");
    done.insert(j["file"].get<std::string>());
  }
  return done;
}

Status BuildClassifierOptions(ClassifyFlags& f) {
  ClassifierOptions& o = f.classifier;
  o.allow = SplitList(f.allow);
  o.deny = SplitList(f.deny);
  if (!o.allow.empty() && !o.deny.empty()) return InvalidArgument("--allow and --deny are exclusive");
  if (f.softmax && f.no_softmax) return InvalidArgument("--softmax and --no-softmax are exclusive");
  o.softmax = f.softmax ? SoftmaxMode::kAlways : f.no_softmax ? SoftmaxMode::kNever : SoftmaxMode::kAuto;
  LABELITE_ASSIGN_OR_RETURN(o.mean, ParseFloats(f.mean, "--mean"));
  LABELITE_ASSIGN_OR_RETURN(o.std, ParseFloats(f.std, "--std"));
  if (o.mean.empty() != o.std.empty()) return InvalidArgument("--mean and --std go together");
  o.resize = f.resize == "crop" ? ResizeMode::kCrop : f.resize == "pad" ? ResizeMode::kPad : ResizeMode::kStretch;
  o.kernels = f.runtime.kernels;
  return Status::Ok();
}

Result<Format> ChooseFormat(const ClassifyFlags& f) {
  if (f.format.empty()) {
    if (!f.output.empty()) return f.output.ends_with(".csv") ? Format::kCsv : Format::kJsonl;
    return isatty(STDOUT_FILENO) ? Format::kTable : Format::kJsonl;
  }
  const Format format = f.format == "table" ? Format::kTable : f.format == "json" ? Format::kJson
                        : f.format == "csv" ? Format::kCsv : Format::kJsonl;
  if (!f.output.empty() && format != Format::kJsonl && format != Format::kCsv)
    return InvalidArgument("--output takes --format jsonl or csv (records appended as they complete)");
  return format;
}

void PrintModelInfo(const Classifier& c, bool verbose, bool quiet) {
  if (quiet) return;
  for (const std::string& n : c.notices()) std::fprintf(stderr, "labelite: %s\n", n.c_str());
  if (!verbose) return;
  const ClassifierSummary& s = c.summary();
  std::fprintf(stderr, "labelite: %s\n", s.normalization.c_str());
  for (size_t h = 0; h < s.score_mode.size(); ++h)
    std::fprintf(stderr, "labelite: output %zu: %d classes, %s\n", h, s.num_classes[h], s.score_mode[h].c_str());
  std::fprintf(stderr, "labelite: labels: %s\n", s.label_source.c_str());
  for (const std::string& w : s.label_warnings) std::fprintf(stderr, "labelite: warning: %s\n", w.c_str());
}

void PrintTiming(const BatchStats& s, const BatchClassifier& b) {
  const double n = s.done ? static_cast<double>(s.done) : 1.0;
  const double cpu = s.decode_s + s.preprocess_s + s.inference_s;
  auto pct = [&](double part) { return cpu > 0 ? 100.0 * part / cpu : 0.0; };
  std::fprintf(stderr,
               "labelite: timing: %zu images, %d workers x %d threads, %.3f s, %.1f images/s; per image: "
               "decode %.2f ms (%.0f%%), preprocess %.2f ms (%.0f%%), inference %.2f ms (%.0f%%)\n",
               s.done, b.workers(), b.threads_per_worker(), s.wall_s, s.wall_s > 0 ? s.done / s.wall_s : 0.0,
               1000 * s.decode_s / n, pct(s.decode_s), 1000 * s.preprocess_s / n, pct(s.preprocess_s),
               1000 * s.inference_s / n, pct(s.inference_s));
}

int RunClassify(ClassifyFlags& f) {
  if (Status s = BuildClassifierOptions(f); !s.ok()) return ReportError(s);
  auto format = ChooseFormat(f);
  if (!format.ok()) return ReportError(format.status());
  if (f.resume && f.output.empty()) return ReportError(InvalidArgument("--resume needs --output FILE"));
  auto files = ExpandInputs(f.inputs, f.recursive);
  if (!files.ok()) return ReportError(files.status());
  if (files->empty()) return ReportError(InvalidArgument("no image files among the inputs"));
  if (std::count(files->begin(), files->end(), "-") > 1)
    return ReportError(InvalidArgument("'-' (standard input) can be given only once"));

  if (f.resume) {
    auto done = ReadDone(f.output, *format);
    if (!done.ok()) return ReportError(done.status());
    const size_t before = files->size();
    std::erase_if(*files, [&](const std::string& p) { return done->count(p) > 0; });
    if (!f.quiet)
      std::fprintf(stderr, "labelite: resuming: %zu of %zu inputs already in %s\n", before - files->size(),
                   before, f.output.c_str());
    if (files->empty()) return kExitOk;
  }

  BatchOptions batch;
  batch.threads = f.runtime.threads;
  batch.ordered = !f.unordered;
  auto classifier = BatchClassifier::Create(f.classifier, batch, files->size());
  if (!classifier.ok()) return ReportError(classifier.status());
  PrintModelInfo((*classifier)->classifier(), f.verbose, f.quiet);

  // The output is opened (and replaced, without --resume) only once the model has loaded.
  Output out;
  if (!f.output.empty()) {
    if (Status s = out.OpenFile(f.output, f.resume); !s.ok()) return ReportError(s);
  }
  if (*format == Format::kCsv && out.empty()) (void)out.Write(kCsvHeader);

  const std::string model_name = std::filesystem::path(f.classifier.model_path).filename().string();
  const std::atomic<bool>& interrupted = InterruptFlag();
  Progress progress(files->size(), f.quiet);
  const bool shared_terminal = f.output.empty() && isatty(STDOUT_FILENO);  // records and bar on one screen
  Status write_status;
  size_t done = 0, failed = 0;
  if (*format == Format::kJson) (void)out.Write("[");
  const BatchStats stats = (*classifier)->Run(*files, [&](BatchResult&& r) {
    failed += !r.status.ok();
    if (shared_terminal) progress.Clear();
    if (write_status.ok()) write_status = out.Write(FormatResult(*format, r, model_name, done == 0));
    ++done;
    progress.Update(done, failed);
  }, &interrupted);
  if (*format == Format::kJson) (void)out.Write(done ? "\n]\n" : "]\n");
  progress.Finish(stats.done, stats.failed, stats.cancelled);
  if (f.timing) PrintTiming(stats, **classifier);
  if (!write_status.ok()) return ReportError(write_status);
  if (stats.cancelled) return kExitInterrupted;
  return stats.failed > 0 ? kExitSomeFailed : kExitOk;
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
  cmd->add_flag("--unordered", f->unordered, "Print results as they complete, not in input order");
  cmd->add_option("--output,-o", f->output,
                  "Write results to FILE (jsonl or csv), each flushed as it completes; replaces FILE unless --resume");
  cmd->add_flag("--resume", f->resume, "With --output: append, skipping inputs already in FILE (by path)");
  cmd->add_flag("--quiet,-q", f->quiet, "No notices, progress or summary on stderr");
  cmd->add_flag("--timing", f->timing, "Print images/s and the decode/preprocess/inference split on stderr");
  f->runtime.AddTo(cmd);
  cmd->callback([f, exit_code] { *exit_code = RunClassify(*f); });
}

}  // namespace labelite::cli
