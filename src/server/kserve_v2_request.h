// Parsing a KServe v2 (Open Inference Protocol) inference request without a socket or a model:
// the body and its Inference-Header-Content-Length header in, what the model must run and what
// the reply must hold out. Every fault of the request is an HttpError 400 with a one-line
// message that quotes request text escaped (fuzz/oip_request_fuzz.cc holds it to that).
//
//   const std::string* split = req.has_header(kHeaderLength) ? &value : nullptr;
//   InferRequest r = ParseInferRequest(pool.summary(), req.body, split);
//   r.images_input ? ClassifyImages(..., r.images, ...) : ClassifyTensors(..., r.tensor, r.batch, ...);
#ifndef LABELITE_SERVER_KSERVE_V2_REQUEST_H_
#define LABELITE_SERVER_KSERVE_V2_REQUEST_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "labelite/classifier.h"

namespace labelite::server {

// The binary tensor data extension's header: the JSON's length; the tensors' bytes follow it.
inline constexpr const char* kInferenceHeaderContentLength = "Inference-Header-Content-Length";

// One requested output head: its scores (FP32 [N, classes]) or, with "classification": k, its
// top k classes as BYTES "score:index:label"; in JSON or as binary data.
struct InferOutput {
  int head = 0;
  int classification = 0;  // k; 0 = the score tensor
  bool binary = false;
};

struct InferRequest {
  std::optional<std::string> id;    // echoed in the reply
  std::vector<InferOutput> outputs; // every head when the request names none
  std::string what;                 // "input 'name'", for the classifier's error messages

  // The single input: encoded images (a BYTES tensor) or a tensor of the model's input type.
  bool images_input = false;
  std::vector<std::string_view> images;  // into the parsed body or `storage`
  std::vector<std::string> storage;      // images decoded from base64
  std::string tensor;                    // `batch` tensors of the model's input shape, back to back
  size_t batch = 0;
};

// Parses an inference request for a model described by `model`. `header_content_length` is the
// Inference-Header-Content-Length value, or null without the header (the body is all JSON).
// The result's `images` may point into `body`, which must outlive it.
InferRequest ParseInferRequest(const ClassifierSummary& model, std::string_view body,
                               const std::string* header_content_length);

}  // namespace labelite::server

#endif  // LABELITE_SERVER_KSERVE_V2_REQUEST_H_
