// Every file in testdata/images: decodes with the size that `file` and a Python header dump
// report, probes to the same size, and selected pixels match an independent Python parse.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "image_test_util.h"
#include "labelite/image.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

using testing::ImagePath;
using testing::Px;

struct Expected {
  ImageFormat format;
  int width, height;
};

// Sizes from `file` (JPEG/PNG SOF/IHDR) and the BMP headers read with python3 struct.
const std::map<std::string, Expected>& KnownImages() {
  static const std::map<std::string, Expected> m = {
      {"bird.bmp", {ImageFormat::kBmp, 512, 343}},
      {"burger-224.png", {ImageFormat::kPng, 224, 224}},
      {"burger.jpg", {ImageFormat::kJpeg, 480, 325}},
      {"cat.bmp", {ImageFormat::kBmp, 512, 341}},
      {"cat_1080p.jpg", {ImageFormat::kJpeg, 1920, 1080}},
      {"cat_720p.jpg", {ImageFormat::kJpeg, 1280, 720}},
      {"cats_and_dogs.jpg", {ImageFormat::kJpeg, 1200, 600}},  // progressive
      {"checker224X224.bmp", {ImageFormat::kBmp, 224, 224}},
      {"checker300X300.bmp", {ImageFormat::kBmp, 300, 300}},
      {"dragonfly.bmp", {ImageFormat::kBmp, 512, 418}},
      {"grace_hopper.bmp", {ImageFormat::kBmp, 512, 600}},
      {"hot_dog.jpg", {ImageFormat::kJpeg, 512, 384}},          // EXIF orientation 1
      {"kite_and_cold.jpg", {ImageFormat::kJpeg, 1352, 900}},   // big-endian EXIF, orientation 1
      {"mnist_nine.bmp", {ImageFormat::kBmp, 28, 28}},          // 8-bit gray palette
      {"parrot.jpg", {ImageFormat::kJpeg, 512, 929}},
      {"resized_cat.bmp", {ImageFormat::kBmp, 224, 224}},
      {"rgb6X4.bmp", {ImageFormat::kBmp, 4, 6}},
      {"sparrow.png", {ImageFormat::kPng, 1280, 851}},          // RGBA
      {"sunflower.bmp", {ImageFormat::kBmp, 512, 340}},
  };
  return m;
}

TEST(TestDataImagesTest, EveryImageFileDecodesWithItsKnownSize) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::TestDataDir() + "/images")) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".rgb") continue;  // raw pixels, not an image format
    SCOPED_TRACE(name);
    auto it = KnownImages().find(name);
    ASSERT_NE(it, KnownImages().end()) << "new test image without known size";
    std::vector<uint8_t> bytes = testing::ReadFileBytes(entry.path().string());
    EXPECT_EQ(SniffImageFormat(bytes), it->second.format);
    Result<ImageInfo> info = ProbeImage(bytes);
    ASSERT_TRUE(info.ok()) << info.status().message();
    EXPECT_EQ(info->width, it->second.width);
    EXPECT_EQ(info->height, it->second.height);
    EXPECT_EQ(info->orientation, 1);
    Result<Image> image = DecodeImageFile(entry.path().string());
    ASSERT_TRUE(image.ok()) << image.status().message();
    EXPECT_EQ(image->width, it->second.width);
    EXPECT_EQ(image->height, it->second.height);
    EXPECT_EQ(image->channels, 3);
    EXPECT_EQ(image->pixels.size(), size_t(image->width) * image->height * 3);
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(KnownImages().size()));
}

TEST(TestDataImagesTest, RawRgbFilesAreNotImages) {
  Result<Image> image = DecodeImageFile(ImagePath("bird.rgb"));
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kInvalidImage);
  EXPECT_NE(image.status().message().find("bird.rgb: unrecognized image format"), std::string::npos)
      << image.status().message();
}

TEST(TestDataImagesTest, Rgb6x4BmpPixels) {
  // Python parse of the bottom-up rows: the top three rows are magenta, magenta, green,
  // green; the bottom three black, black, white, white.
  Result<Image> image = DecodeImageFile(ImagePath("rgb6X4.bmp"));
  ASSERT_TRUE(image.ok()) << image.status().message();
  for (int y = 0; y < 6; ++y) {
    for (int x = 0; x < 4; ++x) {
      const uint8_t* p = Px(*image, x, y);
      uint8_t r = y < 3 ? (x < 2 ? 255 : 0) : (x < 2 ? 0 : 255);
      uint8_t g = y < 3 ? (x < 2 ? 0 : 255) : (x < 2 ? 0 : 255);
      uint8_t b = y < 3 ? (x < 2 ? 255 : 0) : (x < 2 ? 0 : 255);
      EXPECT_EQ(p[0], r) << x << "," << y;
      EXPECT_EQ(p[1], g) << x << "," << y;
      EXPECT_EQ(p[2], b) << x << "," << y;
    }
  }
  DecodeOptions bgr;
  bgr.color = ColorMode::kBgr;
  Result<Image> b = DecodeImageFile(ImagePath("rgb6X4.bmp"), bgr);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(Px(*b, 2, 0)[0], 0);    // green: B=0, G=255, R=0
  EXPECT_EQ(Px(*b, 2, 0)[1], 255);
}

TEST(TestDataImagesTest, MnistNineIsGrayWithKnownPixels) {
  DecodeOptions gray;
  gray.color = ColorMode::kGray;
  Result<Image> image = DecodeImageFile(ImagePath("mnist_nine.bmp"), gray);
  ASSERT_TRUE(image.ok()) << image.status().message();
  ASSERT_EQ(image->channels, 1);
  uint64_t sum = 0;
  for (uint8_t v : image->pixels) sum += v;
  EXPECT_EQ(sum, 22883u);  // python3: sum of the 28x28 palette indices (identity gray palette)
  const uint8_t row10[10] = {0xe9, 0xfc, 0xb9, 0x32, 0, 0, 0, 0x1a, 0xcb, 0xfc};
  for (int x = 0; x < 10; ++x) EXPECT_EQ(Px(*image, 10 + x, 10)[0], row10[x]) << x;
  // As RGB every channel repeats the gray value.
  Result<Image> rgb = DecodeImageFile(ImagePath("mnist_nine.bmp"));
  ASSERT_TRUE(rgb.ok());
  EXPECT_EQ(Px(*rgb, 10, 10)[0], 0xe9);
  EXPECT_EQ(Px(*rgb, 10, 10)[2], 0xe9);
}

TEST(TestDataImagesTest, CheckerBmpCorners) {
  Result<Image> image = DecodeImageFile(ImagePath("checker224X224.bmp"));
  ASSERT_TRUE(image.ok());
  // python3: (0,0) = #9e43ff, (x=40,y=0) = #fffb01, (223,223) = #ff00c8.
  EXPECT_EQ(Px(*image, 0, 0)[0], 0x9e);
  EXPECT_EQ(Px(*image, 0, 0)[1], 0x43);
  EXPECT_EQ(Px(*image, 0, 0)[2], 0xff);
  EXPECT_EQ(Px(*image, 40, 0)[1], 0xfb);
  EXPECT_EQ(Px(*image, 223, 223)[0], 0xff);
  EXPECT_EQ(Px(*image, 223, 223)[2], 0xc8);
}

// The same picture through every format: cat.bmp re-encoded as PNG, lossless WebP and GIF-free
// formats decodes identically; as JPEG q95 within a small error.
TEST(TestDataImagesTest, SamePictureAcrossFormats) {
  Result<Image> bmp = DecodeImageFile(ImagePath("cat.bmp"));
  ASSERT_TRUE(bmp.ok());
  Result<Image> png = DecodeImage(testing::EncodePng(*bmp));
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png->pixels, bmp->pixels);
  Result<Image> webp = DecodeImage(testing::EncodeWebp(*bmp, /*lossless=*/true));
  ASSERT_TRUE(webp.ok());
  EXPECT_EQ(webp->pixels, bmp->pixels);
  Result<Image> jpeg = DecodeImage(testing::EncodeJpeg(*bmp));
  ASSERT_TRUE(jpeg.ok());
  EXPECT_LT(testing::MeanAbsDiff(*jpeg, *bmp), 2.5);
}

// sunflower.rgb is a 224x224 RGB rendering of sunflower.bmp made by an unknown bilinear-like
// resizer. Our stretch must land close to it (a Python half-pixel bilinear reference has a
// mean difference of 1.51; an align-corners one 3.73).
TEST(TestDataImagesTest, StretchIsCloseToProvidedResizedRaw) {
  for (const char* stem : {"sunflower", "bird"}) {
    Result<Image> image = DecodeImageFile(ImagePath(std::string(stem) + ".bmp"));
    ASSERT_TRUE(image.ok());
    Result<Image> resized = ResizeImage(*image, 224, 224);
    ASSERT_TRUE(resized.ok());
    Image raw;
    raw.width = raw.height = 224;
    raw.channels = 3;
    raw.pixels = testing::ReadFileBytes(ImagePath(std::string(stem) + ".rgb"));
    ASSERT_EQ(raw.pixels.size(), 224u * 224 * 3);
    EXPECT_LT(testing::MeanAbsDiff(*resized, raw), 1.7) << stem;
  }
}

}  // namespace
}  // namespace labelite
