// libFuzzer target: any bytes through the TFLite metadata parser (the "TFLITE_METADATA" buffer:
// flatbuffers verifier, then labelite's own checks of process units, associated files, ranges).
// Seed corpus: the metadata buffers of the shared models (fuzz/make_corpus.sh finds them by
// their "M001" file identifier).
#include <cstddef>
#include <cstdint>
#include <span>

#include "model/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto metadata = labelite::ParseModelMetadata(std::span<const uint8_t>(data, size));
  (void)metadata;
  return 0;
}
