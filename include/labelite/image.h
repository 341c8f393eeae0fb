// Image decoding (JPEG, PNG, BMP, WebP, GIF) and resizing for classifier input.
//
// All functions are pure: they take bytes or an Image and return a new value. They keep no
// state, so any of them may be called from any number of threads at once.
//
// Input is untrusted. Every decoder checks the size in the header against
// DecodeOptions::max_pixels before allocating pixel memory, bounds-checks every read, and
// reports bad or truncated data as an InvalidImage status (never a crash, abort or a
// half-gray picture). Messages name the problem, e.g. "truncated JPEG data"; DecodeImageFile
// prefixes them with the path: "cat.jpg: truncated JPEG data".
//
// Usage (also compiled as ImageApiTest.HeaderExample):
//   labelite::DecodeOptions options;
//   options.target_width = 224;  // JPEG may decode at 1/2, 1/4, ... of its size
//   options.target_height = 224;
//   LABELITE_ASSIGN_OR_RETURN(labelite::Image image, labelite::DecodeImageFile(path, options));
//   LABELITE_ASSIGN_OR_RETURN(labelite::Image input,
//                             labelite::ResizeImage(image, 224, 224, labelite::ResizeMode::kCrop));
//   // input.pixels holds 224*224*3 bytes, RGB, row after row.
#ifndef LABELITE_IMAGE_H_
#define LABELITE_IMAGE_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "labelite/status.h"

namespace labelite {

enum class ImageFormat { kUnknown, kJpeg, kPng, kBmp, kWebp, kGif };

// "JPEG", "PNG", "BMP", "WebP", "GIF" or "unknown".
const char* ImageFormatName(ImageFormat format);

// The format from the first bytes (magic numbers), never from a file name:
// JPEG FF D8 FF, PNG 89 'PNG' 0D 0A 1A 0A, BMP "BM", GIF "GIF87a"/"GIF89a",
// WebP "RIFF" <size> "WEBP". kUnknown otherwise.
ImageFormat SniffImageFormat(std::span<const uint8_t> bytes);

// The channel layout of decoded pixels.
//   kRgb:  3 channels R, G, B.
//   kBgr:  3 channels B, G, R.
//   kGray: 1 channel, luma = round(0.299 R + 0.587 G + 0.114 B) (ties round up), computed in
//          exact integer arithmetic from the decoded RGB. Exception: for a color JPEG the
//          decoder returns the JPEG's own Y plane, which the encoder computed with the same
//          weights before compression (so it may differ from the formula by a level or two).
enum class ColorMode { kRgb, kBgr, kGray };

// 8-bit pixels, interleaved, rows top to bottom, no padding: stride = width * channels.
// The decoders produce channels == 3 (kRgb, kBgr) or 1 (kGray); ResizeImage accepts 1..4.
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;
};

// Which decoder turns the bytes into pixels.
//   kLabelite: labelite's decoders (libjpeg-turbo with DCT-domain scaling and EXIF orientation,
//              libpng, BMP, libwebp, giflib; alpha composited over `background`).
//   kStb:      stb_image (Debian's libstb), the decoder of MediaPipe Tasks' Image.create_from_file
//              and of the TFLite Task Library: full-size JPEG decode with stb's own IDCT,
//              upsampling and YCbCr conversion, alpha dropped (not composited), as those
//              pipelines do; apply_exif_orientation as for kLabelite (MediaPipe applies it, the
//              Task Library does not). JPEG, PNG, BMP and GIF (WebP, which stb cannot read,
//              keeps labelite's decoder); target_width/height and background are ignored.
enum class ImageDecoder { kLabelite, kStb };

struct DecodeOptions {
  ImageDecoder decoder = ImageDecoder::kLabelite;
  ColorMode color = ColorMode::kRgb;
  // Images with width * height above this are refused from the header, before decoding.
  uint64_t max_pixels = 100'000'000;
  // A size hint (0 = none), in displayed orientation. A JPEG is decoded in the DCT domain at
  // the smallest scale M/8 of 1/8, 1/4, 1/2 and 1 whose result, ceil(w*M/8) x ceil(h*M/8),
  // is still >= target_width and >= target_height. (libjpeg-turbo's 3/8, 5/8, 6/8 and 7/8
  // scales are slower than the next power of two, so they are not used.) Other formats
  // ignore it.
  int target_width = 0;
  int target_height = 0;
  // Rotate/flip a JPEG by its EXIF Orientation tag (1..8) so it displays upright.
  bool apply_exif_orientation = true;
  // Transparent pixels (PNG alpha/tRNS, BMP alpha masks, WebP alpha, GIF transparency index)
  // are composited over this RGB color: out = round((a*c + (255-a)*bg) / 255). GIF pixels
  // outside the first frame also get this color.
  uint8_t background[3] = {255, 255, 255};
};

// Decodes a JPEG, PNG, BMP, WebP or GIF image (the format is sniffed from the bytes). For an
// animated GIF only the first frame is returned; animated WebP is refused (kUnsupported).
Result<Image> DecodeImage(std::span<const uint8_t> bytes, const DecodeOptions& options = {});

// Reads the file (at most kMaxImageFileBytes) and decodes it. Errors read "<path>: <problem>".
inline constexpr uint64_t kMaxImageFileBytes = 512ull << 20;
Result<Image> DecodeImageFile(const std::string& path, const DecodeOptions& options = {});

// Header facts, read without decoding pixels.
struct ImageInfo {
  ImageFormat format = ImageFormat::kUnknown;
  int width = 0;   // as DecodeImage returns it without a target hint: for a JPEG whose EXIF
  int height = 0;  // orientation is 5..8 (a quarter turn), width and height are swapped.
  int orientation = 1;  // the JPEG's EXIF orientation (1..8), 1 for other formats
};
Result<ImageInfo> ProbeImage(std::span<const uint8_t> bytes);

// How ResizeImage maps the source onto a width x height output.
//   kStretch: the whole source onto the whole output; the aspect ratio may change (what the
//             TFLite Task Library and MediaPipe do).
//   kCrop:    the largest centered source rectangle with the output's aspect ratio
//             (integer size, rounded to nearest; offset = floor((src - crop) / 2)),
//             then resized onto the whole output.
//   kPad:     letterbox: the whole source, scaled by min(width/src_w, height/src_h) to
//             round(src_w*s) x round(src_h*s) (at least 1), placed at floor((out - scaled)/2);
//             the border is filled with pad_color.
enum class ResizeMode { kStretch, kCrop, kPad };

// Bilinear resize, no antialiasing. Sampling convention (half-pixel centers, as OpenCV's
// INTER_LINEAR and TF's resize_bilinear with half_pixel_centers=true): for output x in
// [0, out_w), the source coordinate is
//   sx = (x + 0.5) * in_w / out_w - 0.5, clamped to [0, in_w - 1],
// (in_w/out_w: the source rectangle's size and the scaled area's size, sx relative to the
// source rectangle), likewise sy; the value interpolates the 2x2 neighbours
// floor(sx), floor(sx)+1 (the last column repeated at the edge). Weights are 11-bit fixed
// point (fractions quantized to 1/2048, truncated), both passes keep full precision, and the
// result is rounded to nearest. Same-size stretch is an exact copy.
// pad_color is in the image's channel order (nullptr = black; a 4th channel pads with 255).
// Errors: channels outside 1..4, pixels.size() != width*height*channels, sizes < 1 or an
// output above 2^28 pixels.
Result<Image> ResizeImage(const Image& src, int width, int height,
                          ResizeMode mode = ResizeMode::kStretch,
                          const uint8_t pad_color[3] = nullptr);

}  // namespace labelite

#endif  // LABELITE_IMAGE_H_
