// EXIF orientation: reading the tag from an APP1 payload, and rotating pixels accordingly.
#include <cstring>

#include "image/decoders.h"

namespace labelite::image_internal {
namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTypeShort = 3;

struct TiffReader {
  std::span<const uint8_t> tiff;
  bool big_endian;
  bool Has(size_t offset, size_t n) const { return offset <= tiff.size() && n <= tiff.size() - offset; }
  uint32_t U16(size_t o) const {
    return big_endian ? (tiff[o] << 8) | tiff[o + 1] : tiff[o] | (tiff[o + 1] << 8);
  }
  uint32_t U32(size_t o) const {
    return big_endian ? (U16(o) << 16) | U16(o + 2) : U16(o) | (U16(o + 2) << 16);
  }
};

}  // namespace

// Steps: check "Exif\0\0"; read the TIFF byte order ("II" little, "MM" big) and magic 42;
// follow the IFD0 offset; scan its entries for tag 0x0112 of type SHORT, count 1, whose value
// sits in the first two bytes of the entry's value field. Every read is bounds-checked.
int ParseExifOrientation(std::span<const uint8_t> app1) {
  if (app1.size() < 6 || std::memcmp(app1.data(), "Exif\0\0", 6) != 0) return 1;
  TiffReader r{app1.subspan(6), false};
  if (!r.Has(0, 8)) return 1;
  if (r.tiff[0] == 'M' && r.tiff[1] == 'M') {
    r.big_endian = true;
  } else if (!(r.tiff[0] == 'I' && r.tiff[1] == 'I')) {
    return 1;
  }
  if (r.U16(2) != 42) return 1;
  size_t ifd = r.U32(4);
  if (!r.Has(ifd, 2)) return 1;
  size_t count = r.U16(ifd);
  for (size_t i = 0; i < count; ++i) {
    size_t entry = ifd + 2 + 12 * i;
    if (!r.Has(entry, 12)) return 1;
    if (r.U16(entry) != kOrientationTag) continue;
    if (r.U16(entry + 2) != kTypeShort || r.U32(entry + 4) != 1) return 1;
    uint32_t value = r.U16(entry + 8);
    return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
  }
  return 1;
}

// Output pixel (x, y) copies source pixel (sx, sy) where, for a W x H source:
//   2: (W-1-x, y)      3: (W-1-x, H-1-y)   4: (x, H-1-y)
//   5: (y, x)          6: (y, H-1-x)       7: (W-1-y, H-1-x)   8: (W-1-y, x)
// (6 = rotate 90 degrees clockwise to display, 8 = counter-clockwise, 5/7 = transposes.)
Image ApplyOrientation(const Image& src, int orientation) {
  if (orientation < 2 || orientation > 8) return src;
  const int w = src.width, h = src.height, c = src.channels;
  bool swap = orientation >= 5;
  Image out = MakeImage(swap ? h : w, swap ? w : h, c);
  // Source offset of output (0,0) and source steps per output x and per output y.
  int64_t sx0 = 0, sy0 = 0, dx_x = 0, dy_x = 0, dx_y = 0, dy_y = 0;
  switch (orientation) {
    case 2: sx0 = w - 1; dx_x = -1; dy_y = 1; break;
    case 3: sx0 = w - 1; sy0 = h - 1; dx_x = -1; dy_y = -1; break;
    case 4: sy0 = h - 1; dx_x = 1; dy_y = -1; break;
    case 5: dy_x = 1; dx_y = 1; break;
    case 6: sy0 = h - 1; dy_x = -1; dx_y = 1; break;
    case 7: sx0 = w - 1; sy0 = h - 1; dy_x = -1; dx_y = -1; break;
    case 8: sx0 = w - 1; dy_x = 1; dx_y = -1; break;
  }
  const int64_t step_x = (dy_x * w + dx_x) * c;  // source byte step per output x
  uint8_t* dst = out.pixels.data();
  for (int y = 0; y < out.height; ++y) {
    const uint8_t* s = src.pixels.data() + ((sy0 + dy_y * y) * w + sx0 + dx_y * y) * c;
    if (c == 3) {
      for (int x = 0; x < out.width; ++x, s += step_x, dst += 3) {
        dst[0] = s[0];
        dst[1] = s[1];
        dst[2] = s[2];
      }
    } else {
      for (int x = 0; x < out.width; ++x, s += step_x, dst += c) std::memcpy(dst, s, c);
    }
  }
  return out;
}

}  // namespace labelite::image_internal
