// TensorInterpreter: TFLite-style tensor access over labelite's runtime. Expected details are
// LiteRT's get_input_details()/get_output_details() for the same model.
#include "labelite/tensor_interpreter.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "labelite/classifier.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using testing::ModelPath;

Status HeaderExample(const std::string& path, std::vector<uint8_t>* scores_out) {
  TensorInterpreter::Options options;
  LABELITE_ASSIGN_OR_RETURN(auto it, TensorInterpreter::FromFile(path, options));
  const int in = it->inputs()[0];
  LABELITE_ASSIGN_OR_RETURN(std::span<uint8_t> pixels, it->MutableData(in));
  std::memset(pixels.data(), 128, pixels.size());
  LABELITE_RETURN_IF_ERROR(it->Invoke());
  LABELITE_ASSIGN_OR_RETURN(std::span<const uint8_t> scores, it->Data(it->outputs()[0]));
  scores_out->assign(scores.begin(), scores.end());
  return Status::Ok();
}

TEST(TensorInterpreterTest, HeaderExample) {
  std::vector<uint8_t> scores;
  Status s = HeaderExample(ModelPath("mobilenet_v1_0.25_128_quant.tflite"), &scores);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(scores.size(), 1001u);
  // LiteRT (ai_edge_litert 2.3, XNNPACK) on the same all-128 input: classes 22, 129, 23 score
  // 8, 6, 4 and the outputs sum to 153.
  EXPECT_EQ(scores[22], 8);
  EXPECT_EQ(scores[129], 6);
  EXPECT_EQ(scores[23], 4);
  int sum = 0;
  for (uint8_t v : scores) sum += v;
  EXPECT_EQ(sum, 153);
}

TEST(TensorInterpreterTest, DetailsAreLiteRts) {
  auto it = TensorInterpreter::FromFile(ModelPath("mobilenet_v1_0.25_128_quant.tflite"), {});
  ASSERT_TRUE(it.ok()) << it.status().message();
  TensorInterpreter& t = **it;
  EXPECT_EQ(t.num_tensors(), 89);
  ASSERT_EQ(t.inputs(), std::vector<int32_t>{0});
  ASSERT_EQ(t.outputs(), std::vector<int32_t>{88});
  auto in = t.Details(0);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->name, "input");
  EXPECT_EQ(in->type, DataType::kUInt8);
  EXPECT_EQ(in->shape, (std::vector<int32_t>{1, 128, 128, 3}));
  EXPECT_EQ(in->shape_signature, (std::vector<int32_t>{1, 128, 128, 3}));
  EXPECT_EQ(in->scales, std::vector<float>{0.0078125f});
  EXPECT_EQ(in->zero_points, std::vector<int64_t>{128});
  auto out = t.Details(88);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->name, "MobilenetV1/Predictions/Reshape_1");
  EXPECT_EQ(out->shape, (std::vector<int32_t>{1, 1001}));
  EXPECT_EQ(out->scales, std::vector<float>{0.00390625f});
  auto bad = t.Details(9999);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "Invalid tensor index 9999 exceeds max tensor index 89");
  EXPECT_EQ(bad.status().origin(), ErrorOrigin::kUsage);
  EXPECT_TRUE(t.signatures().empty());
}

TEST(TensorInterpreterTest, ConstantsAreReadOnlyAndOnlyTheBatchResizes) {
  auto it = TensorInterpreter::FromFile(ModelPath("mobilenet_v2_1.0_224_inat_bird_quant.tflite"), {});
  ASSERT_TRUE(it.ok()) << it.status().message();
  TensorInterpreter& t = **it;
  int constant = -1;
  for (int i = 0; i < t.num_tensors() && constant < 0; ++i) {
    auto d = t.Data(i);
    if (d.ok() && !d->empty() && !t.MutableData(i).ok()) constant = i;
  }
  ASSERT_GE(constant, 0);
  EXPECT_EQ(t.MutableData(constant).status().origin(), ErrorOrigin::kUsage);
  const int in = t.inputs()[0];
  const std::vector<int32_t> wrong{1, 100, 224, 3};
  Status s = t.ResizeInput(in, wrong);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("only the batch"), std::string::npos) << s.message();
  const std::vector<int32_t> batch2{2, 224, 224, 3};
  ASSERT_TRUE(t.ResizeInput(in, batch2).ok());
  EXPECT_EQ(t.Details(in)->shape, batch2);
  EXPECT_EQ(t.Details(t.outputs()[0])->shape, (std::vector<int32_t>{2, 965}));
  EXPECT_EQ(t.MutableData(in)->size(), 2u * 224 * 224 * 3);
  EXPECT_TRUE(t.Invoke().ok());
  auto missing = TensorInterpreter::FromFile(ModelPath("no_such_model.tflite"), {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().origin(), ErrorOrigin::kModel);
}

}  // namespace
}  // namespace labelite
