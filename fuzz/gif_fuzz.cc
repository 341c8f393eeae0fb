// libFuzzer target: any bytes through labelite's GIF decoder: the header probe, then a full
// decode with EXIF orientation (JPEG) and a DCT-scale hint taken from the input's first byte.
// Pixel limits keep each input under a second and the process under 2 GB.
// Seed corpus: the GIF files of ../shared/testdata/images (fuzz/make_corpus.sh).
#include <cstddef>
#include <cstdint>
#include <span>

#include "image/decoders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto header = labelite::image_internal::ProbeGif(bytes);
  (void)header;
  labelite::DecodeOptions options;
  options.max_pixels = 4'000'000;
  if (size > 0) options.target_width = options.target_height = (data[0] & 3) * 64;
  auto decoded = labelite::image_internal::DecodeGif(bytes, options);
  (void)decoded;
  return 0;
}
