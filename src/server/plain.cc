// The plain upload route, for curl and the web page:
//
//   POST /v1/classify[?model=m][&top_k=5]
//     body: the image bytes (any Content-Type but multipart), or multipart/form-data whose
//     first file part (preferably named "file" or "image") is the image
//   -> the record `labelite classify --format json` prints for a file:
//      {"file": "<upload name or ->", "model": "<model file>", "results": [...], "error": null}
#include "server/plain_request.h"
#include "server/routes.h"

namespace labelite::server {

namespace {

using nlohmann::json;

void Classify(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  ModelPool& pool = ctx.ModelFromQuery(req);
  const int classes = pool.summary().num_classes.empty() ? 1 : pool.summary().num_classes[0];
  const int top_k = IntParam(req, "top_k", std::min(ctx.options.top_k, classes), 1000000);
  const Upload upload = UploadOf(req);
  const std::vector<Ranking> rankings = ClassifyImages(ctx, pool, {upload.bytes}, "the uploaded image");
  const ClassifierSummary& s = pool.summary();
  json results = json::array();
  for (size_t h = 0; h < s.num_classes.size(); ++h)
    for (const Classification& c : TopOfHead(rankings[0], static_cast<int>(h), top_k))
      results.push_back(ClassificationJson(c));
  SendJson(res, {{"file", upload.file}, {"model", pool.file_name()}, {"results", results}, {"error", nullptr}});
}

}  // namespace

void AddPlainRoutes(httplib::Server& http, Context& ctx) {
  http.Post("/v1/classify", PostRoute(ctx, "plain_classify", [&ctx](const httplib::Request& req, httplib::Response& res) {
    Classify(ctx, req, res);
  }));
}

}  // namespace labelite::server
