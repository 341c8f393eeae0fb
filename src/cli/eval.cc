// `labelite eval --model MODEL (--dataset DIR | --dataset-csv FILE) [--top-k 5] [--json]
// [--confusion FILE.csv]`: accuracy of a classifier on a labelled dataset (classify/eval.h).
// Exit codes: 0 done, 2 some images failed, 130 interrupted, others from ReportError.
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "classify/eval.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/options.h"
#include "cli/output_files.h"
#include "cli/progress.h"

namespace labelite::cli {

namespace {

struct EvalFlags {
  ClassifierOptions classifier;
  std::string dataset, dataset_csv, confusion;
  PreprocessFlags preprocess;
  int top_k = 5;
  bool json = false, quiet = false;
  RuntimeFlags runtime;
};

nlohmann::json Optional(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json ReportJson(const EvalReport& r, const std::string& model) {
  nlohmann::json per_class = nlohmann::json::array();
  for (const ClassReport& c : r.classes) {
    per_class.push_back({{"class", c.class_name}, {"label", c.label_name}, {"index", c.label},
                         {"match", MatchKindName(c.match)}, {"precision", Optional(c.precision())},
                         {"recall", Optional(c.recall())}, {"support", c.support},
                         {"top1_hits", c.top1_hits}, {"topk_hits", c.topk_hits}});
  }
  nlohmann::json unmatched = nlohmann::json::array();
  for (const UnmatchedClass& u : r.unmatched)
    unmatched.push_back({{"class", u.class_name}, {"reason", u.kind == MatchKind::kAmbiguous ? "ambiguous" : "no label"},
                         {"candidates", u.candidates}, {"images", u.images}});
  return {{"model", model}, {"top1", r.top1()}, {"topk", r.topk()}, {"k", r.k}, {"count", r.count},
          {"failed", r.failed}, {"skipped", r.skipped}, {"per_class", per_class}, {"unmatched", unmatched},
          {"errors", r.errors}, {"images_per_s", r.images_per_s()}, {"seconds", r.batch.wall_s},
          {"interrupted", r.cancelled}};
}

std::string Percent(const std::optional<double>& v) {
  if (!v) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * *v);
  return buf;
}

void PrintReport(const EvalReport& r) {
  std::printf("images: %zu evaluated, %zu failed, %zu skipped (unmatched classes)\n", r.count, r.failed, r.skipped);
  std::printf("top-1 accuracy: %s (%zu/%zu)\n", Percent(r.top1()).c_str(), r.top1_hits, r.count);
  std::printf("top-%d accuracy: %s (%zu/%zu)\n", r.k, Percent(r.topk()).c_str(), r.topk_hits, r.count);
  std::printf("speed: %.1f images/s (%.2f s)\n", r.images_per_s(), r.batch.wall_s);
  std::printf("\n%-28s %-28s %10s %10s %8s\n", "class", "label", "precision", "recall", "support");
  for (const ClassReport& c : r.classes) {
    std::string label = c.label_name;
    if (c.match != MatchKind::kExact) label += std::string(" (") + MatchKindName(c.match) + ")";
    std::printf("%-28s %-28s %10s %10s %8zu\n", c.class_name.c_str(), label.c_str(), Percent(c.precision()).c_str(),
                Percent(c.recall()).c_str(), c.support);
  }
  for (const UnmatchedClass& u : r.unmatched) {
    std::string why = "matches no label";
    if (u.kind == MatchKind::kAmbiguous) {
      why = "ambiguous:";
      for (size_t i = 0; i < u.candidates.size(); ++i) why += (i ? ", '" : " '") + u.candidates[i] + "'";
    }
    std::printf("skipped class '%s' (%zu images): %s\n", u.class_name.c_str(), u.images, why.c_str());
  }
  for (const std::string& e : r.errors) std::printf("failed: %s\n", e.c_str());
}

// --confusion must not overwrite anything this run reads.
Status CheckConfusionPath(const EvalFlags& f, const std::vector<LabeledImage>& dataset) {
  if (f.confusion.empty()) return Status::Ok();
  std::vector<ReadFile> reads = {{f.classifier.model_path, "the model"}};
  if (const std::string labels = LabelSourceFile(f.classifier.labels); !labels.empty())
    reads.push_back({labels, "the label source"});
  if (!f.dataset_csv.empty()) reads.push_back({f.dataset_csv, "the dataset CSV"});
  for (const LabeledImage& item : dataset) reads.push_back({item.path, "a dataset image"});
  return CheckOutputPath(f.confusion, reads, "--confusion");
}

int RunEval(EvalFlags& f) {
  if (f.dataset.empty() == f.dataset_csv.empty())
    return ReportError(InvalidArgument("give exactly one of --dataset DIR and --dataset-csv FILE"), ErrorOrigin::kUsage);
  if (Status s = f.preprocess.ApplyTo(f.classifier); !s.ok()) return ReportError(s);
  auto dataset = f.dataset.empty() ? ReadDatasetCsv(f.dataset_csv) : ListDatasetFolder(f.dataset);
  if (!dataset.ok()) return ReportError(dataset.status(), ErrorOrigin::kInput);
  if (Status s = CheckConfusionPath(f, *dataset); !s.ok()) return ReportError(s);
  f.classifier.kernels = f.runtime.kernels;
  EvalOptions options;
  options.top_k = f.top_k;
  options.batch.threads = f.runtime.threads;
  options.cancel = &InterruptFlag();
  size_t done = 0, failed = 0;
  Progress progress(dataset->size(), f.quiet);
  options.on_result = [&](const BatchResult& r) {
    failed += !r.status.ok();
    progress.Update(++done, failed);
  };
  auto report = Evaluate(f.classifier, *dataset, options);
  if (!report.ok()) return ReportError(report.status());
  progress.Finish(report->batch.done, report->batch.failed, report->cancelled);
  if (!f.confusion.empty()) {
    if (Status s = ReplaceFile(f.confusion, ConfusionCsv(*report)); !s.ok()) return ReportError(s);
  }
  const std::string model = std::filesystem::path(f.classifier.model_path).filename().string();
  if (f.json) std::printf("%s\n", ReportJson(*report, model).dump(2).c_str());
  else PrintReport(*report);
  if (report->cancelled) return kExitInterrupted;
  return report->failed > 0 ? kExitSomeFailed : kExitOk;
}

}  // namespace

void AddEvalCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<EvalFlags>();
  CLI::App* cmd = app.add_subcommand("eval", "Accuracy of a classifier on a labelled dataset");
  cmd->add_option("--model,-m", f->classifier.model_path, "The .tflite image classifier")->required();
  cmd->add_option("--labels", f->classifier.labels, "Label source (default: the labels embedded in the model)");
  cmd->add_option("--labels-format", f->classifier.labels_format, "Override label format sniffing");
  cmd->add_flag("--allow-label-mismatch", f->classifier.allow_label_mismatch,
                "Accept labels whose count does not fit the model");
  cmd->add_option("--dataset", f->dataset, "Folder of class-named subfolders: DIR/<class>/*.jpg");
  cmd->add_option("--dataset-csv", f->dataset_csv, "CSV of path,label rows (paths relative to the CSV's folder)");
  cmd->add_option("--top-k,-k", f->top_k, "k of the top-k accuracy")->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_flag("--json", f->json, "Print one JSON object");
  cmd->add_option("--confusion", f->confusion, "Write the confusion matrix (true class x top-1) as CSV");
  f->preprocess.AddTo(cmd);
  AddPreprocessOption(cmd, &f->classifier.preprocess);
  cmd->add_flag("--allow-any-output", f->classifier.allow_any_output,
                "Rank the values of an output that is not class scores (a feature vector, a spatial map)");
  cmd->add_flag("--quiet,-q", f->quiet, "No progress or summary on stderr");
  f->runtime.AddTo(cmd);
  cmd->callback([f, exit_code] { *exit_code = RunEval(*f); });
}

}  // namespace labelite::cli
