// Plain text, one label per line (the TFLite convention): line N (1-based) names class N-1.
// Blank lines between labels are recorded in LabelMap::blank_lines and not counted;
// AlignLabels counts them when the model needs them. Blank lines at the end are ignored.
#include "labels/label_map.h"

namespace labelite::labels_internal {

bool SniffText(const SniffInput&) { return true; }

Result<LabelMap> ParseText(std::string_view text, std::string_view source) {
  std::vector<Line> lines = SplitLines(text);
  size_t end = lines.size();
  while (end > 0 && lines[end - 1].text.empty()) --end;  // trailing blank lines
  LabelMapBuilder builder(source);
  std::vector<int> blank_lines;
  for (size_t i = 0; i < end; ++i) {
    if (lines[i].text.empty()) {
      blank_lines.push_back(lines[i].number);
      continue;
    }
    LABELITE_RETURN_IF_ERROR(builder.Append(std::string(lines[i].text), lines[i].number));
  }
  std::vector<std::string> warnings;
  if (!blank_lines.empty()) {
    std::string w = std::to_string(blank_lines.size()) + " blank line" +
                     (blank_lines.size() == 1 ? "" : "s") + " between labels (line";
    w += blank_lines.size() == 1 ? " " : "s ";
    for (size_t i = 0; i < blank_lines.size() && i < 5; ++i) {
      w += (i ? ", " : "") + std::to_string(blank_lines[i]);
    }
    if (blank_lines.size() > 5) w += ", ...";
    w += ") not counted as labels unless the model needs them";
    warnings.push_back(std::move(w));
  }
  LabelMap map = builder.Finish(std::move(warnings));
  map.blank_lines = std::move(blank_lines);
  return map;
}

}  // namespace labelite::labels_internal
