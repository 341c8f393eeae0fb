// AlignLabels: fits a LabelMap to the model's class count (rules in labelite/labels.h).
#include <algorithm>

#include "labels/label_map.h"
#include "base/quote.h"

namespace labelite {

using namespace labels_internal;

namespace {

std::string ClassName(int i) { return "class_" + std::to_string(i); }

bool IsBackground(const Label* l) {
  return l && EqualsIgnoreCase(TrimSpace(l->name), "background");
}

// Fills out.names/display_names[i + shift] from label i, for every class in range;
// classes without a label are named class_<i>.
void Fill(const LabelMap& labels, int num_classes, int shift, AlignedLabels& out) {
  out.names.assign(num_classes, "");
  out.display_names.assign(num_classes, "");
  std::vector<bool> named(num_classes, false);
  for (const Label& l : labels.entries) {
    int c = l.index + shift;
    if (c < 0 || c >= num_classes) continue;
    out.names[c] = l.name;
    out.display_names[c] = l.display_name;
    named[c] = true;
  }
  for (int c = 0; c < num_classes; ++c) {
    if (named[c]) continue;
    if (shift == 1 && c == 0) continue;  // "background", named by the caller
    out.names[c] = ClassName(c);
    out.unnamed.push_back(c);
  }
}

std::string LineList(const std::vector<int>& lines) {
  std::string s;
  for (size_t i = 0; i < lines.size() && i < 5; ++i) s += (i ? ", " : "") + std::to_string(lines[i]);
  if (lines.size() > 5) s += ", ...";
  return s;
}

// Plain text with interior blank lines: the label count if blank lines were labels.
int SizeWithBlankLines(const LabelMap& labels) {
  if (labels.blank_lines.empty() || labels.entries.empty()) return -1;
  int last_line = 0;
  for (const Label& l : labels.entries) last_line = std::max(last_line, l.line);
  return last_line;  // lines 1..last_line, each one class
}

// Labels as if every line up to the last label were one: blank lines become class_<i>.
void FillWithBlankLines(const LabelMap& labels, int num_classes, AlignedLabels& out) {
  out.names.assign(num_classes, "");
  out.display_names.assign(num_classes, "");
  for (const Label& l : labels.entries) {
    if (l.line >= 1 && l.line <= num_classes) out.names[l.line - 1] = l.name;
  }
  for (int line : labels.blank_lines) {
    if (line >= 1 && line <= num_classes) {
      out.names[line - 1] = ClassName(line - 1);
      out.unnamed.push_back(line - 1);
    }
  }
}

std::string MismatchHint(const LabelMap& labels, int n, int num_classes) {
  const Label* first = labels.Find(0);
  std::string hint;
  if (n == num_classes + 1 && !IsBackground(first)) {
    hint = "; one label more than classes, but the first label is " +
           QuoteForMessage(first ? first->name : std::string()) + ", not 'background'";
  } else if (n == num_classes - 1 && IsBackground(first)) {
    hint = "; one label fewer than classes, although the first label is already 'background'";
  }
  if (n > num_classes && labels.format != "text") {  // indexed formats: name the lines
    std::string beyond;
    size_t count = 0;
    for (const Label& l : labels.entries) {
      if (l.index < num_classes) continue;
      if (++count <= 5)
        beyond.append(beyond.empty() ? "" : ", ")
            .append(std::to_string(l.index))
            .append(l.line > 0 ? " (line " + std::to_string(l.line) + ")" : std::string());
    }
    if (count > 5) beyond += ", ...";
    hint += "; " + std::string(count == 1 ? "index " : "indices ") + beyond + " beyond the model's last class " +
            std::to_string(num_classes - 1);
  }
  if (!labels.blank_lines.empty()) {
    hint += "; " + std::to_string(labels.blank_lines.size()) +
            " blank line(s) not counted (lines " + LineList(labels.blank_lines) + ")";
  }
  return hint;
}

}  // namespace

Result<AlignedLabels> AlignLabels(const LabelMap& labels, int num_classes,
                                  const AlignOptions& options) {
  if (num_classes <= 0 || num_classes > kMaxLabels) {
    return Status(StatusCode::kInvalidArgument,
                  "model has " + std::to_string(num_classes) + " classes; expected 1 to " +
                      std::to_string(kMaxLabels),
                  ErrorOrigin::kModel);
  }
  AlignedLabels out;
  out.warnings = labels.warnings;
  const int n = labels.size();
  const std::string counts = "labels have " + std::to_string(n) + " entries, model has " +
                             std::to_string(num_classes) + " classes";
  if (n == num_classes) {
    Fill(labels, num_classes, 0, out);
    return out;
  }
  if (SizeWithBlankLines(labels) == num_classes) {
    FillWithBlankLines(labels, num_classes, out);
    out.notices.push_back(counts + " not counting blank lines: counting the " +
                          std::to_string(labels.blank_lines.size()) + " blank line(s) (lines " +
                          LineList(labels.blank_lines) + ") as labels named class_<index>");
    return out;
  }
  if (n == num_classes - 1 && n > 0 && !IsBackground(labels.Find(0))) {
    Fill(labels, num_classes, +1, out);
    out.names[0] = "background";
    out.offset = +1;
    out.notices.push_back(counts + ": assuming class 0 is 'background' and shifting labels by one");
    return out;
  }
  if (n == num_classes + 1 && IsBackground(labels.Find(0))) {
    Fill(labels, num_classes, -1, out);
    out.offset = -1;
    out.notices.push_back(counts + ": the model has no 'background' class, dropping label 0 " +
                          QuoteForMessage(labels.Find(0)->name) + " and shifting labels down by one");
    return out;
  }
  if (!options.allow_mismatch) {
    return InvalidLabels(labels.source + ": " + counts + ": wrong label file for this model?" +
                         MismatchHint(labels, n, num_classes))
        .WithOrigin(ErrorOrigin::kLabels);
  }
  Fill(labels, num_classes, 0, out);
  if (n < num_classes) {
    out.warnings.push_back(counts + ": classes " + std::to_string(n) + "-" +
                           std::to_string(num_classes - 1) + " named class_<index>");
  } else {
    out.warnings.push_back(counts + ": labels " + std::to_string(num_classes) + "-" +
                           std::to_string(n - 1) + " ignored");
  }
  return out;
}

}  // namespace labelite
