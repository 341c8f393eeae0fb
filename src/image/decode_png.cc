// PNG via libpng: 1/2/4/8/16-bit gray, gray+alpha, RGB, RGBA, palette, tRNS, Adam7 interlace.
// 16-bit samples are rounded to 8 bits (png_set_scale_16); alpha is composited over
// DecodeOptions::background. libpng's errors longjmp back here (png_jmpbuf); objects that
// outlive the jump are constructed before the setjmp.
#include <png.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "image/decoders.h"

namespace labelite::image_internal {
namespace {

struct PngContext {
  std::span<const uint8_t> bytes;
  size_t pos = 0;
  char message[256] = {0};
};

[[noreturn]] void OnError(png_structp png, png_const_charp text) {
  auto* ctx = static_cast<PngContext*>(png_get_error_ptr(png));
  if (ctx->message[0] == '\0') std::snprintf(ctx->message, sizeof(ctx->message), "invalid PNG data: %s", text);
  png_longjmp(png, 1);
}

void OnWarning(png_structp, png_const_charp) {}  // ancillary problems: ignore quietly

void ReadBytes(png_structp png, png_bytep out, size_t n) {
  auto* ctx = static_cast<PngContext*>(png_get_io_ptr(png));
  if (n > ctx->bytes.size() - ctx->pos) {
    std::snprintf(ctx->message, sizeof(ctx->message), "truncated PNG data");
    png_error(png, "truncated");
  }
  std::memcpy(out, ctx->bytes.data() + ctx->pos, n);
  ctx->pos += n;
}

// Owns the libpng read and info structs.
struct PngReader {
  PngContext ctx;
  png_structp png = nullptr;
  png_infop info = nullptr;

  explicit PngReader(std::span<const uint8_t> bytes) {
    ctx.bytes = bytes;
    png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, OnError, OnWarning);
    if (png != nullptr) info = png_create_info_struct(png);
  }
  ~PngReader() {
    if (png != nullptr) png_destroy_read_struct(&png, info != nullptr ? &info : nullptr, nullptr);
  }
  void Start() {  // call after setjmp(png_jmpbuf(png))
    png_set_read_fn(png, &ctx, ReadBytes);
    png_set_chunk_malloc_max(png, 16 << 20);  // ancillary chunks (iCCP, text) up to 16 MiB
    png_read_info(png, info);
  }
};

// Composites RGBA rows (4 channels) to RGB in place over `bg`.
void CompositeRgba(uint8_t* pixels, size_t count, const uint8_t bg[3]) {
  const uint8_t* in = pixels;
  uint8_t* out = pixels;
  for (size_t i = 0; i < count; ++i, in += 4, out += 3) {
    uint32_t a = in[3];
    uint8_t r = Blend(in[0], bg[0], a), g = Blend(in[1], bg[1], a), b = Blend(in[2], bg[2], a);
    out[0] = r;
    out[1] = g;
    out[2] = b;
  }
}

}  // namespace

Result<Header> ProbePng(std::span<const uint8_t> bytes) {
  PngReader r(bytes);
  if (r.info == nullptr) return Internal("libpng initialization failed");
  if (setjmp(png_jmpbuf(r.png))) return InvalidImage(r.ctx.message);
  r.Start();
  Header header;
  header.width = static_cast<int>(png_get_image_width(r.png, r.info));
  header.height = static_cast<int>(png_get_image_height(r.png, r.info));
  return header;
}

Result<Decoded> DecodePng(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  PngReader r(bytes);
  Decoded out;
  Status status;
  std::vector<png_bytep> rows;
  if (r.info == nullptr) return Internal("libpng initialization failed");
  if (setjmp(png_jmpbuf(r.png))) return InvalidImage(r.ctx.message);
  r.Start();
  png_structp png = r.png;
  png_infop info = r.info;
  const png_uint_32 width = png_get_image_width(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  status = CheckDimensions("PNG", width, height, options.max_pixels);
  if (!status.ok()) return status;

  const int color_type = png_get_color_type(png, info);
  const bool has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  const bool gray = (color_type & PNG_COLOR_MASK_COLOR) == 0;
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (gray && png_get_bit_depth(png, info) < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (has_trns) png_set_tRNS_to_alpha(png);
  if (png_get_bit_depth(png, info) == 16) png_set_scale_16(png);
  const bool alpha = has_trns || (color_type & PNG_COLOR_MASK_ALPHA) != 0;
  if (gray && alpha) png_set_gray_to_rgb(png);  // the background may be colored
  png_set_interlace_handling(png);
  png_read_update_info(png, info);

  const int channels = png_get_channels(png, info);
  if (png_get_rowbytes(png, info) != static_cast<size_t>(width) * channels ||
      (channels != 1 && channels != 3 && channels != 4)) {
    png_error(png, "unexpected row layout after transforms");
  }
  out.mode = channels == 1 ? ColorMode::kGray : ColorMode::kRgb;
  out.image = MakeImage(static_cast<int>(width), static_cast<int>(height), channels);
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) {
    rows[y] = out.image.pixels.data() + static_cast<size_t>(y) * width * channels;
  }
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  if (channels == 4) {
    CompositeRgba(out.image.pixels.data(), static_cast<size_t>(width) * height,
                  options.background);
    out.image.channels = 3;
    out.image.pixels.resize(static_cast<size_t>(width) * height * 3);
  }
  return out;
}

}  // namespace labelite::image_internal
