// The _labelite extension module: labelite's C++ API for the pure-Python package `labelite`.
#include <nanobind/stl/string.h>

#include "bindings.h"

namespace labelite::python {

ErrorOrigin OriginFor(const Status& status, ErrorOrigin fallback) {
  if (status.origin() != ErrorOrigin::kUnknown) return status.origin();
  switch (status.code()) {
    case StatusCode::kInvalidLabels: return ErrorOrigin::kLabels;
    case StatusCode::kInvalidImage: return ErrorOrigin::kInput;
    case StatusCode::kInvalidArgument:  // a bad option when loading, a bad input when running
      return fallback == ErrorOrigin::kModel ? ErrorOrigin::kUsage : fallback;
    case StatusCode::kInvalidModel:
    case StatusCode::kUnsupported: return fallback == ErrorOrigin::kInput ? ErrorOrigin::kModel : fallback;
    default: return fallback;
  }
}

ErrorOrigin StatusError::origin() const { return OriginFor(status_, fallback_); }

nb::tuple StatusTuple(const Status& status, ErrorOrigin fallback) {
  return nb::make_tuple(ErrorOriginName(OriginFor(status, fallback)), StatusCodeName(status.code()),
                        status.message());
}

void RegisterErrors(nb::module_&) {
  // labelite._errors builds the exception (class from origin and code) so that a batch's
  // per-item errors and raised errors are the same objects.
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const StatusError& e) {
      nb::object errors = nb::module_::import_("labelite._errors");
      nb::object exc = errors.attr("from_status")(ErrorOriginName(e.origin()),
                                                  StatusCodeName(e.status().code()),
                                                  e.status().message());
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
    }
  });
}

}  // namespace labelite::python

NB_MODULE(_labelite, m) {
  using namespace labelite::python;
  m.doc() = "labelite's C++ core (use the `labelite` package, not this module)";
  RegisterErrors(m);
  RegisterClassifier(m);
  RegisterInterpreter(m);
  RegisterLabels(m);
}
