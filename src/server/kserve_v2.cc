// Open Inference Protocol (KServe v2) REST routes, with the binary tensor data extension and
// the classification extension, as Triton and the official tritonclient speak them.
//
//   GET  /v2                                    server metadata
//   GET  /v2/health/live, /v2/health/ready
//   GET  /v2/models/{m}[/versions/1]            model metadata
//   GET  /v2/models/{m}[/versions/1]/ready
//   POST /v2/models/{m}[/versions/1]/infer
//
// The model's input takes either a BYTES tensor of encoded images, shape [N] or [N, 1] (in
// JSON each element is base64 text or {"b64": ...}; with the binary extension each element is
// a 4-byte little-endian length and the bytes), or a tensor of the model's own input type and
// shape, [N, H, W, C] or [H, W, C], fed as it is. Outputs are, per output head, the scores
// (FP32 [N, classes], after dequantization, softmax and calibration, as `labelite classify`
// reports them) or, with "parameters": {"classification": k}, BYTES [N, k] strings
// "score:index:label" formatted as Triton formats them.
#include "labelite/types.h"
#include "server/kserve_v2_request.h"
#include "server/kserve_v2_tensors.h"
#include "server/routes.h"

namespace labelite::server {

namespace {

using nlohmann::json;

void CheckVersion(const httplib::Request& req, size_t group) {
  if (req.matches.size() > group && req.matches[group].matched && req.matches[group].str() != "1")
    throw HttpError(404, "no model version " + Quote(req.matches[group].str()) + " (models have version '1')");
}

json ModelMetadata(const ModelPool& pool) {
  const ClassifierSummary& s = pool.summary();
  json outputs = json::array();
  for (size_t h = 0; h < s.output_names.size(); ++h)
    outputs.push_back({{"name", s.output_names[h]}, {"datatype", "FP32"}, {"shape", {-1, s.num_classes[h]}}});
  json tensor_shape = {-1, s.input_height, s.input_width, s.input_channels};
  return {{"name", pool.name()},
          {"versions", {"1"}},
          {"platform", "tflite"},
          {"inputs",
           {{{"name", s.input_name},
             {"datatype", "BYTES"},
             {"shape", {-1}},
             {"parameters",
              {{"content", "encoded images (JPEG, PNG, BMP, WebP, GIF), or a tensor_datatype tensor of tensor_shape"},
               {"tensor_datatype", TensorTypeName(s.input_type)},
               {"tensor_shape", tensor_shape}}}}}},
          {"outputs", outputs}};
}

void AppendLength(std::string* out, size_t n) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((n >> (8 * i)) & 0xff));
}

// Triton's classification string: std::to_string(score) ":" index [":" label].
std::string ClassString(const Classification& c) {
  std::string s = std::to_string(c.score) + ":" + std::to_string(c.index);
  if (!c.label.empty()) s += ":" + c.label;
  return s;
}

void Infer(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  CheckVersion(req, 2);
  ModelPool& pool = ctx.Model(req.matches[1].str());
  std::string split;
  const bool has_split = req.has_header(kInferenceHeaderContentLength);
  if (has_split) split = req.get_header_value(kInferenceHeaderContentLength);
  const InferRequest request = ParseInferRequest(pool.summary(), req.body, has_split ? &split : nullptr);
  const std::vector<Ranking> rankings =
      request.images_input ? ClassifyImages(ctx, pool, request.images, request.what + " element")
                           : ClassifyTensors(ctx, pool, pool.summary().input_type, request.tensor, request.batch,
                                             request.what);
  const ClassifierSummary& s = pool.summary();
  const int64_t n = static_cast<int64_t>(rankings.size());
  json reply = {{"model_name", pool.name()}, {"model_version", "1"}, {"outputs", json::array()}};
  if (request.id) reply["id"] = *request.id;
  std::string binary;
  for (const InferOutput& o : request.outputs) {
    const int classes = s.num_classes[static_cast<size_t>(o.head)];
    json out = {{"name", s.output_names[static_cast<size_t>(o.head)]}};
    std::string bytes;
    json data = json::array();
    if (o.classification > 0) {
      out["datatype"] = "BYTES";
      out["shape"] = {n, o.classification};
      for (const Ranking& r : rankings) {
        for (const Classification& c : TopOfHead(r, o.head, o.classification)) {
          const std::string text = ClassString(c);
          if (o.binary) {
            AppendLength(&bytes, text.size());
            bytes += text;
          } else {
            data.push_back(text);
          }
        }
      }
    } else {
      out["datatype"] = "FP32";
      out["shape"] = {n, classes};
      for (const Ranking& r : rankings) {
        for (float v : ScoresOfHead(r, o.head, classes)) {
          if (o.binary) bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
          else data.push_back(v);
        }
      }
    }
    if (o.binary) {
      out["parameters"] = {{"binary_data_size", bytes.size()}};
      binary += bytes;
    } else {
      out["data"] = std::move(data);
    }
    reply["outputs"].push_back(std::move(out));
  }
  if (binary.empty()) {
    SendJson(res, reply);
    return;
  }
  std::string text = reply.dump(-1, ' ', false, json::error_handler_t::replace);
  res.set_header("Inference-Header-Content-Length", std::to_string(text.size()));
  res.set_content(text + binary, "application/octet-stream");
}

}  // namespace

void AddKServeV2Routes(httplib::Server& http, Context& ctx) {
  http.Get("/v2", Route(ctx, "kserve_v2_server", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, {{"name", "labelite"}, {"version", "0.1.0"}, {"extensions", {"classification", "binary_tensor_data"}}});
  }));
  http.Get("/v2/health/live", Route(ctx, "kserve_v2_health", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, {{"live", true}});
  }));
  http.Get("/v2/health/ready", Route(ctx, "kserve_v2_health", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, {{"ready", true}});
  }));
  http.Get(R"(/v2/models/([^/]+)(?:/versions/([^/]+))?)",
           Route(ctx, "kserve_v2_model", [&ctx](const httplib::Request& req, httplib::Response& res) {
             CheckVersion(req, 2);
             SendJson(res, ModelMetadata(ctx.Model(req.matches[1].str())));
           }));
  http.Get(R"(/v2/models/([^/]+)(?:/versions/([^/]+))?/ready)",
           Route(ctx, "kserve_v2_model_ready", [&ctx](const httplib::Request& req, httplib::Response& res) {
             CheckVersion(req, 2);
             SendJson(res, {{"name", ctx.Model(req.matches[1].str()).name()}, {"ready", true}});
           }));
  http.Post(R"(/v2/models/([^/]+)(?:/versions/([^/]+))?/infer)",
            PostRoute(ctx, "kserve_v2_infer", [&ctx](const httplib::Request& req, httplib::Response& res) {
              Infer(ctx, req, res);
            }));
}

}  // namespace labelite::server
