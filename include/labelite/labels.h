// Labels: class names for a classifier's output indices, read from any common form, checked
// against the model, and explained.
//
// Purpose: a TFLite classifier outputs one score per class index; the names live outside the
// model (text files, JSON, CSV, SQLite, HTTP, or a file embedded in the model). This module
// parses them into a LabelMap, and AlignLabels fits a LabelMap to the model's class count,
// fixing the common off-by-one ("background") cases and saying what it did.
//
// Ownership and thread safety: a LabelMap is a plain value, immutable once built; share it as
// `std::shared_ptr<const LabelMap>` between threads. Every function here is reentrant.
// No function throws; errors are Status values, label-file problems are kInvalidLabels with
// "<source>:<line>: <problem>".
//
//   LABELITE_ASSIGN_OR_RETURN(LabelMap labels, LoadLabels("imagenet_labels.txt"));
//   LABELITE_ASSIGN_OR_RETURN(AlignedLabels aligned, AlignLabels(labels, 1001));
//   for (const std::string& n : aligned.notices) fprintf(stderr, "note: %s\n", n.c_str());
//   printf("%s\n", aligned.names[class_index].c_str());
//
// (The same example runs as LabelsUsageExample in tests/labels/align_test.cc.)
#ifndef LABELITE_LABELS_H_
#define LABELITE_LABELS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "labelite/status.h"

namespace labelite {

// Hard limits for untrusted label sources.
inline constexpr uint64_t kMaxLabelBytes = 64u << 20;  // ParseLabels refuses larger inputs
inline constexpr int kMaxLabels = 1'000'000;           // entries and indices are below this

struct Label {
  int index = 0;
  std::string name;          // what the classifier prints ("tench, Tinca tinca")
  std::string display_name;  // optional shorter/localized name ("tench"); "" when none
  std::string class_id;      // optional external id (WordNet id "n01440764"); "" when none
  int line = 0;              // 1-based line (or row) in the source; 0 when not known
};

struct LabelMap {
  std::vector<Label> entries;  // sorted by index, indices unique (gaps allowed)
  // "text", "indexed-text", "synset", "json-list", "json-object", "keras-class-index",
  // "json-labels", "csv", "tsv", "sqlite"; see LabelFormatNames().
  std::string format;
  std::string source;                 // file name or URI, for messages
  std::vector<std::string> warnings;  // duplicates, empty labels, gaps, blank lines
  // Plain text only: 1-based line numbers of blank lines between labels. They are NOT labels
  // in `entries` (whose indices skip them); AlignLabels counts them only when that makes the
  // labels fit the model. Blank lines after the last label are never labels.
  std::vector<int> blank_lines;

  int size() const { return entries.empty() ? 0 : entries.back().index + 1; }  // max index + 1
  const Label* Find(int index) const;  // nullptr when no label has this index
};

// Parses bytes in `format` (one of LabelFormatNames()), or sniffs the format when it is empty.
// Never takes a path, so files, uploads and databases share it. Skips a UTF-8 BOM, accepts
// CRLF, refuses invalid UTF-8 naming the line, and inputs over kMaxLabelBytes.
Result<LabelMap> ParseLabels(std::span<const uint8_t> bytes, std::string_view source_name,
                             std::string_view format = "");
Result<LabelMap> ParseLabels(std::string_view text, std::string_view source_name,
                             std::string_view format = "");

// The format names ParseLabels accepts, in sniffing order.
std::vector<std::string> LabelFormatNames();

struct LabelSourceOptions {
  std::string format;              // "" = sniff
  uint64_t max_bytes = 64u << 20;  // refuse larger files / HTTP bodies / SQLite tables
  int http_timeout_ms = 5000;      // connection and read timeout each
  // Deadline for reading a whole external source: the SQLite query (a view can be an endless
  // recursive query) or the HTTP request from connect to the last byte.
  int timeout_ms = 10000;
  int max_rows = kMaxLabels;  // refuse SQLite tables and views with more rows
};

// Loads labels from
//   - a file path (format sniffed unless options.format is set),
//   - `sqlite:PATH?table=T&label=COL[&index=COL][&display=COL]` (opened read-only; without
//     `index`, row order (rowid) is the index),
//   - `http://HOST[:PORT]/PATH` (any format above; non-200 answers are errors).
// A database or server that does not answer within options.timeout_ms, or a table with more than
// options.max_rows rows, fails as kInvalidLabels ("timed out after N ms", "more than N rows").
// Every error is tagged ErrorOrigin::kLabels.
Result<LabelMap> LoadLabels(const std::string& source, const LabelSourceOptions& options = {});

struct AlignOptions {
  bool allow_mismatch = false;  // fill missing classes with "class_<i>", ignore extra labels
};

struct AlignedLabels {
  std::vector<std::string> names;          // exactly num_classes entries
  std::vector<std::string> display_names;  // same size ("" when none)
  // +1: labels were shifted up (class 0 = "background" added); -1: a leading "background"
  // label was dropped; 0: used as they are.
  int offset = 0;
  std::vector<std::string> notices;   // one line per thing that was done, for the user
  std::vector<std::string> warnings;  // LabelMap::warnings plus alignment warnings
  // Classes the labels leave unnamed (gaps, blank lines, missing labels), named class_<i>.
  std::vector<int> unnamed;
};

// Fits `labels` to a model with `num_classes` output classes:
//   1. size == num_classes: used as they are (gaps are named "class_<i>", with a warning);
//   2. plain text whose interior blank lines, counted as labels, give num_classes: counted;
//   3. size == num_classes - 1 and label 0 is not "background": shifted by one (offset +1);
//   4. size == num_classes + 1 and label 0 is "background" (any case): dropped (offset -1);
//   5. otherwise kInvalidLabels naming both counts, unless allow_mismatch.
Result<AlignedLabels> AlignLabels(const LabelMap& labels, int num_classes,
                                  const AlignOptions& options = {});

// Writes `labels` as "txt" (one name per line; needs dense indices from 0), "indexed"
// ("<index> <name>" lines), "json" (a list, or an object when sparse, or {"labels": [...],
// "display_names": [...]} when there are display names), "csv" or "tsv" (header
// index,label[,display_name][,class_id]). ParseLabels reads every output back.
Result<std::string> ConvertLabels(const LabelMap& labels, std::string_view to);

// The target names ConvertLabels accepts.
std::vector<std::string> LabelConvertTargets();

}  // namespace labelite

#endif  // LABELITE_LABELS_H_
