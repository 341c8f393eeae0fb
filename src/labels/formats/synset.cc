// ImageNet synset maps (LOC_synset_mapping.txt): "n01440764 tench, Tinca tinca" per line, in
// class order. The WordNet id becomes class_id, the whole text the name (as in Coral's
// imagenet_labels.txt), and the first synonym ("tench") the display name. A line holding
// only the id (synsets.txt) names the class by its id.
#include "labels/label_map.h"

namespace labelite::labels_internal {

namespace {

bool IsWnid(std::string_view s) {
  if (s.size() != 9 || s[0] != 'n') return false;
  for (size_t i = 1; i < 9; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// "n01440764 tench, Tinca tinca" -> ("n01440764", "tench, Tinca tinca"); nullopt if no wnid.
std::optional<std::pair<std::string_view, std::string_view>> SplitSynset(std::string_view s) {
  size_t sep = s.find_first_of(" \t");
  std::string_view id = s.substr(0, sep);
  if (!IsWnid(id)) return std::nullopt;
  std::string_view rest = sep == std::string_view::npos ? "" : TrimSpace(s.substr(sep));
  return std::make_pair(id, rest);
}

}  // namespace

bool SniffSynset(const SniffInput& in) {
  if (in.lines.empty()) return false;
  for (const Line& l : in.lines) {
    if (!SplitSynset(l.text)) return false;
  }
  return true;
}

Result<LabelMap> ParseSynset(std::string_view text, std::string_view source) {
  LabelMapBuilder builder(source);
  for (const Line& l : SplitLines(text)) {
    if (l.text.empty()) continue;
    auto m = SplitSynset(l.text);
    if (!m) return LabelError(source, l.number, "expected '<wnid> <names>' like 'n01440764 tench'");
    auto [id, names] = *m;
    std::string name(names.empty() ? id : names);
    std::string display(TrimSpace(names.substr(0, names.find(','))));
    LABELITE_RETURN_IF_ERROR(
        builder.Append(std::move(name), l.number, std::move(display), std::string(id)));
  }
  return builder.Finish();
}

}  // namespace labelite::labels_internal
