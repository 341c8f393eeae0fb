// ModelBuilder (test-only): writes small .tflite flatbuffers for kernel and reader tests.
//
//   ModelBuilder b;
//   int in = b.AddTensor(DataType::kUInt8, {1, 8, 8, 3}, "in", Quant(0.5f, 128));
//   int w = b.AddConstTensor<uint8_t>(DataType::kUInt8, {4, 3, 3, 3}, weights, Quant(0.1f, 120));
//   int bias = b.AddConstTensor<int32_t>(DataType::kInt32, {4}, bias_values, Quant(0.05f, 0));
//   int out = b.AddTensor(DataType::kUInt8, {1, 8, 8, 4}, "out", Quant(0.7f, 100));
//   OpOptions o; o.stride_w = o.stride_h = 1; o.padding = Padding::kSame;
//   b.AddOperator(kBuiltinConv2D, {in, w, bias}, {out}, o);
//   b.SetInputs({in}); b.SetOutputs({out});
//   std::vector<uint8_t> tflite = b.Build();
#ifndef LABELITE_TESTS_TESTING_MODEL_BUILDER_H_
#define LABELITE_TESTS_TESTING_MODEL_BUILDER_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "labelite/types.h"
#include "model/model.h"

namespace labelite::testing {

inline QuantizationParams Quant(float scale, int64_t zero_point) {
  return QuantizationParams{{scale}, {zero_point}, 0};
}
inline QuantizationParams PerChannelQuant(std::vector<float> scales, int32_t axis) {
  return QuantizationParams{scales, std::vector<int64_t>(scales.size(), 0), axis};
}

class ModelBuilder {
 public:
  // An activation (or input/output) tensor. Returns its index.
  int AddTensor(DataType type, std::vector<int32_t> shape, std::string name = "",
                QuantizationParams quant = {});
  // A constant tensor whose buffer holds `bytes`.
  int AddConstTensorBytes(DataType type, std::vector<int32_t> shape, std::vector<uint8_t> bytes,
                          QuantizationParams quant = {}, std::string name = "");
  template <typename T>
  int AddConstTensor(DataType type, std::vector<int32_t> shape, const std::vector<T>& values,
                     QuantizationParams quant = {}, std::string name = "") {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return AddConstTensorBytes(type, std::move(shape), std::move(bytes), std::move(quant),
                               std::move(name));
  }
  // An operator; options are written as the op's BuiltinOptions table (the inverse of the
  // reader's conversion). Input -1 marks an absent optional input.
  void AddOperator(int32_t builtin_code, std::vector<int32_t> inputs,
                   std::vector<int32_t> outputs, const OpOptions& options = {},
                   int32_t version = 1, std::string custom_code = "");
  void SetInputs(std::vector<int32_t> inputs);
  void SetOutputs(std::vector<int32_t> outputs);
  // Optional: raw TFLITE_METADATA flatbuffer bytes and an appended zip archive.
  void SetMetadataBuffer(std::vector<uint8_t> metadata);
  // Serializes to a .tflite file image (identifier "TFL3", schema version 3).
  std::vector<uint8_t> Build() const;

 private:
  struct Tensor {
    DataType type;
    std::vector<int32_t> shape;
    std::string name;
    QuantizationParams quant;
    int32_t buffer = 0;
  };
  struct Op {
    int32_t code;
    std::vector<int32_t> inputs, outputs;
    OpOptions options;
    int32_t version;
    std::string custom_code;
  };
  std::vector<Tensor> tensors_;
  std::vector<std::vector<uint8_t>> buffers_{{}};  // buffer 0 is the empty sentinel
  std::vector<Op> ops_;
  std::vector<int32_t> inputs_, outputs_;
  std::vector<uint8_t> metadata_;
};

}  // namespace labelite::testing

#endif  // LABELITE_TESTS_TESTING_MODEL_BUILDER_H_
