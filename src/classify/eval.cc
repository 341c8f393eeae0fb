#include "classify/eval.h"
#include "base/quote.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "labelite/labels.h"

namespace labelite {

namespace {

namespace fs = std::filesystem;

bool HasImageExtension(const fs::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp" ||
         ext == ".gif";
}

// Case folded, '_' and '-' as spaces, space runs collapsed, ends trimmed.
std::string Normalize(std::string_view s) {
  std::string out;
  bool space = false;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '_' || c == '-' || std::isspace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

std::vector<std::string> Synonyms(const std::string& label) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(label);
  while (std::getline(in, item, ',')) {
    std::string n = Normalize(item);
    if (!n.empty()) out.push_back(std::move(n));
  }
  return out;
}

// One CSV record: its fields and the line it starts on.
struct CsvRow {
  std::vector<std::string> fields;
  int line = 0;
};

// RFC 4180 fields: quoted fields may hold commas, "" and line breaks; CRLF accepted.
Result<std::vector<CsvRow>> SplitCsv(std::string_view text, const std::string& source) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  bool quoted = false, after_quote = false, any = false;
  int line = 1;
  row.line = 1;
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    after_quote = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += text[++i];
      } else if (c == '"') {
        quoted = false;
        after_quote = true;
      } else {
        field += c;
        if (c == '\n') ++line;
      }
      continue;
    }
    if (c == '\r') continue;
    if (c == '\n') {
      if (any) {
        end_field();
        rows.push_back(std::move(row));
      }
      row = CsvRow{};
      row.line = ++line;
      any = false;
      continue;
    }
    any = true;
    if (c == ',') end_field();
    else if (c == '"' && field.empty() && !after_quote) quoted = true;
    else if (after_quote) return InvalidArgument(source + ":" + std::to_string(line) + ": text after a closing quote");
    else field += c;
  }
  if (quoted) return InvalidArgument(source + ":" + std::to_string(row.line) + ": unterminated quoted field");
  if (any) {
    end_field();
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\t')) ++b;
  return s.substr(b);
}

}  // namespace

const char* MatchKindName(MatchKind kind) {
  switch (kind) {
    case MatchKind::kExact: return "exact";
    case MatchKind::kNormalized: return "normalized";
    case MatchKind::kSynonym: return "synonym";
    case MatchKind::kAmbiguous: return "ambiguous";
    case MatchKind::kNone: return "none";
  }
  return "none";
}

Result<std::vector<LabeledImage>> ListDatasetFolder(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return InvalidArgument(dir + ": not a directory");
  std::vector<fs::path> class_dirs;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::error_code ec2;
    if (e.is_directory(ec2) && e.path().filename().string().front() != '.') class_dirs.push_back(e.path());
  }
  if (ec) return InvalidArgument(dir + ": cannot list directory: " + ec.message());
  std::sort(class_dirs.begin(), class_dirs.end());
  std::vector<LabeledImage> out;
  for (const fs::path& class_dir : class_dirs) {
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(class_dir, fs::directory_options::skip_permission_denied, ec)) {
      std::error_code ec2;
      if (e.is_regular_file(ec2) && HasImageExtension(e.path())) files.push_back(e.path().string());
    }
    if (ec) return InvalidArgument(class_dir.string() + ": cannot list directory: " + ec.message());
    std::sort(files.begin(), files.end());
    for (std::string& f : files) out.push_back({std::move(f), class_dir.filename().string()});
  }
  return out;
}

Result<std::vector<LabeledImage>> ParseDatasetCsv(std::string_view text, const std::string& base_dir,
                                                  const std::string& source_name) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  LABELITE_ASSIGN_OR_RETURN(std::vector<CsvRow> rows, SplitCsv(text, source_name));
  std::vector<LabeledImage> out;
  for (size_t r = 0; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    const std::string where = source_name + ":" + std::to_string(row.line) + ": ";
    if (row.fields.size() != 2) {
      return InvalidArgument(where + "expected 2 fields (path,label), found " +
                             std::to_string(row.fields.size()) + " (quote a label holding commas)");
    }
    std::string path = Trim(row.fields[0]), label = Trim(row.fields[1]);
    if (r == 0 && Normalize(path) == "path" && Normalize(label) == "label") continue;  // header
    if (path.empty()) return InvalidArgument(where + "empty path");
    if (label.empty()) return InvalidArgument(where + "empty label");
    fs::path p(path);
    if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
    out.push_back({p.string(), std::move(label)});
  }
  return out;
}

Result<std::vector<LabeledImage>> ReadDatasetCsv(const std::string& csv_path) {
  std::ifstream in(csv_path, std::ios::binary);
  if (!in) return InvalidArgument(csv_path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return ParseDatasetCsv(text.str(), fs::path(csv_path).parent_path().string(), csv_path);
}

ClassMatch MatchClass(std::string_view class_name, const std::vector<std::string>& labels) {
  const std::string norm = Normalize(class_name);
  using Test = bool (*)(std::string_view, const std::string&, const std::string&);
  const std::pair<MatchKind, Test> stages[] = {
      {MatchKind::kExact, [](std::string_view c, const std::string&, const std::string& l) { return c == l; }},
      {MatchKind::kNormalized,
       [](std::string_view, const std::string& n, const std::string& l) { return !n.empty() && n == Normalize(l); }},
      {MatchKind::kSynonym,
       [](std::string_view, const std::string& n, const std::string& l) {
         if (n.empty() || l.find(',') == std::string::npos) return false;
         const std::vector<std::string> syn = Synonyms(l);
         return std::find(syn.begin(), syn.end(), n) != syn.end();
       }},
  };
  for (const auto& [kind, test] : stages) {
    std::vector<int> hits;
    for (size_t i = 0; i < labels.size(); ++i)
      if (test(class_name, norm, labels[i])) hits.push_back(static_cast<int>(i));
    if (hits.empty()) continue;
    ClassMatch m;
    if (hits.size() == 1) {
      m.kind = kind;
      m.label = hits[0];
    } else {
      m.kind = MatchKind::kAmbiguous;
      m.candidates = std::move(hits);
    }
    return m;
  }
  return ClassMatch{};
}

std::optional<double> ClassReport::precision() const {
  if (predicted == 0) return std::nullopt;
  return static_cast<double>(top1_hits) / static_cast<double>(predicted);
}

std::optional<double> ClassReport::recall() const {
  if (support == 0) return std::nullopt;
  return static_cast<double>(top1_hits) / static_cast<double>(support);
}

Result<std::vector<std::string>> ClassNames(const ClassifierOptions& options) {
  // Every class of head 0, exactly as the classifier prints it (label alignment included).
  ClassifierOptions o = options;
  o.allow.clear();
  o.deny.clear();
  o.num_threads = 1;
  LABELITE_ASSIGN_OR_RETURN(std::unique_ptr<Classifier> probe, Classifier::Create(o));
  if (probe->summary().num_classes.empty())
    return InvalidModel(o.model_path + ": the model has no classification output").WithOrigin(ErrorOrigin::kModel);
  if (probe->summary().label_source == "none")
    return InvalidLabels(o.model_path + ": the model has no labels: pass --labels").WithOrigin(ErrorOrigin::kLabels);
  return probe->class_names(0);
}

namespace {

// Groups the dataset by class (first-appearance order) and matches each class to a label.
// Fills report->classes / unmatched / skipped; returns the class of each image (-1: skipped).
std::vector<int> MatchDataset(const std::vector<LabeledImage>& dataset, const std::vector<std::string>& names,
                              EvalReport* report) {
  std::map<std::string, int> class_of;  // dataset class -> index in report->classes (-1 - u: unmatched u)
  std::vector<int> image_class;
  for (const LabeledImage& item : dataset) {
    auto it = class_of.find(item.class_name);
    if (it == class_of.end()) {
      ClassMatch m = MatchClass(item.class_name, names);
      int id = -1;
      for (size_t c = 0; c < report->classes.size(); ++c)  // another spelling of a class seen before
        if (m.label >= 0 && report->classes[c].label == m.label) id = static_cast<int>(c);
      if (id < 0 && m.label >= 0) {
        ClassReport c;
        c.class_name = item.class_name;
        c.label = m.label;
        c.label_name = names[static_cast<size_t>(m.label)];
        c.match = m.kind;
        id = static_cast<int>(report->classes.size());
        report->classes.push_back(std::move(c));
      } else if (id < 0) {
        UnmatchedClass u;
        u.class_name = item.class_name;
        u.kind = m.kind;
        for (int l : m.candidates) u.candidates.push_back(names[static_cast<size_t>(l)]);
        id = -1 - static_cast<int>(report->unmatched.size());
        report->unmatched.push_back(std::move(u));
      }
      it = class_of.emplace(item.class_name, id).first;
    }
    if (it->second < 0) {
      ++report->unmatched[static_cast<size_t>(-1 - it->second)].images;
      ++report->skipped;
    }
    image_class.push_back(it->second);
  }
  return image_class;
}

}  // namespace

Result<EvalReport> Evaluate(const ClassifierOptions& options, const std::vector<LabeledImage>& dataset,
                            const EvalOptions& eval) {
  if (eval.top_k < 1) return InvalidArgument("--top-k must be at least 1").WithOrigin(ErrorOrigin::kUsage);
  if (dataset.empty()) return InvalidArgument("the dataset has no images").WithOrigin(ErrorOrigin::kInput);
  LABELITE_ASSIGN_OR_RETURN(std::vector<std::string> names, ClassNames(options));
  EvalReport report;
  report.k = eval.top_k;
  const std::vector<int> image_class = MatchDataset(dataset, names, &report);
  if (report.classes.empty()) {
    std::string list;
    for (const UnmatchedClass& u : report.unmatched) list += (list.empty() ? "" : ", ") + QuoteForMessage(u.class_name);
    return InvalidLabels("no dataset class matches a label of the model: " + list).WithOrigin(ErrorOrigin::kLabels);
  }
  std::vector<std::string> paths;
  std::vector<int> path_class;
  for (size_t i = 0; i < dataset.size(); ++i) {
    if (image_class[i] < 0) continue;
    paths.push_back(dataset[i].path);
    path_class.push_back(image_class[i]);
  }
  const size_t n = report.classes.size();
  std::map<int, size_t> column_of_label;  // label -> first class with it
  for (size_t c = 0; c < n; ++c) column_of_label.emplace(report.classes[c].label, c);
  std::map<int, size_t> predicted;  // label -> images whose top-1 it is
  report.confusion.assign(n, std::vector<size_t>(n + 1, 0));

  ClassifierOptions o = options;
  o.top_k = eval.top_k;
  o.score_threshold = -std::numeric_limits<float>::infinity();
  o.allow.clear();
  o.deny.clear();
  BatchOptions batch = eval.batch;
  batch.ordered = false;
  LABELITE_ASSIGN_OR_RETURN(std::unique_ptr<BatchClassifier> classifier,
                            BatchClassifier::Create(o, batch, paths.size()));
  report.batch = classifier->Run(paths, [&](BatchResult&& r) {
    if (eval.on_result) eval.on_result(r);
    if (!r.status.ok()) {
      ++report.failed;
      report.errors.push_back(r.status.message());
      return;
    }
    ClassReport& truth = report.classes[static_cast<size_t>(path_class[r.index])];
    std::vector<int> top;
    for (const Classification& c : r.classes)
      if (c.head == 0) top.push_back(c.index);
    if (top.empty()) return;  // cannot happen: threshold -inf, k >= 1
    ++report.count;
    ++truth.support;
    ++predicted[top[0]];
    const bool hit1 = top[0] == truth.label;
    const bool hitk = std::find(top.begin(), top.end(), truth.label) != top.end();
    truth.top1_hits += hit1;
    truth.topk_hits += hitk;
    report.top1_hits += hit1;
    report.topk_hits += hitk;
    auto col = column_of_label.find(top[0]);
    ++report.confusion[static_cast<size_t>(path_class[r.index])][col == column_of_label.end() ? n : col->second];
  }, eval.cancel);
  for (ClassReport& c : report.classes) c.predicted = predicted[c.label];
  std::sort(report.errors.begin(), report.errors.end());
  report.cancelled = report.batch.cancelled;
  return report;
}

std::string ConfusionCsv(const EvalReport& report) {
  auto field = [](const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::string out = "true\\predicted";
  for (const ClassReport& c : report.classes) {
    out += ',';
    out += field(c.class_name);
  }
  out += ",(other)\n";
  for (size_t t = 0; t < report.classes.size(); ++t) {
    out += field(report.classes[t].class_name);
    for (size_t v : report.confusion[t]) {
      out += ',';
      out += std::to_string(v);
    }
    out += "\n";
  }
  return out;
}

}  // namespace labelite
