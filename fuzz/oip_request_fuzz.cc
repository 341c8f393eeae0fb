// libFuzzer target: KServe v2 / Open Inference Protocol inference requests, JSON and the binary
// tensor data extension, through ParseInferRequest for four models (uint8, int8 and float32
// tensor inputs of small shapes, and an int16 input that takes images only).
// Input: "<Inference-Header-Content-Length value>\n<body>"; an input that starts with '\n' (or
// has none) has no such header and is all body. A refusal must be a 400/413 with a one-line
// printable message; a request that parses must hold what the model runs: outputs naming its
// heads, images inside the body or decoded storage, a tensor of batch x H x W x C elements.
// Seeds: fuzz/seeds/oip_request/ (fuzz/make_corpus.sh); dictionary: fuzz/oip_request.dict (loaded
// unless -dict is given).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/kserve_v2_request.h"
#include "server_fuzz_util.h"

namespace {

using labelite::ClassifierSummary;
using labelite::fuzz::Fail;

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void Check(const ClassifierSummary& s, const labelite::server::InferRequest& r, std::string_view body) {
  if (r.outputs.empty()) Fail("no outputs", r.what);
  for (const auto& o : r.outputs) {
    if (o.head < 0 || o.head >= static_cast<int>(s.num_classes.size())) Fail("output head out of range", r.what);
    if (o.classification < 0 || o.classification > s.num_classes[static_cast<size_t>(o.head)])
      Fail("classification count out of range", r.what);
  }
  if (r.images_input) {
    for (std::string_view image : r.images) {
      bool stored = Inside(image, body);
      for (const std::string& kept : r.storage) stored = stored || Inside(image, kept);
      if (!stored) Fail("image outside the body and the storage", r.what);
    }
    return;
  }
  if (r.tensor.size() != r.batch * labelite::fuzz::TensorSize(s)) Fail("tensor size is not batch x H x W x C", r.what);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  labelite::fuzz::UseDictionary(argc, argv);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  std::string header;
  std::string_view body = input;
  const bool has_header = newline != std::string_view::npos && newline > 0;
  if (newline != std::string_view::npos) {
    header = std::string(input.substr(0, newline));
    body = input.substr(newline + 1);
  }
  // The body in a buffer of its own size, so that ASan sees any read past its end.
  const std::string owned(body);
  for (const ClassifierSummary& s : labelite::fuzz::FuzzModels()) {
    labelite::server::InferRequest r;
    const std::string* split = has_header ? &header : nullptr;
    if (labelite::fuzz::Parses([&] { r = labelite::server::ParseInferRequest(s, owned, split); })) Check(s, r, owned);
  }
  return 0;
}
