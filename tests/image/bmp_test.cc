// BMP decoding from files written byte by byte in the test: each header version, bit depth,
// row order and padding decodes to the pixels we put in.
#include <gtest/gtest.h>

#include "image_test_util.h"
#include "labelite/image.h"

namespace labelite {
namespace {

using testing::BmpSpec;
using testing::Bytes;
using testing::MakeBmp;
using testing::MakePattern;
using testing::Px;

Image Pattern(int w, int h) {
  return MakePattern(w, h, 3, [](int x, int y, int c) { return (x * 37 + y * 91 + c * 53) % 256; });
}

Image MustDecode(const Bytes& bytes, DecodeOptions options = {}) {
  Result<Image> image = DecodeImage(bytes, options);
  EXPECT_TRUE(image.ok()) << image.status().message();
  return image.ok() ? std::move(image).value() : Image{};
}

TEST(BmpTest, Bgr24BottomUpAndTopDownWithEveryRowPadding) {
  for (int w : {1, 2, 3, 4, 5, 7}) {
    for (bool top_down : {false, true}) {
      SCOPED_TRACE(std::to_string(w) + (top_down ? " top-down" : " bottom-up"));
      Image expected = Pattern(w, 5);
      BmpSpec spec = testing::Bmp24(expected);
      spec.top_down = top_down;
      Image got = MustDecode(MakeBmp(spec));
      EXPECT_EQ(got.width, w);
      EXPECT_EQ(got.height, 5);
      EXPECT_EQ(got.pixels, expected.pixels);
    }
  }
}

TEST(BmpTest, HeaderVersionsCoreV4V5) {
  Image expected = Pattern(6, 3);
  for (int header : {12, 40, 108, 124}) {
    SCOPED_TRACE(header);
    BmpSpec spec = testing::Bmp24(expected);
    spec.header_size = header;
    EXPECT_EQ(MustDecode(MakeBmp(spec)).pixels, expected.pixels);
  }
}

TEST(BmpTest, ThirtyTwoBitRgbIgnoresFourthByte) {
  BmpSpec spec;
  spec.width = 2;
  spec.height = 1;
  spec.bpp = 32;
  spec.rows = {{10, 20, 30, 0, 40, 50, 60, 7}};  // B G R x
  Image got = MustDecode(MakeBmp(spec));
  EXPECT_EQ(got.pixels, (Bytes{30, 20, 10, 60, 50, 40}));
}

TEST(BmpTest, BitfieldsWithAlphaCompositeOverBackground) {
  for (int header : {40, 108, 124}) {
    SCOPED_TRACE(header);
    BmpSpec spec;
    spec.width = 3;
    spec.height = 1;
    spec.bpp = 32;
    spec.compression = 3;
    spec.header_size = header;
    // Bytes in memory: A R G B (masks for little-endian 32-bit words).
    spec.masks[0] = 0x0000FF00;  // R
    spec.masks[1] = 0x00FF0000;  // G
    spec.masks[2] = 0xFF000000;  // B
    spec.masks[3] = 0x000000FF;  // A
    spec.rows = {{255, 200, 100, 50, /**/ 0, 1, 2, 3, /**/ 128, 255, 0, 0}};
    DecodeOptions options;
    options.background[0] = 0;
    options.background[1] = 0;
    options.background[2] = 255;
    Image got = MustDecode(MakeBmp(spec), options);
    if (header == 40) {
      // A BITMAPINFOHEADER carries only three masks: no alpha, pixels are opaque.
      EXPECT_EQ(got.pixels, (Bytes{200, 100, 50, 1, 2, 3, 255, 0, 0}));
    } else {
      // round((a*c + (255-a)*bg)/255): a=128, c=(255,0,0), bg=(0,0,255) -> (128, 0, 127).
      EXPECT_EQ(got.pixels, (Bytes{200, 100, 50, 0, 0, 255, 128, 0, 127}));
    }
  }
}

TEST(BmpTest, AllZeroAlphaMeansOpaque) {
  BmpSpec spec;
  spec.width = 2;
  spec.height = 1;
  spec.bpp = 32;
  spec.compression = 3;
  spec.header_size = 124;
  spec.masks[0] = 0x00FF0000;
  spec.masks[1] = 0x0000FF00;
  spec.masks[2] = 0x000000FF;
  spec.masks[3] = 0xFF000000;
  spec.rows = {{1, 2, 3, 0, 4, 5, 6, 0}};
  EXPECT_EQ(MustDecode(MakeBmp(spec)).pixels, (Bytes{3, 2, 1, 6, 5, 4}));
}

TEST(BmpTest, SixteenBit555And565) {
  BmpSpec spec;
  spec.width = 2;
  spec.height = 1;
  spec.bpp = 16;
  // 5-5-5: 0x7FFF white, 0x7C00 pure red.
  spec.rows = {{0xFF, 0x7F, 0x00, 0x7C}};
  EXPECT_EQ(MustDecode(MakeBmp(spec)).pixels, (Bytes{255, 255, 255, 255, 0, 0}));
  // 5-6-5 bit fields: G=0x20 of 63 -> round(32*255/63) = 130; B=0x10 of 31 -> 132.
  spec.compression = 3;
  spec.masks[0] = 0xF800;
  spec.masks[1] = 0x07E0;
  spec.masks[2] = 0x001F;
  uint16_t px = (0x20 << 5) | 0x10;
  spec.rows = {{static_cast<uint8_t>(px & 255), static_cast<uint8_t>(px >> 8), 0x00, 0xF8}};
  EXPECT_EQ(MustDecode(MakeBmp(spec)).pixels, (Bytes{0, 130, 132, 255, 0, 0}));
}

TEST(BmpTest, PalettedOneFourEightBit) {
  const std::vector<uint32_t> colors = {0xFF0000, 0x00FF00, 0x0000FF, 0x102030};
  // 8-bit: indices 3 0 1 2 1.
  BmpSpec s8;
  s8.width = 5;
  s8.height = 1;
  s8.bpp = 8;
  s8.palette = colors;
  s8.rows = {{3, 0, 1, 2, 1}};
  EXPECT_EQ(MustDecode(MakeBmp(s8)).pixels,
            (Bytes{0x10, 0x20, 0x30, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 0}));
  // 4-bit: indices 2 1 3 (high nibble first).
  BmpSpec s4 = s8;
  s4.bpp = 4;
  s4.width = 3;
  s4.rows = {{0x21, 0x30}};
  EXPECT_EQ(MustDecode(MakeBmp(s4)).pixels, (Bytes{0, 0, 255, 0, 255, 0, 0x10, 0x20, 0x30}));
  // 1-bit: 10 pixels 1011000011 over two rows of different content.
  BmpSpec s1;
  s1.bpp = 1;
  s1.width = 10;
  s1.height = 2;
  s1.palette = {0x000000, 0xFFFFFF};
  s1.rows = {{0b10110000, 0b11000000}, {0b01000000, 0b00000000}};
  Image got = MustDecode(MakeBmp(s1));
  ASSERT_EQ(got.width, 10);
  const int bits0[10] = {1, 0, 1, 1, 0, 0, 0, 0, 1, 1};
  for (int x = 0; x < 10; ++x) {
    EXPECT_EQ(Px(got, x, 0)[0], bits0[x] * 255) << x;
    EXPECT_EQ(Px(got, x, 1)[1], x == 1 ? 255 : 0) << x;
  }
}

TEST(BmpTest, GrayPaletteDecodesToOneChannelWhenAskedForGray) {
  BmpSpec spec;
  spec.width = 3;
  spec.height = 2;
  spec.bpp = 8;
  for (uint32_t i = 0; i < 256; ++i) spec.palette.push_back(i * 0x010101);
  spec.rows = {{0, 128, 255}, {7, 8, 9}};
  DecodeOptions gray;
  gray.color = ColorMode::kGray;
  Image got = MustDecode(MakeBmp(spec), gray);
  EXPECT_EQ(got.channels, 1);
  EXPECT_EQ(got.pixels, (Bytes{0, 128, 255, 7, 8, 9}));
}

TEST(BmpTest, ColorToGrayUsesRoundedRec601Luma) {
  Image rgb = MakePattern(16, 16, 3, [](int x, int y, int c) { return (x * 17 + y * 29 + c * 101) % 256; });
  DecodeOptions gray;
  gray.color = ColorMode::kGray;
  Image got = MustDecode(MakeBmp(testing::Bmp24(rgb)), gray);
  ASSERT_EQ(got.channels, 1);
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) {
      const uint8_t* p = Px(rgb, x, y);
      double luma = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
      EXPECT_NEAR(Px(got, x, y)[0], luma, 0.5 + 1e-9) << x << "," << y;
    }
  }
}

TEST(BmpTest, RefusesBadFilesWithClearMessages) {
  Image im = Pattern(4, 4);
  Bytes good = MakeBmp(testing::Bmp24(im));
  auto message = [](const Bytes& b) {
    Result<Image> r = DecodeImage(b);
    return r.ok() ? std::string("OK") : r.status().message();
  };
  EXPECT_EQ(message(Bytes(good.begin(), good.begin() + 10)), "truncated BMP header");
  EXPECT_EQ(message(Bytes(good.begin(), good.begin() + 60)), "truncated BMP pixel data");
  EXPECT_EQ(message(Bytes(good.begin(), good.end() - 13)), "truncated BMP pixel data");
  Bytes huge = good;
  testing::Put32(huge, 18, 20000);
  testing::Put32(huge, 22, 20000);
  EXPECT_EQ(message(huge), "BMP image of 20000x20000 pixels exceeds the limit of 100000000 pixels");
  Bytes zero = good;
  testing::Put32(zero, 18, 0);
  EXPECT_EQ(message(zero), "invalid BMP size 0x4");
  Bytes rle = good;
  testing::Put32(rle, 30, 1);
  EXPECT_EQ(message(rle), "unsupported BMP compression RLE8");
  Bytes depth = good;
  testing::Put16(depth, 28, 7);
  EXPECT_EQ(message(depth), "unsupported BMP bit depth 7");
  Bytes offset = good;
  testing::Put32(offset, 10, 0xFFFFFFF0u);
  EXPECT_EQ(message(offset), "truncated BMP pixel data");
  Bytes negative_min = good;  // height INT32_MIN cannot be negated into an int32
  testing::Put32(negative_min, 22, 0x80000000u);
  EXPECT_NE(message(negative_min), "OK");
}

}  // namespace
}  // namespace labelite
