// Classifier::ClassifyTensor (the model's own input tensor, fed as it is) and the tensor names
// in the summary, on a real model.
#include <gtest/gtest.h>

#include "labelite/classifier.h"
#include "labelite/image.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

TEST(ClassifyTensor, Uint8PixelsOfModelSizeEqualTheImagePath) {
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite");
  auto c = Classifier::Create(o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ((*c)->summary().input_name, "input");
  ASSERT_EQ((*c)->summary().output_names.size(), 1u);
  EXPECT_EQ((*c)->summary().output_names[0], "MobilenetV2/Predictions/Softmax");
  // burger-224.png is 224x224: its pixels are exactly the uint8 input the image path feeds.
  auto image = DecodeImageFile(testing::ImagePath("burger-224.png"));
  ASSERT_TRUE(image.ok());
  ASSERT_EQ(image->width, 224);
  auto from_image = (*c)->Classify(*image);
  auto from_tensor = (*c)->ClassifyTensor(DataType::kUInt8, image->pixels);
  ASSERT_TRUE(from_image.ok() && from_tensor.ok());
  ASSERT_EQ(from_image->size(), from_tensor->size());
  for (size_t i = 0; i < from_image->size(); ++i) {
    EXPECT_EQ((*from_image)[i].index, (*from_tensor)[i].index);
    EXPECT_EQ((*from_image)[i].score, (*from_tensor)[i].score);
  }
  EXPECT_EQ((*from_tensor)[0].label, "cheeseburger");
}

TEST(ClassifyTensor, WrongTypeOrSizeIsTheInputsError) {
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v1_0.25_128_quant.tflite");
  auto c = Classifier::Create(o);
  ASSERT_TRUE(c.ok());
  std::vector<uint8_t> data(128 * 128 * 3 * 4);
  auto r = (*c)->ClassifyTensor(DataType::kFloat32, data);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().origin(), ErrorOrigin::kInput);
  EXPECT_NE(r.status().message().find("uint8"), std::string::npos) << r.status().message();
  data.resize(128 * 128 * 3 - 1);
  r = (*c)->ClassifyTensor(DataType::kUInt8, data);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().origin(), ErrorOrigin::kInput);
  EXPECT_NE(r.status().message().find("49152"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace labelite
