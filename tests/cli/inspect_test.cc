// `labelite inspect`: runs the built binary (testing::CliPath()) and checks its output and
// exit codes. Expected values were read with flatc --json and Python's zipfile.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "testing/testdata.h"

namespace labelite {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  q.append(s).append("'");
  return q;
}

// Runs `labelite <args>` with stderr folded into stdout.
CliRun RunCli(const std::string& args) {
  CliRun r;
  std::string cmd = Quote(testing::CliPath());
  cmd.append(" ").append(args).append(" 2>&1");
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Model(const std::string& name) { return Quote(testing::ModelPath(name)); }

TEST(InspectTest, JsonOfQuantizedModel) {
  CliRun r = RunCli("inspect --json " + Model("mobilenet_v2_1.0_224_quant.tflite"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["inputs"].size(), 1u);
  EXPECT_EQ(j["inputs"][0]["dtype"], "uint8");
  EXPECT_EQ(j["inputs"][0]["shape"], nlohmann::json({1, 224, 224, 3}));
  EXPECT_FLOAT_EQ(j["inputs"][0]["quantization"]["scale"][0].get<float>(), 0.0078125f);
  EXPECT_EQ(j["inputs"][0]["quantization"]["zero_point"][0], 128);
  EXPECT_EQ(j["outputs"][0]["name"], "MobilenetV2/Predictions/Softmax");
  EXPECT_EQ(j["outputs"][0]["shape"], nlohmann::json({1, 1001}));
  EXPECT_EQ(j["operators"], nlohmann::json({{"ADD", 10}, {"AVERAGE_POOL_2D", 1},
                                            {"CONV_2D", 36}, {"DEPTHWISE_CONV_2D", 17},
                                            {"RESHAPE", 1}, {"SOFTMAX", 1}}));
  ASSERT_TRUE(j["metadata"].is_object());
  EXPECT_EQ(j["metadata"]["name"], "ImageClassifier");
  EXPECT_EQ(j["metadata"]["normalization"]["mean"], nlohmann::json({127.5}));
  EXPECT_EQ(j["metadata"]["normalization"]["std"], nlohmann::json({127.5}));
  ASSERT_EQ(j["metadata"]["associated_files"].size(), 1u);
  EXPECT_EQ(j["metadata"]["associated_files"][0]["name"], "imagenet_labels.txt");
  EXPECT_EQ(j["metadata"]["associated_files"][0]["type"], "TENSOR_AXIS_LABELS");
  EXPECT_EQ(j["metadata"]["associated_files"][0]["size"], 21686);
}

TEST(InspectTest, JsonOfFloatModelWithoutMetadata) {
  CliRun r = RunCli("inspect --json " + Model("mobilenet_v1_0.25_224_1_default_1.tflite"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["metadata"].is_null());
  EXPECT_EQ(j["inputs"][0]["dtype"], "float32");
  EXPECT_TRUE(j["inputs"][0]["quantization"]["scale"].empty());
  EXPECT_EQ(j["operators"]["CONV_2D"], 15);
}

TEST(InspectTest, TextSummary) {
  CliRun r = RunCli("inspect " + Model("mobilenet_v1_0.25_224_1_metadata_1.tflite"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("schema version: 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("input float32 224x224x3, normalization mean 127.5 std 127.5 from metadata"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("output 1001 classes, labels: labels.txt embedded (1001 lines)"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("labels.txt (10484 bytes)"), std::string::npos) << r.out;
}

TEST(InspectTest, ErrorsAndExitCodes) {
  std::string jpeg = testing::ImagePath("burger.jpg");
  CliRun bad = RunCli("inspect " + Quote(jpeg));
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_EQ(bad.out, "labelite: " + jpeg +
                         ": not a TFLite model (file identifier '\\x00\\x10JF', expected 'TFL3')\n");
  std::string missing = testing::TestDataDir() + "/models/missing.tflite";
  CliRun gone = RunCli("inspect " + Quote(missing));
  EXPECT_EQ(gone.exit_code, 3);  // a missing model is a model problem (README: exit codes)
  EXPECT_EQ(gone.out.rfind("labelite: " + missing + ": ", 0), 0u) << gone.out;
  CliRun dir = RunCli("inspect " + Quote(testing::TestDataDir() + "/models"));
  EXPECT_EQ(dir.exit_code, 3);
  EXPECT_NE(dir.out.find("is a directory"), std::string::npos) << dir.out;
  CliRun usage = RunCli("inspect");
  EXPECT_EQ(usage.exit_code, 1);
}

}  // namespace
}  // namespace labelite
