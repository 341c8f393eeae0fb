// Whole models on the fast path (XNNPACK kernels, reference fallback) against TFLite run with
// its XNNPACK delegate (golden/raw). Every golden file present is run. For each output:
//   - the top-1 class equals the golden's;
//   - the largest difference to the golden is no larger than that of TFLite's own builtin
//     kernels (golden/raw-builtin, same file name) to the golden;
//   - the exact-match rate and the largest difference are no worse than the per-model
//     thresholds recorded below (measured on Debian 12's XNNPACK, 2022-02);
//   - float outputs stay within 1e-5.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "kernels/registry.h"
#include "runtime/interpreter.h"
#include "testing/golden.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using testing::GoldenCase;

// Per model (file name without .tflite): the lowest accepted exact-match rate and the largest
// accepted difference (in the output's own units) over all its golden inputs.
struct Threshold {
  double min_exact_rate;
  double max_diff;
};
const std::map<std::string, Threshold>& Thresholds() {
  static const std::map<std::string, Threshold> kThresholds = {
      {"automl_labeler_model", {1.0, 0.0}},
      {"mobilenet_v1_0.25_128_quant", {1.0, 0.0}},
      {"mobilenet_v1_0.25_224_1_default_1", {0.0, 1e-5}},
      {"mobilenet_v1_0.25_224_1_metadata_1", {0.0, 1e-5}},
      {"mobilenet_v1_0.25_224_quant", {1.0, 0.0}},
      {"mobilenet_v1_0.25_224_quant_without_subgraph_metadata", {1.0, 0.0}},
      {"mobilenet_v1_0.5_160_quant", {1.0, 0.0}},
      {"mobilenet_v2_1.0_224_inat_bird_quant", {1.0, 0.0}},
      {"mobilenet_v2_1.0_224_quant", {1.0, 0.0}},
      {"tf2_mobilenet_v2_1.0_224_ptq", {1.0, 0.0}},
  };
  return kThresholds;
}

double ValueAt(const Tensor& t, size_t i) {
  switch (t.type) {
    case DataType::kFloat32: return t.data_as<float>()[i];
    case DataType::kUInt8: return t.data_as<uint8_t>()[i];
    case DataType::kInt8: return t.data_as<int8_t>()[i];
    case DataType::kInt32: return t.data_as<int32_t>()[i];
    default: return NAN;
  }
}

size_t ArgMax(const std::vector<double>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

double MaxDiff(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
  return d;
}

// Runs a case on the fast path; returns the outputs, or false with *error.
bool RunFast(const GoldenCase& golden, std::vector<std::vector<double>>* outputs,
             Status* status, std::string* error) {
  auto model = Model::FromFile(testing::ModelPath(golden.model));
  if (!model.ok()) return *error = model.status().message(), false;
  auto interp = Interpreter::Create(*model, BuiltinOpResolver(), {KernelPath::kFast, 1});
  if (!interp.ok()) {
    *status = interp.status();
    return *error = interp.status().message(), false;
  }
  std::vector<uint8_t> input;
  if (!testing::MakeGoldenInput(golden, &input, error)) return false;
  Tensor* in = (*interp)->input(0);
  if (in->bytes != input.size()) return *error = "input size mismatch", false;
  std::memcpy(in->data, input.data(), input.size());
  if (Status s = (*interp)->Invoke(); !s.ok()) return *error = s.message(), false;
  outputs->clear();
  for (size_t o = 0; o < golden.outputs.size(); ++o) {
    const Tensor* out = (*interp)->output(static_cast<int>(o));
    std::vector<double> values(static_cast<size_t>(out->NumElements()));
    for (size_t i = 0; i < values.size(); ++i) values[i] = ValueAt(*out, i);
    outputs->push_back(std::move(values));
  }
  return true;
}

#if defined(__x86_64__)
constexpr bool kGoldenIsa = true;
#else
constexpr bool kGoldenIsa = false;
#endif

TEST(XnnpackGolden, FastPathMatchesTfliteXnnpackDelegate) {
  const std::string raw_dir = testing::GoldenDir() + "/raw";
  const auto files = testing::ListGoldenFiles(raw_dir);
  ASSERT_FALSE(files.empty()) << "no golden files under " << raw_dir;
  int checked = 0;
  for (const std::string& file : files) {
    GoldenCase golden, builtin;
    std::string error;
    ASSERT_TRUE(testing::LoadGolden(file, &golden, &error)) << error;
    const std::string builtin_file =
        testing::GoldenDir() + "/raw-builtin/" + std::filesystem::path(file).filename().string();
    const bool has_builtin = testing::LoadGolden(builtin_file, &builtin, &error);
    std::vector<std::vector<double>> outputs;
    Status status;
    if (!RunFast(golden, &outputs, &status, &error)) {
      ADD_FAILURE() << golden.file << ": " << error;
      continue;
    }
    const std::string stem = golden.model.substr(0, golden.model.rfind(".tflite"));
    const auto threshold = Thresholds().find(stem);
    for (size_t o = 0; o < golden.outputs.size(); ++o) {
      const std::vector<double>& want = golden.outputs[o].values;
      ASSERT_EQ(outputs[o].size(), want.size()) << golden.file;
      size_t exact = 0;
      for (size_t i = 0; i < want.size(); ++i) exact += outputs[o][i] == want[i];
      const double rate = static_cast<double>(exact) / static_cast<double>(want.size());
      const double diff = MaxDiff(outputs[o], want);
      const double builtin_diff =
          has_builtin && o < builtin.outputs.size() ? MaxDiff(builtin.outputs[o].values, want) : 0;
      std::printf("[  GOLDEN  ] %-58s out%zu exact %5.1f%% max diff %-10g (builtin %g)\n",
                  golden.file.c_str(), o, 100.0 * rate, diff, builtin_diff);
      if (kGoldenIsa) {
        EXPECT_EQ(ArgMax(outputs[o]), ArgMax(want)) << golden.file << ": top-1 differs";
      } else {
        // Another CPU's XNNPACK kernels may flip a near-tie: our top class must score, in the
        // golden, within TFLite's own builtin-vs-XNNPACK gap of the golden's top class.
        const double top = want[ArgMax(want)];
        EXPECT_LE(top - want[ArgMax(outputs[o])], builtin_diff)
            << golden.file << ": top-1 differs by more than TFLite's own gap";
      }
      const bool is_float = golden.outputs[o].dtype == "float32";
      if (has_builtin) {
        EXPECT_LE(diff, std::max(builtin_diff, is_float ? 1e-5 : 0.0))
            << golden.file << ": further from the golden than TFLite's builtin kernels";
      }
      if (is_float) {
        EXPECT_LE(diff, 1e-5) << golden.file;
      }
      // The thresholds hold on x86, where XNNPACK's kernels are those that made the goldens. On
      // other CPUs XNNPACK runs other kernels (arm64: rndnu requantization), so there the rule
      // is TFLite's own gap above.
      if (threshold != Thresholds().end() && kGoldenIsa) {
        EXPECT_GE(rate, threshold->second.min_exact_rate) << golden.file;
        EXPECT_LE(diff, threshold->second.max_diff) << golden.file;
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 20);
}

}  // namespace
}  // namespace labelite
