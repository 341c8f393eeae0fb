// A JSON object mapping class indices to labels, {"0": "tench", "1": "goldfish"}, or labels
// to indices as Keras' ImageDataGenerator.class_indices writes it, {"cat": 0, "dog": 1}.
#include <nlohmann/json.hpp>

#include "labels/label_map.h"
#include "base/quote.h"

namespace labelite::labels_internal {

bool SniffJsonObject(const SniffInput& in) { return in.first_char == '{'; }

Result<LabelMap> ParseJsonObject(std::string_view text, std::string_view source) {
  LABELITE_ASSIGN_OR_RETURN(nlohmann::json json, ParseJson(text, source));
  if (!json.is_object()) return LabelError(source, 0, "expected a JSON object");
  bool inverted = !json.empty() && json.begin().value().is_number_integer() &&
                  !ParseIndex(json.begin().key());
  LabelMapBuilder builder(source);
  for (auto it = json.begin(); it != json.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& v = it.value();
    if (inverted) {
      if (!v.is_number_integer()) {
        return LabelError(source, 0, "value of " + QuoteForMessage(key) + " is not a class index");
      }
      LABELITE_RETURN_IF_ERROR(builder.Add(v.get<int64_t>(), key, 0));
      continue;
    }
    std::optional<int64_t> index = ParseIndex(key);
    if (!index) {
      return LabelError(source, 0, "key " + QuoteForMessage(key) + " is not a class index (expected {\"0\": \"label\"})");
    }
    if (!v.is_string()) {
      return LabelError(source, 0, "value of " + QuoteForMessage(key) + " is " + v.type_name() +
                                       ", expected a string");
    }
    LABELITE_RETURN_IF_ERROR(builder.Add(*index, v.get<std::string>(), 0));
  }
  return builder.Finish();
}

}  // namespace labelite::labels_internal
