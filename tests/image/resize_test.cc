// ResizeImage: values computed by hand for the half-pixel-center convention, agreement with a
// double-precision reference, and crop/pad geometry.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "image_test_util.h"
#include "labelite/image.h"

namespace labelite {
namespace {

using testing::Bytes;
using testing::MakePattern;
using testing::Px;

Image Resize(const Image& src, int w, int h, ResizeMode mode = ResizeMode::kStretch,
             const uint8_t* pad = nullptr) {
  Result<Image> r = ResizeImage(src, w, h, mode, pad);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : Image{};
}

Image Gray(int w, int h, Bytes values) {
  Image im;
  im.width = w;
  im.height = h;
  im.channels = 1;
  im.pixels = std::move(values);
  return im;
}

TEST(ResizeTest, TwoByTwoToFourByFourByHand) {
  // Source columns sample at sx = (x + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75,
  // 1.25 (clamped to 1); rows alike. With a=0, b=100 (top), c=200, d=40 (bottom):
  // top row    0, 25, 75, 100; bottom row 200, 160, 80, 40;
  // row 1 = .75 top + .25 bottom: 50, 58.75, 76.25, 85; row 2 = .25 top + .75 bottom:
  // 150, 126.25, 78.75, 55; rounded to nearest.
  Image got = Resize(Gray(2, 2, {0, 100, 200, 40}), 4, 4);
  EXPECT_EQ(got.pixels, (Bytes{0, 25, 75, 100,  //
                               50, 59, 76, 85,   //
                               150, 126, 79, 55,  //
                               200, 160, 80, 40}));
}

TEST(ResizeTest, HalvingAveragesTwoByTwoBlocksRoundingHalfUp) {
  // 4 -> 2 samples at 0.5 and 2.5: the mean of each 2x2 block.
  // (0+1+0+1)/4 = 0.5 -> 1 (half up); (10+20+30+42)/4 = 25.5 -> 26.
  Image got = Resize(Gray(4, 2, {0, 1, 10, 20, 0, 1, 30, 42}), 2, 1);
  EXPECT_EQ(got.pixels, (Bytes{1, 26}));
}

TEST(ResizeTest, ConstantImageStaysConstant) {
  for (int c = 1; c <= 4; ++c) {
    Image src = MakePattern(37, 23, c, [](int, int, int ch) { return 17 + 60 * ch; });
    for (ResizeMode mode : {ResizeMode::kStretch, ResizeMode::kCrop}) {
      for (auto [w, h] : {std::pair{224, 224}, {5, 3}, {100, 7}, {37, 23}, {1, 1}}) {
        Image got = Resize(src, w, h, mode);
        ASSERT_EQ(got.channels, c);
        for (size_t i = 0; i < got.pixels.size(); ++i) ASSERT_EQ(got.pixels[i], 17 + 60 * (i % c));
      }
    }
  }
}

TEST(ResizeTest, SameSizeIsIdentity) {
  Image src = MakePattern(31, 17, 3, [](int x, int y, int c) { return x * 7 + y * 3 + c; });
  EXPECT_EQ(Resize(src, 31, 17).pixels, src.pixels);
}

// The documented formula in double precision.
double Reference(const Image& s, double sx, double sy, int c) {
  sx = std::clamp(sx, 0.0, s.width - 1.0);
  sy = std::clamp(sy, 0.0, s.height - 1.0);
  int x0 = static_cast<int>(sx), y0 = static_cast<int>(sy);
  int x1 = std::min(x0 + 1, s.width - 1), y1 = std::min(y0 + 1, s.height - 1);
  double fx = sx - x0, fy = sy - y0;
  auto v = [&](int x, int y) { return double(Px(s, x, y)[c]); };
  return (v(x0, y0) * (1 - fx) + v(x1, y0) * fx) * (1 - fy) + (v(x0, y1) * (1 - fx) + v(x1, y1) * fx) * fy;
}

TEST(ResizeTest, MatchesDoublePrecisionReferenceWithinOneLevel) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 30; ++trial) {
    int sw = 1 + rng() % 300, sh = 1 + rng() % 200, dw = 1 + rng() % 250, dh = 1 + rng() % 250;
    int c = 1 + rng() % 4;
    Image src = MakePattern(sw, sh, c, [&](int, int, int) { return rng() % 256; });
    Image got = Resize(src, dw, dh);
    int worst = 0;
    for (int y = 0; y < dh; ++y)
      for (int x = 0; x < dw; ++x)
        for (int ch = 0; ch < c; ++ch) {
          double want = Reference(src, (x + 0.5) * sw / dw - 0.5, (y + 0.5) * sh / dh - 0.5, ch);
          worst = std::max(worst, static_cast<int>(std::abs(Px(got, x, y)[ch] - std::floor(want + 0.5))));
        }
    EXPECT_LE(worst, 1) << sw << "x" << sh << " -> " << dw << "x" << dh;
  }
}

// The documented fixed-point formula, in 64-bit integers: 11-bit weights (the fraction of the
// source coordinate truncated to 1/2048), no rounding until the end.
int FixedPointReference(const Image& s, int dw, int dh, int x, int y, int c) {
  auto tap = [](int n, int out_n, int o, int& i0, int& i1, int64_t& w) {
    int64_t num = (2 * int64_t{o} + 1) * n - out_n;
    int64_t f = num <= 0 ? 0 : (num << 11) / (2 * int64_t{out_n});
    i0 = static_cast<int>(f >> 11);
    w = f & 2047;
    if (i0 >= n - 1) i0 = n - 1, w = 0;
    i1 = std::min(i0 + 1, n - 1);
  };
  int x0, x1, y0, y1;
  int64_t wx, wy;
  tap(s.width, dw, x, x0, x1, wx);
  tap(s.height, dh, y, y0, y1, wy);
  auto row = [&](int yy) { return Px(s, x0, yy)[c] * (2048 - wx) + Px(s, x1, yy)[c] * wx; };
  return static_cast<int>((row(y0) * (2048 - wy) + row(y1) * wy + (1 << 21)) >> 22);
}

TEST(ResizeTest, MatchesTheFixedPointFormulaExactly) {
  // Every channel count and many widths: the 3- and 4-channel rows take a SIMD path that
  // reads 4 bytes per pixel, except where that would pass the end of the image.
  std::mt19937 rng(11);
  for (int trial = 0; trial < 60; ++trial) {
    int sw = 1 + rng() % 200, sh = 1 + rng() % 100, dw = 1 + rng() % 150, dh = 1 + rng() % 80;
    int c = 1 + trial % 4;
    Image src = MakePattern(sw, sh, c, [&](int, int, int) { return rng() % 256; });
    Image got = Resize(src, dw, dh);
    int mismatches = 0;
    for (int y = 0; y < dh; ++y)
      for (int x = 0; x < dw; ++x)
        for (int ch = 0; ch < c; ++ch) mismatches += Px(got, x, y)[ch] != FixedPointReference(src, dw, dh, x, y, ch);
    EXPECT_EQ(mismatches, 0) << sw << "x" << sh << "x" << c << " -> " << dw << "x" << dh;
  }
}

TEST(ResizeTest, CropTakesTheCentralRegion) {
  // 200x100, value = x. Crop to 1:1 keeps x in [50, 150); 100 -> 50 samples at 2x + 0.5
  // within the crop: 50 + 2x + 0.5 rounds to 51 + 2x.
  Image wide = MakePattern(200, 100, 1, [](int x, int, int) { return x; });
  Image got = Resize(wide, 50, 50, ResizeMode::kCrop);
  for (int y : {0, 25, 49})
    for (int x = 0; x < 50; ++x) ASSERT_EQ(Px(got, x, y)[0], 51 + 2 * x) << x;
  // Tall: 60x180, value = y; crop keeps y in [60, 120), resized 60 -> 30: 61 + 2y.
  Image tall = MakePattern(60, 180, 1, [](int, int y, int) { return y; });
  got = Resize(tall, 30, 30, ResizeMode::kCrop);
  for (int y = 0; y < 30; ++y) ASSERT_EQ(Px(got, 7, y)[0], 61 + 2 * y) << y;
  // Crop to a wider aspect than the source: 100x100 -> 40x20 keeps rows [25, 75).
  Image square = MakePattern(100, 100, 1, [](int, int y, int) { return y; });
  got = Resize(square, 40, 20, ResizeMode::kCrop);
  // 50 -> 20 rows sample at (y + 0.5) * 2.5 - 0.5: y=0 -> 25 + 0.75 -> 26; y=19 -> 25 + 48.25 -> 73.
  EXPECT_EQ(Px(got, 0, 0)[0], 26);
  EXPECT_EQ(Px(got, 0, 19)[0], 73);
}

TEST(ResizeTest, PadLetterboxesWithPadColor) {
  // 200x100, value (x, 0, 255-x) -> 100x100: scaled to 100x50 at y = 25; inner sample at
  // 2x + 0.5 -> 2x + 1 (rounded half up) in red.
  Image wide = MakePattern(200, 100, 3, [](int x, int, int c) { return c == 0 ? x : c == 1 ? 0 : 255 - x; });
  const uint8_t pad[3] = {1, 2, 3};
  Image got = Resize(wide, 100, 100, ResizeMode::kPad, pad);
  for (int y = 0; y < 100; ++y) {
    bool inside = y >= 25 && y < 75;
    for (int x = 0; x < 100; x += 9) {
      const uint8_t* p = Px(got, x, y);
      if (inside) {
        ASSERT_EQ(p[0], 2 * x + 1) << x << "," << y;
        ASSERT_EQ(p[1], 0);
      } else {
        ASSERT_EQ(p[0], 1) << y;
        ASSERT_EQ(p[1], 2);
        ASSERT_EQ(p[2], 3);
      }
    }
  }
  // 100x30 -> 64x64: scale 0.64 -> 64 x round(19.2) = 19 rows at y = floor(45 / 2) = 22.
  Image strip = MakePattern(100, 30, 1, [](int, int, int) { return 200; });
  got = Resize(strip, 64, 64, ResizeMode::kPad);  // black padding
  EXPECT_EQ(Px(got, 10, 21)[0], 0);
  EXPECT_EQ(Px(got, 10, 22)[0], 200);
  EXPECT_EQ(Px(got, 10, 40)[0], 200);
  EXPECT_EQ(Px(got, 10, 41)[0], 0);
  // Tall source pads columns; a 4-channel image pads its 4th channel with 255.
  Image tall = MakePattern(30, 90, 4, [](int, int, int) { return 100; });
  got = Resize(tall, 90, 90, ResizeMode::kPad);
  EXPECT_EQ(Px(got, 29, 50)[0], 0);
  EXPECT_EQ(Px(got, 29, 50)[3], 255);
  EXPECT_EQ(Px(got, 30, 50)[0], 100);
  EXPECT_EQ(Px(got, 59, 50)[0], 100);
  EXPECT_EQ(Px(got, 60, 50)[0], 0);
}

TEST(ResizeTest, RefusesBadArguments) {
  Image ok = MakePattern(4, 4, 3, [](int, int, int) { return 0; });
  EXPECT_FALSE(ResizeImage(ok, 0, 10).ok());
  EXPECT_FALSE(ResizeImage(ok, 10, -1).ok());
  EXPECT_FALSE(ResizeImage(ok, 1 << 15, 1 << 14).ok());
  Image bad = ok;
  bad.pixels.pop_back();
  Result<Image> r = ResizeImage(bad, 2, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  bad = ok;
  bad.channels = 5;
  EXPECT_FALSE(ResizeImage(bad, 2, 2).ok());
  EXPECT_FALSE(ResizeImage(Image{}, 2, 2).ok());
}

}  // namespace
}  // namespace labelite
