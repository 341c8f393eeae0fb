// Index-prefixed text: "<index><sep><label>" per line, sep = whitespace (Coral's "0  person"),
// ':' ("0: cat"), ',' ("0,cat") or a tab, each optionally surrounded by spaces. Indices may be
// sparse and in any order; a repeated index is an error naming both lines.
#include "labels/label_map.h"

namespace labelite::labels_internal {

namespace {

struct IndexedLine {
  int64_t index;
  std::string_view label;
};

// Splits "<digits><sep><text>"; nullopt when the line does not have that form.
std::optional<IndexedLine> SplitIndexed(std::string_view s) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  std::optional<int64_t> index = ParseIndex(s.substr(0, digits));
  if (!index) return std::nullopt;
  std::string_view rest = s.substr(digits);
  size_t spaces = 0;
  while (spaces < rest.size() && (rest[spaces] == ' ' || rest[spaces] == '\t')) ++spaces;
  rest.remove_prefix(spaces);
  if (!rest.empty() && (rest.front() == ':' || rest.front() == ',')) {
    rest = TrimSpace(rest.substr(1));
  } else if (spaces == 0) {
    return std::nullopt;  // "7-eleven", "3D printer"
  }
  if (rest.empty()) return std::nullopt;
  return IndexedLine{*index, rest};
}

}  // namespace

// Every non-blank line must match, and the indices must look like class indices: at least 90%
// of them below twice the number of lines plus 16 (a text file of "1984 film" titles is not
// indexed). Duplicates and a few stray large indices do not stop the sniffer: the parser and
// AlignLabels then report them with their line numbers instead of a plain-text count mismatch.
bool SniffIndexedText(const SniffInput& in) {
  if (in.lines.empty()) return false;
  const int64_t limit = 2 * static_cast<int64_t>(in.lines.size()) + 16;
  size_t small = 0;
  for (const Line& l : in.lines) {
    std::optional<IndexedLine> m = SplitIndexed(l.text);
    if (!m) return false;
    small += m->index < limit;
  }
  return small * 10 >= in.lines.size() * 9;
}

Result<LabelMap> ParseIndexedText(std::string_view text, std::string_view source) {
  LabelMapBuilder builder(source);
  for (const Line& l : SplitLines(text)) {
    if (l.text.empty()) continue;
    std::optional<IndexedLine> m = SplitIndexed(l.text);
    if (!m) return LabelError(source, l.number, "expected '<index> <label>'");
    LABELITE_RETURN_IF_ERROR(builder.Add(m->index, std::string(m->label), l.number));
  }
  return builder.Finish();
}

}  // namespace labelite::labels_internal
