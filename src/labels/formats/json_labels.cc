// A JSON object with a "labels" list and an optional "display_names" list of the same length:
//   {"labels": ["background", "tench"], "display_names": ["Background", "Tench"]}
#include <nlohmann/json.hpp>

#include "labels/label_map.h"

namespace labelite::labels_internal {

bool SniffJsonLabels(const SniffInput& in) {
  return in.json && in.json->is_object() && in.json->contains("labels") &&
         (*in.json)["labels"].is_array();
}

Result<LabelMap> ParseJsonLabels(std::string_view text, std::string_view source) {
  LABELITE_ASSIGN_OR_RETURN(nlohmann::json json, ParseJson(text, source));
  if (!json.is_object() || !json.contains("labels") || !json["labels"].is_array()) {
    return LabelError(source, 0, "expected a JSON object with a \"labels\" list");
  }
  const nlohmann::json& labels = json["labels"];
  const nlohmann::json* display = nullptr;
  if (json.contains("display_names")) {
    display = &json["display_names"];
    if (!display->is_array() || display->size() != labels.size()) {
      return LabelError(source, 0,
                        "\"display_names\" must be a list as long as \"labels\" (" +
                            std::to_string(labels.size()) + ")");
    }
  }
  LabelMapBuilder builder(source);
  for (size_t i = 0; i < labels.size(); ++i) {
    if (!labels[i].is_string()) {
      return LabelError(source, 0, "labels[" + std::to_string(i) + "] is " +
                                       labels[i].type_name() + ", expected a string");
    }
    std::string display_name;
    if (display) {
      if (!(*display)[i].is_string()) {
        return LabelError(source, 0, "display_names[" + std::to_string(i) + "] is not a string");
      }
      display_name = (*display)[i].get<std::string>();
    }
    LABELITE_RETURN_IF_ERROR(builder.Append(labels[i].get<std::string>(), 0, display_name));
  }
  return builder.Finish();
}

}  // namespace labelite::labels_internal
