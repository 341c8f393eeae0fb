// JPEG via libjpeg-turbo: baseline and progressive; gray, YCbCr, RGB, CMYK and YCCK; DCT-domain
// downscaling by the target hint; EXIF orientation read from APP1.
//
// libjpeg reports fatal errors through error_exit, which we turn into a longjmp back to the
// decoding function. "Premature end of JPEG file" is only a warning to libjpeg (it pads the
// data and returns a gray bottom); we treat it as the error "truncated JPEG data". C++
// objects touched across the setjmp are all constructed before it, so the longjmp skips no
// destructor.
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <vector>

// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>
#include <jerror.h>

#include "image/decoders.h"

namespace labelite::image_internal {
namespace {

constexpr int kMaxScans = 1000;  // a progressive JPEG has ~10; thousands only slow us down
constexpr unsigned kExifMarker = JPEG_APP0 + 1;

struct ErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX + 32];
};

[[noreturn]] void FailWith(j_common_ptr cinfo, const char* message) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  std::snprintf(err->message, sizeof(err->message), "%s", message);
  std::longjmp(err->jump, 1);
}

[[noreturn]] void OnError(j_common_ptr cinfo) {
  char text[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, text);
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  std::snprintf(err->message, sizeof(err->message), "invalid JPEG data: %s", text);
  std::longjmp(err->jump, 1);
}

void OnMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace output
  if (cinfo->err->msg_code == JWRN_JPEG_EOF) FailWith(cinfo, "truncated JPEG data");
  cinfo->err->num_warnings++;  // other corruption warnings: decode what is there
}

void OnProgress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  if (reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number > kMaxScans) {
    FailWith(cinfo, "invalid JPEG data: more than 1000 scans");
  }
}

// Owns a decompressor reading from memory. Call Start() right after the setjmp.
struct Decompressor {
  jpeg_decompress_struct cinfo;
  ErrorManager err;
  jpeg_progress_mgr progress;
  bool created = false;

  void Start(std::span<const uint8_t> bytes) {
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = OnError;
    err.pub.emit_message = OnMessage;
    err.message[0] = '\0';
    jpeg_create_decompress(&cinfo);
    created = true;
    progress.progress_monitor = OnProgress;
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
    jpeg_save_markers(&cinfo, kExifMarker, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);
  }
  int Orientation() {
    for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != nullptr; m = m->next) {
      if (m->marker != kExifMarker) continue;
      int o = ParseExifOrientation({m->data, m->data_length});
      if (o != 1) return o;
    }
    return 1;
  }
  ~Decompressor() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
};

// The smallest M in {1, 2, 4, 8} with ceil(w*M/8) >= tw and ceil(h*M/8) >= th. Only these
// scales have SIMD IDCTs in libjpeg-turbo; 3/8, 5/8, 6/8 and 7/8 run plain-C IDCTs (3x3 luma
// and 6x6 chroma for 3/8) that cost more than decoding at the next power of two, even at full
// size. On the bench/throughput photos (640x480..1920x1080, 224x224 target; measured with
// `throughput_tool decode`) this took decoding from 2.46 to 2.26 ms per image, and the
// resized input moved closer to that of a full-size decode (mean difference 1.81 -> 1.57
// levels; same top-1 class as the full-size decode for 459 instead of 457 of 500 photos).
unsigned ChooseScale(uint64_t w, uint64_t h, int tw, int th) {
  if (tw <= 0 && th <= 0) return 8;
  const uint64_t min_w = static_cast<uint64_t>(tw > 0 ? tw : 0);
  const uint64_t min_h = static_cast<uint64_t>(th > 0 ? th : 0);
  for (unsigned m = 1; m < 8; m *= 2) {
    if ((w * m + 7) / 8 >= min_w && (h * m + 7) / 8 >= min_h) return m;
  }
  return 8;
}

// CMYK (as libjpeg returns it, YCCK already converted) to RGB. Adobe (Photoshop) files store
// inverted CMYK, where each byte is 255 - ink; R = c' * k' / 255 then.
void CmykRowToRgb(const uint8_t* in, uint8_t* out, int width, bool inverted) {
  for (int x = 0; x < width; ++x, in += 4, out += 3) {
    uint32_t k = inverted ? in[3] : 255 - in[3];
    for (int c = 0; c < 3; ++c) {
      uint32_t v = inverted ? in[c] : 255 - in[c];
      out[c] = static_cast<uint8_t>((v * k + 127) / 255);
    }
  }
}

}  // namespace

Result<Header> ProbeJpeg(std::span<const uint8_t> bytes) {
  Decompressor d;
  Header header;
  if (setjmp(d.err.jump)) return InvalidImage(d.err.message);
  d.Start(bytes);
  header.orientation = d.Orientation();
  header.width = static_cast<int>(d.cinfo.image_width);
  header.height = static_cast<int>(d.cinfo.image_height);
  if (header.orientation >= 5) std::swap(header.width, header.height);
  return header;
}

Result<Decoded> DecodeJpeg(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  Decompressor d;
  Decoded out;
  Status status;
  std::vector<uint8_t> cmyk_row;
  if (setjmp(d.err.jump)) return InvalidImage(d.err.message);
  d.Start(bytes);
  jpeg_decompress_struct& cinfo = d.cinfo;
  status = CheckDimensions("JPEG", cinfo.image_width, cinfo.image_height, options.max_pixels);
  if (!status.ok()) return status;
  if (options.apply_exif_orientation) out.orientation = d.Orientation();

  bool cmyk = false;
  switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
      cinfo.out_color_space = JCS_GRAYSCALE;
      out.mode = ColorMode::kGray;
      break;
    case JCS_CMYK:
    case JCS_YCCK:
      cinfo.out_color_space = JCS_CMYK;
      out.mode = ColorMode::kRgb;
      cmyk = true;
      break;
    default:  // YCbCr, RGB
      out.mode = options.color;
      cinfo.out_color_space = options.color == ColorMode::kGray  ? JCS_GRAYSCALE
                              : options.color == ColorMode::kBgr ? JCS_EXT_BGR
                                                                 : JCS_RGB;
      break;
  }
  bool swap = out.orientation >= 5;  // targets are in displayed orientation
  cinfo.scale_num = ChooseScale(cinfo.image_width, cinfo.image_height,
                                swap ? options.target_height : options.target_width,
                                swap ? options.target_width : options.target_height);
  cinfo.scale_denom = 8;
  // Accurate settings; the fast ones gain almost nothing here (same photos and tool): IFAST
  // saved 0.01 ms per image and moved the input away from the full-size decode's (mean
  // difference 1.57 -> 1.72). Without fancy upsampling nothing changes below full size (4:2:0
  // chroma is then scaled in the IDCT, never upsampled); at full size it saves 0.2-0.3 ms per
  // 1-2 megapixel photo but shifts colors at chroma edges by up to ~75 levels.
  cinfo.dct_method = JDCT_ISLOW;
  jpeg_start_decompress(&cinfo);

  int channels = cmyk ? 3 : static_cast<int>(cinfo.output_components);
  if (channels != 1 && channels != 3) FailWith(reinterpret_cast<j_common_ptr>(&cinfo),
                                              "unsupported JPEG color layout");
  out.image = MakeImage(static_cast<int>(cinfo.output_width),
                        static_cast<int>(cinfo.output_height), channels);
  size_t stride = static_cast<size_t>(out.image.width) * channels;
  if (cmyk) cmyk_row.resize(static_cast<size_t>(cinfo.output_width) * 4);
  while (cinfo.output_scanline < cinfo.output_height) {
    uint8_t* dst = out.image.pixels.data() + cinfo.output_scanline * stride;
    JSAMPROW row = cmyk ? cmyk_row.data() : dst;
    if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
      FailWith(reinterpret_cast<j_common_ptr>(&cinfo), "truncated JPEG data");
    }
    if (cmyk) CmykRowToRgb(cmyk_row.data(), dst, out.image.width, cinfo.saw_Adobe_marker);
  }
  jpeg_finish_decompress(&cinfo);
  return out;
}

}  // namespace labelite::image_internal
