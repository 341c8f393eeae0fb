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
#include "server/tf_serving_request.h"

namespace labelite::server {

namespace {

using nlohmann::json;

void CheckVersion(const httplib::Request& req) {
  if (req.matches.size() > 2 && req.matches[2].matched && req.matches[2].str() != "1")
    throw HttpError(404, "no model version " + Quote(req.matches[2].str()) + " (models have version '1')");
}

// Classifies a parsed request's images or tensors: one ranking per item.
std::vector<Ranking> Run(Context& ctx, ModelPool& pool, const TfServingRequest& r) {
  if (r.images.empty()) return ClassifyTensors(ctx, pool, pool.summary().input_type, r.tensors, r.count, r.what);
  std::vector<std::string_view> views(r.images.begin(), r.images.end());
  return ClassifyImages(ctx, pool, views, r.what + " item");
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
  const std::vector<Ranking> rankings = Run(ctx, pool, ParseTfServingClassify(pool.summary(), req.body));
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
  const TfServingRequest request = ParseTfServingPredict(pool.summary(), req.body);
  const std::vector<Ranking> rankings = Run(ctx, pool, request);
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
  SendJson(res, request.row ? json{{"predictions", predictions}} : json{{"outputs", predictions}});
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
