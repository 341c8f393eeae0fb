// PNG decoding of files written with libpng in the test: every color type and depth,
// transparency, interlacing, and the color modes.
#include <gtest/gtest.h>
#include <zlib.h>

#include "image_test_util.h"
#include "labelite/image.h"

namespace labelite {
namespace {

using testing::Bytes;
using testing::EncodePng;
using testing::MakePattern;
using testing::PngSpec;
using testing::Px;

Image MustDecode(const Bytes& bytes, DecodeOptions options = {}) {
  EXPECT_FALSE(bytes.empty());
  Result<Image> image = DecodeImage(bytes, options);
  EXPECT_TRUE(image.ok()) << image.status().message();
  return image.ok() ? std::move(image).value() : Image{};
}

uint8_t Over(int fg, int bg, int a) { return static_cast<uint8_t>((a * fg + (255 - a) * bg + 127) / 255); }

TEST(PngTest, Rgb8IsExactAndInterlacedEqualsPlain) {
  Image rgb = MakePattern(13, 9, 3, [](int x, int y, int c) { return (x * 19 + y * 7 + c * 90) % 256; });
  EXPECT_EQ(MustDecode(EncodePng(rgb)).pixels, rgb.pixels);
  EXPECT_EQ(MustDecode(EncodePng(rgb, /*interlaced=*/true)).pixels, rgb.pixels);
  DecodeOptions bgr;
  bgr.color = ColorMode::kBgr;
  Image b = MustDecode(EncodePng(rgb), bgr);
  for (int y = 0; y < 9; ++y)
    for (int x = 0; x < 13; ++x)
      for (int c = 0; c < 3; ++c) ASSERT_EQ(Px(b, x, y)[c], Px(rgb, x, y)[2 - c]);
}

TEST(PngTest, RgbaCompositesOverBackground) {
  Image rgba = MakePattern(16, 16, 4, [](int x, int y, int c) { return c == 3 ? x * 16 + y : (x * 31 + y * 5 + c * 70) % 256; });
  DecodeOptions options;
  options.background[0] = 10;
  options.background[1] = 200;
  options.background[2] = 90;
  Image got = MustDecode(EncodePng(rgba), options);
  ASSERT_EQ(got.channels, 3);
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) {
      const uint8_t* s = Px(rgba, x, y);
      for (int c = 0; c < 3; ++c) {
        ASSERT_EQ(Px(got, x, y)[c], Over(s[c], options.background[c], s[3])) << x << "," << y;
      }
    }
  }
  // Default background is white: alpha 0 gives 255, alpha 255 the color itself.
  Image white = MustDecode(EncodePng(rgba));
  EXPECT_EQ(Px(white, 0, 0)[0], 255);
  EXPECT_EQ(Px(white, 15, 15)[1], Px(rgba, 15, 15)[1]);  // alpha 255
}

TEST(PngTest, GrayStaysGrayAndExpandsToRgb) {
  Image gray = MakePattern(10, 4, 1, [](int x, int y, int) { return x * 25 + y; });
  DecodeOptions g;
  g.color = ColorMode::kGray;
  Image got = MustDecode(EncodePng(gray), g);
  EXPECT_EQ(got.channels, 1);
  EXPECT_EQ(got.pixels, gray.pixels);
  Image rgb = MustDecode(EncodePng(gray));
  ASSERT_EQ(rgb.channels, 3);
  for (int i = 0; i < 40; ++i) ASSERT_EQ(rgb.pixels[3 * i + 1], gray.pixels[i]);
}

TEST(PngTest, GrayAlphaOverColoredBackground) {
  Image ga = MakePattern(4, 1, 2, [](int x, int, int c) { return c == 0 ? 200 : x * 85; });
  DecodeOptions options;
  options.background[0] = 255;
  options.background[1] = 0;
  options.background[2] = 0;
  Image got = MustDecode(EncodePng(ga), options);
  for (int x = 0; x < 4; ++x) {
    EXPECT_EQ(Px(got, x, 0)[0], Over(200, 255, x * 85));
    EXPECT_EQ(Px(got, x, 0)[1], Over(200, 0, x * 85));
  }
}

TEST(PngTest, SixteenBitRoundsToEightBit) {
  // 16-bit RGB samples v -> round(v * 255 / 65535).
  PngSpec spec;
  spec.width = 3;
  spec.height = 1;
  spec.bit_depth = 16;
  const uint16_t v[9] = {0, 65535, 32768, 257, 128, 383, 65407, 1000, 40000};
  for (uint16_t s : v) spec.data.insert(spec.data.end(), {uint8_t(s >> 8), uint8_t(s & 255)});
  Image got = MustDecode(EncodePng(spec));
  for (int i = 0; i < 9; ++i) {
    EXPECT_NEAR(got.pixels[i], v[i] * 255.0 / 65535.0, 0.5 + 1e-9) << v[i];
  }
}

TEST(PngTest, LowBitDepthGray) {
  // 2-bit gray: levels 0..3 scale to 0, 85, 170, 255.
  PngSpec spec;
  spec.width = 6;
  spec.height = 1;
  spec.color_type = PNG_COLOR_TYPE_GRAY;
  spec.bit_depth = 2;
  spec.data = {0b00011011, 0b11100000};  // 0 1 2 3 | 3 2
  DecodeOptions g;
  g.color = ColorMode::kGray;
  EXPECT_EQ(MustDecode(EncodePng(spec), g).pixels, (Bytes{0, 85, 170, 255, 255, 170}));
  spec.bit_depth = 1;
  spec.width = 9;
  spec.data = {0b10100101, 0b10000000};
  EXPECT_EQ(MustDecode(EncodePng(spec), g).pixels, (Bytes{255, 0, 255, 0, 0, 255, 0, 255, 255}));
}

TEST(PngTest, PaletteWithTrnsAndFourBitIndices) {
  PngSpec spec;
  spec.width = 5;
  spec.height = 2;
  spec.color_type = PNG_COLOR_TYPE_PALETTE;
  spec.bit_depth = 4;
  spec.palette = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}};
  spec.trns_alpha = {255, 0, 128};  // index 3 has no entry: opaque
  spec.data = {0x01, 0x23, 0x10, /**/ 0x33, 0x22, 0x00};
  DecodeOptions options;
  options.background[0] = 0;
  options.background[1] = 0;
  options.background[2] = 0;
  Image got = MustDecode(EncodePng(spec), options);
  EXPECT_EQ(got.pixels, (Bytes{255, 0, 0, /*transparent*/ 0, 0, 0, 0, 0, Over(255, 0, 128),
                               10, 20, 30, 0, 0, 0,
                               10, 20, 30, 10, 20, 30, 0, 0, Over(255, 0, 128), 0, 0, Over(255, 0, 128),
                               255, 0, 0}));
}

TEST(PngTest, TrnsColorKeyOnRgb) {
  PngSpec spec;
  spec.width = 2;
  spec.height = 1;
  spec.data = {1, 2, 3, 4, 5, 6};
  spec.has_trns_color = true;
  spec.trns_color.red = 4;
  spec.trns_color.green = 5;
  spec.trns_color.blue = 6;
  EXPECT_EQ(MustDecode(EncodePng(spec)).pixels, (Bytes{1, 2, 3, 255, 255, 255}));
}

TEST(PngTest, InterlacedSixteenBitRgbaMatchesPlain) {
  PngSpec spec;
  spec.width = 11;
  spec.height = 10;
  spec.color_type = PNG_COLOR_TYPE_RGB_ALPHA;
  spec.bit_depth = 16;
  for (int i = 0; i < 11 * 10 * 4; ++i) {
    uint16_t v = static_cast<uint16_t>(i * 977 + (i % 4 == 3 ? 60000 : 0));
    spec.data.insert(spec.data.end(), {uint8_t(v >> 8), uint8_t(v & 255)});
  }
  Image plain = MustDecode(EncodePng(spec));
  spec.interlaced = true;
  Image inter = MustDecode(EncodePng(spec));
  EXPECT_EQ(plain.pixels, inter.pixels);
  EXPECT_EQ(plain.width, 11);
}

TEST(PngTest, RefusesTruncatedAndOversized) {
  Image rgb = MakePattern(64, 64, 3, [](int x, int y, int c) { return (x * y + c * 77) % 256; });
  Bytes good = EncodePng(rgb);
  for (size_t len : {size_t{8}, size_t{20}, size_t{40}, good.size() / 2, good.size() - 13, good.size() - 1}) {
    Result<Image> r = DecodeImage(std::span(good.data(), len));
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidImage);
    EXPECT_EQ(r.status().message(), "truncated PNG data") << len;
  }
  PngSpec big;  // IHDR says 20000x20000; no pixel data needed, the header is refused first
  big.width = 20000;
  big.height = 1;
  big.color_type = PNG_COLOR_TYPE_GRAY;
  big.data.assign(20000, 0);
  Bytes bytes = EncodePng(big);
  testing::Bytes patched = bytes;
  // IHDR height is at offset 8 (signature) + 8 (length, type) + 4, big-endian; fix the CRC too.
  patched[20] = 0;
  patched[21] = 0;
  patched[22] = 0x4E;
  patched[23] = 0x20;
  uLong crc = crc32(0, patched.data() + 12, 17);
  patched[29] = crc >> 24;
  patched[30] = (crc >> 16) & 255;
  patched[31] = (crc >> 8) & 255;
  patched[32] = crc & 255;
  Result<Image> r = DecodeImage(patched);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "PNG image of 20000x20000 pixels exceeds the limit of 100000000 pixels");
  Result<ImageInfo> info = ProbeImage(patched);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->height, 20000);
  // A corrupted CRC in IHDR is an error, not a crash.
  patched[32] ^= 1;
  r = DecodeImage(patched);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid PNG data"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace labelite
