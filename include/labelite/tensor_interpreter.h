// TensorInterpreter: a model run on raw tensors, addressed by tensor index as TFLite's
// Interpreter addresses them. It is what front ends that offer TFLite's Interpreter API
// (Python's labelite.interpreter, a drop-in for tflite_runtime) build on; image classification
// itself goes through Classifier.
//
// Purpose: load and verify a .tflite model, prepare it (every op resolved and checked at
// Create), then set input tensors, Invoke and read any tensor, with TFLite's index-based
// addressing: inputs()/outputs() return tensor indices of subgraph 0.
//
// Ownership and thread safety: owns its model and one interpreter (arena, thread pool). One
// thread at a time; spans returned by Data()/MutableData() stay valid until the next
// ResizeInput (which re-plans memory) or the TensorInterpreter's destruction.
//
//   TensorInterpreter::Options options;
//   LABELITE_ASSIGN_OR_RETURN(auto it, TensorInterpreter::FromFile("model.tflite", options));
//   const int in = it->inputs()[0];
//   LABELITE_ASSIGN_OR_RETURN(std::span<uint8_t> pixels, it->MutableData(in));
//   std::memcpy(pixels.data(), image, pixels.size());
//   LABELITE_RETURN_IF_ERROR(it->Invoke());
//   LABELITE_ASSIGN_OR_RETURN(std::span<const uint8_t> scores, it->Data(it->outputs()[0]));
// (The same example runs as TensorInterpreterTest.HeaderExample in
// tests/classify/tensor_interpreter_test.cc.)
#ifndef LABELITE_TENSOR_INTERPRETER_H_
#define LABELITE_TENSOR_INTERPRETER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "labelite/status.h"
#include "labelite/types.h"

namespace labelite {

// What TFLite's get_input_details() says about one tensor.
struct TensorDetails {
  int index = 0;
  std::string name;
  DataType type = DataType::kFloat32;
  std::vector<int32_t> shape;            // current shape (after ResizeInput)
  std::vector<int32_t> shape_signature;  // -1 marks a dynamic dim; the model's shape if absent
  // Quantization: empty when the tensor is not quantized; one entry per channel otherwise.
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t quantized_dimension = 0;
};

// One SignatureDef of the model: argument and result names with their tensor indices.
struct SignatureDetails {
  std::string key;
  std::vector<std::pair<std::string, int>> inputs;
  std::vector<std::pair<std::string, int>> outputs;
};

class TensorInterpreter {
 public:
  struct Options {
    KernelPath kernels = KernelPath::kFast;
    int num_threads = 1;
    // Every tensor keeps its own memory, so intermediate results can be read after Invoke.
    bool preserve_all_tensors = false;
  };

  static Result<std::unique_ptr<TensorInterpreter>> FromFile(const std::string& path,
                                                             const Options& options);
  // `name` names the model in messages.
  static Result<std::unique_ptr<TensorInterpreter>> FromBytes(std::span<const uint8_t> bytes,
                                                              const std::string& name,
                                                              const Options& options);
  ~TensorInterpreter();

  int num_tensors() const;
  const std::vector<int32_t>& inputs() const;   // tensor indices
  const std::vector<int32_t>& outputs() const;  // tensor indices
  // Errors: an index outside [0, num_tensors()) (kInvalidArgument).
  Result<TensorDetails> Details(int tensor_index) const;
  std::vector<SignatureDetails> signatures() const;

  // The tensor's bytes. Tensors without memory (unused by any operator) have an empty span.
  Result<std::span<const uint8_t>> Data(int tensor_index) const;
  // Refused for constant tensors (weights point into the model file).
  Result<std::span<uint8_t>> MutableData(int tensor_index);

  // Gives input `tensor_index` the shape `shape` and re-prepares the graph. labelite changes
  // only the batch (first) dimension, for every input alike; other dimensions must equal the
  // model's (kInvalidArgument otherwise, naming them).
  Status ResizeInput(int tensor_index, std::span<const int32_t> shape);

  Status Invoke();

 private:
  struct State;
  explicit TensorInterpreter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace labelite

#endif  // LABELITE_TENSOR_INTERPRETER_H_
