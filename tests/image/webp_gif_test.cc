// WebP (libwebp encoder) and GIF (giflib encoder) files written in the test decode to the
// pixels we put in.
#include <gtest/gtest.h>

#include "image_test_util.h"
#include "labelite/image.h"

namespace labelite {
namespace {

using testing::Bytes;
using testing::GifSpec;
using testing::MakePattern;
using testing::Px;

Image MustDecode(const Bytes& bytes, DecodeOptions options = {}) {
  EXPECT_FALSE(bytes.empty());
  Result<Image> image = DecodeImage(bytes, options);
  EXPECT_TRUE(image.ok()) << image.status().message();
  return image.ok() ? std::move(image).value() : Image{};
}

uint8_t Over(int fg, int bg, int a) { return static_cast<uint8_t>((a * fg + (255 - a) * bg + 127) / 255); }

TEST(WebpTest, LosslessIsExactLossyIsClose) {
  Image rgb = MakePattern(33, 21, 3, [](int x, int y, int c) { return (x * 7 + y * 11 + c * 80) % 256; });
  EXPECT_EQ(MustDecode(testing::EncodeWebp(rgb, true)).pixels, rgb.pixels);
  DecodeOptions bgr;
  bgr.color = ColorMode::kBgr;
  Image b = MustDecode(testing::EncodeWebp(rgb, true), bgr);
  EXPECT_EQ(Px(b, 5, 6)[0], Px(rgb, 5, 6)[2]);
  EXPECT_EQ(Px(b, 5, 6)[2], Px(rgb, 5, 6)[0]);
  Image smooth = MakePattern(64, 64, 3, [](int x, int y, int c) { return c == 0 ? x * 4 : c == 1 ? y * 4 : 128; });
  Image lossy = MustDecode(testing::EncodeWebp(smooth, false, 95));
  EXPECT_LT(testing::MeanAbsDiff(lossy, smooth), 2.0);
}

TEST(WebpTest, AlphaCompositesOverBackground) {
  Image rgba = MakePattern(16, 16, 4, [](int x, int y, int c) { return c == 3 ? (x * 16 + y) : (x * 13 + y * 3 + c * 60) % 256; });
  DecodeOptions options;
  options.background[0] = 0;
  options.background[1] = 64;
  options.background[2] = 255;
  Image got = MustDecode(testing::EncodeWebp(rgba, true), options);
  ASSERT_EQ(got.channels, 3);
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x)
      for (int c = 0; c < 3; ++c)
        ASSERT_EQ(Px(got, x, y)[c], Over(Px(rgba, x, y)[c], options.background[c], Px(rgba, x, y)[3]));
}

TEST(WebpTest, TruncatedAndOversizedAreRefused) {
  Image rgb = MakePattern(64, 64, 3, [](int x, int y, int c) { return (x * y + c) % 256; });
  for (bool lossless : {true, false}) {
    Bytes webp = testing::EncodeWebp(rgb, lossless);
    for (size_t len : {size_t{12}, size_t{20}, size_t{30}, webp.size() / 2, webp.size() - 1}) {
      Result<Image> r = DecodeImage(std::span(webp.data(), len));
      ASSERT_FALSE(r.ok()) << len;
      EXPECT_EQ(r.status().message(), "truncated WebP data") << len << (lossless ? " lossless" : " lossy");
    }
    DecodeOptions small;
    small.max_pixels = 1000;
    Result<Image> r = DecodeImage(webp, small);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "WebP image of 64x64 pixels exceeds the limit of 1000 pixels");
  }
  // A lossless header claiming 16384x16384 (VP8L: 14-bit width-1, height-1 after 0x2F).
  Bytes webp = testing::EncodeWebp(rgb, true);
  ASSERT_EQ(webp[20], 0x2F);
  webp[21] = 0xFF;
  webp[22] = 0xFF;
  webp[23] = 0xFF;
  webp[24] = (webp[24] & 0xF0) | 0x0F;
  Result<Image> r = DecodeImage(webp);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "WebP image of 16384x16384 pixels exceeds the limit of 100000000 pixels");
}

GifSpec Checker(int w, int h) {
  GifSpec s;
  s.screen_width = s.width = w;
  s.screen_height = s.height = h;
  s.colors = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) s.indices.push_back((x + 2 * y) % 4);
  return s;
}

void ExpectIndices(const Image& got, const GifSpec& s, int x0, int y0, const uint8_t bg[3]) {
  for (int y = 0; y < s.height; ++y) {
    for (int x = 0; x < s.width; ++x) {
      int index = s.indices[y * s.width + x];
      const uint8_t* p = Px(got, x0 + x, y0 + y);
      for (int c = 0; c < 3; ++c) {
        const GifColorType& col = s.colors[index];
        uint8_t want = index == s.transparent ? bg[c] : c == 0 ? col.Red : c == 1 ? col.Green : col.Blue;
        ASSERT_EQ(p[c], want) << x << "," << y;
      }
    }
  }
}

TEST(GifTest, FirstFrameWithPaletteTransparencyAndInterlace) {
  const uint8_t white[3] = {255, 255, 255};
  for (bool interlaced : {false, true}) {
    SCOPED_TRACE(interlaced ? "interlaced" : "plain");
    GifSpec s = Checker(13, 11);
    s.interlaced = interlaced;
    s.second_frame = true;  // ignored
    Image got = MustDecode(testing::EncodeGif(s));
    ASSERT_EQ(got.width, 13);
    ASSERT_EQ(got.height, 11);
    ExpectIndices(got, s, 0, 0, white);
    s.transparent = 1;
    DecodeOptions options;
    options.background[0] = 7;
    options.background[1] = 8;
    options.background[2] = 9;
    ExpectIndices(MustDecode(testing::EncodeGif(s), options), s, 0, 0, options.background);
  }
}

TEST(GifTest, FrameSmallerThanScreenSitsOnBackground) {
  GifSpec s = Checker(5, 4);
  s.screen_width = 12;
  s.screen_height = 10;
  s.left = 3;
  s.top = 2;
  Image got = MustDecode(testing::EncodeGif(s));
  ASSERT_EQ(got.width, 12);
  ASSERT_EQ(got.height, 10);
  const uint8_t white[3] = {255, 255, 255};
  ExpectIndices(got, s, 3, 2, white);
  EXPECT_EQ(Px(got, 0, 0)[0], 255);
  EXPECT_EQ(Px(got, 11, 9)[1], 255);
  EXPECT_EQ(Px(got, 8, 2)[2], 255);  // just right of the frame
}

TEST(GifTest, TruncatedAndOversizedAreRefused) {
  GifSpec s = Checker(40, 30);
  Bytes gif = testing::EncodeGif(s);
  for (size_t len : {size_t{6}, size_t{12}, size_t{30}, gif.size() / 2, gif.size() - 2}) {
    Result<Image> r = DecodeImage(std::span(gif.data(), len));
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.status().message(), "truncated GIF data") << len;
  }
  Bytes big = gif;  // logical screen 20000x20000
  testing::Put16(big, 6, 20000);
  testing::Put16(big, 8, 20000);
  Result<Image> r = DecodeImage(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "GIF image of 20000x20000 pixels exceeds the limit of 100000000 pixels");
}

}  // namespace
}  // namespace labelite
