// ActivationRangeQuantized on hostile output quantization (fuzz/model_fuzz found a
// DEPTHWISE_CONV_2D with RELU6 whose output scale made 6 / scale overflow int32: UB).
#include <gtest/gtest.h>

#include "kernels/internal/quantization.h"

namespace labelite {
namespace {

TEST(ActivationRangeQuantized, SaturatesWhenTheScaleIsTiny) {
  int32_t lo = 0, hi = 0;
  ASSERT_TRUE(quant::ActivationRangeQuantized(Activation::kRelu6, DataType::kUInt8, 2.9e-34f, 0, &lo, &hi));
  EXPECT_EQ(lo, 0);    // quantize(0) = 0
  EXPECT_EQ(hi, 255);  // 6 / 2.9e-34 saturates, then the uint8 range applies
  ASSERT_TRUE(quant::ActivationRangeQuantized(Activation::kRelu6, DataType::kInt8, 1e-38f, -128, &lo, &hi));
  EXPECT_EQ(lo, -128);
  EXPECT_EQ(hi, 127);
  // An ordinary scale is unchanged: MobileNet's uint8 RELU6 range.
  ASSERT_TRUE(quant::ActivationRangeQuantized(Activation::kRelu6, DataType::kUInt8, 0.0235294122f, 0, &lo, &hi));
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 255);
}

}  // namespace
}  // namespace labelite
