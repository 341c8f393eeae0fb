#include "labelite/status.h"

namespace labelite {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kIoError: return "I/O error";
    case StatusCode::kInvalidModel: return "invalid model";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kInvalidImage: return "invalid image";
    case StatusCode::kInvalidLabels: return "invalid labels";
    case StatusCode::kResourceExhausted: return "resource exhausted";
    case StatusCode::kInternal: return "internal error";
  }
  return "unknown";
}

const char* ErrorOriginName(ErrorOrigin origin) {
  switch (origin) {
    case ErrorOrigin::kUnknown: return "unknown";
    case ErrorOrigin::kUsage: return "usage";
    case ErrorOrigin::kInput: return "input";
    case ErrorOrigin::kModel: return "model";
    case ErrorOrigin::kLabels: return "labels";
  }
  return "unknown";
}

Status Status::WithOrigin(ErrorOrigin origin) const {
  if (ok() || origin_ != ErrorOrigin::kUnknown) return *this;
  return Status(code_, message_, origin);
}

Status Status::WithPrefix(std::string_view prefix) const {
  if (ok()) return *this;
  std::string m(prefix);
  m += ": ";
  m += message_;
  return Status(code_, std::move(m), origin_);
}

}  // namespace labelite
