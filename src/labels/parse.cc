// ParseLabels: limits, BOM, UTF-8, then the format named or sniffed from format_list.inc.
#include <nlohmann/json.hpp>

#include "labels/label_map.h"
#include "base/quote.h"

namespace labelite {

using namespace labels_internal;

namespace {

struct FormatEntry {
  const char* name;
  bool (*sniff)(const SniffInput&);
  Result<LabelMap> (*parse)(std::string_view, std::string_view);
};

constexpr FormatEntry kFormats[] = {
#define LABEL_FORMAT(name, stem) {name, &Sniff##stem, &Parse##stem},
#include "labels/format_list.inc"
#undef LABEL_FORMAT
};

std::string FormatNameList() {
  std::string s;
  for (const FormatEntry& f : kFormats) s += std::string(s.empty() ? "" : ", ") + f.name;
  return s;
}

}  // namespace

std::vector<std::string> LabelFormatNames() {
  std::vector<std::string> names;
  for (const FormatEntry& f : kFormats) names.push_back(f.name);
  return names;
}

Result<LabelMap> ParseLabels(std::span<const uint8_t> bytes, std::string_view source_name,
                             std::string_view format) {
  return ParseLabels(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                     source_name, format);
}

Result<LabelMap> ParseLabels(std::string_view text, std::string_view source_name,
                             std::string_view format) {
  const FormatEntry* chosen = nullptr;
  if (!format.empty()) {
    for (const FormatEntry& f : kFormats) {
      if (format == f.name) chosen = &f;
    }
    if (!chosen) {
      return Status(StatusCode::kInvalidArgument,
                    "unknown label format " + QuoteForMessage(std::string(format)) + " (known: " + FormatNameList() + ")",
                    ErrorOrigin::kUsage);
    }
  }
  if (text.size() > kMaxLabelBytes) {
    return ResourceExhausted(std::string(source_name) + ": " + std::to_string(text.size()) +
                             " bytes is over the label file limit of " +
                             std::to_string(kMaxLabelBytes) + " bytes");
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (int line = FindInvalidUtf8Line(text)) {
    return LabelError(source_name, line, "invalid UTF-8 (or a NUL byte); is this a label file?");
  }

  if (!chosen) {
    SniffInput in;
    in.text = text;
    std::string_view trimmed = TrimSpace(text);
    while (!trimmed.empty() && trimmed.front() == '\n') trimmed = TrimSpace(trimmed.substr(1));
    in.first_char = trimmed.empty() ? 0 : trimmed.front();
    nlohmann::json json;
    if (in.first_char == '[' || in.first_char == '{') {
      Result<nlohmann::json> parsed = ParseJson(text, source_name);
      if (parsed.ok()) {
        json = std::move(parsed).value();
        in.json = &json;
      }
    } else {
      for (const Line& l : SplitLines(text)) {
        if (!l.text.empty()) in.lines.push_back(l);
      }
    }
    for (const FormatEntry& f : kFormats) {
      if (f.sniff(in)) {
        chosen = &f;
        break;
      }
    }
    if (!chosen) return Internal("no label format accepted the input");  // "text" accepts all
  }
  LABELITE_ASSIGN_OR_RETURN(LabelMap map, chosen->parse(text, source_name));
  if (map.entries.empty()) return LabelError(source_name, 0, "no labels");
  map.format = chosen->name;
  map.source = std::string(source_name);
  return map;
}

}  // namespace labelite
