// Bad input is refused with kInvalidModel (or an I/O status) and a message naming the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "model/model.h"
#include "testing/model_builder.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using testing::ModelBuilder;

std::vector<uint8_t> SmallModel() {
  ModelBuilder b;
  int in = b.AddTensor(DataType::kUInt8, {1, 4}, "in", testing::Quant(0.5f, 128));
  int w = b.AddConstTensor<uint8_t>(DataType::kUInt8, {2, 4}, {1, 2, 3, 4, 5, 6, 7, 8},
                                    testing::Quant(0.1f, 120), "w");
  int out = b.AddTensor(DataType::kUInt8, {1, 2}, "out", testing::Quant(0.7f, 100));
  b.AddOperator(9, {in, w, -1}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

void ExpectInvalid(std::span<const uint8_t> bytes, const std::string& needle) {
  auto r = Model::FromBytes(bytes, "test.tflite");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel) << r.status().message();
  EXPECT_EQ(r.status().message().rfind("test.tflite: ", 0), 0u) << r.status().message();
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
}

TEST(ModelErrorsTest, SmallModelLoads) {
  auto r = Model::FromBytes(SmallModel());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value()->main_subgraph().operators[0].inputs, (std::vector<int32_t>{0, 1, -1}));
}

TEST(ModelErrorsTest, EveryPrefixOfASmallModelIsRefused) {
  for (const auto& bytes :
       {SmallModel(), testing::ReadFileBytes(testing::ModelPath("model_invoking_error.tflite"))}) {
    ASSERT_GT(bytes.size(), 100u);
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto r = Model::FromBytes(std::span<const uint8_t>(bytes.data(), n), "prefix");
      EXPECT_FALSE(r.ok()) << "prefix of " << n << " of " << bytes.size() << " bytes loaded";
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel);
      }
    }
    EXPECT_TRUE(Model::FromBytes(bytes).ok());
  }
}

TEST(ModelErrorsTest, EmptyRandomAndJpeg) {
  ExpectInvalid({}, "empty");
  std::mt19937 rng(42);
  std::vector<uint8_t> noise(4096);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  ExpectInvalid(noise, "not a TFLite model");
  auto jpeg = testing::ReadFileBytes(testing::ImagePath("burger.jpg"));
  ASSERT_FALSE(jpeg.empty());
  ExpectInvalid(jpeg, "not a TFLite model");
  // Random bytes behind a valid identifier reach the verifier.
  std::copy_n("TFL3", 4, noise.begin() + 4);
  ExpectInvalid(noise, "verification failed");
}

TEST(ModelErrorsTest, WrongIdentifier) {
  auto bytes = SmallModel();
  std::copy_n("TFL2", 4, bytes.begin() + 4);
  ExpectInvalid(bytes, "file identifier 'TFL2', expected 'TFL3'");
}

TEST(ModelErrorsTest, OutOfRangeTensorIndex) {
  ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1, 4}, "in");
  int out = b.AddTensor(DataType::kFloat32, {1, 4}, "out");
  b.AddOperator(19, {in, 7}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  ExpectInvalid(b.Build(), "operator 0: RELU: input tensor index 7 outside [0, 2)");

  ModelBuilder c;
  in = c.AddTensor(DataType::kFloat32, {1, 4}, "in");
  c.SetInputs({in});
  c.SetOutputs({-1});
  ExpectInvalid(c.Build(), "output tensor index -1");
}

TEST(ModelErrorsTest, NegativeShape) {
  ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1, -4}, "in");
  b.SetInputs({in});
  b.SetOutputs({in});
  ExpectInvalid(b.Build(), "tensor 0 'in' has negative dimension -4");
}

TEST(ModelErrorsTest, ByteSizeOverflow) {
  ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1 << 20, 1 << 20, 1 << 20}, "huge");
  b.SetInputs({in});
  b.SetOutputs({in});
  ExpectInvalid(b.Build(), "has more than 2147483648 elements");
  // Under the element cap but over the byte cap: 2^30 float32 = 4 GiB.
  ModelBuilder c;
  in = c.AddTensor(DataType::kFloat32, {1 << 15, 1 << 15}, "big");
  c.SetInputs({in});
  c.SetOutputs({in});
  ExpectInvalid(c.Build(), "has 4294967296 bytes");
}

TEST(ModelErrorsTest, ConstantBufferSizeMismatch) {
  ModelBuilder b;
  int w = b.AddConstTensor<float>(DataType::kFloat32, {2, 2}, {1, 2, 3}, {}, "w");
  b.SetInputs({});
  b.SetOutputs({w});
  ExpectInvalid(b.Build(), "tensor 0 'w' has 16 bytes but its buffer 1 has 12");
}

TEST(ModelErrorsTest, QuantizationConsistency) {
  ModelBuilder b;
  QuantizationParams q = testing::PerChannelQuant({0.1f, 0.2f, 0.3f}, 0);
  int w = b.AddConstTensor<int8_t>(DataType::kInt8, {2, 2}, {1, 2, 3, 4}, q, "w");
  b.SetOutputs({w});
  ExpectInvalid(b.Build(), "3 per-channel scales but dimension 0 is 2");

  ModelBuilder c;
  q = testing::PerChannelQuant({0.1f, 0.2f}, 5);
  w = c.AddConstTensor<int8_t>(DataType::kInt8, {2, 2}, {1, 2, 3, 4}, q, "w");
  c.SetOutputs({w});
  ExpectInvalid(c.Build(), "quantized_dimension 5 outside its rank 2");

  ModelBuilder d;
  q = testing::PerChannelQuant({0.1f, 0.2f}, 1);
  q.zero_point.pop_back();
  w = d.AddConstTensor<int8_t>(DataType::kInt8, {2, 2}, {1, 2, 3, 4}, q, "w");
  d.SetOutputs({w});
  ExpectInvalid(d.Build(), "2 quantization scales but 1 zero points");
}

// Found by fuzz/model_fuzz: an int8 zero point of -1912602626 overflowed the integer LSTM's
// zero point x row sum. Zero points are values of their tensor's type.
TEST(ModelErrorsTest, ZeroPointOutsideItsTypesRange) {
  struct Case { DataType type; int64_t zp; const char* needle; };
  for (const Case& c : {Case{DataType::kInt8, 128, "zero point 128 outside its type's range [-128, 127]"},
                        Case{DataType::kInt8, -1912602626, "zero point -1912602626 outside"},
                        Case{DataType::kUInt8, -1, "zero point -1 outside its type's range [0, 255]"},
                        Case{DataType::kInt16, 40000, "[-32768, 32767]"}}) {
    ModelBuilder b;
    int in = b.AddTensor(c.type, {1, 4}, "in", testing::Quant(0.5f, c.zp));
    b.SetInputs({in});
    b.SetOutputs({in});
    ExpectInvalid(b.Build(), c.needle);
  }
  ModelBuilder ok;  // the ends of each range load
  int a = ok.AddTensor(DataType::kInt8, {1, 4}, "a", testing::Quant(0.5f, -128));
  int u = ok.AddTensor(DataType::kUInt8, {1, 4}, "u", testing::Quant(0.5f, 255));
  ok.SetInputs({a, u});
  ok.SetOutputs({a, u});
  const std::vector<uint8_t> bytes = ok.Build();
  EXPECT_TRUE(Model::FromBytes(bytes, "test.tflite").ok());
}

TEST(ModelErrorsTest, CustomOpNeedsAName) {
  ModelBuilder b;
  int in = b.AddTensor(DataType::kFloat32, {1}, "in");
  b.AddOperator(32, {in}, {in});
  b.SetOutputs({in});
  ExpectInvalid(b.Build(), "CUSTOM without a custom_code");
}

TEST(ModelErrorsTest, DirectoryAndMissingPath) {
  auto dir = Model::FromFile(testing::TestDataDir() + "/models");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), StatusCode::kIoError);
  EXPECT_NE(dir.status().message().find("is a directory"), std::string::npos);
  std::string missing = testing::TestDataDir() + "/models/no_such_model.tflite";
  auto r = Model::FromFile(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message().rfind(missing + ": ", 0), 0u) << r.status().message();
  // An empty file on disk.
  std::string empty = testing::MakeTempDir("labelite-model") + "/empty.tflite";
  { std::ofstream(empty).flush(); }
  auto e = Model::FromFile(empty);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidModel);
  EXPECT_EQ(e.status().message(), empty + ": the file is empty");
}

TEST(ModelErrorsTest, FlippedBytesNeverCrash) {
  // Each byte of the small model replaced by a few values: load or refuse, never crash.
  auto bytes = SmallModel();
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t v : {0x00, 0x7f, 0x80, 0xff}) {
      auto copy = bytes;
      copy[i] = v;
      auto r = Model::FromBytes(copy);
      if (!r.ok()) {
        EXPECT_NE(r.status().code(), StatusCode::kOk);
      }
    }
  }
}

}  // namespace
}  // namespace labelite
