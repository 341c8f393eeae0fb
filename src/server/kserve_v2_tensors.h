// Decoding the tensors of a KServe v2 inference request: JSON "data" (flat or nested) or the
// binary tensor data extension (the bytes after the JSON header, taken in input order by each
// input's "binary_data_size"). Every problem is an HttpError 400 naming the input.
#ifndef LABELITE_SERVER_KSERVE_V2_TENSORS_H_
#define LABELITE_SERVER_KSERVE_V2_TENSORS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "labelite/types.h"
#include "server/http_util.h"

namespace labelite::server {

// "UINT8", "INT8", "FP32", ...: the protocol's name of a tensor type.
const char* TensorTypeName(DataType t);

// Every element of a (possibly nested, at most 8 deep) JSON array, in row-major order.
void Flatten(const nlohmann::json& data, std::vector<const nlohmann::json*>* out, int depth = 0);

// The element count of a "shape" (sizes >= 0, product at most 2^40).
uint64_t ShapeProduct(const nlohmann::json& shape, const std::string& what);

// The binary data of an input with "parameters": {"binary_data_size": n}, taken from the front
// of `binary`; nullopt for an input whose data is JSON.
std::optional<std::string_view> TakeBinary(const nlohmann::json& input, std::string_view* binary,
                                           const std::string& what);

// BYTES elements: from binary data (4-byte little-endian length + bytes each) or JSON (base64
// text or {"b64": ...}); exactly `count` of them. `storage` keeps decoded JSON elements alive.
std::vector<std::string_view> BytesElements(const nlohmann::json& input, std::optional<std::string_view> binary,
                                            uint64_t count, const std::string& what,
                                            std::vector<std::string>* storage);

// A numeric tensor of `count` elements as raw bytes of `type` (the model's input type).
std::string TensorBytes(const nlohmann::json& input, std::optional<std::string_view> binary, DataType type,
                        uint64_t count, const std::string& what);

}  // namespace labelite::server

#endif  // LABELITE_SERVER_KSERVE_V2_TENSORS_H_
