// ImageDecoder::kStb: stb_image (Debian's libstb), the decoder behind MediaPipe Tasks'
// Image.create_from_file and the TFLite Task Library's image files. Its JPEG path (own IDCT,
// fancy upsampling and fixed-point YCbCr conversion) gives pixels that differ from
// libjpeg-turbo's by a level or two, enough to flip near-ties, so the MediaPipe and Task
// Library presets decode with it. Pixels come out at full size, a fourth (alpha) channel
// dropped rather than composited, as both pipelines do.
#include <stb_image.h>

#include <cstring>
#include <memory>

#include "image/decoders.h"

namespace labelite::image_internal {

namespace {

struct StbFree {
  void operator()(stbi_uc* p) const { stbi_image_free(p); }
};

}  // namespace

Result<Decoded> DecodeStb(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  const ImageFormat format = SniffImageFormat(bytes);
  const char* name = ImageFormatName(format);
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return InvalidImage("image data too large");
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int len = static_cast<int>(bytes.size());
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(data, len, &width, &height, &channels))
    return InvalidImage(std::string("stb_image cannot read this ") + name + " header: " + stbi_failure_reason());
  LABELITE_RETURN_IF_ERROR(CheckDimensions(name, width, height, options.max_pixels));
  // Three channels requested: stb drops alpha and replicates gray itself (its conversion is
  // what the RGBA->RGB copy of MediaPipe's converter and the Task Library's do).
  std::unique_ptr<stbi_uc, StbFree> pixels(stbi_load_from_memory(data, len, &width, &height, &channels, 3));
  if (!pixels) return InvalidImage(std::string("stb_image cannot decode this ") + name + ": " + stbi_failure_reason());
  Decoded d;
  d.image = MakeImage(width, height, 3);
  std::memcpy(d.image.pixels.data(), pixels.get(), d.image.pixels.size());
  d.mode = ColorMode::kRgb;
  // MediaPipe's file reader turns a JPEG upright by its EXIF orientation (checked against
  // MediaPipe 1.2.3 for all 8); the Task Library's does not (apply_exif_orientation = false).
  if (format == ImageFormat::kJpeg && options.apply_exif_orientation) {
    Result<Header> header = ProbeJpeg(bytes);
    if (header.ok()) d.orientation = header->orientation;
  }
  return d;
}

}  // namespace labelite::image_internal
