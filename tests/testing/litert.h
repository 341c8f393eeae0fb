// RunLiteRt (test-only): runs a .tflite file through native LiteRT (the ai_edge_litert Python
// package) with TFLite's reference kernels or its optimized builtin kernels, and returns the
// outputs. The interpreter is LABELITE_LITERT_PYTHON (default: <source>/build/venv/bin/python,
// made by scripts/setup-venv.sh); tests skip when it is absent (fail with
// LABELITE_REQUIRE_ORACLE=1).
//
//   auto r = RunLiteRt(model_bytes, {input_bytes}, {LiteRtPath::kBuiltin});
//   if (!r[0].available) GTEST_SKIP() << r[0].error;
//   EXPECT_EQ(r[0].outputs[0].values, ...);
#ifndef LABELITE_TESTS_TESTING_LITERT_H_
#define LABELITE_TESTS_TESTING_LITERT_H_

#include <cstdint>
#include <vector>

#include "testing/oracle.h"

namespace labelite::testing {

enum class LiteRtPath {
  kBuiltinRef,  // OpResolverType.BUILTIN_REF: TFLite's reference kernels
  kBuiltin,     // BUILTIN_WITHOUT_DEFAULT_DELEGATES: its optimized builtin kernels
};
const char* LiteRtPathName(LiteRtPath path);

// `inputs`: raw bytes of each input tensor, in model input order. One result per path (one
// Python process for all of them).
std::vector<OracleResult> RunLiteRt(const std::vector<uint8_t>& model,
                                    const std::vector<std::vector<uint8_t>>& inputs,
                                    const std::vector<LiteRtPath>& paths);

}  // namespace labelite::testing

#endif  // LABELITE_TESTS_TESTING_LITERT_H_
