// Keras' imagenet_class_index.json: {"0": ["n01440764", "tench"], ...}. The first element
// becomes class_id, the second the name.
#include <nlohmann/json.hpp>

#include "labels/label_map.h"
#include "base/quote.h"

namespace labelite::labels_internal {

namespace {
bool IsPair(const nlohmann::json& v) {
  return v.is_array() && v.size() == 2 && v[0].is_string() && v[1].is_string();
}
}  // namespace

bool SniffKerasClassIndex(const SniffInput& in) {
  return in.json && in.json->is_object() && !in.json->empty() && IsPair(in.json->begin().value());
}

Result<LabelMap> ParseKerasClassIndex(std::string_view text, std::string_view source) {
  LABELITE_ASSIGN_OR_RETURN(nlohmann::json json, ParseJson(text, source));
  if (!json.is_object()) {
    return LabelError(source, 0, "expected a JSON object {\"0\": [\"<id>\", \"<name>\"], ...}");
  }
  LabelMapBuilder builder(source);
  for (auto it = json.begin(); it != json.end(); ++it) {
    std::optional<int64_t> index = ParseIndex(it.key());
    if (!index) return LabelError(source, 0, "key " + QuoteForMessage(it.key()) + " is not a class index");
    if (!IsPair(it.value())) {
      return LabelError(source, 0, "value of " + QuoteForMessage(it.key()) + " is not a [\"<id>\", \"<name>\"] pair");
    }
    LABELITE_RETURN_IF_ERROR(builder.Add(*index, it.value()[1].get<std::string>(), 0, "",
                                         it.value()[0].get<std::string>()));
  }
  return builder.Finish();
}

}  // namespace labelite::labels_internal
