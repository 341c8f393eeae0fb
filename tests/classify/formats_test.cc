// The same picture stored as BMP, PNG, JPEG (quality 95), WebP and GIF-free formats gives the
// same top-1 class; EXIF orientation is applied before classification.
#include <gtest/gtest.h>

#include "../image/image_test_util.h"
#include "labelite/classifier.h"
#include "testing/testdata.h"

namespace labelite {
namespace {

TEST(ClassifyFormats, SamePictureInEveryFormatGivesTheSameTop1) {
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite");
  auto classifier = Classifier::Create(o);
  ASSERT_TRUE(classifier.ok()) << classifier.status().message();
  for (const char* name : {"cat.bmp", "grace_hopper.bmp", "sunflower.bmp"}) {
    auto bmp = DecodeImageFile(testing::ImagePath(name));
    ASSERT_TRUE(bmp.ok()) << bmp.status().message();
    auto from_bmp = (*classifier)->ClassifyFile(testing::ImagePath(name));
    ASSERT_TRUE(from_bmp.ok());
    const std::vector<std::pair<std::string, testing::Bytes>> encoded = {
        {"png", testing::EncodePng(*bmp)},
        {"jpeg q95", testing::EncodeJpeg(*bmp)},
        {"webp lossless", testing::EncodeWebp(*bmp, true)},
    };
    for (const auto& [format, bytes] : encoded) {
      auto r = (*classifier)->ClassifyEncoded(bytes);
      ASSERT_TRUE(r.ok()) << name << " as " << format << ": " << r.status().message();
      EXPECT_EQ((*r)[0].index, (*from_bmp)[0].index) << name << " as " << format;
      if (format != "jpeg q95") {
        EXPECT_EQ((*r)[0].score, (*from_bmp)[0].score) << name << " as " << format;
      }
    }
  }
}

TEST(ClassifyFormats, ExifOrientationIsAppliedBeforeClassifying) {
  // grace_hopper rotated by 90 degrees in its pixels, with EXIF orientation 6 (rotate 90 CW to
  // display) undone: a JPEG storing the picture rotated counter-clockwise plus orientation 6
  // must classify like the upright picture.
  ClassifierOptions o;
  o.model_path = testing::ModelPath("mobilenet_v2_1.0_224_quant.tflite");
  auto classifier = Classifier::Create(o);
  ASSERT_TRUE(classifier.ok());
  auto upright = DecodeImageFile(testing::ImagePath("grace_hopper.bmp"));
  ASSERT_TRUE(upright.ok());
  // Rotate counter-clockwise: stored(x, y) = upright(W-1-y, x), stored is H x W.
  Image stored;
  stored.width = upright->height;
  stored.height = upright->width;
  stored.channels = 3;
  stored.pixels.resize(upright->pixels.size());
  for (int y = 0; y < stored.height; ++y)
    for (int x = 0; x < stored.width; ++x)
      for (int c = 0; c < 3; ++c)
        stored.pixels[(static_cast<size_t>(y) * stored.width + x) * 3 + c] =
            upright->pixels[(static_cast<size_t>(x) * upright->width + (upright->width - 1 - y)) * 3 + c];
  testing::JpegSpec spec;
  spec.app1 = testing::ExifOrientation(6, false);
  auto with_exif = (*classifier)->ClassifyEncoded(testing::EncodeJpeg(stored, spec));
  ASSERT_TRUE(with_exif.ok()) << with_exif.status().message();
  EXPECT_EQ((*with_exif)[0].label, "military uniform");
  auto without_exif = (*classifier)->ClassifyEncoded(testing::EncodeJpeg(stored));
  ASSERT_TRUE(without_exif.ok());
  EXPECT_LT((*without_exif)[0].label == "military uniform" ? (*without_exif)[0].score : 0.0f,
            (*with_exif)[0].score);
}

}  // namespace
}  // namespace labelite
