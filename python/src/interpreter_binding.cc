// _labelite._Interpreter: labelite::TensorInterpreter for labelite.interpreter.Interpreter,
// the tflite_runtime drop-in (python/labelite/interpreter.py holds TFLite's API and messages).
//
// view(i) hands out numpy arrays over the tensor's own memory whose base keeps this object
// alive; the Python side counts references to this object to refuse a resize or invoke while
// such views exist, exactly as tflite_runtime does.
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstring>

#include "bindings.h"
#include "labelite/tensor_interpreter.h"

namespace labelite::python {

namespace {

using Bytes = nb::ndarray<const uint8_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using AnyArray = nb::ndarray<nb::ro, nb::c_contig, nb::device::cpu>;

class PyInterpreter {
 public:
  // model_path is used when model_bytes is None; model_name names byte models in messages.
  PyInterpreter(const std::string& model_path, std::optional<Bytes> model_bytes,
                const std::string& model_name, int num_threads, const std::string& kernels,
                bool preserve_all_tensors) {
    TensorInterpreter::Options o;
    o.num_threads = num_threads;
    o.kernels = kernels == "reference" ? KernelPath::kReference : KernelPath::kFast;
    o.preserve_all_tensors = preserve_all_tensors;
    Result<std::unique_ptr<TensorInterpreter>> it = [&] {
      nb::gil_scoped_release release;
      if (model_bytes)
        return TensorInterpreter::FromBytes(std::span<const uint8_t>(model_bytes->data(), model_bytes->size()),
                                            model_name, o);
      return TensorInterpreter::FromFile(model_path, o);
    }();
    if (!it.ok()) Throw(it.status(), ErrorOrigin::kModel);
    it_ = std::move(*it);
  }

  int NumTensors() const { return it_->num_tensors(); }
  std::vector<int32_t> Inputs() const { return it_->inputs(); }
  std::vector<int32_t> Outputs() const { return it_->outputs(); }

  // (name, index, shape, shape_signature, dtype name, scales, zero_points, quantized_dimension)
  nb::tuple Details(int index) const {
    Result<TensorDetails> d = it_->Details(index);
    if (!d.ok()) Throw(d.status(), ErrorOrigin::kUsage);
    return nb::make_tuple(d->name, d->index, d->shape, d->shape_signature,
                          std::string(DataTypeName(d->type)), d->scales, d->zero_points,
                          d->quantized_dimension);
  }

  nb::list Signatures() const {
    nb::list out;
    for (const SignatureDetails& s : it_->signatures()) out.append(nb::make_tuple(s.key, s.inputs, s.outputs));
    return out;
  }

  // A flat uint8 view of the tensor's bytes (read-only for constants).
  nb::object View(int index) {
    nb::handle self = nb::find(this);
    static const uint8_t kEmpty = 0;
    Result<TensorDetails> d = it_->Details(index);
    if (!d.ok()) Throw(d.status(), ErrorOrigin::kUsage);
    Result<std::span<uint8_t>> data = it_->MutableData(index);
    if (!data.ok()) {  // a constant
      Result<std::span<const uint8_t>> ro = it_->Data(index);
      if (!ro.ok()) Throw(ro.status(), ErrorOrigin::kUsage);
      const uint8_t* p = ro->empty() ? &kEmpty : ro->data();
      return nb::cast(nb::ndarray<nb::numpy, const uint8_t, nb::ndim<1>>(p, {ro->size()}, self));
    }
    uint8_t* p = data->empty() ? const_cast<uint8_t*>(&kEmpty) : data->data();
    return nb::cast(nb::ndarray<nb::numpy, uint8_t, nb::ndim<1>>(p, {data->size()}, self));
  }

  // Copies `value` (already checked for dtype and shape by the caller) into the tensor.
  void SetBytes(int index, AnyArray value) {
    Result<std::span<uint8_t>> data = it_->MutableData(index);
    if (!data.ok()) Throw(data.status(), ErrorOrigin::kUsage);
    if (value.nbytes() != data->size())
      Throw(Status(StatusCode::kInvalidArgument,
                   "Cannot set tensor: got " + std::to_string(value.nbytes()) + " bytes but tensor " +
                       std::to_string(index) + " has " + std::to_string(data->size()),
                   ErrorOrigin::kUsage),
            ErrorOrigin::kUsage);
    if (!data->empty()) std::memcpy(data->data(), value.data(), data->size());
  }

  void ResizeInput(int index, const std::vector<int32_t>& shape) {
    Status s;
    {
      nb::gil_scoped_release release;
      s = it_->ResizeInput(index, shape);
    }
    if (!s.ok()) Throw(s, ErrorOrigin::kUsage);
  }

  void Invoke() {
    Status s;
    {
      nb::gil_scoped_release release;
      s = it_->Invoke();
    }
    if (!s.ok()) Throw(s, ErrorOrigin::kModel);
  }

 private:
  std::unique_ptr<TensorInterpreter> it_;
};

}  // namespace

void RegisterInterpreter(nb::module_& m) {
  nb::class_<PyInterpreter>(m, "_Interpreter")
      .def(nb::init<const std::string&, std::optional<Bytes>, const std::string&, int, const std::string&, bool>(),
           nb::arg("model_path"), nb::arg("model_bytes").none(), nb::arg("model_name"), nb::arg("num_threads"),
           nb::arg("kernels"), nb::arg("preserve_all_tensors"))
      .def("num_tensors", &PyInterpreter::NumTensors)
      .def("inputs", &PyInterpreter::Inputs)
      .def("outputs", &PyInterpreter::Outputs)
      .def("details", &PyInterpreter::Details)
      .def("signatures", &PyInterpreter::Signatures)
      .def("view", &PyInterpreter::View)
      .def("set_bytes", &PyInterpreter::SetBytes)
      .def("resize_input", &PyInterpreter::ResizeInput)
      .def("invoke", &PyInterpreter::Invoke);
}

}  // namespace labelite::python
