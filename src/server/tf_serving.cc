// TensorFlow Serving's REST API.
//
//   GET  /v1/models/{m}[/versions/1]            model status
//   GET  /v1/models/{m}[/versions/1]/metadata   signature (input and outputs)
//   POST /v1/models/{m}[/versions/1]:classify   {"examples": [{"image": {"b64": ...}}, ...]}
//        -> {"result": [[["label", score], ...], ...]}: the top --top-k classes per example
//   POST /v1/models/{m}[/versions/1]:predict    {"instances": [...]} or {"inputs": ...}
//        -> {"predictions": [[score, ...], ...]}: every class's score per instance (with several
//           output heads, one object per instance keyed by output name)
//
// An instance is an encoded image ({"b64": ...}, or an object whose single feature is one) or
// a nested array in the model's input shape [H][W][C] (its input type, fed as it is).
#include "server/routes.h"

namespace labelite::server {

namespace {

using nlohmann::json;

void CheckVersion(const httplib::Request& req) {
  if (req.matches.size() > 2 && req.matches[2].matched && req.matches[2].str() != "1")
    throw HttpError(404, "no model version " + Quote(req.matches[2].str()) + " (models have version '1')");
}

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
  std::vector<const json*> flat;
  std::vector<const json*> level = {t};
  const std::vector<int> dims = {s.input_height, s.input_width, s.input_channels};
  for (int d : dims) {
    std::vector<const json*> next;
    for (const json* e : level) {
      if (!e->is_array() || static_cast<int>(e->size()) != d)
        throw HttpError(400, what + ": not an encoded image ({\"b64\": ...}) nor an array of shape [" +
                                 std::to_string(dims[0]) + "][" + std::to_string(dims[1]) + "][" +
                                 std::to_string(dims[2]) + "]");
      for (const json& x : *e) next.push_back(&x);
    }
    level = std::move(next);
  }
  return TensorFromJson(level, s.input_type, what);
}

// Classifies a list of instances: all images, or all tensors.
std::vector<Ranking> RunInstances(Context& ctx, ModelPool& pool, const json& items, const char* what) {
  if (!items.is_array() || items.empty()) throw HttpError(400, std::string("\"") + what + "\" must be a non-empty array");
  std::vector<std::string> images;
  std::string tensors;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string name = std::string(what) + "[" + std::to_string(i) + "]";
    if (const std::string* b64 = ImageOf(items[i])) {
      images.push_back(DecodeBase64(*b64, name));
    } else {
      tensors += TensorOf(items[i], pool.summary(), name);
    }
    if (!images.empty() && !tensors.empty())
      throw HttpError(400, std::string(what) + ": mix of encoded images and tensors");
  }
  if (!images.empty()) {
    std::vector<std::string_view> views(images.begin(), images.end());
    return ClassifyImages(ctx, pool, views, std::string(what) + " item");
  }
  return ClassifyTensors(ctx, pool, pool.summary().input_type, tensors, items.size(), what);
}

json Status(const ModelPool&) {
  return {{"model_version_status",
           {{{"version", "1"}, {"state", "AVAILABLE"}, {"status", {{"error_code", "OK"}, {"error_message", ""}}}}}}};
}

json Metadata(const ModelPool& pool) {
  const ClassifierSummary& s = pool.summary();
  json outputs = json::object();
  for (size_t h = 0; h < s.output_names.size(); ++h)
    outputs[s.output_names[h]] = {{"dtype", "DT_FLOAT"}, {"tensor_shape", {{"dim", {{{"size", "-1"}}, {{"size", std::to_string(s.num_classes[h])}}}}}}, {"name", s.output_names[h]}};
  json input = {{"dtype", "DT_STRING"}, {"tensor_shape", {{"dim", {{{"size", "-1"}}}}}}, {"name", s.input_name}};
  return {{"model_spec", {{"name", pool.name()}, {"signature_name", ""}, {"version", "1"}}},
          {"metadata", {{"signature_def", {{"signature_def", {{"serving_default",
              {{"inputs", {{s.input_name, input}}}, {"outputs", outputs}, {"method_name", "tensorflow/serving/predict"}}}}}}}}}};
}

void Classify(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  CheckVersion(req);
  ModelPool& pool = ctx.Model(req.matches[1].str());
  const json body = ParseJson(req.body);
  if (!body.is_object() || !body.contains("examples"))
    throw HttpError(400, "a classify request is {\"examples\": [{\"image\": {\"b64\": ...}}, ...]}");
  for (const json& e : body["examples"])
    if (!ImageOf(e)) throw HttpError(400, "an example must hold an encoded image: {\"image\": {\"b64\": ...}}");
  const std::vector<Ranking> rankings = RunInstances(ctx, pool, body["examples"], "examples");
  json result = json::array();
  for (const Ranking& r : rankings) {
    json classes = json::array();
    for (const Classification& c : TopOfHead(r, 0, ctx.options.top_k)) classes.push_back({c.label, c.score});
    result.push_back(std::move(classes));
  }
  SendJson(res, {{"result", result}});
}

void Predict(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  CheckVersion(req);
  ModelPool& pool = ctx.Model(req.matches[1].str());
  const json body = ParseJson(req.body);
  if (!body.is_object() || (!body.contains("instances") && !body.contains("inputs")))
    throw HttpError(400, "a predict request is {\"instances\": [...]} or {\"inputs\": [...]}");
  const bool row = body.contains("instances");
  json items;
  if (row) {
    items = body["instances"];
  } else {  // columnar: a list, one named list, or a single image
    const json& in = body["inputs"];
    if (B64Of(in)) items = json::array({in});
    else if (in.is_object() && in.size() == 1) items = in.begin().value();
    else items = in;
  }
  const std::vector<Ranking> rankings = RunInstances(ctx, pool, items, row ? "instances" : "inputs");
  const ClassifierSummary& s = pool.summary();
  json predictions = json::array();
  for (const Ranking& r : rankings) {
    if (s.output_names.size() == 1) {
      predictions.push_back(ScoresOfHead(r, 0, s.num_classes[0]));
      continue;
    }
    json per_output = json::object();
    for (size_t h = 0; h < s.output_names.size(); ++h)
      per_output[s.output_names[h]] = ScoresOfHead(r, static_cast<int>(h), s.num_classes[h]);
    predictions.push_back(std::move(per_output));
  }
  SendJson(res, row ? json{{"predictions", predictions}} : json{{"outputs", predictions}});
}

}  // namespace

void AddTfServingRoutes(httplib::Server& http, Context& ctx) {
  const std::string model = R"(/v1/models/([^/:]+)(?:/versions/([^/:]+))?)";
  http.Get(model, Route(ctx, "tf_serving_status", [&ctx](const httplib::Request& req, httplib::Response& res) {
    CheckVersion(req);
    SendJson(res, Status(ctx.Model(req.matches[1].str())));
  }));
  http.Get(model + "/metadata", Route(ctx, "tf_serving_metadata", [&ctx](const httplib::Request& req, httplib::Response& res) {
    CheckVersion(req);
    SendJson(res, Metadata(ctx.Model(req.matches[1].str())));
  }));
  http.Post(model + ":classify", PostRoute(ctx, "tf_serving_classify", [&ctx](const httplib::Request& req, httplib::Response& res) {
    Classify(ctx, req, res);
  }));
  http.Post(model + ":predict", PostRoute(ctx, "tf_serving_predict", [&ctx](const httplib::Request& req, httplib::Response& res) {
    Predict(ctx, req, res);
  }));
}

}  // namespace labelite::server
