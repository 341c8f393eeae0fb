// Format sniffing, decoder dispatch, color conversion and file reading.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <sys/stat.h>

#include "image/decoders.h"
#include "labelite/image.h"

namespace labelite {
namespace {

using image_internal::Decoded;

bool StartsWith(std::span<const uint8_t> bytes, const char* magic, size_t n, size_t at = 0) {
  return bytes.size() >= at + n && std::memcmp(bytes.data() + at, magic, n) == 0;
}

// luma = round(0.299 R + 0.587 G + 0.114 B), ties up, exactly.
inline uint8_t Luma(uint32_t r, uint32_t g, uint32_t b) {
  return static_cast<uint8_t>((299 * r + 587 * g + 114 * b + 500) / 1000);
}

// Converts `d` (kRgb, kBgr or kGray) to `want` in place.
void ConvertColor(Decoded& d, ColorMode want) {
  if (d.mode == want) return;
  Image& im = d.image;
  size_t n = static_cast<size_t>(im.width) * im.height;
  uint8_t* p = im.pixels.data();
  if (d.mode == ColorMode::kGray) {  // 1 -> 3 channels
    std::vector<uint8_t> rgb(n * 3);
    for (size_t i = 0; i < n; ++i) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = p[i];
    im.pixels = std::move(rgb);
    im.channels = 3;
  } else if (want == ColorMode::kGray) {  // 3 -> 1
    int r = d.mode == ColorMode::kRgb ? 0 : 2, b = 2 - r;
    for (size_t i = 0; i < n; ++i) p[i] = Luma(p[3 * i + r], p[3 * i + 1], p[3 * i + b]);
    im.pixels.resize(n);
    im.pixels.shrink_to_fit();
    im.channels = 1;
  } else {  // RGB <-> BGR
    for (size_t i = 0; i < n; ++i) std::swap(p[3 * i], p[3 * i + 2]);
  }
  d.mode = want;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// One read of the size fstat reports (a regular file), then chunks until end of file (pipes,
// or a file that grew meanwhile).
Result<std::vector<uint8_t>> ReadWholeFile(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    int e = errno;
    std::string m = path + ": " + std::strerror(e);
    return e == ENOENT ? NotFound(m) : IoError(m);
  }
  auto too_large = [&] {
    return InvalidImage(path + ": file is larger than " + std::to_string(kMaxImageFileBytes >> 20) + " MiB");
  };
  struct stat st;
  size_t expected = 0;
  if (fstat(fileno(file.get()), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    if (static_cast<uint64_t>(st.st_size) > kMaxImageFileBytes) return too_large();
    expected = static_cast<size_t>(st.st_size);
  }
  std::vector<uint8_t> bytes(expected + 1);  // + 1: end of file shows as a short read
  size_t size = 0;
  for (;;) {
    size_t got = std::fread(bytes.data() + size, 1, bytes.size() - size, file.get());
    size += got;
    if (size < bytes.size()) break;
    if (size > kMaxImageFileBytes) return too_large();
    bytes.resize(std::min<size_t>(std::max<size_t>(2 * size, 1 << 16), kMaxImageFileBytes + 1));
  }
  if (std::ferror(file.get())) return IoError(path + ": read failed: " + std::strerror(errno));
  bytes.resize(size);
  return bytes;
}

}  // namespace

namespace image_internal {

Status CheckDimensions(const char* format, int64_t width, int64_t height, uint64_t max_pixels) {
  if (width < 1 || height < 1) {
    return InvalidImage(std::string("invalid ") + format + " size " + std::to_string(width) +
                        "x" + std::to_string(height));
  }
  // Each side below 2^31 keeps the product exact in 64 bits.
  if (width > INT32_MAX || height > INT32_MAX ||
      static_cast<uint64_t>(width) * static_cast<uint64_t>(height) > max_pixels) {
    return InvalidImage(std::string(format) + " image of " + std::to_string(width) + "x" +
                        std::to_string(height) + " pixels exceeds the limit of " +
                        std::to_string(max_pixels) + " pixels");
  }
  return Status::Ok();
}

Image MakeImage(int width, int height, int channels) {
  Image im;
  im.width = width;
  im.height = height;
  im.channels = channels;
  im.pixels.resize(static_cast<size_t>(width) * height * channels);
  return im;
}

}  // namespace image_internal

const char* ImageFormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg: return "JPEG";
    case ImageFormat::kPng: return "PNG";
    case ImageFormat::kBmp: return "BMP";
    case ImageFormat::kWebp: return "WebP";
    case ImageFormat::kGif: return "GIF";
    case ImageFormat::kUnknown: break;
  }
  return "unknown";
}

ImageFormat SniffImageFormat(std::span<const uint8_t> bytes) {
  if (StartsWith(bytes, "\xFF\xD8\xFF", 3)) return ImageFormat::kJpeg;
  if (StartsWith(bytes, "\x89PNG\r\n\x1A\n", 8)) return ImageFormat::kPng;
  if (StartsWith(bytes, "GIF87a", 6) || StartsWith(bytes, "GIF89a", 6)) return ImageFormat::kGif;
  if (StartsWith(bytes, "RIFF", 4) && StartsWith(bytes, "WEBP", 4, 8)) return ImageFormat::kWebp;
  if (StartsWith(bytes, "BM", 2)) return ImageFormat::kBmp;
  return ImageFormat::kUnknown;
}

static Status UnknownFormat(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return InvalidImage("empty image data");
  return InvalidImage("unrecognized image format (not JPEG, PNG, BMP, WebP or GIF)");
}

Result<Image> DecodeImage(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  using namespace image_internal;
  Result<Decoded> decoded = Status(StatusCode::kInternal, "unreachable");
  const ImageFormat format = SniffImageFormat(bytes);
  // stb_image reads no WebP: those keep labelite's decoder (MediaPipe's file reader refuses them).
  if (options.decoder == ImageDecoder::kStb && format != ImageFormat::kUnknown &&
      format != ImageFormat::kWebp) {
    decoded = DecodeStb(bytes, options);
  } else switch (format) {
    case ImageFormat::kJpeg: decoded = DecodeJpeg(bytes, options); break;
    case ImageFormat::kPng: decoded = DecodePng(bytes, options); break;
    case ImageFormat::kBmp: decoded = DecodeBmp(bytes, options); break;
    case ImageFormat::kWebp: decoded = DecodeWebp(bytes, options); break;
    case ImageFormat::kGif: decoded = DecodeGif(bytes, options); break;
    case ImageFormat::kUnknown: return UnknownFormat(bytes);
  }
  if (!decoded.ok()) return decoded.status();
  Decoded& d = decoded.value();
  ConvertColor(d, options.color);
  if (d.orientation != 1) return ApplyOrientation(d.image, d.orientation);
  return std::move(d.image);
}

Result<Image> DecodeImageFile(const std::string& path, const DecodeOptions& options) {
  LABELITE_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadWholeFile(path));
  Result<Image> image = DecodeImage(bytes, options);
  // Built inline rather than with Status::WithPrefix: test binaries that link only
  // labelite_image (an object library) then need no base objects.
  if (!image.ok()) return Status(image.status().code(), path + ": " + image.status().message());
  return image;
}

Result<ImageInfo> ProbeImage(std::span<const uint8_t> bytes) {
  using namespace image_internal;
  ImageInfo info;
  info.format = SniffImageFormat(bytes);
  Result<Header> header = Status(StatusCode::kInternal, "unreachable");
  switch (info.format) {
    case ImageFormat::kJpeg: header = ProbeJpeg(bytes); break;
    case ImageFormat::kPng: header = ProbePng(bytes); break;
    case ImageFormat::kBmp: header = ProbeBmp(bytes); break;
    case ImageFormat::kWebp: header = ProbeWebp(bytes); break;
    case ImageFormat::kGif: header = ProbeGif(bytes); break;
    case ImageFormat::kUnknown: return UnknownFormat(bytes);
  }
  if (!header.ok()) return header.status();
  info.width = header->width;
  info.height = header->height;
  info.orientation = header->orientation;
  return info;
}

}  // namespace labelite
