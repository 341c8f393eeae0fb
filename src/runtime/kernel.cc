#include "runtime/kernel.h"

namespace labelite {

Status KernelContext::Error(const std::string& message) const {
  return InvalidModel(op->name + " (operator " + std::to_string(op_index) + "): " + message);
}

Status KernelContext::UnsupportedError(const std::string& message) const {
  return Unsupported(op->name + " (operator " + std::to_string(op_index) + "): " + message);
}

}  // namespace labelite
