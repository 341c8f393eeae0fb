// Parsing TF Serving REST requests (:predict and :classify bodies) without a socket or a model:
// the JSON body in, the encoded images or tensors to classify out. Every fault of the request is
// an HttpError 400 with a one-line message that quotes request text escaped
// (fuzz/tfserving_request_fuzz.cc holds it to that).
//
//   TfServingRequest r = ParseTfServingPredict(pool.summary(), req.body);
//   r.images.empty() ? ClassifyTensors(..., r.tensors, r.count, r.what) : ClassifyImages(..., views, ...);
#ifndef LABELITE_SERVER_TF_SERVING_REQUEST_H_
#define LABELITE_SERVER_TF_SERVING_REQUEST_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "labelite/classifier.h"

namespace labelite::server {

struct TfServingRequest {
  std::string what;                 // "instances", "inputs" or "examples": for error messages
  bool row = true;                  // predict: "instances" (row format) or "inputs" (columnar)
  std::vector<std::string> images;  // decoded from base64; empty when the items are tensors
  std::string tensors;              // `count` tensors of the model's input type and shape
  size_t count = 0;                 // items: images or tensors, at least 1
};

// {"instances": [...]} or {"inputs": ...}: each item an encoded image ({"b64": ...}, or an
// object whose single feature is one) or a nested array [H][W][C] of the model's input type.
TfServingRequest ParseTfServingPredict(const ClassifierSummary& model, std::string_view body);
// {"examples": [{"image": {"b64": ...}}, ...]}: encoded images only.
TfServingRequest ParseTfServingClassify(const ClassifierSummary& model, std::string_view body);

}  // namespace labelite::server

#endif  // LABELITE_SERVER_TF_SERVING_REQUEST_H_
