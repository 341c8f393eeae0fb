// libFuzzer target: TF Serving REST bodies, :predict ({"instances": [...]} or {"inputs": ...})
// and :classify ({"examples": [...]}), through ParseTfServingPredict and ParseTfServingClassify
// for four models (uint8, int8 and float32 tensor inputs of small shapes, and an int16 input
// that takes images only). The input is the body. A refusal must be a 400/413 with a one-line
// printable message; a request that parses must hold its items: all images, or `count` tensors
// of the model's H x W x C.
// Seeds: fuzz/seeds/tfserving_request/ (fuzz/make_corpus.sh); dictionary: fuzz/tfserving_request.dict (loaded
// unless -dict is given).
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/tf_serving_request.h"
#include "server_fuzz_util.h"

namespace {

using labelite::ClassifierSummary;
using labelite::fuzz::Fail;

void Check(const ClassifierSummary& s, const labelite::server::TfServingRequest& r, bool classify) {
  if (r.count == 0) Fail("no items", r.what);
  if (!r.images.empty()) {
    if (r.images.size() != r.count || !r.tensors.empty()) Fail("images and count disagree", r.what);
    return;
  }
  if (classify) Fail("a classify request parsed into tensors", r.what);
  if (r.tensors.size() != r.count * labelite::fuzz::TensorSize(s)) Fail("tensors are not count x H x W x C", r.what);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  labelite::fuzz::UseDictionary(argc, argv);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  for (const ClassifierSummary& s : labelite::fuzz::FuzzModels()) {
    labelite::server::TfServingRequest r;
    if (labelite::fuzz::Parses([&] { r = labelite::server::ParseTfServingPredict(s, body); })) Check(s, r, false);
    if (labelite::fuzz::Parses([&] { r = labelite::server::ParseTfServingClassify(s, body); })) Check(s, r, true);
  }
  return 0;
}
