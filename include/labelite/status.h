// Status and Result<T>: labelite's error values.
//
// Every fallible function returns a Status (or a Result<T>, which holds either a T or a
// non-OK Status). Messages say what, where and the values, e.g.
//   "model.tflite: CONV_2D (operator 7): filter has 3 input channels, input has 4".
// No exceptions cross the library boundary.
//
//   Result<int> Parse(std::string_view s);
//   LABELITE_ASSIGN_OR_RETURN(int n, Parse("12"));
//   LABELITE_RETURN_IF_ERROR(DoThing(n));
#ifndef LABELITE_STATUS_H_
#define LABELITE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace labelite {

// Named error kinds. The CLI maps them to exit codes (see cli/exit_codes.h).
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // a caller/usage error (bad option value, wrong input size)
  kNotFound,         // a file, tensor, label or table that does not exist
  kIoError,          // the OS refused to read or write
  kInvalidModel,     // the .tflite file is malformed or inconsistent
  kUnsupported,      // valid, but labelite cannot run it (op, type)
  kInvalidImage,     // an image that cannot be decoded or is too large
  kInvalidLabels,    // a label source that cannot be parsed or does not fit the model
  kResourceExhausted,// a configured limit was exceeded
  kInternal,         // a bug in labelite
};

const char* StatusCodeName(StatusCode code);

// What the failing thing was to the caller: the CLI's exit code, the server's HTTP status and
// the Python exception follow the origin, not the kind (a missing label file is kNotFound like a
// missing model, but it is a labels problem). The first layer that knows what role the failing
// thing plays tags the Status (WithOrigin keeps an origin once set).
enum class ErrorOrigin {
  kUnknown = 0,
  kUsage,   // the command line / API call itself (bad option value, conflicting options)
  kInput,   // an input to classify: an image file, bytes or array
  kModel,   // the .tflite model: read, verify, prepare, run
  kLabels,  // a label source: file, embedded file, database, URL; or labels that do not fit
};
const char* ErrorOriginName(ErrorOrigin origin);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  Status(StatusCode code, std::string message, ErrorOrigin origin)
      : code_(code), message_(std::move(message)), origin_(origin) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  ErrorOrigin origin() const { return origin_; }
  // A copy tagged with `origin`, unless it already has one (the innermost tag wins).
  Status WithOrigin(ErrorOrigin origin) const;

  // Returns a copy whose message is "<prefix>: <message>" (used to add the file name).
  Status WithPrefix(std::string_view prefix) const;
  // "OK" or the message.
  std::string ToString() const { return ok() ? "OK" : message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  ErrorOrigin origin_ = ErrorOrigin::kUnknown;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status InvalidModel(std::string m) { return {StatusCode::kInvalidModel, std::move(m)}; }
inline Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
inline Status InvalidImage(std::string m) { return {StatusCode::kInvalidImage, std::move(m)}; }
inline Status InvalidLabels(std::string m) { return {StatusCode::kInvalidLabels, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}                    // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace labelite

#define LABELITE_CONCAT_INNER_(a, b) a##b
#define LABELITE_CONCAT_(a, b) LABELITE_CONCAT_INNER_(a, b)

#define LABELITE_RETURN_IF_ERROR(expr)                 \
  do {                                                 \
    ::labelite::Status labelite_status_ = (expr);      \
    if (!labelite_status_.ok()) return labelite_status_; \
  } while (0)

#define LABELITE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

#define LABELITE_ASSIGN_OR_RETURN(lhs, expr) \
  LABELITE_ASSIGN_OR_RETURN_IMPL_(LABELITE_CONCAT_(labelite_result_, __LINE__), lhs, expr)

#endif  // LABELITE_STATUS_H_
