// Evaluation: how well a classifier names the classes of a labelled dataset.
//
// A dataset is a list of (image path, class name): class-named folders (DIR/<class>/*.jpg)
// or a CSV of `path,label` rows. Class names are matched to the model's labels in stages,
// the first stage with any match deciding (MatchClass):
//   1. exactly (byte for byte);
//   2. normalized: ASCII case folded, '_' and '-' read as spaces, runs of spaces collapsed,
//      ends trimmed ("military_uniform" = "military uniform");
//   3. against each comma-separated synonym of a label, normalized ("tabby" and "tabby cat"
//      both name "tabby, tabby cat").
// Dataset classes matching the same label are one class (reported under the first name).
// A stage matching two or more labels ("crane" is two ImageNet classes) is ambiguous: such
// classes, and classes matching nothing, are reported and their images skipped, never
// guessed.
//
// Evaluate() runs the images through a BatchClassifier and reports top-1 and top-k accuracy,
// per-class precision/recall/support and the confusion matrix. Images that fail to decode
// or classify are counted as failed and left out of the accuracies.
//
// Thread safety: plain functions over values; Evaluate uses its own classifiers.
//
//   LABELITE_ASSIGN_OR_RETURN(std::vector<LabeledImage> data, ListDatasetFolder("val/"));
//   ClassifierOptions model;
//   model.model_path = "mobilenet_v2_1.0_224_quant.tflite";
//   LABELITE_ASSIGN_OR_RETURN(EvalReport report, Evaluate(model, data, EvalOptions{}));
//   printf("top-1 %.3f top-5 %.3f\n", report.top1(), report.topk());
#ifndef LABELITE_CLASSIFY_EVAL_H_
#define LABELITE_CLASSIFY_EVAL_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "classify/batch.h"
#include "labelite/classifier.h"
#include "labelite/status.h"

namespace labelite {

struct LabeledImage {
  std::string path;
  std::string class_name;
};

// DIR/<class>/<file> for every image file (by extension) in every class folder, recursively
// below the class folder; class folders and files sorted by name. Files directly in DIR are
// ignored. A missing or unreadable DIR is kInvalidArgument.
Result<std::vector<LabeledImage>> ListDatasetFolder(const std::string& dir);

// `path,label` rows; an optional first row "path,label" is a header; fields may be quoted
// ("tabby, tabby cat"); blank lines are skipped. Relative paths are taken from `base_dir`.
// Errors name the line: "data.csv:3: expected 2 fields (path,label), found 3".
Result<std::vector<LabeledImage>> ParseDatasetCsv(std::string_view text, const std::string& base_dir,
                                                  const std::string& source_name);
// Reads the file; relative paths are taken from the CSV's folder.
Result<std::vector<LabeledImage>> ReadDatasetCsv(const std::string& csv_path);

enum class MatchKind { kExact, kNormalized, kSynonym, kAmbiguous, kNone };
const char* MatchKindName(MatchKind kind);  // "exact", "normalized", "synonym", ...

struct ClassMatch {
  MatchKind kind = MatchKind::kNone;
  int label = -1;               // the label index when matched
  std::vector<int> candidates;  // kAmbiguous: the labels the deciding stage matched
};

// Matches one dataset class name to `labels` (label index -> name), as described above.
ClassMatch MatchClass(std::string_view class_name, const std::vector<std::string>& labels);

struct EvalOptions {
  int top_k = 5;
  BatchOptions batch;
  // Called on the caller's thread after each image (progress display); may be empty.
  std::function<void(const BatchResult&)> on_result;
  const std::atomic<bool>* cancel = nullptr;  // stop early (see BatchClassifier::Run)
};

struct ClassReport {
  std::string class_name;  // as in the dataset
  std::string label_name;  // the model's label it matched
  int label = -1;
  MatchKind match = MatchKind::kNone;
  size_t support = 0;      // evaluated images of this class
  size_t top1_hits = 0;    // ... whose top-1 is this class's label
  size_t topk_hits = 0;
  size_t predicted = 0;    // evaluated images (of any class) whose top-1 is this label
  std::optional<double> precision() const;  // none when nothing was predicted as this class
  std::optional<double> recall() const;     // none when support is 0
};

struct UnmatchedClass {
  std::string class_name;
  MatchKind kind = MatchKind::kNone;   // kNone or kAmbiguous
  std::vector<std::string> candidates; // label names, for kAmbiguous
  size_t images = 0;                   // images skipped
};

struct EvalReport {
  int k = 5;
  size_t count = 0;     // images classified and scored
  size_t failed = 0;    // images of matched classes that failed to decode or classify
  size_t skipped = 0;   // images of unmatched classes
  size_t top1_hits = 0, topk_hits = 0;
  std::vector<ClassReport> classes;        // matched classes, dataset order
  std::vector<UnmatchedClass> unmatched;
  // confusion[t][p]: images of class t whose top-1 is the label of class p; the last column
  // (p == classes.size()) counts top-1 labels of no dataset class.
  std::vector<std::vector<size_t>> confusion;
  std::vector<std::string> errors;  // one message per failed image
  BatchStats batch;
  bool cancelled = false;

  double top1() const { return count ? static_cast<double>(top1_hits) / static_cast<double>(count) : 0.0; }
  double topk() const { return count ? static_cast<double>(topk_hits) / static_cast<double>(count) : 0.0; }
  double images_per_s() const { return batch.wall_s > 0 ? static_cast<double>(batch.done) / batch.wall_s : 0.0; }
};

// The model's class names (head 0), index -> name, as the classifier prints them.
Result<std::vector<std::string>> ClassNames(const ClassifierOptions& options);

// Errors: the model or labels cannot be loaded, or no dataset class matches a label
// (kInvalidLabels, listing the classes).
Result<EvalReport> Evaluate(const ClassifierOptions& options, const std::vector<LabeledImage>& dataset,
                            const EvalOptions& eval);

// The confusion matrix as CSV: header "true\predicted,<class>...,(other)", one row per class.
std::string ConfusionCsv(const EvalReport& report);

}  // namespace labelite

#endif  // LABELITE_CLASSIFY_EVAL_H_
