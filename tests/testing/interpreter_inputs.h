// CopyInputs (test-only): copies one byte vector into each input tensor of an Interpreter,
// failing the current test (and returning false) when a size differs.
#ifndef LABELITE_TESTS_TESTING_INTERPRETER_INPUTS_H_
#define LABELITE_TESTS_TESTING_INTERPRETER_INPUTS_H_

#include <cstdint>
#include <vector>

#include "runtime/interpreter.h"

namespace labelite::testing {

bool CopyInputs(Interpreter& interpreter, const std::vector<std::vector<uint8_t>>& inputs);

}  // namespace labelite::testing

#endif  // LABELITE_TESTS_TESTING_INTERPRETER_INPUTS_H_
