#include "labelite/types.h"

namespace labelite {

namespace {
struct TypeEntry {
  DataType type;
  std::string_view name;
  size_t size;
};
constexpr TypeEntry kTypes[] = {
    {DataType::kFloat32, "float32", 4}, {DataType::kFloat16, "float16", 2},
    {DataType::kInt32, "int32", 4},     {DataType::kUInt8, "uint8", 1},
    {DataType::kInt64, "int64", 8},     {DataType::kString, "string", 0},
    {DataType::kBool, "bool", 1},       {DataType::kInt16, "int16", 2},
    {DataType::kComplex64, "complex64", 8}, {DataType::kInt8, "int8", 1},
    {DataType::kFloat64, "float64", 8},
};
}  // namespace

std::string_view DataTypeName(DataType type) {
  for (const auto& e : kTypes)
    if (e.type == type) return e.name;
  return "unknown";
}

std::optional<DataType> DataTypeFromName(std::string_view name) {
  for (const auto& e : kTypes)
    if (e.name == name) return e.type;
  return std::nullopt;
}

size_t DataTypeSize(DataType type) {
  for (const auto& e : kTypes)
    if (e.type == type) return e.size;
  return 0;
}

}  // namespace labelite
