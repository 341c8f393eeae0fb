// libFuzzer target: any bytes as the zip appended to a .tflite (the model's associated files):
// list the entries, then read each one with a 1 MiB limit. Must never read out of bounds, loop,
// or allocate from a size field it has not checked.
// Seed corpus: the appended zips of the shared models (fuzz/make_corpus.sh).
#include <cstddef>
#include <cstdint>
#include <span>

#include "model/embedded_zip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto entries = labelite::ListZipEntries(bytes);
  if (!entries.ok()) return 0;
  for (const auto& entry : *entries) {
    auto text = labelite::ReadZipEntry(bytes, entry.name, 1 << 20);
    (void)text;
  }
  return 0;
}
