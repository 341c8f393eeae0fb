// Whole models against TFLite's builtin kernels (golden/raw-builtin): the reference path must
// reproduce quantized outputs exactly and float outputs within 1e-5. Every golden file present
// is run (new ones are picked up automatically).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "kernels/registry.h"
#include "runtime/interpreter.h"
#include "testing/golden.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using testing::GoldenCase;

// Reads one output element as a double, in the tensor's own type.
double ValueAt(const Tensor& t, size_t i) {
  switch (t.type) {
    case DataType::kFloat32: return t.data_as<float>()[i];
    case DataType::kUInt8: return t.data_as<uint8_t>()[i];
    case DataType::kInt8: return t.data_as<int8_t>()[i];
    case DataType::kInt16: return t.data_as<int16_t>()[i];
    case DataType::kInt32: return t.data_as<int32_t>()[i];
    case DataType::kInt64: return static_cast<double>(t.data_as<int64_t>()[i]);
    default: return NAN;
  }
}

struct Comparison {
  size_t total = 0, exact = 0;
  double max_diff = 0;
};

// Runs a golden case on the given kernel path; false with a message when it cannot run.
bool RunGolden(const GoldenCase& golden, KernelPath path, std::vector<Comparison>* result,
               std::string* error, Status* load_status = nullptr) {
  auto model = Model::FromFile(testing::ModelPath(golden.model));
  if (!model.ok()) {
    *error = model.status().message();
    return false;
  }
  auto interp = Interpreter::Create(*model, BuiltinOpResolver(), {path, 1});
  if (!interp.ok()) {
    if (load_status) *load_status = interp.status();
    *error = interp.status().message();
    return false;
  }
  std::vector<uint8_t> input;
  if (!testing::MakeGoldenInput(golden, &input, error)) return false;
  Tensor* in = (*interp)->input(0);
  if (in->bytes != input.size()) {
    *error = "input size mismatch";
    return false;
  }
  std::memcpy(in->data, input.data(), input.size());
  Status s = (*interp)->Invoke();
  if (!s.ok()) {
    *error = s.message();
    return false;
  }
  result->clear();
  for (size_t o = 0; o < golden.outputs.size(); ++o) {
    const Tensor* out = (*interp)->output(static_cast<int>(o));
    Comparison c;
    c.total = golden.outputs[o].values.size();
    if (static_cast<size_t>(out->NumElements()) != c.total) {
      *error = "output " + std::to_string(o) + " has " + std::to_string(out->NumElements()) +
               " values, golden has " + std::to_string(c.total);
      return false;
    }
    for (size_t i = 0; i < c.total; ++i) {
      const double d = std::fabs(ValueAt(*out, i) - golden.outputs[o].values[i]);
      if (d == 0) ++c.exact;
      c.max_diff = std::max(c.max_diff, d);
    }
    result->push_back(c);
  }
  return true;
}

TEST(GoldenBuiltin, ReferenceKernelsReproduceTfliteBuiltinKernels) {
  const auto files = testing::ListGoldenFiles(testing::GoldenDir() + "/raw-builtin");
  ASSERT_FALSE(files.empty()) << "no golden files under " << testing::GoldenDir();
  int checked = 0;
  for (const std::string& file : files) {
    GoldenCase golden;
    std::string error;
    ASSERT_TRUE(testing::LoadGolden(file, &golden, &error)) << error;
    std::vector<Comparison> cmp;
    Status load_status;
    if (!RunGolden(golden, KernelPath::kReference, &cmp, &error, &load_status)) {
      ADD_FAILURE() << golden.file << ": " << error;
      continue;
    }
    for (size_t o = 0; o < cmp.size(); ++o) {
      const bool is_float = golden.outputs[o].dtype == "float32";
      std::printf("[  GOLDEN  ] %-60s out%zu exact %zu/%zu (%.1f%%) max diff %g\n",
                  golden.file.c_str(), o, cmp[o].exact, cmp[o].total,
                  100.0 * static_cast<double>(cmp[o].exact) / static_cast<double>(cmp[o].total),
                  cmp[o].max_diff);
      if (is_float) {
        EXPECT_LE(cmp[o].max_diff, 1e-5) << golden.file << " output " << o;
      } else {
        EXPECT_EQ(cmp[o].exact, cmp[o].total) << golden.file << " output " << o
                                              << ": max diff " << cmp[o].max_diff;
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 20);
}

}  // namespace
}  // namespace labelite
