// A JSON list of labels in class order: ["background", "tench", ...]. Elements may also be
// objects naming their index, as COCO "categories" do:
//   [{"id": 1, "name": "person", "display_name": "Person"}, ...]
// (index from "index"/"idx"/"id", or an integer "class_id"; name from "name"/"label"/
// "class_name"; a string "class_id"/"wnid" becomes Label::class_id).
#include <nlohmann/json.hpp>

#include "labels/label_map.h"

namespace labelite::labels_internal {

namespace {

const nlohmann::json* FindMember(const nlohmann::json& obj, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    auto it = obj.find(k);
    if (it != obj.end()) return &*it;
  }
  return nullptr;
}

Status AddObjectElement(LabelMapBuilder& builder, const nlohmann::json& e, size_t i,
                        std::string_view source) {
  std::string where = "element " + std::to_string(i);
  const nlohmann::json* index = FindMember(e, {"index", "idx", "id"});
  const nlohmann::json* class_id = FindMember(e, {"class_id", "wnid"});
  if (!index && class_id && class_id->is_number_integer()) std::swap(index, class_id);
  std::string class_id_text = class_id && class_id->is_string() ? class_id->get<std::string>() : "";
  const nlohmann::json* name = FindMember(e, {"name", "label", "class_name", "display_name"});
  const nlohmann::json* display = FindMember(e, {"display_name"});
  if (!name || !name->is_string()) {
    return LabelError(source, 0, where + ": expected a string \"name\" or \"label\"");
  }
  if (index && !index->is_number_integer()) {
    return LabelError(source, 0, where + ": the index is not an integer");
  }
  std::string display_name = (display && display->is_string() && display != name)
                                 ? display->get<std::string>() : "";
  if (!index) {
    return builder.Append(name->get<std::string>(), 0, std::move(display_name),
                          std::move(class_id_text));
  }
  return builder.Add(index->get<int64_t>(), name->get<std::string>(), 0, std::move(display_name),
                     std::move(class_id_text));
}

}  // namespace

bool SniffJsonList(const SniffInput& in) { return in.first_char == '['; }

Result<LabelMap> ParseJsonList(std::string_view text, std::string_view source) {
  LABELITE_ASSIGN_OR_RETURN(nlohmann::json json, ParseJson(text, source));
  if (!json.is_array()) return LabelError(source, 0, "expected a JSON list of labels");
  LabelMapBuilder builder(source);
  for (size_t i = 0; i < json.size(); ++i) {
    const nlohmann::json& e = json[i];
    if (e.is_string()) {
      LABELITE_RETURN_IF_ERROR(builder.Append(e.get<std::string>(), 0));
    } else if (e.is_object()) {
      LABELITE_RETURN_IF_ERROR(AddObjectElement(builder, e, i, source));
    } else {
      return LabelError(source, 0, "element " + std::to_string(i) + " is " + e.type_name() +
                                       ", expected a string");
    }
  }
  return builder.Finish();
}

}  // namespace labelite::labels_internal
