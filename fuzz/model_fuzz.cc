// libFuzzer target: any bytes through Model::FromBytes (verifier, validation, metadata, zip),
// every embedded file through ReadEmbeddedFile, then the interpreter's Create (op resolution,
// data-flow checks, every kernel's Prepare, memory planning) on both kernel paths, and Invoke
// for small graphs. Must never crash, hang or over-allocate.
// Seed corpus: the .tflite files of ../shared/testdata/models (see fuzz/make_corpus.sh).
#include <cstddef>
#include <cstdint>
#include <span>

#include "kernels/registry.h"
#include "model/model.h"
#include "runtime/interpreter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  labelite::ModelLimits limits;
  limits.max_embedded_file_bytes = 1 << 20;
  auto model = labelite::Model::FromBytes(std::span<const uint8_t>(data, size), "fuzz", limits);
  if (!model.ok()) return 0;
  for (const auto& f : model.value()->embedded_files()) {
    auto text = model.value()->ReadEmbeddedFile(f.name);
    (void)text;
  }
  for (labelite::KernelPath path : {labelite::KernelPath::kReference, labelite::KernelPath::kFast}) {
    auto interp = labelite::Interpreter::Create(*model, labelite::BuiltinOpResolver(), {path, 1});
    if (!interp.ok()) continue;
    // Small graphs also run (inputs are whatever the arena holds: zeros).
    if ((*interp)->TotalMacs() < 2'000'000 && (*interp)->arena_bytes() < (64u << 20)) {
      auto s = (*interp)->Invoke();
      (void)s;
    }
  }
  return 0;
}
