// Test-only image writers (libpng, libjpeg, libwebp, giflib encoders; BMP by hand) and
// pixel helpers. Writers take plain interleaved pixels and return the file bytes.
#ifndef LABELITE_TESTS_IMAGE_IMAGE_TEST_UTIL_H_
#define LABELITE_TESTS_IMAGE_IMAGE_TEST_UTIL_H_

#include <gif_lib.h>
#include <png.h>
#include <webp/encode.h>

#include <cstdio>
// jpeglib.h needs FILE and size_t first.
#include <jpeglib.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "labelite/image.h"

namespace labelite::testing {

using Bytes = std::vector<uint8_t>;

// A w x h image whose pixel (x, y) is fn(x, y, c) for channel c.
template <typename Fn>
Image MakePattern(int w, int h, int channels, Fn fn) {
  Image im;
  im.width = w;
  im.height = h;
  im.channels = channels;
  im.pixels.resize(static_cast<size_t>(w) * h * channels);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c)
        im.pixels[(static_cast<size_t>(y) * w + x) * channels + c] = static_cast<uint8_t>(fn(x, y, c));
  return im;
}

inline const uint8_t* Px(const Image& im, int x, int y) {
  return &im.pixels[(static_cast<size_t>(y) * im.width + x) * im.channels];
}

inline int MaxAbsDiff(const Image& a, const Image& b) {
  if (a.pixels.size() != b.pixels.size()) return 1 << 20;
  int m = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) m = std::max(m, std::abs(a.pixels[i] - b.pixels[i]));
  return m;
}

inline double MeanAbsDiff(const Image& a, const Image& b) {
  double s = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) s += std::abs(a.pixels[i] - b.pixels[i]);
  return s / static_cast<double>(a.pixels.size());
}

// ---- PNG ------------------------------------------------------------------------------------
struct PngSpec {
  int width = 0, height = 0;
  int color_type = PNG_COLOR_TYPE_RGB;
  int bit_depth = 8;
  bool interlaced = false;
  std::vector<png_color> palette;  // for PNG_COLOR_TYPE_PALETTE
  std::vector<uint8_t> trns_alpha; // palette alpha (tRNS)
  bool has_trns_color = false;     // tRNS single color for gray/RGB
  png_color_16 trns_color{};
  // Packed rows exactly as PNG stores them (big-endian 16-bit, packed low depths).
  std::vector<uint8_t> data;
};

inline void PngWriteToVector(png_structp png, png_bytep data, size_t n) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + n);
}

inline Bytes EncodePng(const PngSpec& spec) {
  Bytes out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return {};
  }
  png_set_write_fn(png, &out, PngWriteToVector, nullptr);
  png_set_IHDR(png, info, spec.width, spec.height, spec.bit_depth, spec.color_type,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!spec.palette.empty())
    png_set_PLTE(png, info, spec.palette.data(), static_cast<int>(spec.palette.size()));
  if (!spec.trns_alpha.empty())
    png_set_tRNS(png, info, spec.trns_alpha.data(), static_cast<int>(spec.trns_alpha.size()), nullptr);
  if (spec.has_trns_color) png_set_tRNS(png, info, nullptr, 0, &spec.trns_color);
  png_write_info(png, info);
  size_t rowbytes = png_get_rowbytes(png, info);
  std::vector<png_bytep> rows(spec.height);
  for (int y = 0; y < spec.height; ++y)
    rows[y] = const_cast<png_bytep>(spec.data.data() + rowbytes * y);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

// 8-bit PNG of an Image with 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels.
inline Bytes EncodePng(const Image& im, bool interlaced = false) {
  static const int kTypes[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                               PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
  PngSpec spec;
  spec.width = im.width;
  spec.height = im.height;
  spec.color_type = kTypes[im.channels];
  spec.interlaced = interlaced;
  spec.data = im.pixels;
  return EncodePng(spec);
}

// ---- JPEG -----------------------------------------------------------------------------------
struct JpegSpec {
  int quality = 95;
  bool progressive = false;
  J_COLOR_SPACE in_space = JCS_RGB;  // JCS_RGB, JCS_GRAYSCALE or JCS_CMYK
  bool full_chroma = true;           // 4:4:4 (no chroma subsampling)
  Bytes app1;                        // written as an APP1 marker if non-empty
};

inline Bytes EncodeJpeg(const Image& im, const JpegSpec& spec = {}) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr err;
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buf, &size);
  cinfo.image_width = im.width;
  cinfo.image_height = im.height;
  cinfo.input_components = im.channels;
  cinfo.in_color_space = spec.in_space;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, spec.quality, TRUE);
  if (spec.full_chroma && spec.in_space == JCS_RGB) {
    for (int i = 0; i < 3; ++i) cinfo.comp_info[i].h_samp_factor = cinfo.comp_info[i].v_samp_factor = 1;
  }
  if (spec.progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  if (!spec.app1.empty())
    jpeg_write_marker(&cinfo, JPEG_APP0 + 1, spec.app1.data(), static_cast<unsigned>(spec.app1.size()));
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(Px(im, 0, cinfo.next_scanline));
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  Bytes out(buf, buf + size);
  std::free(buf);
  return out;
}

// An APP1 payload "Exif\0\0" + TIFF with one IFD0 entry: Orientation (0x0112) = value.
inline Bytes ExifOrientation(int value, bool big_endian) {
  Bytes b = {'E', 'x', 'i', 'f', 0, 0};
  auto u16 = [&](unsigned v) {
    if (big_endian) { b.push_back(v >> 8); b.push_back(v & 255); }
    else { b.push_back(v & 255); b.push_back(v >> 8); }
  };
  auto u32 = [&](unsigned v) {
    if (big_endian) { u16(v >> 16); u16(v & 0xFFFF); }
    else { u16(v & 0xFFFF); u16(v >> 16); }
  };
  b.push_back(big_endian ? 'M' : 'I');
  b.push_back(big_endian ? 'M' : 'I');
  u16(42);
  u32(8);          // IFD0 right after the header
  u16(2);          // two entries: an unrelated tag first
  u16(0x010F); u16(2); u32(4); b.insert(b.end(), {'A', 'B', 'C', 0});  // Make = "ABC"
  u16(0x0112); u16(3); u32(1); u16(value); u16(0);
  u32(0);          // no next IFD
  return b;
}

// ---- BMP (by hand) --------------------------------------------------------------------------
inline void Put16(Bytes& b, size_t at, uint32_t v) { b[at] = v & 255; b[at + 1] = (v >> 8) & 255; }
inline void Put32(Bytes& b, size_t at, uint32_t v) { Put16(b, at, v & 0xFFFF); Put16(b, at + 2, v >> 16); }

struct BmpSpec {
  int width = 0, height = 0;
  int bpp = 24;
  bool top_down = false;
  int header_size = 40;             // 12, 40, 108 or 124
  uint32_t compression = 0;         // 0 BI_RGB, 3 BI_BITFIELDS
  uint32_t masks[4] = {0, 0, 0, 0}; // R, G, B, A (in the header for V4/V5, after it for 40)
  std::vector<uint32_t> palette;    // 0x00RRGGBB
  // Row payloads top row first, unpadded (ceil(w*bpp/8) bytes each); padding is added.
  std::vector<Bytes> rows;
};

inline Bytes MakeBmp(const BmpSpec& s) {
  const bool core = s.header_size == 12;
  const size_t masks = (s.compression == 3 && s.header_size == 40) ? 12 : 0;
  const size_t entry = core ? 3 : 4;
  const size_t offset = 14 + s.header_size + masks + s.palette.size() * entry;
  const size_t stride = (static_cast<size_t>(s.width) * s.bpp + 31) / 32 * 4;
  Bytes b(offset + stride * s.height, 0);
  b[0] = 'B';
  b[1] = 'M';
  Put32(b, 2, static_cast<uint32_t>(b.size()));
  Put32(b, 10, static_cast<uint32_t>(offset));
  Put32(b, 14, s.header_size);
  if (core) {
    Put16(b, 18, s.width);
    Put16(b, 20, s.height);
    Put16(b, 22, 1);
    Put16(b, 24, s.bpp);
  } else {
    Put32(b, 18, s.width);
    Put32(b, 22, static_cast<uint32_t>(s.top_down ? -s.height : s.height));
    Put16(b, 26, 1);
    Put16(b, 28, s.bpp);
    Put32(b, 30, s.compression);
    Put32(b, 34, static_cast<uint32_t>(stride * s.height));
    Put32(b, 46, static_cast<uint32_t>(s.palette.size()));
    if (s.compression == 3) {
      for (int i = 0; i < (s.header_size >= 56 ? 4 : 3); ++i) Put32(b, 54 + 4 * i, s.masks[i]);
    }
    if (s.header_size >= 108) Put32(b, 14 + 56, 0x73524742);  // 'sRGB'
  }
  size_t p = 14 + s.header_size + masks;
  for (uint32_t c : s.palette) {
    b[p] = c & 255;
    b[p + 1] = (c >> 8) & 255;
    b[p + 2] = (c >> 16) & 255;
    p += entry;
  }
  for (int y = 0; y < s.height; ++y) {
    int stored = s.top_down ? y : s.height - 1 - y;
    std::memcpy(&b[offset + stride * stored], s.rows[y].data(), s.rows[y].size());
  }
  return b;
}

// 24-bit BMP rows (BGR) of an RGB image.
inline BmpSpec Bmp24(const Image& im) {
  BmpSpec s;
  s.width = im.width;
  s.height = im.height;
  for (int y = 0; y < im.height; ++y) {
    Bytes row;
    for (int x = 0; x < im.width; ++x) {
      const uint8_t* p = Px(im, x, y);
      row.insert(row.end(), {p[2], p[1], p[0]});
    }
    s.rows.push_back(row);
  }
  return s;
}

// ---- WebP -----------------------------------------------------------------------------------
inline Bytes EncodeWebp(const Image& im, bool lossless, float quality = 95) {
  uint8_t* out = nullptr;
  size_t n = 0;
  const int stride = im.width * im.channels;
  if (im.channels == 4) {
    n = lossless ? WebPEncodeLosslessRGBA(im.pixels.data(), im.width, im.height, stride, &out)
                 : WebPEncodeRGBA(im.pixels.data(), im.width, im.height, stride, quality, &out);
  } else {
    n = lossless ? WebPEncodeLosslessRGB(im.pixels.data(), im.width, im.height, stride, &out)
                 : WebPEncodeRGB(im.pixels.data(), im.width, im.height, stride, quality, &out);
  }
  Bytes b(out, out + n);
  WebPFree(out);
  return b;
}

// ---- GIF ------------------------------------------------------------------------------------
struct GifSpec {
  int screen_width = 0, screen_height = 0;
  int left = 0, top = 0, width = 0, height = 0;
  bool interlaced = false;
  std::vector<GifColorType> colors;  // power-of-two count
  int transparent = -1;
  std::vector<uint8_t> indices;      // width*height, rows top to bottom
  bool second_frame = false;         // append a second, all-index-0 frame
};

inline int GifWriteToVector(GifFileType* gif, const GifByteType* data, int n) {
  auto* out = static_cast<Bytes*>(gif->UserData);
  out->insert(out->end(), data, data + n);
  return n;
}

inline Bytes EncodeGif(const GifSpec& s) {
  Bytes out;
  int err = 0;
  GifFileType* gif = EGifOpen(&out, GifWriteToVector, &err);
  ColorMapObject* map = GifMakeMapObject(static_cast<int>(s.colors.size()), s.colors.data());
  EGifSetGifVersion(gif, true);
  EGifPutScreenDesc(gif, s.screen_width, s.screen_height, 8, 0, map);
  GraphicsControlBlock gcb{};
  gcb.DisposalMode = DISPOSAL_UNSPECIFIED;
  gcb.TransparentColor = s.transparent;
  GifByteType ext[4];
  size_t len = EGifGCBToExtension(&gcb, ext);
  EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(len), ext);
  EGifPutImageDesc(gif, s.left, s.top, s.width, s.height, s.interlaced, nullptr);
  // Interlaced GIF rows are written in pass order.
  std::vector<int> order;
  if (s.interlaced) {
    const int start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
    for (int p = 0; p < 4; ++p)
      for (int y = start[p]; y < s.height; y += step[p]) order.push_back(y);
  } else {
    for (int y = 0; y < s.height; ++y) order.push_back(y);
  }
  for (int y : order)
    EGifPutLine(gif, const_cast<GifPixelType*>(&s.indices[static_cast<size_t>(y) * s.width]), s.width);
  if (s.second_frame) {
    EGifPutImageDesc(gif, 0, 0, s.screen_width, s.screen_height, false, nullptr);
    std::vector<GifPixelType> zeros(s.screen_width, 0);
    for (int y = 0; y < s.screen_height; ++y) EGifPutLine(gif, zeros.data(), s.screen_width);
  }
  EGifCloseFile(gif, &err);
  GifFreeMapObject(map);
  return out;
}

}  // namespace labelite::testing

#endif  // LABELITE_TESTS_IMAGE_IMAGE_TEST_UTIL_H_
