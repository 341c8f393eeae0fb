// KernelTester (test-only): builds a one-op .tflite model with ModelBuilder, runs it through
// labelite's Interpreter with exactly one kernel (a ListOpResolver), and runs the same model
// bytes and inputs through the TFLite oracle.
//
//   KernelTester t(kConv2D, CreateReferenceConv2D);
//   int in = t.Input<uint8_t>(DataType::kUInt8, {1, 4, 4, 2}, pixels, Quant(0.5f, 128));
//   int w = t.Const<uint8_t>(DataType::kUInt8, {3, 2, 2, 2}, weights, Quant(0.1f, 120));
//   int out = t.Output(DataType::kUInt8, {1, 4, 4, 3}, Quant(0.7f, 100));
//   t.Op({in, w, -1}, options);
//   ASSERT_TRUE(t.Run().ok());
//   std::vector<uint8_t> ours = t.OutputValues<uint8_t>();
//   LABELITE_EXPECT_MATCHES_ORACLE(t, 1.0);   // skips when the oracle is not installed
//
// Thread safety: none (one tester per test). Lifetime: self-contained; the interpreter and model
// live in the tester until the next Run().
#ifndef LABELITE_TESTS_TESTING_KERNEL_TESTER_H_
#define LABELITE_TESTS_TESTING_KERNEL_TESTER_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <type_traits>
#include <string>
#include <vector>

#include "labelite/status.h"
#include "labelite/types.h"
#include "model/model.h"
#include "runtime/interpreter.h"
#include "runtime/kernel.h"
#include "testing/litert.h"
#include "testing/model_builder.h"
#include "testing/oracle.h"
#include "testing/testdata.h"

namespace labelite::testing {

// TFLite builtin codes of the ops the tester is used with.
inline constexpr int32_t kOpAdd = 0, kOpAveragePool2D = 1, kOpConv2D = 3,
                         kOpDepthwiseConv2D = 4, kOpFullyConnected = 9, kOpLogistic = 14,
                         kOpMaxPool2D = 17, kOpMul = 18, kOpSoftmax = 25, kOpTanh = 28,
                         kOpMean = 40, kOpSub = 41;

template <typename T>
std::vector<uint8_t> ToBytes(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

class KernelTester {
 public:
  KernelTester(int32_t builtin_code, KernelFactory factory)
      : code_(builtin_code), factory_(factory) {}

  // A runtime input of the model, with the values the test feeds it.
  template <typename T>
  int Input(DataType type, std::vector<int32_t> shape, const std::vector<T>& values,
            QuantizationParams quant = {}) {
    const int index = builder_.AddTensor(type, std::move(shape), "input" +
                                         std::to_string(inputs_.size()), std::move(quant));
    inputs_.push_back(index);
    input_bytes_.push_back(ToBytes(values));
    return index;
  }
  // A constant tensor (weights, bias, axis).
  template <typename T>
  int Const(DataType type, std::vector<int32_t> shape, const std::vector<T>& values,
            QuantizationParams quant = {}) {
    return builder_.AddConstTensor<T>(type, std::move(shape), values, std::move(quant));
  }
  // The op's output; `shape` is what the model file records (TFLite re-infers it). Ops with
  // several outputs (SPLIT, UNPACK) call it once per output, in order.
  int Output(DataType type, std::vector<int32_t> shape, QuantizationParams quant = {});
  void Op(std::vector<int32_t> inputs, const OpOptions& options = {}, int32_t version = 1);

  std::vector<uint8_t> ModelBytes() const;

  // Runs the model through labelite's Interpreter with only this op's reference kernel.
  Status Run();
  const std::vector<int32_t>& output_dims(size_t i = 0) const { return output_dims_[i]; }
  size_t num_outputs() const { return outputs_.size(); }
  template <typename T>
  std::vector<T> OutputValues(size_t i = 0) const {
    const std::vector<uint8_t>& bytes = output_bytes_[i];
    std::vector<T> v(bytes.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
    return v;
  }
  // Output values widened to double (for comparisons).
  std::vector<double> OutputAsDouble(size_t i = 0) const;

  // Runs the same model and inputs through TFLite.
  OracleResult RunOracle() const;
  // Runs the same model and inputs through native LiteRT on each of `paths`.
  std::vector<OracleResult> RunLiteRt(const std::vector<LiteRtPath>& paths) const;

 private:
  int32_t code_;
  KernelFactory factory_;
  ModelBuilder builder_;
  std::vector<int32_t> inputs_;
  std::vector<std::vector<uint8_t>> input_bytes_;
  std::vector<int32_t> outputs_;
  std::vector<DataType> output_types_;
  std::vector<std::vector<int32_t>> output_dims_;
  std::vector<std::vector<uint8_t>> output_bytes_;
};

// Deterministic pseudo-random values in [lo, hi] (integers for integral T).
template <typename T>
std::vector<T> RandomValues(size_t n, double lo, double hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<T> v(n);
  if constexpr (std::is_floating_point_v<T>) {
    std::uniform_real_distribution<double> dist(lo, hi);
    for (auto& x : v) x = static_cast<T>(dist(rng));
  } else {
    std::uniform_int_distribution<int64_t> dist(static_cast<int64_t>(lo), static_cast<int64_t>(hi));
    for (auto& x : v) x = static_cast<T>(dist(rng));
  }
  return v;
}

// Fails the current test unless `actual` and `expected` have the same size and every element
// is within `tolerance`; reports the first few differences and `what`.
void ExpectAllNear(const std::vector<double>& actual, const std::vector<double>& expected,
                   double tolerance, const std::string& what);

// See LABELITE_EXPECT_MATCHES_LITERT.
void ExpectMatchesLiteRt(const KernelTester& tester, const std::vector<LiteRtPath>& paths,
                         double tolerance);

}  // namespace labelite::testing

// Compares the tester's last Run() with TFLite within `tolerance`. Skips the test (after the
// checks before it) when the oracle is not installed, unless LABELITE_REQUIRE_ORACLE=1.
#define LABELITE_EXPECT_MATCHES_ORACLE(tester, tolerance)                                      \
  do {                                                                                         \
    const ::labelite::testing::OracleResult oracle_result_ = (tester).RunOracle();             \
    if (!oracle_result_.available) {                                                           \
      if (::labelite::testing::OracleRequired()) FAIL() << oracle_result_.error;               \
      GTEST_SKIP() << oracle_result_.error;                                                    \
    }                                                                                          \
    ASSERT_TRUE(oracle_result_.ran) << oracle_result_.error;                                   \
    ASSERT_EQ(oracle_result_.outputs.size(), 1u);                                              \
    EXPECT_EQ(oracle_result_.outputs[0].shape, (tester).output_dims());                        \
    ::labelite::testing::ExpectAllNear((tester).OutputAsDouble(),                              \
                                       oracle_result_.outputs[0].values, (tolerance),          \
                                       "TFLite oracle (" + oracle_result_.runtime + ")");      \
  } while (0)

// Compares every output of `tester`'s last Run() with native LiteRT on `paths` (LiteRtPath
// values) within `tolerance`. Skips the test when LiteRT is not installed, unless
// LABELITE_REQUIRE_ORACLE=1 (then fails).
#define LABELITE_EXPECT_MATCHES_LITERT(tester, paths, tolerance) \
  ::labelite::testing::ExpectMatchesLiteRt((tester), paths, (tolerance))
// Both native LiteRT paths (its reference and its optimized builtin kernels).
#define LABELITE_EXPECT_MATCHES_LITERT_BOTH(tester, tolerance)                              \
  ::labelite::testing::ExpectMatchesLiteRt(                                                 \
      (tester), {::labelite::testing::LiteRtPath::kBuiltinRef,                              \
                 ::labelite::testing::LiteRtPath::kBuiltin}, (tolerance))

#endif  // LABELITE_TESTS_TESTING_KERNEL_TESTER_H_
