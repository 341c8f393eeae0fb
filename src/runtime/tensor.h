// Tensor: the runtime's view of one tensor of the graph.
//
// Constant tensors point into the model's mapping (read-only); activations point into the
// interpreter's arena; inputs and outputs likewise. A Tensor never owns its bytes.
#ifndef LABELITE_RUNTIME_TENSOR_H_
#define LABELITE_RUNTIME_TENSOR_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "labelite/types.h"
#include "model/model.h"

namespace labelite {

struct Tensor {
  std::string_view name;
  DataType type = DataType::kFloat32;
  std::vector<int32_t> dims;
  uint8_t* data = nullptr;  // const tensors: points into the mapping, never write through it
  size_t bytes = 0;         // NumElements() * DataTypeSize(type)
  bool is_constant = false;
  // Per-tensor quantization (scale 0 means "not quantized"); per-channel parameters stay in
  // `quant`, which points into the model.
  float scale = 0.0f;
  int32_t zero_point = 0;
  const QuantizationParams* quant = nullptr;

  int rank() const { return static_cast<int>(dims.size()); }
  int32_t dim(int i) const { return dims[static_cast<size_t>(i)]; }
  int64_t NumElements() const {
    int64_t n = 1;
    for (int32_t d : dims) n *= d;
    return n;
  }
  template <typename T> T* data_as() { return reinterpret_cast<T*>(data); }
  template <typename T> const T* data_as() const { return reinterpret_cast<const T*>(data); }
};

// A tensor whose values a kernel's Prepare may read: constant (weights, a folded operator's
// output) and present.
inline bool IsConstant(const Tensor* t) { return t != nullptr && t->is_constant && t->data != nullptr; }

}  // namespace labelite

#endif  // LABELITE_RUNTIME_TENSOR_H_
