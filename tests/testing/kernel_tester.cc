#include "testing/kernel_tester.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "runtime/op_resolver.h"

namespace labelite::testing {

int KernelTester::Output(DataType type, std::vector<int32_t> shape, QuantizationParams quant) {
  std::string name = "output";
  name += std::to_string(outputs_.size());
  const int index = builder_.AddTensor(type, std::move(shape), std::move(name), std::move(quant));
  outputs_.push_back(index);
  output_types_.push_back(type);
  return index;
}

void KernelTester::Op(std::vector<int32_t> inputs, const OpOptions& options, int32_t version) {
  builder_.AddOperator(code_, std::move(inputs), outputs_, options, version);
  builder_.SetInputs(inputs_);
  builder_.SetOutputs(outputs_);
}

std::vector<uint8_t> KernelTester::ModelBytes() const { return builder_.Build(); }

Status KernelTester::Run() {
  output_dims_.clear();
  output_bytes_.clear();
  LABELITE_ASSIGN_OR_RETURN(auto model, Model::FromBytes(ModelBytes(), "op.tflite"));
  const ListOpResolver resolver({KernelRegistration{code_, "OP", factory_, nullptr}});
  InterpreterOptions options;
  options.kernels = KernelPath::kReference;
  LABELITE_ASSIGN_OR_RETURN(auto interp, Interpreter::Create(model, resolver, options));
  for (size_t i = 0; i < input_bytes_.size(); ++i) {
    Tensor* t = interp->input(static_cast<int>(i));
    if (t->bytes != input_bytes_[i].size()) {
      return InvalidArgument("input " + std::to_string(i) + " takes " + std::to_string(t->bytes) +
                             " bytes, the test gave " + std::to_string(input_bytes_[i].size()));
    }
    if (t->bytes) std::memcpy(t->data, input_bytes_[i].data(), t->bytes);
  }
  LABELITE_RETURN_IF_ERROR(interp->Invoke());
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const Tensor* out = interp->output(static_cast<int>(i));
    output_dims_.push_back(out->dims);
    output_bytes_.emplace_back(out->data, out->data + out->bytes);
  }
  return Status::Ok();
}

std::vector<double> KernelTester::OutputAsDouble(size_t i) const {
  switch (output_types_[i]) {
    case DataType::kFloat32: {
      const auto v = OutputValues<float>(i);
      return {v.begin(), v.end()};
    }
    case DataType::kUInt8: {
      const auto v = OutputValues<uint8_t>(i);
      return {v.begin(), v.end()};
    }
    case DataType::kInt8: {
      const auto v = OutputValues<int8_t>(i);
      return {v.begin(), v.end()};
    }
    case DataType::kInt32: {
      const auto v = OutputValues<int32_t>(i);
      return {v.begin(), v.end()};
    }
    case DataType::kInt64: {
      const auto v = OutputValues<int64_t>(i);
      return {v.begin(), v.end()};
    }
    case DataType::kInt16: {
      const auto v = OutputValues<int16_t>(i);
      return {v.begin(), v.end()};
    }
    case DataType::kBool: {
      const auto v = OutputValues<uint8_t>(i);
      return {v.begin(), v.end()};
    }
    default:
      return {};
  }
}

OracleResult KernelTester::RunOracle() const { return testing::RunOracle(ModelBytes(), input_bytes_); }

std::vector<OracleResult> KernelTester::RunLiteRt(const std::vector<LiteRtPath>& paths) const {
  return testing::RunLiteRt(ModelBytes(), input_bytes_, paths);
}

void ExpectMatchesLiteRt(const KernelTester& tester, const std::vector<LiteRtPath>& paths,
                         double tolerance) {
  for (const OracleResult& r : tester.RunLiteRt(paths)) {
    if (!r.available) {
      if (OracleRequired()) FAIL() << r.error;
      GTEST_SKIP() << r.error;
    }
    ASSERT_TRUE(r.ran) << r.error;
    ASSERT_EQ(r.outputs.size(), tester.num_outputs()) << r.runtime;
    for (size_t o = 0; o < r.outputs.size(); ++o) {
      EXPECT_EQ(r.outputs[o].shape, tester.output_dims(o)) << r.runtime << " output " << o;
      ExpectAllNear(tester.OutputAsDouble(o), r.outputs[o].values, tolerance,
                    r.runtime + " output " + std::to_string(o));
    }
  }
}

void ExpectAllNear(const std::vector<double>& actual, const std::vector<double>& expected,
                   double tolerance, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << "versus " << what;
  std::ostringstream diffs;
  int bad = 0;
  double worst = 0.0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double d = std::abs(actual[i] - expected[i]);
    if (!(d <= tolerance)) {
      if (bad < 8) diffs << " [" << i << "] " << actual[i] << " vs " << expected[i] << ";";
      ++bad;
      worst = std::max(worst, std::isnan(d) ? INFINITY : d);
    }
  }
  EXPECT_EQ(bad, 0) << bad << " of " << actual.size() << " values differ from " << what
                    << " by more than " << tolerance << " (worst " << worst << "):" << diffs.str();
}

}  // namespace labelite::testing
