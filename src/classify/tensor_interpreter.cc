#include "labelite/tensor_interpreter.h"

#include <algorithm>

#include "kernels/registry.h"
#include "model/model.h"
#include "runtime/interpreter.h"

namespace labelite {

namespace {

std::string ShapeText(std::span<const int32_t> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

}  // namespace

struct TensorInterpreter::State {
  std::shared_ptr<const Model> model;
  std::unique_ptr<Interpreter> interp;
};

TensorInterpreter::TensorInterpreter(std::unique_ptr<State> state) : state_(std::move(state)) {}
TensorInterpreter::~TensorInterpreter() = default;

namespace {

Result<std::unique_ptr<Interpreter>> MakeInterpreter(std::shared_ptr<const Model> model,
                                                     const TensorInterpreter::Options& o) {
  if (o.num_threads < 1)
    return Status(StatusCode::kInvalidArgument, "num_threads must be at least 1", ErrorOrigin::kUsage);
  InterpreterOptions io;
  io.kernels = o.kernels;
  io.num_threads = o.num_threads;
  io.preserve_intermediates = o.preserve_all_tensors;
  auto interp = Interpreter::Create(std::move(model), BuiltinOpResolver(), io);
  if (!interp.ok()) return interp.status().WithOrigin(ErrorOrigin::kModel);
  return interp;
}

}  // namespace

Result<std::unique_ptr<TensorInterpreter>> TensorInterpreter::FromFile(const std::string& path,
                                                                       const Options& options) {
  auto state = std::make_unique<State>();
  auto model = Model::FromFile(path);
  if (!model.ok()) return model.status().WithOrigin(ErrorOrigin::kModel);
  state->model = *model;
  LABELITE_ASSIGN_OR_RETURN(state->interp, MakeInterpreter(state->model, options));
  return std::unique_ptr<TensorInterpreter>(new TensorInterpreter(std::move(state)));
}

Result<std::unique_ptr<TensorInterpreter>> TensorInterpreter::FromBytes(
    std::span<const uint8_t> bytes, const std::string& name, const Options& options) {
  auto state = std::make_unique<State>();
  auto model = Model::FromBytes(bytes, name);
  if (!model.ok()) return model.status().WithOrigin(ErrorOrigin::kModel);
  state->model = *model;
  LABELITE_ASSIGN_OR_RETURN(state->interp, MakeInterpreter(state->model, options));
  return std::unique_ptr<TensorInterpreter>(new TensorInterpreter(std::move(state)));
}

int TensorInterpreter::num_tensors() const {
  return static_cast<int>(state_->interp->tensors().size());
}
const std::vector<int32_t>& TensorInterpreter::inputs() const {
  return state_->model->main_subgraph().inputs;
}
const std::vector<int32_t>& TensorInterpreter::outputs() const {
  return state_->model->main_subgraph().outputs;
}

namespace {

// TFLite's own wording, so code written against it reads the same message.
Status BadIndex(int index, int count) {
  return Status(StatusCode::kInvalidArgument,
                "Invalid tensor index " + std::to_string(index) + " exceeds max tensor index " +
                    std::to_string(count),
                ErrorOrigin::kUsage);
}

}  // namespace

Result<TensorDetails> TensorInterpreter::Details(int tensor_index) const {
  if (tensor_index < 0 || tensor_index >= num_tensors()) return BadIndex(tensor_index, num_tensors());
  const Tensor& t = state_->interp->tensors()[static_cast<size_t>(tensor_index)];
  const TensorSpec& spec = state_->model->main_subgraph().tensors[static_cast<size_t>(tensor_index)];
  TensorDetails d;
  d.index = tensor_index;
  d.name = spec.name;
  d.type = t.type;
  d.shape = t.dims;
  d.shape_signature = spec.shape_signature.empty() ? spec.shape : spec.shape_signature;
  d.scales = spec.quantization.scale;
  d.zero_points = spec.quantization.zero_point;
  d.quantized_dimension = spec.quantization.quantized_dimension;
  return d;
}

std::vector<SignatureDetails> TensorInterpreter::signatures() const {
  std::vector<SignatureDetails> out;
  for (const SignatureSpec& s : state_->model->signatures()) {
    SignatureDetails d;
    d.key = s.key;
    for (const auto& b : s.inputs) d.inputs.emplace_back(b.name, b.tensor_index);
    for (const auto& b : s.outputs) d.outputs.emplace_back(b.name, b.tensor_index);
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::span<const uint8_t>> TensorInterpreter::Data(int tensor_index) const {
  if (tensor_index < 0 || tensor_index >= num_tensors()) return BadIndex(tensor_index, num_tensors());
  const Tensor& t = state_->interp->tensors()[static_cast<size_t>(tensor_index)];
  if (t.data == nullptr) return std::span<const uint8_t>();
  return std::span<const uint8_t>(t.data, t.bytes);
}

Result<std::span<uint8_t>> TensorInterpreter::MutableData(int tensor_index) {
  if (tensor_index < 0 || tensor_index >= num_tensors()) return BadIndex(tensor_index, num_tensors());
  const Tensor& t = state_->interp->tensors()[static_cast<size_t>(tensor_index)];
  if (t.is_constant)
    return Status(StatusCode::kInvalidArgument,
                  "tensor " + std::to_string(tensor_index) + " ('" + std::string(t.name) +
                      "') is a constant of the model and cannot be written",
                  ErrorOrigin::kUsage);
  if (t.data == nullptr) return std::span<uint8_t>();
  return std::span<uint8_t>(t.data, t.bytes);
}

Status TensorInterpreter::ResizeInput(int tensor_index, std::span<const int32_t> shape) {
  const std::vector<int32_t>& in = inputs();
  if (std::find(in.begin(), in.end(), tensor_index) == in.end())
    return Status(StatusCode::kInvalidArgument,
                  "tensor " + std::to_string(tensor_index) + " is not an input of the model",
                  ErrorOrigin::kUsage);
  const Tensor& t = state_->interp->tensors()[static_cast<size_t>(tensor_index)];
  const std::vector<int32_t>& model_dims =
      state_->model->main_subgraph().tensors[static_cast<size_t>(tensor_index)].shape;
  bool same_rest = shape.size() == model_dims.size() && !shape.empty();
  for (size_t i = 1; same_rest && i < shape.size(); ++i) same_rest = shape[i] == model_dims[i];
  if (!same_rest || shape[0] < 1)
    return Status(StatusCode::kInvalidArgument,
                  "cannot resize input tensor " + std::to_string(tensor_index) + " ('" +
                      std::string(t.name) + "') from " + ShapeText(model_dims) + " to " +
                      ShapeText(shape) + ": labelite changes only the batch (first) dimension",
                  ErrorOrigin::kUsage);
  if (shape[0] == t.dims[0]) return Status::Ok();
  Status s = state_->interp->ResizeInputBatch(shape[0]);
  if (!s.ok()) return s.WithOrigin(ErrorOrigin::kModel);
  return Status::Ok();
}

Status TensorInterpreter::Invoke() {
  Status s = state_->interp->Invoke();
  if (!s.ok()) return s.WithOrigin(ErrorOrigin::kModel);
  return Status::Ok();
}

}  // namespace labelite
