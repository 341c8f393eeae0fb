// GIF via giflib, reading from memory: the first frame only, drawn on a canvas of the
// logical screen size (grown to hold the frame if the screen is smaller), with the frame's
// transparent index and everything outside the frame showing DecodeOptions::background.
//
// Steps: open (reads the screen descriptor and global color table); walk records, noting the
// transparency index of a Graphic Control Extension; at the first image descriptor check the
// sizes, then read its rows (in GIF interlace order: passes start at 0, 4, 2, 1 with
// steps 8, 8, 4, 2) and map indices through the local or global color table. An index past
// the table's end is drawn black.
#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "image/decoders.h"

namespace labelite::image_internal {
namespace {

struct GifSource {
  std::span<const uint8_t> bytes;
  size_t pos = 0;
  bool hit_end = false;
};

int ReadGif(GifFileType* gif, GifByteType* out, int n) {
  auto* src = static_cast<GifSource*>(gif->UserData);
  size_t want = n > 0 ? static_cast<size_t>(n) : 0;
  size_t got = std::min(want, src->bytes.size() - src->pos);
  if (got < want) src->hit_end = true;
  std::memcpy(out, src->bytes.data() + src->pos, got);
  src->pos += got;
  return static_cast<int>(got);
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};
using GifFile = std::unique_ptr<GifFileType, GifCloser>;

Status GifError(const GifSource& src, int code) {
  if (src.hit_end) return InvalidImage("truncated GIF data");
  const char* text = GifErrorString(code);
  return InvalidImage(std::string("invalid GIF data: ") + (text != nullptr ? text : "unknown error"));
}

Result<GifFile> Open(GifSource& src) {
  int error = 0;
  GifFile gif(DGifOpen(&src, ReadGif, &error));
  if (!gif) return GifError(src, error);
  return gif;
}

// Advances to the first image descriptor, returning the transparent index (-1 if none).
Result<int> FindFirstImage(GifFileType* gif, const GifSource& src) {
  int transparent = NO_TRANSPARENT_COLOR;
  for (;;) {
    GifRecordType type;
    if (DGifGetRecordType(gif, &type) == GIF_ERROR) return GifError(src, gif->Error);
    if (type == TERMINATE_RECORD_TYPE) return InvalidImage("GIF contains no image");
    if (type == IMAGE_DESC_RECORD_TYPE) {
      if (DGifGetImageDesc(gif) == GIF_ERROR) return GifError(src, gif->Error);
      return transparent;
    }
    if (type != EXTENSION_RECORD_TYPE) continue;
    int code = 0;
    GifByteType* ext = nullptr;
    if (DGifGetExtension(gif, &code, &ext) == GIF_ERROR) return GifError(src, gif->Error);
    if (code == GRAPHICS_EXT_FUNC_CODE && ext != nullptr) {
      GraphicsControlBlock gcb;
      if (DGifExtensionToGCB(ext[0], ext + 1, &gcb) == GIF_OK) transparent = gcb.TransparentColor;
    }
    while (ext != nullptr) {
      if (DGifGetExtensionNext(gif, &ext) == GIF_ERROR) return GifError(src, gif->Error);
    }
  }
}

}  // namespace

Result<Header> ProbeGif(std::span<const uint8_t> bytes) {
  GifSource src{bytes};
  LABELITE_ASSIGN_OR_RETURN(GifFile gif, Open(src));
  LABELITE_ASSIGN_OR_RETURN(int transparent, FindFirstImage(gif.get(), src));
  (void)transparent;
  const GifImageDesc& d = gif->Image;
  Header header;
  header.width = std::max(gif->SWidth, d.Left + d.Width);
  header.height = std::max(gif->SHeight, d.Top + d.Height);
  LABELITE_RETURN_IF_ERROR(CheckDimensions("GIF", header.width, header.height, UINT64_MAX));
  return header;
}

Result<Decoded> DecodeGif(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  GifSource src{bytes};
  LABELITE_ASSIGN_OR_RETURN(GifFile gif, Open(src));
  LABELITE_RETURN_IF_ERROR(CheckDimensions("GIF", std::max(gif->SWidth, 1), std::max(gif->SHeight, 1),
                                           options.max_pixels));
  LABELITE_ASSIGN_OR_RETURN(int transparent, FindFirstImage(gif.get(), src));
  const GifImageDesc& d = gif->Image;
  LABELITE_RETURN_IF_ERROR(CheckDimensions("GIF frame", d.Width, d.Height, options.max_pixels));
  const int width = std::max(gif->SWidth, d.Left + d.Width);
  const int height = std::max(gif->SHeight, d.Top + d.Height);
  LABELITE_RETURN_IF_ERROR(CheckDimensions("GIF", width, height, options.max_pixels));
  const ColorMapObject* map = d.ColorMap != nullptr ? d.ColorMap : gif->SColorMap;
  if (map == nullptr || map->Colors == nullptr) return InvalidImage("GIF has no color table");

  Decoded out;
  out.image = MakeImage(width, height, 3);
  uint8_t* px = out.image.pixels.data();
  for (size_t i = 0; i < out.image.pixels.size(); i += 3) std::memcpy(px + i, options.background, 3);
  std::vector<GifPixelType> line(d.Width);
  const int pass_start[4] = {0, 4, 2, 1}, pass_step[4] = {8, 8, 4, 2};
  const int passes = d.Interlace ? 4 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    const int start = d.Interlace ? pass_start[pass] : 0, step = d.Interlace ? pass_step[pass] : 1;
    for (int y = start; y < d.Height; y += step) {
      if (DGifGetLine(gif.get(), line.data(), d.Width) == GIF_ERROR) return GifError(src, gif->Error);
      uint8_t* row = px + (static_cast<size_t>(d.Top + y) * width + d.Left) * 3;
      for (int x = 0; x < d.Width; ++x) {
        const int index = line[x];
        if (index == transparent) continue;
        uint8_t* o = row + 3 * x;
        if (index < map->ColorCount) {
          const GifColorType& c = map->Colors[index];
          o[0] = c.Red;
          o[1] = c.Green;
          o[2] = c.Blue;
        } else {
          o[0] = o[1] = o[2] = 0;
        }
      }
    }
  }
  return out;
}

}  // namespace labelite::image_internal
