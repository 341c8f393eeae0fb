#include "server/tf_serving_request.h"

#include "server/http_util.h"

namespace labelite::server {

namespace {

using nlohmann::json;

const std::string* B64Of(const json& v) {
  if (v.is_object() && v.size() == 1 && v.contains("b64") && v["b64"].is_string())
    return &v["b64"].get_ref<const std::string&>();
  return nullptr;
}

// An encoded image in an instance or example: {"b64": ...}, or an object with one feature (or
// a feature named image, image_bytes or image/encoded) holding one.
const std::string* ImageOf(const json& v) {
  if (const std::string* b = B64Of(v)) return b;
  if (!v.is_object()) return nullptr;
  for (const char* key : {"image", "image_bytes", "image/encoded", "bytes", "inputs"})
    if (v.contains(key))
      if (const std::string* b = B64Of(v[key])) return b;
  if (v.size() == 1) return B64Of(v.begin().value());
  return nullptr;
}

// A nested numeric array [H][W][C] (or an object holding one as its single feature) as the
// model's input bytes.
std::string TensorOf(const json& v, const ClassifierSummary& s, const std::string& what) {
  const json* t = &v;
  if (v.is_object() && v.size() == 1) t = &v.begin().value();
  std::vector<const json*> level = {t};
  const std::vector<int> dims = {s.input_height, s.input_width, s.input_channels};
  for (int d : dims) {
    std::vector<const json*> next;
    for (const json* e : level) {
      if (!e->is_array() || static_cast<int64_t>(e->size()) != d)
        throw HttpError(400, what + ": not an encoded image ({\"b64\": ...}) nor an array of shape [" +
                                 std::to_string(dims[0]) + "][" + std::to_string(dims[1]) + "][" +
                                 std::to_string(dims[2]) + "]");
      for (const json& x : *e) next.push_back(&x);
    }
    level = std::move(next);
  }
  return TensorFromJson(level, s.input_type, what);
}

// A list of instances: all images, or all tensors.
TfServingRequest Instances(const ClassifierSummary& s, const json& items, const char* what) {
  if (!items.is_array() || items.empty()) throw HttpError(400, std::string("\"") + what + "\" must be a non-empty array");
  TfServingRequest r;
  r.what = what;
  r.count = items.size();
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string name = std::string(what) + "[" + std::to_string(i) + "]";
    if (const std::string* b64 = ImageOf(items[i])) {
      r.images.push_back(DecodeBase64(*b64, name));
    } else {
      r.tensors += TensorOf(items[i], s, name);
    }
    if (!r.images.empty() && !r.tensors.empty())
      throw HttpError(400, std::string(what) + ": mix of encoded images and tensors");
  }
  return r;
}

}  // namespace

TfServingRequest ParseTfServingPredict(const ClassifierSummary& model, std::string_view body) {
  const json j = ParseJson(body);
  if (!j.is_object() || (!j.contains("instances") && !j.contains("inputs")))
    throw HttpError(400, "a predict request is {\"instances\": [...]} or {\"inputs\": [...]}");
  if (j.contains("instances")) return Instances(model, j["instances"], "instances");
  // Columnar: a list, one named list, or a single image.
  const json& in = j["inputs"];
  TfServingRequest r;
  if (B64Of(in)) r = Instances(model, json::array({in}), "inputs");
  else if (in.is_object() && in.size() == 1) r = Instances(model, in.begin().value(), "inputs");
  else r = Instances(model, in, "inputs");
  r.row = false;
  return r;
}

TfServingRequest ParseTfServingClassify(const ClassifierSummary& model, std::string_view body) {
  const json j = ParseJson(body);
  if (!j.is_object() || !j.contains("examples"))
    throw HttpError(400, "a classify request is {\"examples\": [{\"image\": {\"b64\": ...}}, ...]}");
  for (const json& e : j["examples"])
    if (!ImageOf(e)) throw HttpError(400, "an example must hold an encoded image: {\"image\": {\"b64\": ...}}");
  return Instances(model, j["examples"], "examples");
}

}  // namespace labelite::server
