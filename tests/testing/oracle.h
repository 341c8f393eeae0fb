// RunOracle (test-only): runs a .tflite file through real TFLite and returns its outputs: by
// default tools/tflite-oracle (a WebAssembly build of TFLite with XNNPACK, under node); with
// LABELITE_ORACLE_PYTHON set to a Python that has ai-edge-litert (build/venv/bin/python from
// scripts/setup-venv.sh), native LiteRT through tools/litert_oracle.py, on the kernels named by
// LABELITE_ORACLE_LITERT_PATH (builtin, the default; builtin-ref; xnnpack).
//
//   auto r = RunOracle(model_bytes, {input_bytes});
//   if (!r.available) GTEST_SKIP() << r.error;   // or FAIL() when OracleRequired()
//   EXPECT_EQ(r.outputs[0].values, ...);
#ifndef LABELITE_TESTS_TESTING_ORACLE_H_
#define LABELITE_TESTS_TESTING_ORACLE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace labelite::testing {

struct OracleTensor {
  std::string name;
  std::string dtype;            // "float32", "uint8", "int8", "int32", ...
  std::vector<int32_t> shape;
  std::vector<double> values;   // raw values in the tensor's own type (not dequantized)
};

struct OracleResult {
  bool available = false;  // false: node/oracle not installed (error says why)
  bool ran = false;        // false with available: the oracle could not run the model (exit 2)
  std::string error;
  std::string runtime;
  std::vector<OracleTensor> outputs;
};

// `inputs`: raw bytes of each input tensor, in model input order (empty: the pattern37 input).
OracleResult RunOracle(const std::vector<uint8_t>& model,
                       const std::vector<std::vector<uint8_t>>& inputs = {});

}  // namespace labelite::testing

#endif  // LABELITE_TESTS_TESTING_ORACLE_H_
