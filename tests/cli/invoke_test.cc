// `labelite invoke`: raw input bytes in, every output out, in the tensor's own type. Checked
// against TFLite's builtin-kernel golden (reference path, exact) and XNNPACK golden (fast path).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/cli_runner.h"
#include "testing/golden.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using testing::RunLabelite;
using testing::ShellQuote;

std::string WriteInput(const testing::GoldenCase& golden) {
  std::vector<uint8_t> bytes;
  std::string error;
  EXPECT_TRUE(testing::MakeGoldenInput(golden, &bytes, &error)) << error;
  const std::string path = testing::MakeTempDir("labelite-invoke") + "/input.bin";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  return path;
}

void ExpectMatchesGolden(const std::string& golden_dir, const std::string& kernels) {
  const std::string name = "mobilenet_v1_0.25_128_quant.pattern37.json";
  testing::GoldenCase golden;
  std::string error;
  ASSERT_TRUE(testing::LoadGolden(testing::GoldenDir() + "/" + golden_dir + "/" + name, &golden, &error)) << error;
  const std::string input = WriteInput(golden);
  auto r = RunLabelite("invoke " + ShellQuote(testing::ModelPath(golden.model)) + " --input " +
                       ShellQuote(input) + " --json --threads 1 --kernels " + kernels);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["outputs"].size(), 1u);
  const auto& out = j["outputs"][0];
  EXPECT_EQ(out["dtype"], "uint8");
  EXPECT_EQ(out["shape"], nlohmann::json({1, 1001}));
  EXPECT_EQ(out["name"], golden.outputs[0].name);
  ASSERT_EQ(out["values"].size(), golden.outputs[0].values.size());
  for (size_t i = 0; i < golden.outputs[0].values.size(); ++i)
    ASSERT_EQ(out["values"][i].get<double>(), golden.outputs[0].values[i]) << "value " << i;
}

TEST(InvokeCli, ReferencePathPrintsTfliteBuiltinOutputs) { ExpectMatchesGolden("raw-builtin", "reference"); }

TEST(InvokeCli, FastPathPrintsTfliteXnnpackOutputs) { ExpectMatchesGolden("raw", "fast"); }

TEST(InvokeCli, OutputDirWritesRawBytes) {
  testing::GoldenCase golden;
  std::string error;
  ASSERT_TRUE(testing::LoadGolden(testing::GoldenDir() + "/raw/mobilenet_v1_0.25_128_quant.pattern37.json",
                                  &golden, &error));
  const std::string input = WriteInput(golden);
  const std::string dir = testing::MakeTempDir("labelite-invoke-out");
  auto r = RunLabelite("invoke " + ShellQuote(testing::ModelPath(golden.model)) + " --input " +
                       ShellQuote(input) + " --output-dir " + ShellQuote(dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto bytes = testing::ReadFileBytes(dir + "/output0.bin");
  ASSERT_EQ(bytes.size(), 1001u);
  for (size_t i = 0; i < bytes.size(); ++i) ASSERT_EQ(bytes[i], golden.outputs[0].values[i]) << i;
}

TEST(InvokeCli, DumpDirWritesEveryIntermediateTensor) {
  testing::GoldenCase golden;
  std::string error;
  ASSERT_TRUE(testing::LoadGolden(testing::GoldenDir() + "/raw-builtin/mobilenet_v1_0.25_128_quant.pattern37.json",
                                  &golden, &error));
  const std::string input = WriteInput(golden);
  const std::string dir = testing::MakeTempDir("labelite-dump");
  auto r = RunLabelite("invoke " + ShellQuote(testing::ModelPath(golden.model)) + " --input " +
                       ShellQuote(input) + " --kernels reference --dump-dir " + ShellQuote(dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto index = nlohmann::json::parse(testing::ReadFileText(dir + "/index.json"));
  // The input plus one tensor per operator (31 operators in this model).
  ASSERT_EQ(index.size(), 32u);
  EXPECT_EQ(index[0]["op"], "input");
  const auto& last = index.back();
  EXPECT_EQ(last["op"], "SOFTMAX");
  const auto bytes = testing::ReadFileBytes(dir + "/tensor" + std::to_string(last["index"].get<int>()) + ".bin");
  ASSERT_EQ(bytes.size(), golden.outputs[0].values.size());
  for (size_t i = 0; i < bytes.size(); ++i) ASSERT_EQ(bytes[i], golden.outputs[0].values[i]) << i;
  // Intermediates are real results, not reused memory: the first CONV_2D output is not all zero.
  const auto conv = testing::ReadFileBytes(dir + "/tensor" + std::to_string(index[1]["index"].get<int>()) + ".bin");
  ASSERT_FALSE(conv.empty());
  EXPECT_NE(std::count(conv.begin(), conv.end(), conv[0]), static_cast<long>(conv.size()));
}

TEST(InvokeCli, WrongInputSizeIsAnInputErrorNamingBothSizes) {
  const std::string path = testing::MakeTempDir("labelite-invoke-bad") + "/small.bin";
  std::ofstream(path, std::ios::binary) << "abc";
  auto r = RunLabelite("invoke " + ShellQuote(testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite")) +
                       " --input " + ShellQuote(path));
  EXPECT_EQ(r.exit_code, 2);  // an input that cannot be used (README: exit codes)
  EXPECT_NE(r.err.find("small.bin: 3 bytes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("49152 bytes"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
}

TEST(InvokeCli, BrokenAndUnsupportedModelsExitThree) {
  const std::string input = testing::MakeTempDir("labelite-invoke-m") + "/in.bin";
  std::ofstream(input, std::ios::binary) << "abc";
  auto custom = RunLabelite("invoke " + ShellQuote(testing::ModelPath("model_invoking_error.tflite")) +
                            " --input " + ShellQuote(input));
  EXPECT_EQ(custom.exit_code, 3);
  EXPECT_NE(custom.err.find("fake-op-double"), std::string::npos) << custom.err;
  auto jpeg = RunLabelite("invoke " + ShellQuote(testing::ImagePath("burger.jpg")) + " --input " + ShellQuote(input));
  EXPECT_EQ(jpeg.exit_code, 3);
  EXPECT_NE(jpeg.err.find("burger.jpg"), std::string::npos) << jpeg.err;
}

}  // namespace
}  // namespace labelite
