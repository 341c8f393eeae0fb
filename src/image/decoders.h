// Internal interface between image.cc (sniffing, dispatch, color conversion, EXIF rotation)
// and the per-format decoders decode_<format>.cc.
#ifndef LABELITE_SRC_IMAGE_DECODERS_H_
#define LABELITE_SRC_IMAGE_DECODERS_H_

#include <cstdint>
#include <span>

#include "labelite/image.h"
#include "labelite/status.h"

namespace labelite::image_internal {

// A decoder's output: pixels in `mode` (3 channels for kRgb/kBgr, 1 for kGray), with alpha
// already composited over DecodeOptions::background. Decoders return whatever is cheapest
// (usually kRgb, or kGray for a gray source); image.cc converts to the requested mode.
struct Decoded {
  Image image;
  ColorMode mode = ColorMode::kRgb;
  int orientation = 1;  // EXIF orientation still to apply (1 = none)
};

// Header facts for ProbeImage.
struct Header {
  int width = 0;
  int height = 0;
  int orientation = 1;
};

Result<Decoded> DecodeJpeg(std::span<const uint8_t> bytes, const DecodeOptions& options);
Result<Decoded> DecodePng(std::span<const uint8_t> bytes, const DecodeOptions& options);
Result<Decoded> DecodeBmp(std::span<const uint8_t> bytes, const DecodeOptions& options);
Result<Decoded> DecodeWebp(std::span<const uint8_t> bytes, const DecodeOptions& options);
Result<Decoded> DecodeGif(std::span<const uint8_t> bytes, const DecodeOptions& options);
// ImageDecoder::kStb for JPEG, PNG, BMP and GIF (decode_stb.cc).
Result<Decoded> DecodeStb(std::span<const uint8_t> bytes, const DecodeOptions& options);

Result<Header> ProbeJpeg(std::span<const uint8_t> bytes);
Result<Header> ProbePng(std::span<const uint8_t> bytes);
Result<Header> ProbeBmp(std::span<const uint8_t> bytes);
Result<Header> ProbeWebp(std::span<const uint8_t> bytes);
Result<Header> ProbeGif(std::span<const uint8_t> bytes);

// Refuses sizes < 1 and width*height > max_pixels. `format` names the format in messages.
Status CheckDimensions(const char* format, int64_t width, int64_t height, uint64_t max_pixels);

// Allocates a width x height x channels image (after CheckDimensions).
Image MakeImage(int width, int height, int channels);

// round((a*fg + (255-a)*bg) / 255) for 8-bit a, fg, bg.
inline uint8_t Blend(uint32_t fg, uint32_t bg, uint32_t a) {
  return static_cast<uint8_t>((a * fg + (255 - a) * bg + 127) / 255);
}

// The EXIF Orientation tag (1..8) from an APP1 payload starting "Exif\0\0"; 1 when absent
// or malformed.
int ParseExifOrientation(std::span<const uint8_t> app1);

// Rotates/flips `image` so that an image stored with EXIF `orientation` displays upright.
Image ApplyOrientation(const Image& image, int orientation);

}  // namespace labelite::image_internal

#endif  // LABELITE_SRC_IMAGE_DECODERS_H_
