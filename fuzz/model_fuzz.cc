// libFuzzer target: any bytes through Model::FromBytes (verifier, validation, metadata, zip),
// then every embedded file through ReadEmbeddedFile. Must never crash, hang or over-allocate.
// Seed corpus: the .tflite files of ../shared/testdata/models (see fuzz/make_corpus.sh).
#include <cstddef>
#include <cstdint>
#include <span>

#include "model/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  labelite::ModelLimits limits;
  limits.max_embedded_file_bytes = 1 << 20;
  auto model = labelite::Model::FromBytes(std::span<const uint8_t>(data, size), "fuzz", limits);
  if (!model.ok()) return 0;
  for (const auto& f : model.value()->embedded_files()) {
    auto text = model.value()->ReadEmbeddedFile(f.name);
    (void)text;
  }
  return 0;
}
