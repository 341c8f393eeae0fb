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

// The request: its JSON header and the binary data that follows it (binary extension).
struct InferBody {
  json header;
  std::string_view binary;
};

InferBody SplitBody(const httplib::Request& req) {
  InferBody body;
  std::string_view all = req.body;
  if (req.has_header("Inference-Header-Content-Length")) {
    const std::string v = req.get_header_value("Inference-Header-Content-Length");
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || v[0] == '-')
      throw HttpError(400, "Inference-Header-Content-Length is not a byte count: " + Quote(v));
    if (n > all.size())
      throw HttpError(400, "Inference-Header-Content-Length " + v + " exceeds the body's " +
                               std::to_string(all.size()) + " bytes");
    body.binary = all.substr(n);
    all = all.substr(0, n);
  }
  body.header = ParseJson(all);
  if (!body.header.is_object()) throw HttpError(400, "the inference request must be a JSON object");
  return body;
}

// Parses the single input and classifies it: one ranking per batch item.
std::vector<Ranking> RunInput(Context& ctx, ModelPool& pool, const json& header, std::string_view* binary) {
  const ClassifierSummary& s = pool.summary();
  if (!header.contains("inputs") || !header["inputs"].is_array() || header["inputs"].size() != 1)
    throw HttpError(400, "\"inputs\" must be an array with one input, " + Quote(s.input_name));
  const json& input = header["inputs"][0];
  if (!input.is_object() || !input.contains("name") || !input["name"].is_string() || !input.contains("datatype") ||
      !input["datatype"].is_string() || !input.contains("shape"))
    throw HttpError(400, "an input needs \"name\", \"datatype\" and \"shape\"");
  const std::string& name = input["name"].get_ref<const std::string&>();
  if (name != s.input_name)
    throw HttpError(400, "unknown input " + Quote(name) + " (the model's input is " + Quote(s.input_name) + ")");
  const std::string what = "input " + Quote(name);
  const std::string& datatype = input["datatype"].get_ref<const std::string&>();
  const uint64_t count = ShapeProduct(input["shape"], what);
  const std::optional<std::string_view> data = TakeBinary(input, binary, what);
  if (!binary->empty())
    throw HttpError(400, std::to_string(binary->size()) + " bytes of binary data follow the inputs' data");
  if (datatype == "BYTES") {
    const json& shape = input["shape"];
    if (shape.size() > 2 || (shape.size() == 2 && shape[1] != 1))
      throw HttpError(400, what + ": a BYTES input of encoded images has shape [N] or [N, 1]");
    std::vector<std::string> storage;
    std::vector<std::string_view> images = BytesElements(input, data, count, what, &storage);
    return ClassifyImages(ctx, pool, images, what + " element");
  }
  if (datatype != TensorTypeName(s.input_type))
    throw HttpError(400, what + ": datatype " + Quote(datatype) + " does not fit the model (it takes BYTES images or " +
                             TensorTypeName(s.input_type) + " tensors)");
  const json& shape = input["shape"];
  const std::vector<int64_t> hwc = {s.input_height, s.input_width, s.input_channels};
  const bool batched = shape.size() == 4;
  bool fits = shape.size() == 3 || batched;
  for (size_t i = 0; fits && i < 3; ++i) fits = shape[i + (batched ? 1 : 0)].get<int64_t>() == hwc[i];
  if (!fits)
    throw HttpError(400, what + ": shape " + shape.dump() + " does not fit the model's input [N, " +
                             std::to_string(hwc[0]) + ", " + std::to_string(hwc[1]) + ", " + std::to_string(hwc[2]) + "]");
  const uint64_t n = batched ? shape[0].get<uint64_t>() : 1;
  const std::string bytes = TensorBytes(input, data, s.input_type, count, what);
  return ClassifyTensors(ctx, pool, s.input_type, bytes, n, what);
}

struct OutputRequest {
  int head = 0;
  int classification = 0;  // k; 0 = the score tensor
  bool binary = false;
};

std::vector<OutputRequest> RequestedOutputs(const ModelPool& pool, const json& header) {
  const ClassifierSummary& s = pool.summary();
  bool binary_default = false;
  if (header.contains("parameters") && header["parameters"].is_object() &&
      header["parameters"].contains("binary_data_output")) {
    const json& b = header["parameters"]["binary_data_output"];
    if (!b.is_boolean()) throw HttpError(400, "binary_data_output must be true or false");
    binary_default = b.get<bool>();
  }
  std::vector<OutputRequest> out;
  if (!header.contains("outputs")) {
    for (size_t h = 0; h < s.output_names.size(); ++h) out.push_back({static_cast<int>(h), 0, binary_default});
    return out;
  }
  if (!header["outputs"].is_array()) throw HttpError(400, "\"outputs\" must be an array");
  for (const json& o : header["outputs"]) {
    if (!o.is_object() || !o.contains("name") || !o["name"].is_string())
      throw HttpError(400, "a requested output needs a \"name\"");
    const std::string& name = o["name"].get_ref<const std::string&>();
    OutputRequest r;
    r.binary = binary_default;
    auto it = std::find(s.output_names.begin(), s.output_names.end(), name);
    if (it == s.output_names.end()) throw HttpError(400, "unknown output " + Quote(name));
    r.head = static_cast<int>(it - s.output_names.begin());
    if (o.contains("parameters")) {
      const json& p = o["parameters"];
      if (!p.is_object()) throw HttpError(400, "output " + Quote(name) + ": \"parameters\" must be an object");
      if (p.contains("classification")) {
        if (!p["classification"].is_number_integer() || p["classification"].get<int64_t>() < 1)
          throw HttpError(400, "output " + Quote(name) + ": classification must be a class count of at least 1");
        r.classification = static_cast<int>(
            std::min<int64_t>(p["classification"].get<int64_t>(), s.num_classes[static_cast<size_t>(r.head)]));
      }
      if (p.contains("binary_data")) {
        if (!p["binary_data"].is_boolean()) throw HttpError(400, "output " + Quote(name) + ": binary_data must be true or false");
        r.binary = p["binary_data"].get<bool>();
      }
    }
    out.push_back(r);
  }
  return out;
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
  InferBody body = SplitBody(req);
  const std::vector<OutputRequest> outputs = RequestedOutputs(pool, body.header);
  const std::vector<Ranking> rankings = RunInput(ctx, pool, body.header, &body.binary);
  const ClassifierSummary& s = pool.summary();
  const int64_t n = static_cast<int64_t>(rankings.size());
  json reply = {{"model_name", pool.name()}, {"model_version", "1"}, {"outputs", json::array()}};
  if (body.header.contains("id") && body.header["id"].is_string()) reply["id"] = body.header["id"];
  std::string binary;
  for (const OutputRequest& o : outputs) {
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
