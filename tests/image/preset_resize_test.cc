// The --preprocess presets' image side: stb_image decoding, MediaPipe's OpenCV warp (projection
// bit for bit against cv2 5.1's getPerspectiveTransform + invert, values by hand for the
// corner-aligned fixed-point bilinear), libyuv and tf.image.resize bilinear by hand.
// (tests/classify/mediapipe_preset_test.py checks the whole chain against MediaPipe itself.)
#include <gtest/gtest.h>

#include <cstdlib>

#include "image/preset_resize.h"
#include "labelite/image.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

Image Row(std::vector<uint8_t> values) {
  Image im;
  im.width = static_cast<int>(values.size());
  im.height = 1;
  im.channels = 1;
  im.pixels = std::move(values);
  return im;
}

TEST(OpenCvWarpTest, ProjectionEqualsOpenCvBitForBit) {
  // cv2.invert(cv2.getPerspectiveTransform(boxPoints(whole image), output corners)), printed
  // with float.hex() from opencv-python 5.1. The naive w/W is off by an ulp in the first, the
  // second carries the solver's rounding as a tiny perspective term.
  struct Case {
    int w, h, W, H;
    std::array<double, 9> m;
  };
  const Case cases[] = {
      {512, 341, 224, 224, {0x1.2492492492492p+1, -0.0, 0.0, -0.0, 0x1.85b6db6db6db7p+0, 0.0, 0.0, 0.0, 0x1.fffffffffffffp-1}},
      {3458, 238, 192, 508, {0x1.202aaaaaaaaabp+4, -0.0, 0.0, -0.0, 0x1.dfbf7efdfbf7fp-2, 0.0, 0.0, 0x1.5805601580560p-62, 1.0}},
      {343, 512, 128, 128, {0x1.57p+1, -0.0, 0.0, -0.0, 4.0, 0.0, 0.0, 0.0, 1.0}},
  };
  for (const Case& c : cases) {
    const std::array<double, 9> got = OpenCvInverseProjection(c.w, c.h, c.W, c.H);
    for (int i = 0; i < 9; ++i)
      EXPECT_EQ(got[static_cast<size_t>(i)], c.m[static_cast<size_t>(i)]) << c.w << "x" << c.h << " -> " << c.W << "x" << c.H << " [" << i << "]";
  }
}

TEST(OpenCvWarpTest, CornerAlignedFixedPointByHand) {
  // Output x samples source x * 2/4 = 0, 0.5, 1, 1.5 (not half-pixel centers); 0.5 is 16/32:
  // (0 * 16384 + 255 * 16384 + 16384) >> 15 = 128; 1.5 reaches past the edge, which repeats.
  Result<Image> got = ResizeOpenCvWarp(Row({0, 255}), 4, 1);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->pixels, (std::vector<uint8_t>{0, 128, 255, 255}));
  // Downscale 5 -> 2: x = 0 and 2.5 (80/32), 2.5 between 30 and 40 -> 35.
  got = ResizeOpenCvWarp(Row({10, 20, 30, 40, 50}), 2, 1);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->pixels, (std::vector<uint8_t>{10, 35}));
}

TEST(OpenCvWarpTest, SameSizeIsACopyAndFourChannelsStayIndependent) {
  DecodeOptions o;
  o.decoder = ImageDecoder::kStb;
  Result<Image> cat = DecodeImageFile(testing::ImagePath("resized_cat.bmp"), o);
  ASSERT_TRUE(cat.ok()) << cat.status().message();
  Result<Image> got = ResizeOpenCvWarp(*cat, cat->width, cat->height);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->pixels, cat->pixels);
  Image rgba;
  rgba.width = 3;
  rgba.height = 1;
  rgba.channels = 4;
  rgba.pixels = {0, 10, 20, 255, 100, 110, 120, 0, 200, 210, 220, 255};
  got = ResizeOpenCvWarp(rgba, 6, 1);
  ASSERT_TRUE(got.ok());
  // x * 0.5 = 0, 0.5, 1, 1.5, 2, 2.5: halfway values round half up ((v + 2^14) >> 15).
  EXPECT_EQ(got->pixels, (std::vector<uint8_t>{0, 10, 20, 255, 50, 60, 70, 128, 100, 110, 120, 0,
                                                150, 160, 170, 128, 200, 210, 220, 255, 200, 210, 220, 255}));
}

TEST(TfBilinearTest, HalfPixelCentersInFloatByHand) {
  // in = (x + 0.5) * 0.5 - 0.5 = -0.25, 0.25, 0.75, 1.25: neighbours clamped, lerp kept.
  Result<FloatImage> got = ResizeBilinearTf(Row({0, 255}), 4, 1);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->pixels, (std::vector<float>{0.0f, 63.75f, 191.25f, 255.0f}));
}

TEST(LibyuvBilinearTest, SameSizeCopyAndErrors) {
  Image rgb;
  rgb.width = 2;
  rgb.height = 2;
  rgb.channels = 3;
  rgb.pixels = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  Result<Image> got = ResizeLibyuvBilinear(rgb, 2, 2);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->pixels, rgb.pixels);
  got = ResizeLibyuvBilinear(rgb, 1, 1);  // 2x2 -> 1x1 averages the box
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->pixels, (std::vector<uint8_t>{6, 7, 8}));
  rgb.pixels.pop_back();
  EXPECT_FALSE(ResizeLibyuvBilinear(rgb, 4, 4).ok());
  EXPECT_FALSE(ResizeOpenCvWarp(rgb, 4, 4).ok());
}

TEST(StbDecodeTest, LosslessFormatsEqualLabelitesJpegDiffersSlightly) {
  DecodeOptions stb;
  stb.decoder = ImageDecoder::kStb;
  DecodeOptions own;  // no target size: full-size decode
  for (const char* name : {"cat.bmp", "burger-224.png"}) {
    Result<Image> a = DecodeImageFile(testing::ImagePath(name), stb);
    Result<Image> b = DecodeImageFile(testing::ImagePath(name), own);
    ASSERT_TRUE(a.ok() && b.ok()) << name;
    EXPECT_EQ(a->pixels, b->pixels) << name;
  }
  // stb's own IDCT, upsampling and YCbCr conversion: a level or two from libjpeg-turbo's.
  Result<Image> a = DecodeImageFile(testing::ImagePath("burger.jpg"), stb);
  Result<Image> b = DecodeImageFile(testing::ImagePath("burger.jpg"), own);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->pixels.size(), b->pixels.size());
  int max_diff = 0;
  size_t differ = 0;
  for (size_t i = 0; i < a->pixels.size(); ++i) {
    const int d = std::abs(a->pixels[i] - b->pixels[i]);
    max_diff = std::max(max_diff, d);
    differ += d != 0;
  }
  EXPECT_GT(differ, 0u);
  EXPECT_LE(max_diff, 8);
  // Truncated data is an error naming the problem, not a crash.
  std::vector<uint8_t> bytes = testing::ReadFileBytes(testing::ImagePath("burger.jpg"));
  bytes.resize(200);
  Result<Image> cut = DecodeImage(bytes, stb);
  EXPECT_FALSE(cut.ok());
  stb.max_pixels = 1000;
  Result<Image> big = DecodeImageFile(testing::ImagePath("burger.jpg"), stb);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("exceeds the limit"), std::string::npos) << big.status().message();
}

}  // namespace
}  // namespace labelite
