// Shared pieces of the _labelite extension module: Status -> Python exception, registration
// functions of each binding file. The module is thin: it converts types, releases the GIL
// around every call into labelite that can take time, and decides nothing.
#ifndef LABELITE_PYTHON_BINDINGS_H_
#define LABELITE_PYTHON_BINDINGS_H_

#include <nanobind/nanobind.h>

#include <exception>
#include <string>

#include "labelite/status.h"

namespace labelite::python {

namespace nb = nanobind;

// A failed Status on its way to Python. `fallback` is the origin to report when the library
// left the Status untagged (the binding knows what it was asked to do).
class StatusError : public std::exception {
 public:
  StatusError(Status status, ErrorOrigin fallback) : status_(std::move(status)), fallback_(fallback) {}
  const char* what() const noexcept override { return status_.message().c_str(); }
  const Status& status() const { return status_; }
  ErrorOrigin origin() const;

 private:
  Status status_;
  ErrorOrigin fallback_;
};

// The origin of an untagged Status from what the call was about and the kind of failure.
ErrorOrigin OriginFor(const Status& status, ErrorOrigin fallback);

// (origin name, code name, message) for labelite._errors.from_status.
nb::tuple StatusTuple(const Status& status, ErrorOrigin fallback);

[[noreturn]] inline void Throw(const Status& status, ErrorOrigin fallback) {
  throw StatusError(status, fallback);
}

void RegisterErrors(nb::module_& m);
void RegisterClassifier(nb::module_& m);
void RegisterInterpreter(nb::module_& m);
void RegisterLabels(nb::module_& m);

}  // namespace labelite::python

#endif  // LABELITE_PYTHON_BINDINGS_H_
