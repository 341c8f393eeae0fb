// ConvertLabels: writes a LabelMap as txt, indexed text, JSON, CSV or TSV; ParseLabels reads
// each output back to the same entries.
#include <nlohmann/json.hpp>

#include "labels/label_map.h"
#include "base/quote.h"

namespace labelite {

using namespace labels_internal;

namespace {

bool IsDenseFromZero(const LabelMap& labels) {
  return labels.size() == static_cast<int>(labels.entries.size());
}

Status CheckOneLine(const LabelMap& labels, std::string_view to) {
  for (const Label& l : labels.entries) {
    if (l.name.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgument("label " + std::to_string(l.index) +
                             " contains a line break; " + QuoteForMessage(std::string(to)) + " cannot hold it (use json or csv)");
    }
  }
  return Status::Ok();
}

Result<std::string> ToText(const LabelMap& labels) {
  if (!IsDenseFromZero(labels)) {
    return InvalidArgument("labels have gaps in their indices; plain text cannot hold them "
                           "(use indexed, json or csv)");
  }
  LABELITE_RETURN_IF_ERROR(CheckOneLine(labels, "txt"));
  std::string out;
  for (const Label& l : labels.entries) {
    if (TrimSpace(l.name).empty()) {
      return InvalidArgument("label " + std::to_string(l.index) +
                             " is empty; plain text cannot hold it (use json or csv)");
    }
    out += l.name + "\n";
  }
  return out;
}

Result<std::string> ToIndexed(const LabelMap& labels) {
  LABELITE_RETURN_IF_ERROR(CheckOneLine(labels, "indexed"));
  std::string out;
  for (const Label& l : labels.entries) {
    if (TrimSpace(l.name).empty()) {
      return InvalidArgument("label " + std::to_string(l.index) + " is empty; indexed text "
                             "cannot hold it (use json or csv)");
    }
    out += std::to_string(l.index) + " " + l.name + "\n";
  }
  return out;
}

std::string ToJson(const LabelMap& labels) {
  bool has_display = false, has_class_id = false;
  for (const Label& l : labels.entries) {
    has_display |= !l.display_name.empty();
    has_class_id |= !l.class_id.empty();
  }
  nlohmann::json j;
  if (has_class_id || (has_display && !IsDenseFromZero(labels))) {
    j = nlohmann::json::array();
    for (const Label& l : labels.entries) {
      nlohmann::json e = {{"index", l.index}, {"name", l.name}};
      if (!l.display_name.empty()) e["display_name"] = l.display_name;
      if (!l.class_id.empty()) e["class_id"] = l.class_id;
      j.push_back(std::move(e));
    }
  } else if (has_display) {
    j = {{"labels", nlohmann::json::array()}, {"display_names", nlohmann::json::array()}};
    for (const Label& l : labels.entries) {
      j["labels"].push_back(l.name);
      j["display_names"].push_back(l.display_name);
    }
  } else if (IsDenseFromZero(labels)) {
    j = nlohmann::json::array();
    for (const Label& l : labels.entries) j.push_back(l.name);
  } else {
    j = nlohmann::json::object();
    for (const Label& l : labels.entries) j[std::to_string(l.index)] = l.name;
  }
  return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string Quote(const std::string& field, char delim) {
  bool needs = field.find_first_of(std::string("\"\r\n") + delim) != std::string::npos ||
               TrimSpace(field).size() != field.size();
  if (!needs) return field;
  std::string q = "\"";
  for (char c : field) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string ToDelimited(const LabelMap& labels, char delim) {
  bool has_display = false, has_class_id = false;
  for (const Label& l : labels.entries) {
    has_display |= !l.display_name.empty();
    has_class_id |= !l.class_id.empty();
  }
  std::string out = std::string("index") + delim + "label";
  if (has_display) out += std::string(1, delim) + "display_name";
  if (has_class_id) out += std::string(1, delim) + "class_id";
  out += "\n";
  for (const Label& l : labels.entries) {
    out += std::to_string(l.index) + delim + Quote(l.name, delim);
    if (has_display) out += delim + Quote(l.display_name, delim);
    if (has_class_id) out += delim + Quote(l.class_id, delim);
    out += "\n";
  }
  return out;
}

}  // namespace

std::vector<std::string> LabelConvertTargets() { return {"txt", "indexed", "json", "csv", "tsv"}; }

Result<std::string> ConvertLabels(const LabelMap& labels, std::string_view to) {
  if (to == "txt" || to == "text") return ToText(labels);
  if (to == "indexed") return ToIndexed(labels);
  if (to == "json") return ToJson(labels);
  if (to == "csv") return ToDelimited(labels, ',');
  if (to == "tsv") return ToDelimited(labels, '\t');
  return InvalidArgument("unknown label output format " + QuoteForMessage(std::string(to)) + " (expected txt, indexed, json, csv or tsv)");
}

}  // namespace labelite
