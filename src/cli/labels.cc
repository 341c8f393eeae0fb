// `labelite labels check -m MODEL [--labels SOURCE] [--labels-format F] [--allow-label-mismatch] [--json]`
//   Loads the labels (or the model's embedded label file), fits them to the model's class
//   count (the last dimension of output 0) and says what would be done. Classes the labels
//   leave unnamed (gaps) are a problem (exit 4) unless --allow-label-mismatch.
// (--format and --allow-mismatch are the older names of --labels-format and
// --allow-label-mismatch, the names `classify` uses.)
// `labelite labels convert SOURCE --to txt|indexed|json|csv|tsv [--format F] [-o FILE]`
//   Rewrites any label source in another format.
// `labelite labels embed MODEL --labels SOURCE [--mean M[,M,M] --std S[,S,S]] -o OUT.tflite`
//   Writes a copy of MODEL whose TFLite metadata carries the labels (fitted to the model, as
//   `check` says) and the input normalization; see model/metadata_writer.h. The input file is
//   never changed; OUT is written atomically (a temporary file beside it, then rename).
// Exit codes (cli/exit_codes.h): 0 ok; 1 usage (bad flag, an output that is an input,
// unwritable output); 3 the model cannot be found or read; 4 the labels cannot be read or do
// not fit the model.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"
#include "base/quote.h"
#include "cli/exit_codes.h"
#include "cli/output_files.h"
#include "labelite/labels.h"
#include "model/metadata_writer.h"
#include "model/model.h"

namespace labelite::cli {

namespace {

struct CheckOptions {
  std::string model;
  std::string labels;
  std::string format;
  bool allow_mismatch = false;
  bool json = false;
};

struct ConvertOptions {
  std::string source;
  std::string to;
  std::string format;
  std::string output;
};

struct EmbedOptions {
  std::string model;
  std::string labels;
  std::string format;
  std::string mean;
  std::string std;
  std::string output;
  bool allow_mismatch = false;
};

// Label problems are exit 4 whatever their kind, except usage errors (a bad --labels-format,
// tagged kUsage where they are found).
int ReportLabelError(const Status& s) { return ReportError(s, ErrorOrigin::kLabels); }

Result<int> NumClasses(const Model& model) {
  const SubgraphSpec& g = model.main_subgraph();
  if (g.outputs.empty()) return InvalidModel(model.path() + ": the model has no outputs").WithOrigin(ErrorOrigin::kModel);
  const TensorSpec& t = g.tensors[static_cast<size_t>(g.outputs[0])];
  if (t.shape.empty() || t.shape.back() <= 0) {
    return InvalidModel(model.path() + ": output 0 " + QuoteForMessage(t.name) + " has no class dimension")
        .WithOrigin(ErrorOrigin::kModel);
  }
  return static_cast<int>(t.shape.back());
}

// The model's TENSOR_AXIS_LABELS file for output 0 (or model-level), parsed as plain text.
Result<LabelMap> EmbeddedLabels(const Model& model) {
  std::string name;
  if (const auto& md = model.metadata()) {
    if (!md->outputs.empty()) {
      for (const AssociatedFileInfo& f : md->outputs[0].associated_files) {
        if (f.type == AssociatedFileType::kTensorAxisLabels && f.locale.empty() && name.empty()) name = f.name;
      }
      for (const AssociatedFileInfo& f : md->outputs[0].associated_files) {
        if (f.type == AssociatedFileType::kTensorAxisLabels && name.empty()) name = f.name;
      }
    }
    for (const AssociatedFileInfo& f : md->associated_files) {
      if (f.type == AssociatedFileType::kTensorAxisLabels && name.empty()) name = f.name;
    }
  }
  if (name.empty()) {
    return InvalidLabels(model.path() + ": the model embeds no label file; give --labels SOURCE");
  }
  Result<std::string> text = model.ReadEmbeddedFile(name);
  if (!text.ok()) return text.status().WithOrigin(ErrorOrigin::kLabels);
  Result<LabelMap> labels = ParseLabels(std::string_view(*text), name + " (embedded)", "text");
  if (!labels.ok()) return labels.status().WithOrigin(ErrorOrigin::kLabels);
  return labels;
}

void PrintCheckText(const CheckOptions& o, int num_classes, const LabelMap& labels,
                    const AlignedLabels& a) {
  std::printf("model:   %s (%d classes)\n", o.model.c_str(), num_classes);
  std::printf("labels:  %s (%s, %zu labels)\n", labels.source.c_str(), labels.format.c_str(),
              labels.entries.size());
  for (const std::string& n : a.notices) std::printf("note:    %s\n", n.c_str());
  for (const std::string& w : a.warnings) std::printf("warning: %s\n", w.c_str());
  size_t n = a.names.size();
  std::printf("classes:");
  for (size_t i = 0; i < n && i < 3; ++i) std::printf(" %zu=%s;", i, a.names[i].c_str());
  if (n > 3) std::printf(" ... %zu=%s", n - 1, a.names[n - 1].c_str());
  std::printf("\nok:      labels fit the model%s\n",
              a.offset == 0 ? "" : (a.offset > 0 ? " (shifted by +1)" : " (shifted by -1)"));
}

void PrintCheckJson(const CheckOptions& o, int num_classes, const LabelMap& labels,
                    const AlignedLabels& a) {
  nlohmann::json j = {{"ok", true},
                      {"model", o.model},
                      {"num_classes", num_classes},
                      {"labels",
                       {{"source", labels.source},
                        {"format", labels.format},
                        {"count", labels.entries.size()},
                        {"size", labels.size()}}},
                      {"offset", a.offset},
                      {"notices", a.notices},
                      {"warnings", a.warnings},
                      {"names", a.names}};
  std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

int RunCheck(const CheckOptions& o) {
  auto model = Model::FromFile(o.model);
  if (!model.ok()) return ReportModelFileError(model.status());
  Result<int> num_classes = NumClasses(**model);
  if (!num_classes.ok()) return ReportError(num_classes.status());
  LabelSourceOptions lo;
  lo.format = o.format;
  Result<LabelMap> labels = o.labels.empty() ? EmbeddedLabels(**model) : LoadLabels(o.labels, lo);
  Result<AlignedLabels> aligned =
      labels.ok() ? AlignLabels(*labels, *num_classes, AlignOptions{o.allow_mismatch})
                  : Result<AlignedLabels>(labels.status());
  if (aligned.ok() && !aligned->unnamed.empty() && !o.allow_mismatch) {
    std::string list;
    for (size_t i = 0; i < aligned->unnamed.size() && i < 10; ++i)
      list.append(i ? ", " : "").append(std::to_string(aligned->unnamed[i]));
    if (aligned->unnamed.size() > 10) list += ", ... (" + std::to_string(aligned->unnamed.size()) + " in all)";
    aligned = Status(StatusCode::kInvalidLabels,
                     labels->source + ": no label for class" + (aligned->unnamed.size() == 1 ? " " : "es ") + list +
                         " of the model (gaps in the label source; --allow-label-mismatch accepts them)",
                     ErrorOrigin::kLabels);
  }
  if (!aligned.ok()) {
    if (o.json) {
      nlohmann::json j = {{"ok", false}, {"model", o.model}, {"num_classes", *num_classes},
                          {"error", aligned.status().message()}};
      std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    }
    return ReportLabelError(aligned.status());
  }
  if (o.json) {
    PrintCheckJson(o, *num_classes, *labels, *aligned);
  } else {
    PrintCheckText(o, *num_classes, *labels, *aligned);
  }
  return kExitOk;
}

int RunConvert(const ConvertOptions& o) {
  if (Status s = CheckOutputPath(o.output, {{LabelSourceFile(o.source), "the label source"}}); !s.ok())
    return ReportError(s);
  LabelSourceOptions lo;
  lo.format = o.format;
  Result<LabelMap> labels = LoadLabels(o.source, lo);
  if (!labels.ok()) return ReportLabelError(labels.status());
  for (const std::string& w : labels->warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  Result<std::string> text = ConvertLabels(*labels, o.to);
  if (!text.ok()) return ReportLabelError(text.status());
  if (o.output.empty() || o.output == "-") {
    std::fwrite(text->data(), 1, text->size(), stdout);
    return kExitOk;
  }
  if (Status written = ReplaceFile(o.output, *text); !written.ok()) return ReportError(written);
  std::fprintf(stderr, "wrote %zu labels (%s) to %s\n", labels->entries.size(), o.to.c_str(),
               o.output.c_str());
  return kExitOk;
}

// Parses "M" or "M,M,M" into finite floats.
Result<std::vector<float>> ParseFloats(const std::string& flag, const std::string& text) {
  std::vector<float> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos
                                                                      : comma - start);
    char* end = nullptr;
    errno = 0;
    float v = std::strtof(item.c_str(), &end);
    if (item.empty() || *end != '\0' || errno != 0 || !std::isfinite(v))
      return InvalidArgument(flag + ": " + QuoteForMessage(item) + " is not a number");
    out.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.size() != 1 && out.size() != 3)
    return InvalidArgument(flag + ": give 1 value or 3 (one per channel), not " +
                           std::to_string(out.size()));
  return out;
}

Result<std::optional<NormalizationInfo>> ParseNormalization(const EmbedOptions& o) {
  if (o.mean.empty() && o.std.empty()) return std::optional<NormalizationInfo>();
  if (o.mean.empty() || o.std.empty())
    return InvalidArgument("--mean and --std go together");
  NormalizationInfo n;
  LABELITE_ASSIGN_OR_RETURN(n.mean, ParseFloats("--mean", o.mean));
  LABELITE_ASSIGN_OR_RETURN(n.std, ParseFloats("--std", o.std));
  for (float s : n.std)
    if (s == 0.0f) return InvalidArgument("--std: 0 would divide by zero");
  return std::optional<NormalizationInfo>(std::move(n));
}

// The labels as TFLite's TENSOR_AXIS_LABELS text: exactly num_classes lines.
Result<std::string> LabelsText(const EmbedOptions& o, int num_classes, AlignedLabels* aligned) {
  LabelSourceOptions lo;
  lo.format = o.format;
  LABELITE_ASSIGN_OR_RETURN(LabelMap labels, LoadLabels(o.labels, lo));
  LABELITE_ASSIGN_OR_RETURN(*aligned,
                            AlignLabels(labels, num_classes, AlignOptions{o.allow_mismatch}));
  std::string text;
  for (size_t i = 0; i < aligned->names.size(); ++i) {
    const std::string& name = aligned->names[i];
    if (name.find_first_of("\r\n") != std::string::npos)
      return InvalidLabels(labels.source + ": label " + std::to_string(i) +
                           " contains a line break; a label file holds one label per line");
    text.append(name).append("\n");
  }
  return text;
}

int RunEmbed(const EmbedOptions& o) {
  if (o.output == "-") return ReportError(InvalidArgument("-o: embed writes a model file, not standard output"), ErrorOrigin::kUsage);
  if (Status s = CheckOutputPath(o.output, {{o.model, "the model"}, {LabelSourceFile(o.labels), "the label source"}});
      !s.ok())
    return ReportError(s);
  Result<std::optional<NormalizationInfo>> norm = ParseNormalization(o);
  if (!norm.ok()) return ReportError(norm.status(), ErrorOrigin::kUsage);
  auto model = Model::FromFile(o.model);
  if (!model.ok()) return ReportModelFileError(model.status());
  Result<int> num_classes = NumClasses(**model);
  if (!num_classes.ok()) return ReportError(num_classes.status());
  AlignedLabels aligned;
  Result<std::string> text = LabelsText(o, *num_classes, &aligned);
  if (!text.ok()) return ReportLabelError(text.status());
  for (const std::string& n : aligned.notices) std::fprintf(stderr, "note: %s\n", n.c_str());
  for (const std::string& w : aligned.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  MetadataEdit edit;
  edit.labels_text = std::move(*text);
  edit.normalization = std::move(*norm);
  Result<std::vector<uint8_t>> bytes = EmbedMetadata(**model, edit);
  if (!bytes.ok()) return ReportError(bytes.status().WithPrefix(o.model), ErrorOrigin::kModel);
  Status written =
      ReplaceFile(o.output, std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
  if (!written.ok()) return ReportError(written);
  std::fprintf(stderr, "wrote %s (%zu bytes): %d labels%s\n", o.output.c_str(), bytes->size(),
               *num_classes, edit.normalization ? " and input normalization" : "");
  return kExitOk;
}

std::string FormatHelp() {
  std::string s = "Label format (default: sniffed): ";
  std::vector<std::string> names = LabelFormatNames();
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s;
}

}  // namespace

void AddLabelsCommand(CLI::App& app, int* exit_code) {
  CLI::App* labels =
      app.add_subcommand("labels", "Check label sources against a model, convert them, embed them");
  labels->require_subcommand(1);

  auto check = std::make_shared<CheckOptions>();
  CLI::App* c = labels->add_subcommand("check", "Fit labels to a model's classes and say what is done");
  c->add_option("--model,-m", check->model, "The .tflite model")->required();
  c->add_option("--labels", check->labels,
                "A label file, sqlite:PATH?table=T&label=COL[&index=COL], or http://HOST:PORT/PATH "
                "(default: the model's embedded label file)");
  c->add_option("--labels-format,--format", check->format, FormatHelp());
  c->add_flag("--allow-label-mismatch,--allow-mismatch", check->allow_mismatch,
              "Accept a wrong label count or gaps (unnamed classes print as class_<index>)");
  c->add_flag("--json", check->json, "Print one JSON object");
  c->callback([check, exit_code] { *exit_code = RunCheck(*check); });

  auto conv = std::make_shared<ConvertOptions>();
  CLI::App* v = labels->add_subcommand("convert", "Rewrite a label source in another format");
  v->add_option("source", conv->source, "A label file, sqlite:... or http://... source")->required();
  v->add_option("--to", conv->to, "Output format")
      ->required()
      ->check(CLI::IsMember(LabelConvertTargets()));
  v->add_option("--labels-format,--format", conv->format, FormatHelp());
  v->add_option("-o,--output", conv->output, "Output file (default: standard output)");
  v->callback([conv, exit_code] { *exit_code = RunConvert(*conv); });

  auto embed = std::make_shared<EmbedOptions>();
  CLI::App* e = labels->add_subcommand(
      "embed", "Write a copy of a model whose TFLite metadata carries the labels");
  e->add_option("model,-m,--model", embed->model, "The .tflite model (never changed)")->required();
  e->add_option("--labels", embed->labels, "A label file, sqlite:... or http://... source")
      ->required();
  e->add_option("--labels-format,--format", embed->format, FormatHelp());
  e->add_option("--mean", embed->mean, "Input normalization mean: M or M,M,M (with --std)");
  e->add_option("--std", embed->std, "Input normalization std: S or S,S,S (with --mean)");
  e->add_flag("--allow-label-mismatch,--allow-mismatch", embed->allow_mismatch,
              "Accept a wrong label count (missing classes are named class_<index>)");
  e->add_option("-o,--output", embed->output, "The new .tflite file")->required();
  e->callback([embed, exit_code] { *exit_code = RunEmbed(*embed); });
}

}  // namespace labelite::cli
