#include "server/kserve_v2_tensors.h"

namespace labelite::server {

using nlohmann::json;

const char* TensorTypeName(DataType t) {
  switch (t) {
    case DataType::kUInt8: return "UINT8";
    case DataType::kInt8: return "INT8";
    case DataType::kFloat32: return "FP32";
    case DataType::kInt16: return "INT16";
    case DataType::kInt32: return "INT32";
    case DataType::kFloat16: return "FP16";
    default: return "UNSUPPORTED";
  }
}

// Every element of a (possibly nested) JSON array, in row-major order.
void Flatten(const json& data, std::vector<const json*>* out, int depth) {
  if (depth > 8) throw HttpError(400, "\"data\" is nested too deeply");
  if (!data.is_array()) {
    out->push_back(&data);
    return;
  }
  for (const json& e : data) Flatten(e, out, depth + 1);
}

uint64_t ShapeProduct(const json& shape, const std::string& what) {
  if (!shape.is_array() || shape.empty()) throw HttpError(400, what + ": \"shape\" must be a non-empty array of sizes");
  uint64_t n = 1;
  for (const json& d : shape) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0)
      throw HttpError(400, what + ": \"shape\" must hold sizes (non-negative integers)");
    const uint64_t v = d.get<uint64_t>();
    if (v != 0 && n > (uint64_t{1} << 40) / v) throw HttpError(400, what + ": \"shape\" is too large");
    n *= v;
  }
  return n;
}

// The binary data of an input that has "parameters": {"binary_data_size": n}, else nullopt.
std::optional<std::string_view> TakeBinary(const json& input, std::string_view* binary, const std::string& what) {
  if (!input.contains("parameters") || !input["parameters"].is_object() ||
      !input["parameters"].contains("binary_data_size"))
    return std::nullopt;
  const json& size = input["parameters"]["binary_data_size"];
  if (!size.is_number_integer() || size.get<int64_t>() < 0)
    throw HttpError(400, what + ": binary_data_size must be a byte count");
  const uint64_t n = size.get<uint64_t>();
  if (n > binary->size())
    throw HttpError(400, what + ": binary tensor data cut short (" + std::to_string(n) + " bytes announced, " +
                             std::to_string(binary->size()) + " left in the body)");
  std::string_view data = binary->substr(0, n);
  binary->remove_prefix(n);
  return data;
}

// BYTES elements: from the binary extension (4-byte little-endian length + bytes each) or JSON
// (base64 text or {"b64": ...}); `storage` keeps decoded JSON elements alive.
std::vector<std::string_view> BytesElements(const json& input, std::optional<std::string_view> binary, uint64_t count,
                                            const std::string& what, std::vector<std::string>* storage) {
  std::vector<std::string_view> out;
  if (binary) {
    std::string_view b = *binary;
    while (!b.empty()) {
      if (b.size() < 4) throw HttpError(400, what + ": binary BYTES element cut short (length prefix)");
      uint32_t len = 0;
      for (int i = 3; i >= 0; --i) len = (len << 8) | static_cast<uint8_t>(b[static_cast<size_t>(i)]);
      b.remove_prefix(4);
      if (len > b.size())
        throw HttpError(400, what + ": binary BYTES element " + std::to_string(out.size()) + " cut short (" +
                                 std::to_string(len) + " bytes announced, " + std::to_string(b.size()) + " left)");
      out.push_back(b.substr(0, len));
      b.remove_prefix(len);
    }
  } else {
    if (!input.contains("data")) throw HttpError(400, what + ": no \"data\" and no binary_data_size parameter");
    std::vector<const json*> elements;
    Flatten(input["data"], &elements);
    storage->reserve(elements.size());
    for (size_t i = 0; i < elements.size(); ++i) {
      const json& e = *elements[i];
      const std::string name = what + " element " + std::to_string(i);
      if (e.is_string()) storage->push_back(DecodeBase64(e.get_ref<const std::string&>(), name));
      else if (e.is_object() && e.contains("b64") && e["b64"].is_string())
        storage->push_back(DecodeBase64(e["b64"].get_ref<const std::string&>(), name));
      else throw HttpError(400, name + ": a BYTES element in JSON must be base64 text or {\"b64\": ...}");
    }
    for (const std::string& s : *storage) out.emplace_back(s);
  }
  if (out.size() != count)
    throw HttpError(400, what + ": shape holds " + std::to_string(count) + " elements, the data " +
                             std::to_string(out.size()));
  return out;
}

// A numeric tensor as raw bytes of `type` (the model's input type).
std::string TensorBytes(const json& input, std::optional<std::string_view> binary, DataType type, uint64_t count,
                        const std::string& what) {
  const size_t elem = DataTypeSize(type);
  if (binary) {
    if (binary->size() != count * elem)
      throw HttpError(400, what + ": " + std::to_string(count) + " " + TensorTypeName(type) + " elements take " +
                               std::to_string(count * elem) + " bytes, the binary data has " +
                               std::to_string(binary->size()));
    return std::string(*binary);
  }
  if (!input.contains("data")) throw HttpError(400, what + ": no \"data\" and no binary_data_size parameter");
  std::vector<const json*> elements;
  Flatten(input["data"], &elements);
  if (elements.size() != count)
    throw HttpError(400, what + ": shape holds " + std::to_string(count) + " elements, \"data\" " +
                             std::to_string(elements.size()));
  return TensorFromJson(elements, type, what);
}

}  // namespace labelite::server
