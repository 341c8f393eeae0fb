// Model reader on the real test models. Expected values were read independently with
// `flatc --json --raw-binary` and Python's zipfile, not taken from labelite's output.
#include "model/model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <map>

#include "testing/testdata.h"

namespace labelite {
namespace {

using testing::ModelPath;

std::shared_ptr<const Model> Load(const std::string& name) {
  auto r = Model::FromFile(ModelPath(name));
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : nullptr;
}

std::map<std::string, int> OpCounts(const SubgraphSpec& g) {
  std::map<std::string, int> counts;
  for (const auto& op : g.operators) counts[op.name]++;
  return counts;
}

TEST(ModelTest, ReadsEveryTestModel) {
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::TestDataDir() + "/models")) {
    if (entry.path().extension() != ".tflite") continue;
    ++count;
    auto r = Model::FromFile(entry.path().string());
    ASSERT_TRUE(r.ok()) << r.status().message();
    const Model& m = *r.value();
    EXPECT_EQ(m.schema_version(), 3u) << entry.path();
    const SubgraphSpec& g = m.main_subgraph();
    EXPECT_FALSE(g.inputs.empty()) << entry.path();
    EXPECT_FALSE(g.outputs.empty()) << entry.path();
    for (const auto& t : g.tensors)
      if (t.is_constant()) {
        EXPECT_EQ(t.data.size(), t.byte_size) << entry.path() << " " << t.name;
      }
    // The same bytes through FromBytes give the same graph.
    auto bytes = testing::ReadFileBytes(entry.path().string());
    auto copy = Model::FromBytes(bytes, entry.path().filename().string());
    ASSERT_TRUE(copy.ok()) << copy.status().message();
    EXPECT_EQ(copy.value()->main_subgraph().tensors.size(), g.tensors.size());
    EXPECT_EQ(copy.value()->embedded_files().size(), m.embedded_files().size());
  }
  EXPECT_GE(count, 12);
}

TEST(ModelTest, FloatMobilenetV1) {
  auto m = Load("mobilenet_v1_0.25_224_1_default_1.tflite");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->description(), "TOCO Converted.");
  const SubgraphSpec& g = m->main_subgraph();
  EXPECT_EQ(g.tensors.size(), 88u);
  ASSERT_EQ(g.inputs, std::vector<int32_t>{87});
  ASSERT_EQ(g.outputs, std::vector<int32_t>{86});
  const TensorSpec& in = g.tensors[87];
  EXPECT_EQ(in.name, "input");
  EXPECT_EQ(in.type, DataType::kFloat32);
  EXPECT_EQ(in.shape, (std::vector<int32_t>{1, 224, 224, 3}));
  EXPECT_TRUE(in.quantization.empty());
  EXPECT_FALSE(in.is_constant());
  EXPECT_EQ(in.byte_size, 224u * 224 * 3 * 4);
  const TensorSpec& out = g.tensors[86];
  EXPECT_EQ(out.name, "MobilenetV1/Predictions/Reshape_1");
  EXPECT_EQ(out.shape, (std::vector<int32_t>{1, 1001}));
  std::map<std::string, int> expected{{"AVERAGE_POOL_2D", 1}, {"SOFTMAX", 1}, {"CONV_2D", 15},
                                      {"DEPTHWISE_CONV_2D", 13}, {"SQUEEZE", 1}};
  EXPECT_EQ(OpCounts(g), expected);
  EXPECT_FALSE(m->metadata().has_value());
  EXPECT_TRUE(m->embedded_files().empty());
  for (const auto& op : g.operators) EXPECT_EQ(op.version, 1);
}

TEST(ModelTest, QuantizedMobilenetV2) {
  auto m = Load("mobilenet_v2_1.0_224_quant.tflite");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->description(), "MLIR Converted.");
  const SubgraphSpec& g = m->main_subgraph();
  EXPECT_EQ(g.tensors.size(), 174u);
  const TensorSpec& in = g.tensors[g.inputs.at(0)];
  EXPECT_EQ(in.type, DataType::kUInt8);
  EXPECT_EQ(in.shape, (std::vector<int32_t>{1, 224, 224, 3}));
  ASSERT_EQ(in.quantization.scale.size(), 1u);
  EXPECT_FLOAT_EQ(in.quantization.scale[0], 0.0078125f);
  EXPECT_EQ(in.quantization.zero_point[0], 128);
  const TensorSpec& out = g.tensors[g.outputs.at(0)];
  EXPECT_EQ(out.name, "MobilenetV2/Predictions/Softmax");
  EXPECT_EQ(out.type, DataType::kUInt8);
  EXPECT_EQ(out.shape, (std::vector<int32_t>{1, 1001}));
  EXPECT_FLOAT_EQ(out.quantization.scale[0], 0.00390625f);
  EXPECT_EQ(out.quantization.zero_point[0], 0);
  std::map<std::string, int> expected{{"ADD", 10}, {"AVERAGE_POOL_2D", 1}, {"RESHAPE", 1},
                                      {"SOFTMAX", 1}, {"CONV_2D", 36},
                                      {"DEPTHWISE_CONV_2D", 17}};
  EXPECT_EQ(OpCounts(g), expected);
  EXPECT_EQ(m->metadata_entry_names(),
            (std::vector<std::string>{"min_runtime_version", "TFLITE_METADATA"}));
}

TEST(ModelTest, Int8InsideTf2Mobilenet) {
  auto m = Load("tf2_mobilenet_v2_1.0_224_ptq.tflite");
  ASSERT_TRUE(m);
  const SubgraphSpec& g = m->main_subgraph();
  ASSERT_EQ(g.tensors.size(), 177u);
  std::map<DataType, int> types;
  for (const auto& t : g.tensors) types[t.type]++;
  EXPECT_EQ(types[DataType::kInt8], 120);
  EXPECT_EQ(types[DataType::kInt32], 55);
  EXPECT_EQ(types[DataType::kUInt8], 2);
  const TensorSpec& in = g.tensors[g.inputs.at(0)];
  EXPECT_EQ(in.type, DataType::kUInt8);
  EXPECT_NEAR(in.quantization.scale[0], 0.007843, 1e-6);
  EXPECT_EQ(in.quantization.zero_point[0], 127);
  std::map<std::string, int> expected{{"ADD", 10}, {"QUANTIZE", 2}, {"RESHAPE", 1},
                                      {"SOFTMAX", 1}, {"CONV_2D", 36},
                                      {"DEPTHWISE_CONV_2D", 17}, {"MEAN", 1}};
  EXPECT_EQ(OpCounts(g), expected);
  // The first CONV_2D: per-channel int8 weights, stride 2, RELU6; versions from the file.
  auto conv = std::find_if(g.operators.begin(), g.operators.end(),
                           [](const OperatorSpec& op) { return op.name == "CONV_2D"; });
  ASSERT_NE(conv, g.operators.end());
  EXPECT_EQ(conv->builtin_code, 3);
  EXPECT_EQ(conv->version, 3);
  EXPECT_EQ(conv->inputs, (std::vector<int32_t>{109, 3, 4}));
  EXPECT_EQ(conv->options.stride_w, 2);
  EXPECT_EQ(conv->options.stride_h, 2);
  EXPECT_EQ(conv->options.padding, Padding::kSame);
  EXPECT_EQ(conv->options.activation, Activation::kRelu6);
  const TensorSpec& w = g.tensors[3];
  EXPECT_EQ(w.type, DataType::kInt8);
  EXPECT_EQ(w.shape, (std::vector<int32_t>{32, 3, 3, 3}));
  EXPECT_TRUE(w.is_constant());
  EXPECT_EQ(w.data.size(), 32u * 27);
  ASSERT_EQ(w.quantization.scale.size(), 32u);
  EXPECT_TRUE(w.quantization.per_channel());
  EXPECT_EQ(w.quantization.quantized_dimension, 0);
  EXPECT_NEAR(w.quantization.scale[0], 0.009563, 1e-6);
  EXPECT_NEAR(w.quantization.scale[1], 0.02724, 1e-5);
  const TensorSpec& bias = g.tensors[4];
  EXPECT_EQ(bias.type, DataType::kInt32);
  EXPECT_EQ(bias.quantization.scale.size(), 32u);
  auto dw = std::find_if(g.operators.begin(), g.operators.end(),
                         [](const OperatorSpec& op) { return op.name == "DEPTHWISE_CONV_2D"; });
  ASSERT_NE(dw, g.operators.end());
  EXPECT_EQ(dw->options.depth_multiplier, 1);
  EXPECT_EQ(dw->options.activation, Activation::kRelu6);
  const TensorSpec& dw_w = g.tensors[dw->inputs[1]];
  EXPECT_EQ(dw_w.shape, (std::vector<int32_t>{1, 3, 3, 32}));
  EXPECT_EQ(dw_w.quantization.quantized_dimension, 3);
}

TEST(ModelTest, OldCustomOpUsesDeprecatedBuiltinCode) {
  // model_invoking_error.tflite only sets deprecated_builtin_code = 32 (CUSTOM).
  auto m = Load("model_invoking_error.tflite");
  ASSERT_TRUE(m);
  const SubgraphSpec& g = m->main_subgraph();
  ASSERT_EQ(g.operators.size(), 1u);
  EXPECT_EQ(g.operators[0].builtin_code, 32);
  EXPECT_EQ(g.operators[0].custom_code, "fake-op-double");
  EXPECT_EQ(g.operators[0].name, "fake-op-double");
  EXPECT_EQ(m->description(), "programmatic model");
  EXPECT_EQ(g.tensors[0].type, DataType::kUInt8);
  EXPECT_EQ(g.tensors[0].shape, (std::vector<int32_t>{1, 3}));
  EXPECT_TRUE(g.tensors[1].shape.empty());  // a scalar
  EXPECT_EQ(g.tensors[1].byte_size, 4u);
}

TEST(ModelTest, LstmModel) {
  auto m = Load("keras_lstm_mnist_ptq.tflite");
  ASSERT_TRUE(m);
  const SubgraphSpec& g = m->main_subgraph();
  std::map<std::string, int> expected{{"QUANTIZE", 2}, {"RESHAPE", 1}, {"SOFTMAX", 1},
                                      {"UNIDIRECTIONAL_SEQUENCE_LSTM", 1},
                                      {"FULLY_CONNECTED", 1}};
  EXPECT_EQ(OpCounts(g), expected);
  const TensorSpec& in = g.tensors[g.inputs.at(0)];
  EXPECT_EQ(in.name, "serving_default_x:0");
  EXPECT_EQ(in.shape, (std::vector<int32_t>{1, 28, 28}));
  for (const auto& op : g.operators)
    if (op.name == "FULLY_CONNECTED") {
      EXPECT_EQ(op.version, 4);
    }
}

}  // namespace
}  // namespace labelite

namespace labelite {
namespace {

// Resident kilobytes of the mapping that contains `p`, from /proc/self/smaps (-1: not found).
long MappingRssKb(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  const auto addr = reinterpret_cast<uintptr_t>(p);
  while (std::getline(smaps, line)) {
    unsigned long begin = 0, end = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &begin, &end) == 2 && line.find(' ') != std::string::npos &&
        line.find('-') < line.find(' ')) {
      inside = addr >= begin && addr < end;
    } else if (inside && line.rfind("Rss:", 0) == 0) {
      return std::stol(line.substr(4));
    }
  }
  return -1;
}

uint64_t Checksum(std::span<const uint8_t> bytes) {
  uint64_t sum = 0;
  for (uint8_t b : bytes) sum = sum * 31 + b;
  return sum;
}

TEST(ModelTest, ReleasePagesDropsResidentPagesAndKeepsTheBytes) {
  auto model = Load("mobilenet_v2_1.0_224_quant.tflite");
  ASSERT_NE(model, nullptr);
  const auto bytes = model->bytes();
  const uint64_t before = Checksum(bytes);  // touches every page
  const long touched = MappingRssKb(bytes.data());
  ASSERT_GT(touched, static_cast<long>(bytes.size() / 1024) - 8);
  model->ReleasePages(bytes.data(), bytes.size());
  EXPECT_LE(MappingRssKb(bytes.data()), 8);  // at most the partial first and last pages
  EXPECT_EQ(Checksum(bytes), before);         // read back from the file
  // Out-of-range requests are ignored.
  model->ReleasePages(bytes.data() + bytes.size() - 10, 100);
  EXPECT_EQ(Checksum(bytes), before);
}

TEST(ModelTest, ReleasePagesLeavesInMemoryModelsAlone) {
  auto file = Load("mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_NE(file, nullptr);
  auto r = Model::FromBytes(file->bytes());
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Model& m = *r.value();
  const uint64_t before = Checksum(m.bytes());
  m.ReleasePages(m.bytes().data(), m.bytes().size());  // heap memory: must not be zeroed
  EXPECT_EQ(Checksum(m.bytes()), before);
}

// SignatureDefs, as LiteRT's Interpreter._get_full_signature_list() reports them.
TEST(ModelTest, SignatureDefs) {
  auto lstm = Load("keras_lstm_mnist_ptq.tflite");
  ASSERT_TRUE(lstm);
  ASSERT_EQ(lstm->signatures().size(), 1u);
  const SignatureSpec& s = lstm->signatures()[0];
  EXPECT_EQ(s.key, "serving_default");
  EXPECT_EQ(s.subgraph_index, 0);
  ASSERT_EQ(s.inputs.size(), 1u);
  EXPECT_EQ(s.inputs[0].name, "x");
  EXPECT_EQ(s.inputs[0].tensor_index, 0);
  ASSERT_EQ(s.outputs.size(), 1u);
  EXPECT_EQ(s.outputs[0].name, "output_0");
  EXPECT_EQ(s.outputs[0].tensor_index, 28);
  auto mobilenet = Load("mobilenet_v2_1.0_224_quant.tflite");
  ASSERT_TRUE(mobilenet);
  EXPECT_TRUE(mobilenet->signatures().empty());
}

}  // namespace
}  // namespace labelite
