// BMP, our own bounds-checked parser.
//
// Supported: BITMAPCOREHEADER (OS/2 1.x), BITMAPINFOHEADER and its V2..V5 extensions; 1, 4 and
// 8-bit palettes (a palette whose entries are all gray decodes to kGray), 16-bit (5-5-5 or
// bit fields), 24-bit, 32-bit (BI_RGB ignores the 4th byte; BI_BITFIELDS/BI_ALPHABITFIELDS
// with an alpha mask is composited over the background, unless every alpha is 0, which old
// writers produce for opaque images); bottom-up and top-down (negative height) rows, padded
// to 4 bytes. Not supported: RLE4/RLE8, embedded JPEG/PNG.
//
// Steps: parse the 14-byte file header and the DIB header, find masks and palette, check the
// size against max_pixels and the pixel array against the data size, then convert row by row.
#include <bit>
#include <cstring>
#include <string>

#include "image/decoders.h"

namespace labelite::image_internal {
namespace {

enum : uint32_t { kBiRgb = 0, kBiRle8 = 1, kBiRle4 = 2, kBiBitfields = 3, kBiJpeg = 4, kBiPng = 5,
                  kBiAlphaBitfields = 6 };

uint32_t U16(const uint8_t* p) { return p[0] | (p[1] << 8); }
uint32_t U32(const uint8_t* p) { return U16(p) | (U16(p + 2) << 16); }

// One channel of a bit-field pixel: mask position and scale to 8 bits.
struct Field {
  uint32_t mask = 0;
  int shift = 0;
  uint32_t max = 0;  // mask >> shift
  bool Init(uint32_t m) {
    mask = m;
    if (m == 0) return true;
    shift = std::countr_zero(m);
    max = m >> shift;
    return (max & (max + 1)) == 0;  // contiguous bits
  }
  uint8_t Get(uint32_t px) const {
    if (max == 0) return 0;
    uint32_t v = (px & mask) >> shift;
    if (max == 255) return static_cast<uint8_t>(v);
    return static_cast<uint8_t>((static_cast<uint64_t>(v) * 255 + max / 2) / max);
  }
};

struct BmpHeader {
  int64_t width = 0, height = 0;  // height > 0
  bool top_down = false;
  int bpp = 0;
  uint32_t compression = kBiRgb;
  uint64_t pixel_offset = 0;
  Field r, g, b, a;             // for 16/32-bit
  uint32_t palette[256] = {0};  // 0x00RRGGBB
  bool gray_palette = true;
};

Status Truncated(const char* what) { return InvalidImage(std::string("truncated BMP ") + what); }

Status ParseHeader(std::span<const uint8_t> bytes, BmpHeader& h) {
  const uint8_t* d = bytes.data();
  const size_t size = bytes.size();
  if (size < 18) return Truncated("header");
  h.pixel_offset = U32(d + 10);
  const uint32_t dib = U32(d + 14);
  if (dib != 12 && (dib < 40 || dib > 1024)) {
    return InvalidImage("invalid BMP header size " + std::to_string(dib));
  }
  if (size < 14 + static_cast<size_t>(dib)) return Truncated("header");
  const uint8_t* p = d + 14;
  size_t palette_entry = 4;
  uint32_t colors_used = 0;
  if (dib == 12) {
    h.width = U16(p + 4);
    h.height = static_cast<int16_t>(U16(p + 6));
    h.bpp = static_cast<int>(U16(p + 10));
    palette_entry = 3;
  } else {
    h.width = static_cast<int32_t>(U32(p + 4));
    h.height = static_cast<int32_t>(U32(p + 8));
    h.bpp = static_cast<int>(U16(p + 14));
    h.compression = U32(p + 16);
    colors_used = U32(p + 32);
  }
  if (h.height < 0) {
    h.top_down = true;
    h.height = -h.height;
  }
  size_t after_header = 14 + dib;
  // Bit-field masks: inside a V2+ header, else right after the 40-byte header.
  if (h.compression == kBiBitfields || h.compression == kBiAlphaBitfields) {
    if (h.bpp != 16 && h.bpp != 32) return InvalidImage("BMP bit fields need 16 or 32 bits per pixel");
    size_t nmasks = h.compression == kBiAlphaBitfields ? 4 : 3;
    const uint8_t* m = p + 40;
    if (dib < 40 + 4 * nmasks) {
      if (size < after_header + 4 * nmasks) return Truncated("header");
      after_header += 4 * nmasks;
    }
    uint32_t am = (nmasks == 4 || dib >= 56) ? U32(m + 12) : 0;
    if (!h.r.Init(U32(m)) || !h.g.Init(U32(m + 4)) || !h.b.Init(U32(m + 8)) || !h.a.Init(am)) {
      return InvalidImage("invalid BMP bit field masks");
    }
  } else if (h.compression == kBiRgb) {
    if (h.bpp == 16) {
      (void)(h.r.Init(0x7C00) && h.g.Init(0x03E0) && h.b.Init(0x001F));
    } else if (h.bpp == 32) {
      (void)(h.r.Init(0xFF0000) && h.g.Init(0xFF00) && h.b.Init(0xFF));
    } else if (h.bpp != 1 && h.bpp != 4 && h.bpp != 8 && h.bpp != 24) {
      return InvalidImage("unsupported BMP bit depth " + std::to_string(h.bpp));
    }
  } else {
    const char* names[] = {"", "RLE8", "RLE4", "", "JPEG", "PNG"};
    std::string name = h.compression <= kBiPng ? names[h.compression] : std::to_string(h.compression);
    return Unsupported("unsupported BMP compression " + name);
  }
  if (h.bpp <= 8) {
    uint32_t count = colors_used == 0 ? 1u << h.bpp : colors_used;
    if (count > (1u << h.bpp)) count = 1u << h.bpp;  // extra entries are never indexed
    if (size < after_header || (size - after_header) / palette_entry < count) return Truncated("palette");
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t* e = d + after_header + i * palette_entry;
      h.palette[i] = (uint32_t{e[2]} << 16) | (uint32_t{e[1]} << 8) | e[0];
      h.gray_palette = h.gray_palette && e[0] == e[1] && e[1] == e[2];
    }
  }
  return Status::Ok();
}

// Row pointer of output row y (rows stored bottom-up unless top_down).
const uint8_t* SourceRow(const uint8_t* pixels, const BmpHeader& h, size_t stride, int64_t y) {
  return pixels + stride * static_cast<size_t>(h.top_down ? y : h.height - 1 - y);
}

void DecodeRow(const uint8_t* s, const BmpHeader& h, bool use_alpha, const uint8_t bg[3],
               uint8_t* out, int channels) {
  const int64_t w = h.width;
  if (h.bpp <= 8) {
    const int per_byte = 8 / h.bpp;
    const uint32_t mask = (1u << h.bpp) - 1;
    for (int64_t x = 0; x < w; ++x) {
      int shift = 8 - h.bpp * (1 + static_cast<int>(x % per_byte));
      uint32_t c = h.palette[(s[x / per_byte] >> shift) & mask];
      if (channels == 1) {
        out[x] = static_cast<uint8_t>(c);
      } else {
        out[3 * x] = static_cast<uint8_t>(c >> 16);
        out[3 * x + 1] = static_cast<uint8_t>(c >> 8);
        out[3 * x + 2] = static_cast<uint8_t>(c);
      }
    }
  } else if (h.bpp == 24) {
    for (int64_t x = 0; x < w; ++x, s += 3, out += 3) {
      out[0] = s[2];
      out[1] = s[1];
      out[2] = s[0];
    }
  } else {
    const int step = h.bpp / 8;
    for (int64_t x = 0; x < w; ++x, s += step, out += 3) {
      uint32_t px = step == 2 ? U16(s) : U32(s);
      uint8_t r = h.r.Get(px), g = h.g.Get(px), b = h.b.Get(px);
      if (use_alpha) {
        uint32_t a = h.a.Get(px);
        r = Blend(r, bg[0], a);
        g = Blend(g, bg[1], a);
        b = Blend(b, bg[2], a);
      }
      out[0] = r;
      out[1] = g;
      out[2] = b;
    }
  }
}

}  // namespace

Result<Header> ProbeBmp(std::span<const uint8_t> bytes) {
  BmpHeader h;
  LABELITE_RETURN_IF_ERROR(ParseHeader(bytes, h));
  LABELITE_RETURN_IF_ERROR(CheckDimensions("BMP", h.width, h.height, UINT64_MAX));
  Header header;
  header.width = static_cast<int>(h.width);
  header.height = static_cast<int>(h.height);
  return header;
}

Result<Decoded> DecodeBmp(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  BmpHeader h;
  LABELITE_RETURN_IF_ERROR(ParseHeader(bytes, h));
  LABELITE_RETURN_IF_ERROR(CheckDimensions("BMP", h.width, h.height, options.max_pixels));
  const size_t stride = (static_cast<size_t>(h.width) * h.bpp + 31) / 32 * 4;
  const size_t last_row = (static_cast<size_t>(h.width) * h.bpp + 7) / 8;
  // Needed: offset + stride * (height - 1) + last_row (the last row's padding may be missing).
  // width, height < 2^31 and bpp <= 32 keep these sums far from overflow.
  if (h.pixel_offset > bytes.size() || bytes.size() - h.pixel_offset < last_row ||
      (bytes.size() - h.pixel_offset - last_row) / stride < static_cast<size_t>(h.height - 1)) {
    return Truncated("pixel data");
  }
  const uint8_t* pixels = bytes.data() + h.pixel_offset;

  // An alpha mask whose alpha is 0 everywhere means "no alpha" (writers that leave it unset).
  bool use_alpha = false;
  if (h.a.max != 0) {
    for (int64_t y = 0; y < h.height && !use_alpha; ++y) {
      const uint8_t* s = SourceRow(pixels, h, stride, y);
      for (int64_t x = 0; x < h.width; ++x) {
        uint32_t px = h.bpp == 16 ? U16(s + 2 * x) : U32(s + 4 * x);
        if ((px & h.a.mask) != 0) {
          use_alpha = true;
          break;
        }
      }
    }
  }
  Decoded out;
  const bool gray = h.bpp <= 8 && h.gray_palette;
  out.mode = gray ? ColorMode::kGray : ColorMode::kRgb;
  const int channels = gray ? 1 : 3;
  out.image = MakeImage(static_cast<int>(h.width), static_cast<int>(h.height), channels);
  const size_t out_stride = static_cast<size_t>(h.width) * channels;
  for (int64_t y = 0; y < h.height; ++y) {
    DecodeRow(SourceRow(pixels, h, stride, y), h, use_alpha, options.background,
              out.image.pixels.data() + out_stride * y, channels);
  }
  return out;
}

}  // namespace labelite::image_internal
