// Internal pieces shared by the label formats and sources: the builder every parser fills,
// line helpers, and the format registry generated from format_list.inc.
//
// A format is one file formats/<stem>.cc defining
//   bool Sniff<Stem>(const SniffInput& in);   // cheap, no errors: "this looks like mine"
//   Result<LabelMap> Parse<Stem>(std::string_view text, std::string_view source);
// and one line in format_list.inc. `text` is the whole input, already checked to be valid
// UTF-8 without a BOM; parsers report "<source>:<line>: <problem>".
#ifndef LABELITE_LABELS_LABEL_MAP_H_
#define LABELITE_LABELS_LABEL_MAP_H_

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "labelite/labels.h"

namespace labelite::labels_internal {

// Collects labels in any order, then checks and sorts them.
class LabelMapBuilder {
 public:
  explicit LabelMapBuilder(std::string_view source) : source_(source) {}

  // Fails on a negative or too-large index, a duplicate index (naming both lines) or too many
  // labels. `line` (1-based, 0 = unknown) is used in messages.
  Status Add(int64_t index, std::string name, int line, std::string display_name = "",
             std::string class_id = "");
  // Adds at index = number of labels added so far.
  Status Append(std::string name, int line, std::string display_name = "",
                std::string class_id = "") {
    return Add(static_cast<int64_t>(labels_.size()), std::move(name), line,
               std::move(display_name), std::move(class_id));
  }
  size_t count() const { return labels_.size(); }

  // Sorts, adds warnings for duplicates, empty names and gaps, and returns the map.
  LabelMap Finish(std::vector<std::string> extra_warnings = {});

 private:
  std::string Where(int line) const;
  std::string source_;
  std::vector<Label> labels_;
  std::unordered_map<int, int> line_of_index_;
};

// Warnings about a sorted, unique-index entry list: duplicate names, empty names, gaps.
std::vector<std::string> DescribeProblems(const std::vector<Label>& entries);

// "<source>:<line>: <problem>" as kInvalidLabels (without the line part when line == 0).
Status LabelError(std::string_view source, int line, std::string_view problem);

struct Line {
  std::string_view text;  // without "\n", "\r" and surrounding spaces/tabs
  int number = 0;         // 1-based
};
// Splits on '\n'; drops a final empty piece after the last newline.
std::vector<Line> SplitLines(std::string_view text);
std::string_view TrimSpace(std::string_view s);
// Parses a non-negative decimal integer (digits only, at most 9 digits).
std::optional<int64_t> ParseIndex(std::string_view s);
// 1-based line number of byte `offset` in `text`.
int LineOfOffset(std::string_view text, size_t offset);
// Returns the 1-based line of the first invalid UTF-8 sequence or NUL byte, or 0 if none.
int FindInvalidUtf8Line(std::string_view text);
bool IsValidUtf8(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// What sniffers see. `json` is set when the input starts with '[' or '{' and parses as JSON.
struct SniffInput {
  std::string_view text;
  char first_char = 0;  // first non-space character, 0 when the input is blank
  std::vector<Line> lines;  // the non-blank lines (empty for JSON-looking input)
  const nlohmann::json* json = nullptr;
};

// Parses JSON without throwing; refuses nesting deeper than 64 before parsing (the DOM parser
// would otherwise recurse on hostile input). Errors name the line.
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view source);

#define LABEL_FORMAT(name, stem)                 \
  bool Sniff##stem(const SniffInput& in);        \
  Result<LabelMap> Parse##stem(std::string_view text, std::string_view source);
#include "labels/format_list.inc"
#undef LABEL_FORMAT

// Sources (sources/*.cc). `uri` is the whole source string.
Result<LabelMap> LoadSqliteLabels(const std::string& uri, const LabelSourceOptions& options);
Result<LabelMap> LoadHttpLabels(const std::string& url, const LabelSourceOptions& options);
Result<LabelMap> LoadFileLabels(const std::string& path, const LabelSourceOptions& options);

}  // namespace labelite::labels_internal

#endif  // LABELITE_LABELS_LABEL_MAP_H_
