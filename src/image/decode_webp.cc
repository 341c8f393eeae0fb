// WebP via libwebp's advanced API (lossy, lossless, alpha). Animated WebP needs libwebpdemux,
// which labelite does not link, so it is refused with a clear message.
#include <webp/decode.h>

#include <string>
#include <vector>

#include "image/decoders.h"

namespace labelite::image_internal {
namespace {

Status WebpError(VP8StatusCode code) {
  switch (code) {
    case VP8_STATUS_NOT_ENOUGH_DATA: return InvalidImage("truncated WebP data");
    case VP8_STATUS_UNSUPPORTED_FEATURE: return Unsupported("unsupported WebP feature");
    case VP8_STATUS_OUT_OF_MEMORY: return ResourceExhausted("out of memory decoding WebP");
    default: return InvalidImage("invalid WebP data (libwebp status " + std::to_string(code) + ")");
  }
}

Result<WebPBitstreamFeatures> ReadFeatures(std::span<const uint8_t> bytes) {
  WebPBitstreamFeatures features;
  VP8StatusCode code = WebPGetFeatures(bytes.data(), bytes.size(), &features);
  if (code != VP8_STATUS_OK) return WebpError(code);
  if (features.has_animation) return Unsupported("animated WebP is not supported");
  return features;
}

}  // namespace

Result<Header> ProbeWebp(std::span<const uint8_t> bytes) {
  LABELITE_ASSIGN_OR_RETURN(WebPBitstreamFeatures f, ReadFeatures(bytes));
  LABELITE_RETURN_IF_ERROR(CheckDimensions("WebP", f.width, f.height, UINT64_MAX));
  Header header;
  header.width = f.width;
  header.height = f.height;
  return header;
}

Result<Decoded> DecodeWebp(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  LABELITE_ASSIGN_OR_RETURN(WebPBitstreamFeatures f, ReadFeatures(bytes));
  LABELITE_RETURN_IF_ERROR(CheckDimensions("WebP", f.width, f.height, options.max_pixels));
  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) return Internal("libwebp version mismatch");
  Decoded out;
  const bool alpha = f.has_alpha != 0;
  out.mode = !alpha && options.color == ColorMode::kBgr ? ColorMode::kBgr : ColorMode::kRgb;
  const int channels = alpha ? 4 : 3;
  out.image = MakeImage(f.width, f.height, channels);
  config.output.colorspace = alpha ? MODE_RGBA : out.mode == ColorMode::kBgr ? MODE_BGR : MODE_RGB;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = out.image.pixels.data();
  config.output.u.RGBA.stride = f.width * channels;
  config.output.u.RGBA.size = out.image.pixels.size();
  VP8StatusCode code = WebPDecode(bytes.data(), bytes.size(), &config);
  WebPFreeDecBuffer(&config.output);  // frees nothing for external memory; kept for symmetry
  if (code != VP8_STATUS_OK) return WebpError(code);
  if (alpha) {
    std::vector<uint8_t>& p = out.image.pixels;
    const size_t n = static_cast<size_t>(f.width) * f.height;
    const uint8_t* bg = options.background;
    for (size_t i = 0; i < n; ++i) {
      const uint8_t* s = &p[4 * i];
      uint32_t a = s[3];
      uint8_t r = Blend(s[0], bg[0], a), g = Blend(s[1], bg[1], a), b = Blend(s[2], bg[2], a);
      p[3 * i] = r;
      p[3 * i + 1] = g;
      p[3 * i + 2] = b;
    }
    p.resize(n * 3);
    out.image.channels = 3;
  }
  return out;
}

}  // namespace labelite::image_internal
