// `labelite labels check --model MODEL [--labels SOURCE] [--format F] [--allow-mismatch] [--json]`
//   Loads the labels (or the model's embedded label file), fits them to the model's class
//   count (the last dimension of output 0) and says what would be done.
// `labelite labels convert SOURCE --to txt|indexed|json|csv|tsv [--format F] [-o FILE]`
//   Rewrites any label source in another format.
// Exit codes: 0 ok; 1 usage (bad flag, unreadable model path, unwritable output); 3 the model
// cannot be read; 4 the labels cannot be read or do not fit the model.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "labelite/labels.h"
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

// Label problems are exit 4 whatever their kind, except usage errors (a bad --format).
int ReportLabelError(const Status& s) {
  std::fprintf(stderr, "labelite: %s\n", s.message().c_str());
  return s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitLabelsError;
}

Result<int> NumClasses(const Model& model) {
  const SubgraphSpec& g = model.main_subgraph();
  if (g.outputs.empty()) return InvalidModel(model.path() + ": the model has no outputs");
  const TensorSpec& t = g.tensors[static_cast<size_t>(g.outputs[0])];
  if (t.shape.empty() || t.shape.back() <= 0) {
    return InvalidModel(model.path() + ": output 0 '" + t.name + "' has no class dimension");
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
  LABELITE_ASSIGN_OR_RETURN(std::string text, model.ReadEmbeddedFile(name));
  return ParseLabels(std::string_view(text), name + " (embedded)", "text");
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
  if (!model.ok()) {
    const Status& s = model.status();
    std::fprintf(stderr, "labelite: %s\n", s.message().c_str());
    if (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kIoError) return kExitUsage;
    return ExitCodeFor(s);
  }
  Result<int> num_classes = NumClasses(**model);
  if (!num_classes.ok()) return ReportError(num_classes.status());
  LabelSourceOptions lo;
  lo.format = o.format;
  Result<LabelMap> labels = o.labels.empty() ? EmbeddedLabels(**model) : LoadLabels(o.labels, lo);
  Result<AlignedLabels> aligned =
      labels.ok() ? AlignLabels(*labels, *num_classes, AlignOptions{o.allow_mismatch})
                  : Result<AlignedLabels>(labels.status());
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
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(o.output.c_str(), "wb"), &std::fclose);
  if (!f || std::fwrite(text->data(), 1, text->size(), f.get()) != text->size() ||
      std::fflush(f.get()) != 0) {
    std::fprintf(stderr, "labelite: %s: cannot write\n", o.output.c_str());
    return kExitUsage;
  }
  std::fprintf(stderr, "wrote %zu labels (%s) to %s\n", labels->entries.size(), o.to.c_str(),
               o.output.c_str());
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
  CLI::App* labels = app.add_subcommand("labels", "Check label sources against a model, convert them");
  labels->require_subcommand(1);

  auto check = std::make_shared<CheckOptions>();
  CLI::App* c = labels->add_subcommand("check", "Fit labels to a model's classes and say what is done");
  c->add_option("--model", check->model, "The .tflite model")->required();
  c->add_option("--labels", check->labels,
                "A label file, sqlite:PATH?table=T&label=COL[&index=COL], or http://HOST:PORT/PATH "
                "(default: the model's embedded label file)");
  c->add_option("--format", check->format, FormatHelp());
  c->add_flag("--allow-mismatch", check->allow_mismatch,
              "Accept a wrong label count (missing classes print as class_<index>)");
  c->add_flag("--json", check->json, "Print one JSON object");
  c->callback([check, exit_code] { *exit_code = RunCheck(*check); });

  auto conv = std::make_shared<ConvertOptions>();
  CLI::App* v = labels->add_subcommand("convert", "Rewrite a label source in another format");
  v->add_option("source", conv->source, "A label file, sqlite:... or http://... source")->required();
  v->add_option("--to", conv->to, "Output format")
      ->required()
      ->check(CLI::IsMember(LabelConvertTargets()));
  v->add_option("--format", conv->format, FormatHelp());
  v->add_option("-o,--output", conv->output, "Output file (default: standard output)");
  v->callback([conv, exit_code] { *exit_code = RunConvert(*conv); });
}

}  // namespace labelite::cli
