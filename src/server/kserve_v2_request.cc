#include "server/kserve_v2_request.h"

#include <algorithm>
#include <charconv>

#include "server/http_util.h"
#include "server/kserve_v2_tensors.h"

namespace labelite::server {

namespace {

using nlohmann::json;

// The byte count of the Inference-Header-Content-Length header: decimal digits only.
size_t HeaderLength(const std::string& v, size_t body_size) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size())
    throw HttpError(400, std::string(kInferenceHeaderContentLength) + " is not a byte count: " + Quote(v));
  if (n > body_size)
    throw HttpError(400, std::string(kInferenceHeaderContentLength) + " " + std::to_string(n) +
                             " exceeds the body's " + std::to_string(body_size) + " bytes");
  return static_cast<size_t>(n);
}

std::vector<InferOutput> RequestedOutputs(const ClassifierSummary& s, const json& header) {
  bool binary_default = false;
  if (header.contains("parameters") && header["parameters"].is_object() &&
      header["parameters"].contains("binary_data_output")) {
    const json& b = header["parameters"]["binary_data_output"];
    if (!b.is_boolean()) throw HttpError(400, "binary_data_output must be true or false");
    binary_default = b.get<bool>();
  }
  std::vector<InferOutput> out;
  if (!header.contains("outputs")) {
    for (size_t h = 0; h < s.output_names.size(); ++h) out.push_back({static_cast<int>(h), 0, binary_default});
    return out;
  }
  if (!header["outputs"].is_array()) throw HttpError(400, "\"outputs\" must be an array");
  for (const json& o : header["outputs"]) {
    if (!o.is_object() || !o.contains("name") || !o["name"].is_string())
      throw HttpError(400, "a requested output needs a \"name\"");
    const std::string& name = o["name"].get_ref<const std::string&>();
    InferOutput r;
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

// A tensor input's shape, [N, H, W, C] or [H, W, C] with the model's H, W, C: returns N.
size_t TensorBatch(const ClassifierSummary& s, const json& shape, const std::string& what) {
  const std::vector<int64_t> hwc = {s.input_height, s.input_width, s.input_channels};
  const bool batched = shape.size() == 4;
  bool fits = shape.size() == 3 || batched;
  for (size_t i = 0; fits && i < 3; ++i) fits = shape[i + (batched ? 1 : 0)].get<int64_t>() == hwc[i];
  if (!fits)
    throw HttpError(400, what + ": shape " + (shape.size() <= 4 ? shape.dump() : std::to_string(shape.size()) + "-D") +
                             " does not fit the model's input [N, " + std::to_string(hwc[0]) + ", " +
                             std::to_string(hwc[1]) + ", " + std::to_string(hwc[2]) + "]");
  return batched ? shape[0].get<uint64_t>() : 1;
}

// The single input: images or a tensor, into `r`. Consumes its binary data from `binary`.
void ParseInput(const ClassifierSummary& s, const json& header, std::string_view binary, InferRequest* r) {
  if (!header.contains("inputs") || !header["inputs"].is_array() || header["inputs"].size() != 1)
    throw HttpError(400, "\"inputs\" must be an array with one input, " + Quote(s.input_name));
  const json& input = header["inputs"][0];
  if (!input.is_object() || !input.contains("name") || !input["name"].is_string() || !input.contains("datatype") ||
      !input["datatype"].is_string() || !input.contains("shape"))
    throw HttpError(400, "an input needs \"name\", \"datatype\" and \"shape\"");
  const std::string& name = input["name"].get_ref<const std::string&>();
  if (name != s.input_name)
    throw HttpError(400, "unknown input " + Quote(name) + " (the model's input is " + Quote(s.input_name) + ")");
  const std::string& what = r->what = "input " + Quote(name);
  const std::string& datatype = input["datatype"].get_ref<const std::string&>();
  const json& shape = input["shape"];
  const uint64_t count = ShapeProduct(shape, what);
  const std::optional<std::string_view> data = TakeBinary(input, &binary, what);
  if (!binary.empty())
    throw HttpError(400, std::to_string(binary.size()) + " bytes of binary data follow the inputs' data");
  if (datatype == "BYTES") {
    if (shape.size() > 2 || (shape.size() == 2 && shape[1] != 1))
      throw HttpError(400, what + ": a BYTES input of encoded images has shape [N] or [N, 1]");
    r->images_input = true;
    r->images = BytesElements(input, data, count, what, &r->storage);
    return;
  }
  if (datatype != TensorTypeName(s.input_type))
    throw HttpError(400, what + ": datatype " + Quote(datatype) + " does not fit the model (it takes BYTES images or " +
                             TensorTypeName(s.input_type) + " tensors)");
  r->batch = TensorBatch(s, shape, what);
  r->tensor = TensorBytes(input, data, s.input_type, count, what);
}

}  // namespace

InferRequest ParseInferRequest(const ClassifierSummary& model, std::string_view body,
                               const std::string* header_content_length) {
  std::string_view binary;
  if (header_content_length) {
    const size_t n = HeaderLength(*header_content_length, body.size());
    binary = body.substr(n);
    body = body.substr(0, n);
  }
  const json header = ParseJson(body);
  if (!header.is_object()) throw HttpError(400, "the inference request must be a JSON object");
  InferRequest r;
  r.outputs = RequestedOutputs(model, header);
  ParseInput(model, header, binary, &r);
  if (header.contains("id") && header["id"].is_string()) r.id = header["id"].get<std::string>();
  return r;
}

}  // namespace labelite::server
