// ModelBuilder -> Model::FromBytes round trip: what the builder writes, the reader returns.
#include "testing/model_builder.h"

#include <gtest/gtest.h>

#include "model/model.h"
#include "schema/tflite_schema_generated.h"

namespace labelite {
namespace {

using testing::ModelBuilder;

void ExpectSameOptions(const OpOptions& a, const OpOptions& b, const std::string& op) {
  SCOPED_TRACE(op);
  EXPECT_EQ(a.padding, b.padding);
  EXPECT_EQ(a.stride_w, b.stride_w);
  EXPECT_EQ(a.stride_h, b.stride_h);
  EXPECT_EQ(a.dilation_w, b.dilation_w);
  EXPECT_EQ(a.dilation_h, b.dilation_h);
  EXPECT_EQ(a.filter_w, b.filter_w);
  EXPECT_EQ(a.filter_h, b.filter_h);
  EXPECT_EQ(a.depth_multiplier, b.depth_multiplier);
  EXPECT_EQ(a.activation, b.activation);
  EXPECT_EQ(a.keep_num_dims, b.keep_num_dims);
  EXPECT_EQ(a.weights_format, b.weights_format);
  EXPECT_EQ(a.asymmetric_quantize_inputs, b.asymmetric_quantize_inputs);
  EXPECT_EQ(a.keep_dims, b.keep_dims);
  EXPECT_EQ(a.beta, b.beta);
  EXPECT_EQ(a.axis, b.axis);
  EXPECT_EQ(a.alpha, b.alpha);
  EXPECT_EQ(a.has_new_shape, b.has_new_shape);
  EXPECT_EQ(a.new_shape, b.new_shape);
  EXPECT_EQ(a.squeeze_dims, b.squeeze_dims);
  EXPECT_EQ(a.begin_mask, b.begin_mask);
  EXPECT_EQ(a.end_mask, b.end_mask);
  EXPECT_EQ(a.ellipsis_mask, b.ellipsis_mask);
  EXPECT_EQ(a.new_axis_mask, b.new_axis_mask);
  EXPECT_EQ(a.shrink_axis_mask, b.shrink_axis_mask);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.align_corners, b.align_corners);
  EXPECT_EQ(a.half_pixel_centers, b.half_pixel_centers);
  EXPECT_EQ(a.pot_scale_int16, b.pot_scale_int16);
  EXPECT_EQ(a.cell_clip, b.cell_clip);
  EXPECT_EQ(a.proj_clip, b.proj_clip);
  EXPECT_EQ(a.time_major, b.time_major);
}

struct OptionsCase {
  int32_t code;
  OpOptions options;
};

std::vector<OptionsCase> Cases() {
  std::vector<OptionsCase> cases;
  auto add = [&](int32_t code, auto fill) {
    OpOptions o;
    fill(o);
    cases.push_back({code, o});
  };
  add(0, [](OpOptions& o) { o.activation = Activation::kRelu; o.pot_scale_int16 = false; });
  add(41, [](OpOptions& o) { o.activation = Activation::kRelu6; o.pot_scale_int16 = false; });
  add(18, [](OpOptions& o) { o.activation = Activation::kReluN1To1; });
  for (int32_t pool : {1, 17})
    add(pool, [](OpOptions& o) {
      o.padding = Padding::kValid; o.stride_w = 2; o.stride_h = 3; o.filter_w = 4;
      o.filter_h = 5; o.activation = Activation::kRelu6;
    });
  add(2, [](OpOptions& o) { o.axis = -1; o.activation = Activation::kRelu; });
  add(3, [](OpOptions& o) {
    o.padding = Padding::kValid; o.stride_w = 2; o.stride_h = 1; o.dilation_w = 3;
    o.dilation_h = 2; o.activation = Activation::kTanh;
  });
  add(4, [](OpOptions& o) {
    o.stride_w = 1; o.stride_h = 2; o.depth_multiplier = 4; o.dilation_w = 2;
    o.activation = Activation::kRelu6;
  });
  add(9, [](OpOptions& o) {
    o.activation = Activation::kRelu; o.keep_num_dims = true; o.weights_format = 1;
    o.asymmetric_quantize_inputs = true;
  });
  add(25, [](OpOptions& o) { o.beta = 0.5f; });
  add(22, [](OpOptions& o) { o.has_new_shape = true; o.new_shape = {1, -1}; });
  add(22, [](OpOptions&) {});  // RESHAPE without options (new shape from the input tensor)
  add(23, [](OpOptions& o) { o.half_pixel_centers = true; });
  add(97, [](OpOptions& o) { o.align_corners = true; });
  add(40, [](OpOptions& o) { o.keep_dims = true; });
  add(43, [](OpOptions& o) { o.squeeze_dims = {1, 2}; });
  add(45, [](OpOptions& o) {
    o.begin_mask = 1; o.end_mask = 2; o.ellipsis_mask = 4; o.new_axis_mask = 8;
    o.shrink_axis_mask = 16; o.offset = true;
  });
  add(98, [](OpOptions& o) { o.alpha = 0.2f; });
  add(44, [](OpOptions& o) {
    o.activation = Activation::kTanh; o.cell_clip = 10.0f; o.proj_clip = 3.0f;
    o.time_major = true; o.asymmetric_quantize_inputs = true;
  });
  for (int32_t plain : {6, 14, 19, 20, 21, 28, 34, 39, 54, 55, 57, 60, 114, 117})
    add(plain, [](OpOptions&) {});
  return cases;
}

TEST(ModelBuilderTest, OptionsRoundTrip) {
  ModelBuilder b;
  int t = b.AddTensor(DataType::kFloat32, {1, 2, 2, 1}, "t");
  auto cases = Cases();
  for (const auto& c : cases) b.AddOperator(c.code, {t}, {t}, c.options);
  b.SetInputs({t});
  b.SetOutputs({t});
  auto r = Model::FromBytes(b.Build());
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& ops = r.value()->main_subgraph().operators;
  ASSERT_EQ(ops.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(ops[i].builtin_code, cases[i].code);
    ExpectSameOptions(ops[i].options, cases[i].options, ops[i].name);
  }
  EXPECT_EQ(ops[0].name, "ADD");
  EXPECT_EQ(ops.back().name, "HARD_SWISH");
}

TEST(ModelBuilderTest, TensorsBuffersAndCodes) {
  ModelBuilder b;
  int in = b.AddTensor(DataType::kInt8, {1, 3}, "in", testing::Quant(0.25f, -3));
  std::vector<int8_t> w = {1, -2, 3, -4, 5, -6};
  int wt = b.AddConstTensor<int8_t>(DataType::kInt8, {2, 3}, w,
                                    testing::PerChannelQuant({0.5f, 0.75f}, 0), "w");
  int out = b.AddTensor(DataType::kInt8, {1, 2}, "out", testing::Quant(1.0f, 5));
  b.AddOperator(9, {in, wt, -1}, {out}, {}, 4);
  b.AddOperator(150, {out}, {out}, {}, 2);  // GELU: a code above 127
  b.AddOperator(32, {out}, {out}, {}, 1, "MyCustom");
  b.SetInputs({in});
  b.SetOutputs({out});
  std::vector<uint8_t> bytes = b.Build();

  // The raw flatbuffer: identifier, version, deprecated_builtin_code = min(code, 127).
  ASSERT_TRUE(tflite::ModelBufferHasIdentifier(bytes.data()));
  const tflite::Model* raw = tflite::GetModel(bytes.data());
  EXPECT_EQ(raw->version(), 3u);
  ASSERT_EQ(raw->operator_codes()->size(), 3u);
  EXPECT_EQ(raw->operator_codes()->Get(0)->deprecated_builtin_code(), 9);
  EXPECT_EQ(raw->operator_codes()->Get(1)->deprecated_builtin_code(), 127);
  EXPECT_EQ(raw->operator_codes()->Get(1)->builtin_code(), tflite::BuiltinOperator::GELU);
  EXPECT_EQ(raw->buffers()->Get(0)->data(), nullptr);  // the empty sentinel

  auto r = Model::FromBytes(bytes);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const SubgraphSpec& g = r.value()->main_subgraph();
  EXPECT_EQ(r.value()->schema_version(), 3u);
  ASSERT_EQ(g.tensors.size(), 3u);
  EXPECT_EQ(g.tensors[0].name, "in");
  EXPECT_EQ(g.tensors[0].type, DataType::kInt8);
  EXPECT_EQ(g.tensors[0].quantization.zero_point, std::vector<int64_t>{-3});
  EXPECT_EQ(g.tensors[0].buffer, 0);
  EXPECT_FALSE(g.tensors[0].is_constant());
  const TensorSpec& wspec = g.tensors[1];
  ASSERT_TRUE(wspec.is_constant());
  EXPECT_EQ(wspec.byte_size, 6u);
  EXPECT_EQ(std::vector<int8_t>(wspec.data.begin(), wspec.data.end()), w);
  EXPECT_EQ(wspec.quantization.scale, (std::vector<float>{0.5f, 0.75f}));
  EXPECT_EQ(wspec.quantization.quantized_dimension, 0);
  ASSERT_EQ(g.operators.size(), 3u);
  EXPECT_EQ(g.operators[0].name, "FULLY_CONNECTED");
  EXPECT_EQ(g.operators[0].version, 4);
  EXPECT_EQ(g.operators[0].inputs, (std::vector<int32_t>{0, 1, -1}));
  EXPECT_EQ(g.operators[1].builtin_code, 150);
  EXPECT_EQ(g.operators[1].name, "GELU");
  EXPECT_EQ(g.operators[1].version, 2);
  EXPECT_EQ(g.operators[2].name, "MyCustom");
  EXPECT_EQ(g.operators[2].custom_code, "MyCustom");
  EXPECT_EQ(g.inputs, std::vector<int32_t>{0});
  EXPECT_EQ(g.outputs, std::vector<int32_t>{2});
  EXPECT_FALSE(r.value()->metadata().has_value());
  EXPECT_TRUE(r.value()->embedded_files().empty());
}

}  // namespace
}  // namespace labelite
