// JPEG decoding of files written with libjpeg in the test: quality-95 round trips, gray,
// progressive, CMYK, DCT-domain downscaling, EXIF orientation, truncation and limits.
#include <gtest/gtest.h>

#include <functional>

#include "image_test_util.h"
#include "labelite/image.h"

namespace labelite {
namespace {

using testing::Bytes;
using testing::EncodeJpeg;
using testing::JpegSpec;
using testing::MakePattern;
using testing::Px;

Image MustDecode(const Bytes& bytes, DecodeOptions options = {}) {
  EXPECT_FALSE(bytes.empty());
  Result<Image> image = DecodeImage(bytes, options);
  EXPECT_TRUE(image.ok()) << image.status().message();
  return image.ok() ? std::move(image).value() : Image{};
}

// A smooth picture (JPEG-friendly): gradients in each channel.
Image Smooth(int w, int h) {
  return MakePattern(w, h, 3, [&](int x, int y, int c) {
    return c == 0 ? x * 255 / (w - 1) : c == 1 ? y * 255 / (h - 1) : (x + y) * 255 / (w + h - 2);
  });
}

TEST(JpegTest, Quality95RoundTripIsClose) {
  Image rgb = Smooth(96, 64);
  for (bool progressive : {false, true}) {
    SCOPED_TRACE(progressive ? "progressive" : "baseline");
    JpegSpec spec;
    spec.progressive = progressive;
    Image got = MustDecode(EncodeJpeg(rgb, spec));
    ASSERT_EQ(got.width, 96);
    ASSERT_EQ(got.height, 64);
    EXPECT_LE(testing::MaxAbsDiff(got, rgb), 6);
    EXPECT_LT(testing::MeanAbsDiff(got, rgb), 1.0);
  }
}

TEST(JpegTest, BgrIsRgbSwappedAndGrayIsLuma) {
  Image rgb = Smooth(64, 48);
  Bytes jpeg = EncodeJpeg(rgb);
  Image as_rgb = MustDecode(jpeg);
  DecodeOptions bgr;
  bgr.color = ColorMode::kBgr;
  Image as_bgr = MustDecode(jpeg, bgr);
  ASSERT_EQ(as_bgr.pixels.size(), as_rgb.pixels.size());
  for (size_t i = 0; i < as_rgb.pixels.size(); i += 3) {
    ASSERT_EQ(as_bgr.pixels[i], as_rgb.pixels[i + 2]);
    ASSERT_EQ(as_bgr.pixels[i + 2], as_rgb.pixels[i]);
  }
  DecodeOptions gray;
  gray.color = ColorMode::kGray;
  Image as_gray = MustDecode(jpeg, gray);
  ASSERT_EQ(as_gray.channels, 1);
  for (int y = 0; y < 48; ++y) {
    for (int x = 0; x < 64; ++x) {
      const uint8_t* p = Px(rgb, x, y);
      EXPECT_NEAR(Px(as_gray, x, y)[0], 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2], 3.0);
    }
  }
}

TEST(JpegTest, GrayscaleJpeg) {
  Image gray = MakePattern(40, 24, 1, [](int x, int y, int) { return x * 6 + y; });
  JpegSpec spec;
  spec.in_space = JCS_GRAYSCALE;
  Bytes jpeg = EncodeJpeg(gray, spec);
  DecodeOptions g;
  g.color = ColorMode::kGray;
  Image got = MustDecode(jpeg, g);
  ASSERT_EQ(got.channels, 1);
  EXPECT_LE(testing::MaxAbsDiff(got, gray), 8);
  EXPECT_LT(testing::MeanAbsDiff(got, gray), 1.5);
  Image rgb = MustDecode(jpeg);
  ASSERT_EQ(rgb.channels, 3);
  for (size_t i = 0; i < got.pixels.size(); ++i) {
    ASSERT_EQ(rgb.pixels[3 * i], got.pixels[i]);
    ASSERT_EQ(rgb.pixels[3 * i + 2], got.pixels[i]);
  }
}

TEST(JpegTest, AdobeCmykConvertsToRgb) {
  // Four flat 16x16 blocks of inverted CMYK (as Photoshop writes, with an Adobe marker, which
  // libjpeg emits for CMYK). R = c' * k' / 255 for inverted values c', k'.
  const uint8_t blocks[4][4] = {{255, 255, 255, 255}, {0, 255, 255, 255}, {255, 128, 255, 200}, {255, 255, 255, 0}};
  Image cmyk = MakePattern(32, 32, 4, [&](int x, int y, int c) { return blocks[(y / 16) * 2 + x / 16][c]; });
  JpegSpec spec;
  spec.in_space = JCS_CMYK;
  Image got = MustDecode(EncodeJpeg(cmyk, spec));
  ASSERT_EQ(got.channels, 3);
  const uint8_t expected[4][3] = {{255, 255, 255}, {0, 255, 255}, {200, 100, 200}, {0, 0, 0}};
  for (int b = 0; b < 4; ++b) {
    const uint8_t* p = Px(got, (b % 2) * 16 + 8, (b / 2) * 16 + 8);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(p[c], expected[b][c], 3) << "block " << b << " channel " << c;
  }
}

TEST(JpegTest, DctDownscalePicksSmallestScaleStillAtLeastTarget) {
  struct Case {
    int w, h, tw, th, ew, eh;
  };
  // Expected: the smallest M in {1, 2, 4, 8} with ceil(w*M/8) >= tw and ceil(h*M/8) >= th.
  const Case cases[] = {
      {1920, 1080, 224, 224, 480, 270},  // M=2 (M=1 gives 240x135)
      {640, 480, 224, 224, 320, 240},    // M=4 (M=2 gives 160x120)
      {640, 480, 224, 0, 320, 240},      // M=4: only the width matters (3/8 is never used)
      {100, 100, 13, 13, 13, 13},        // M=1: ceil(12.5) = 13
      {100, 100, 14, 14, 25, 25},        // M=2
      {100, 100, 30, 30, 50, 50},        // M=4 (3/8 would give 38x38)
      {100, 60, 90, 10, 100, 60},        // M=8
      {100, 60, 51, 10, 100, 60},        // M=8 (5/8 to 7/8 would do, M=4 gives 50)
      {64, 48, 0, 0, 64, 48},            // no hint
      {64, 48, 500, 500, 64, 48},        // never upscales
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.w) + "x" + std::to_string(c.h) + " -> " + std::to_string(c.tw) +
                 "x" + std::to_string(c.th));
    Image full = Smooth(c.w, c.h);
    Bytes jpeg = EncodeJpeg(full);
    DecodeOptions options;
    options.target_width = c.tw;
    options.target_height = c.th;
    Image got = MustDecode(jpeg, options);
    EXPECT_EQ(got.width, c.ew);
    EXPECT_EQ(got.height, c.eh);
    Image decoded = MustDecode(jpeg);
    if (c.ew == (c.w + 7) / 8 && c.ew < c.w) {
      // At 1/8 each output pixel is the mean (DC term) of its 8x8 block.
      for (int by = 0; by < c.h / 8; by += 3) {
        for (int bx = 0; bx < c.w / 8; bx += 3) {
          double sum = 0;
          for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x) sum += Px(decoded, bx * 8 + x, by * 8 + y)[1];
          EXPECT_NEAR(Px(got, bx, by)[1], sum / 64, 2.0) << bx << "," << by;
        }
      }
    } else {
      // The same picture: compare with our resize of the full decode.
      Result<Image> ref = ResizeImage(decoded, got.width, got.height);
      ASSERT_TRUE(ref.ok());
      EXPECT_LT(testing::MeanAbsDiff(got, *ref), 2.0);
    }
  }
}

// Primitive transforms from the EXIF spec's definitions, to build expectations independently.
Image Transform(const Image& s, const std::function<void(int, int, int&, int&)>& src_of, bool swap) {
  Image o = s;
  if (swap) std::swap(o.width, o.height);
  for (int y = 0; y < o.height; ++y)
    for (int x = 0; x < o.width; ++x) {
      int sx, sy;
      src_of(x, y, sx, sy);
      std::copy_n(Px(s, sx, sy), s.channels, &o.pixels[(size_t(y) * o.width + x) * s.channels]);
    }
  return o;
}
Image FlipH(const Image& s) { return Transform(s, [&](int x, int y, int& sx, int& sy) { sx = s.width - 1 - x; sy = y; }, false); }
Image Rot90Cw(const Image& s) { return Transform(s, [&](int x, int y, int& sx, int& sy) { sx = y; sy = s.height - 1 - x; }, true); }
Image Rot180(const Image& s) { return Rot90Cw(Rot90Cw(s)); }
Image Rot90Ccw(const Image& s) { return Rot180(Rot90Cw(s)); }

// Orientation n: how to display the stored picture (EXIF 2.3 table):
// 2 mirror horizontally, 3 rotate 180, 4 mirror vertically, 5 mirror horizontally then
// rotate 90 CCW, 6 rotate 90 CW, 7 mirror horizontally then rotate 90 CW, 8 rotate 90 CCW.
Image Upright(const Image& s, int n) {
  switch (n) {
    case 2: return FlipH(s);
    case 3: return Rot180(s);
    case 4: return Rot180(FlipH(s));
    case 5: return Rot90Ccw(FlipH(s));
    case 6: return Rot90Cw(s);
    case 7: return Rot90Cw(FlipH(s));
    case 8: return Rot90Ccw(s);
  }
  return s;
}

TEST(JpegTest, ExifOrientationRotatesToUpright) {
  // 48x32 stored picture of six flat 16x16 blocks with distinct colors.
  const uint8_t colors[6][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 0}, {0, 255, 255}, {255, 0, 255}};
  Image stored = MakePattern(48, 32, 3, [&](int x, int y, int c) { return colors[(y / 16) * 3 + x / 16][c]; });
  for (bool big_endian : {false, true}) {
    for (int n = 1; n <= 8; ++n) {
      SCOPED_TRACE("orientation " + std::to_string(n) + (big_endian ? " MM" : " II"));
      JpegSpec spec;
      spec.app1 = testing::ExifOrientation(n, big_endian);
      Bytes jpeg = EncodeJpeg(stored, spec);
      Result<ImageInfo> info = ProbeImage(jpeg);
      ASSERT_TRUE(info.ok());
      EXPECT_EQ(info->orientation, n);
      EXPECT_EQ(info->width, n >= 5 ? 32 : 48);
      Image got = MustDecode(jpeg);
      Image want = Upright(stored, n);
      ASSERT_EQ(got.width, want.width);
      ASSERT_EQ(got.height, want.height);
      // Block centers (away from the lossy edges) carry the block's color.
      for (int y = 8; y < want.height; y += 16)
        for (int x = 8; x < want.width; x += 16)
          for (int c = 0; c < 3; ++c) EXPECT_NEAR(Px(got, x, y)[c], Px(want, x, y)[c], 4) << x << "," << y;
      DecodeOptions keep;
      keep.apply_exif_orientation = false;
      EXPECT_EQ(MustDecode(jpeg, keep).width, 48);
    }
  }
}

TEST(JpegTest, DownscaleHintIsInDisplayedOrientation) {
  // Stored 800x400 with orientation 6 displays as 400x800. For a 150x100 target the stored
  // height must reach 150: M = 4 -> stored 400x200 -> displayed 200x400 (the hint applied to
  // the stored orientation would give M = 2, 100x200).
  JpegSpec spec;
  spec.app1 = testing::ExifOrientation(6, false);
  Bytes jpeg = EncodeJpeg(Smooth(800, 400), spec);
  DecodeOptions options;
  options.target_width = 150;
  options.target_height = 100;
  Image got = MustDecode(jpeg, options);
  EXPECT_EQ(got.width, 200);
  EXPECT_EQ(got.height, 400);
}

TEST(JpegTest, MalformedExifIsIgnored) {
  Image rgb = Smooth(16, 16);
  Bytes exif = testing::ExifOrientation(6, false);
  for (size_t cut : {size_t{4}, size_t{10}, size_t{16}, size_t{20}, exif.size() - 8}) {
    JpegSpec spec;
    spec.app1.assign(exif.begin(), exif.begin() + cut);
    Image got = MustDecode(EncodeJpeg(rgb, spec));
    EXPECT_EQ(got.width, 16) << cut;
  }
  JpegSpec bad_value;
  bad_value.app1 = testing::ExifOrientation(9, true);
  Result<ImageInfo> info = ProbeImage(EncodeJpeg(rgb, bad_value));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->orientation, 1);
}

TEST(JpegTest, TruncatedDataIsAnErrorNotAGrayImage) {
  for (bool progressive : {false, true}) {
    JpegSpec spec;
    spec.progressive = progressive;
    Bytes jpeg = EncodeJpeg(Smooth(128, 96), spec);
    for (size_t len : {size_t{3}, size_t{100}, size_t{400}, jpeg.size() / 4, jpeg.size() / 2,
                       jpeg.size() * 9 / 10, jpeg.size() - 2}) {
      SCOPED_TRACE(std::to_string(len) + (progressive ? " progressive" : " baseline"));
      Result<Image> r = DecodeImage(std::span(jpeg.data(), len));
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidImage);
      EXPECT_EQ(r.status().message(), "truncated JPEG data");
    }
  }
}

TEST(JpegTest, CorruptAndOversizedHeadersAreRefused) {
  Bytes jpeg = EncodeJpeg(Smooth(64, 64));
  // Find the SOF0 marker: FF C0, length(2), precision(1), height(2), width(2).
  size_t sof = 0;
  for (size_t i = 2; i + 1 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {
      sof = i;
      break;
    }
  }
  ASSERT_NE(sof, 0u);
  Bytes big = jpeg;
  big[sof + 5] = 0x4E;  // 20000
  big[sof + 6] = 0x20;
  big[sof + 7] = 0x4E;
  big[sof + 8] = 0x20;
  Result<Image> r = DecodeImage(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "JPEG image of 20000x20000 pixels exceeds the limit of 100000000 pixels");
  DecodeOptions small;
  small.max_pixels = 64 * 63;
  r = DecodeImage(jpeg, small);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "JPEG image of 64x64 pixels exceeds the limit of 4032 pixels");
  Bytes bad = jpeg;
  bad[sof + 4] = 12;  // 12-bit precision: not supported by the 8-bit decoder
  r = DecodeImage(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("invalid JPEG data: ", 0), 0u) << r.status().message();
  Bytes zero = jpeg;
  zero[sof + 7] = zero[sof + 8] = 0;  // width 0
  r = DecodeImage(zero);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("invalid JPEG data: ", 0), 0u) << r.status().message();
}

}  // namespace
}  // namespace labelite
