// Element types shared by the model reader, the runtime and the front ends.
#ifndef LABELITE_TYPES_H_
#define LABELITE_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace labelite {

// Values equal TFLite's TensorType enum, so the reader converts by value.
enum class DataType : int8_t {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kString = 5,
  kBool = 6,
  kInt16 = 7,
  kComplex64 = 8,
  kInt8 = 9,
  kFloat64 = 10,
};

// "float32", "uint8", ... (the strings of `inspect --json`).
std::string_view DataTypeName(DataType type);
// Inverse of DataTypeName.
std::optional<DataType> DataTypeFromName(std::string_view name);
// Bytes per element; 0 for kString (variable size).
size_t DataTypeSize(DataType type);
// True for the types TFLite quantizes (uint8, int8, int16, int32 bias).
inline bool IsQuantizedType(DataType t) {
  return t == DataType::kUInt8 || t == DataType::kInt8 || t == DataType::kInt16;
}

// Which kernels run the model: XNNPACK where it applies (fast) or only the scalar reference
// kernels that reproduce TFLite's builtin arithmetic (the oracle).
enum class KernelPath { kReference, kFast };

}  // namespace labelite

#endif  // LABELITE_TYPES_H_
