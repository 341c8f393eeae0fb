// Test-only helpers of the part-B kernel tests (layout ops, activations, (de)quantize, resize):
// run one reference kernel on a ModelBuilder model through the Interpreter, and compare with
// TFLite (the oracle) when it is installed.
#ifndef LABELITE_TESTS_KERNELS_SINGLE_OP_B_H_
#define LABELITE_TESTS_KERNELS_SINGLE_OP_B_H_

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "model/model.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"
#include "testing/model_builder.h"
#include "testing/oracle.h"
#include "testing/testdata.h"

namespace labelite::testing {

template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

template <typename T>
std::vector<T> Values(const std::vector<uint8_t>& b) {
  std::vector<T> v(b.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(T));
  return v;
}

struct OpOutput {
  Status status;
  std::vector<int32_t> dims;
  std::vector<uint8_t> bytes;
};

// Runs output 0 of a single-op model with `factory` as the op's only kernel.
inline OpOutput RunReference(int32_t code, KernelFactory factory, const std::vector<uint8_t>& model,
                             const std::vector<std::vector<uint8_t>>& inputs) {
  OpOutput r;
  auto m = Model::FromBytes(model, "op.tflite");
  if (!m.ok()) {
    r.status = m.status();
    return r;
  }
  ListOpResolver resolver({KernelRegistration{code, "OP", factory, nullptr}});
  InterpreterOptions options;
  options.kernels = KernelPath::kReference;
  auto interp = Interpreter::Create(*m, resolver, options);
  if (!interp.ok()) {
    r.status = interp.status();
    return r;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    Tensor* t = (*interp)->input(static_cast<int>(i));
    if (t->bytes != inputs[i].size()) {
      r.status = InvalidArgument("input " + std::to_string(i) + " has " + std::to_string(t->bytes) +
                                 " bytes, test gave " + std::to_string(inputs[i].size()));
      return r;
    }
    if (t->bytes) std::memcpy(t->data, inputs[i].data(), t->bytes);
  }
  r.status = (*interp)->Invoke();
  if (!r.status.ok()) return r;
  const Tensor* out = (*interp)->output(0);
  r.dims = out->dims;
  r.bytes.assign(out->data, out->data + out->bytes);
  return r;
}

// Compares `ours` (values of output 0) with TFLite's within `tolerance`. When the oracle is not
// installed, prints why and returns (fails instead when LABELITE_REQUIRE_ORACLE=1).
template <typename T>
void ExpectMatchesOracle(const std::vector<uint8_t>& model, const std::vector<std::vector<uint8_t>>& inputs,
                         const std::vector<int32_t>& dims, const std::vector<T>& ours, double tolerance) {
  const OracleResult o = RunOracle(model, inputs);
  if (!o.available) {
    if (OracleRequired()) ADD_FAILURE() << "oracle required: " << o.error;
    else std::printf("[  NOTE    ] oracle not available: %s\n", o.error.c_str());
    return;
  }
  ASSERT_TRUE(o.ran) << "TFLite could not run the model: " << o.error;
  ASSERT_FALSE(o.outputs.empty());
  const OracleTensor& t = o.outputs[0];
  if (!(t.shape.empty() && dims.empty())) {
    EXPECT_EQ(t.shape, dims) << "output shape";
  }
  ASSERT_EQ(t.values.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i)
    ASSERT_LE(std::fabs(static_cast<double>(ours[i]) - t.values[i]), tolerance)
        << "element " << i << ": labelite " << static_cast<double>(ours[i]) << ", TFLite " << t.values[i];
}

}  // namespace labelite::testing

#endif  // LABELITE_TESTS_KERNELS_SINGLE_OP_B_H_
