#include "testing/interpreter_inputs.h"

#include <gtest/gtest.h>

#include <cstring>

namespace labelite::testing {

bool CopyInputs(Interpreter& interpreter, const std::vector<std::vector<uint8_t>>& inputs) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    Tensor* t = interpreter.input(static_cast<int>(i));
    EXPECT_EQ(t->bytes, inputs[i].size()) << "input " << i;
    if (t->bytes != inputs[i].size()) return false;
    if (!inputs[i].empty()) std::memcpy(t->data, inputs[i].data(), inputs[i].size());
  }
  return true;
}

}  // namespace labelite::testing
