#include "testing/kernel_tester.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "runtime/op_resolver.h"

namespace labelite::testing {

int KernelTester::Output(DataType type, std::vector<int32_t> shape, QuantizationParams quant) {
  output_ = builder_.AddTensor(type, std::move(shape), "output", std::move(quant));
  output_type_ = type;
  return output_;
}

void KernelTester::Op(std::vector<int32_t> inputs, const OpOptions& options) {
  builder_.AddOperator(code_, std::move(inputs), {output_}, options);
  builder_.SetInputs(inputs_);
  builder_.SetOutputs({output_});
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
  const Tensor* out = interp->output(0);
  output_dims_ = out->dims;
  output_bytes_.assign(out->data, out->data + out->bytes);
  return Status::Ok();
}

std::vector<double> KernelTester::OutputAsDouble() const {
  switch (output_type_) {
    case DataType::kFloat32: {
      const auto v = OutputValues<float>();
      return {v.begin(), v.end()};
    }
    case DataType::kUInt8: {
      const auto v = OutputValues<uint8_t>();
      return {v.begin(), v.end()};
    }
    case DataType::kInt8: {
      const auto v = OutputValues<int8_t>();
      return {v.begin(), v.end()};
    }
    case DataType::kInt32: {
      const auto v = OutputValues<int32_t>();
      return {v.begin(), v.end()};
    }
    default:
      return {};
  }
}

OracleResult KernelTester::RunOracle() const { return testing::RunOracle(ModelBytes(), input_bytes_); }

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
