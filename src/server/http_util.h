// What every route shares: HTTP errors as values of one exception type caught at the route
// boundary, JSON replies, request parsing helpers with client-facing messages, and the
// classification calls that run on a model's pool.
//
// A route is a function from a parsed request to a response. It reports the client's faults
// by throwing HttpError (400, 404, 413, 503); Route() catches it and answers
// {"error": "..."} with that status. Anything else that escapes is our bug: 500. Nothing
// escapes a handler into cpp-httplib.
#ifndef LABELITE_SERVER_HTTP_UTIL_H_
#define LABELITE_SERVER_HTTP_UTIL_H_

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "labelite/classifier.h"
#include "server/model_pool.h"
#include "server/server.h"

namespace labelite::server {

class Metrics;

class HttpError : public std::runtime_error {
 public:
  HttpError(int status, const std::string& message, int retry_after_s = 0)
      : std::runtime_error(message), status_(status), retry_after_s_(retry_after_s) {}
  int status() const { return status_; }
  int retry_after_s() const { return retry_after_s_; }

 private:
  int status_;
  int retry_after_s_;
};

// What routes see of the server.
struct Context {
  ServerOptions options;
  std::map<std::string, std::unique_ptr<ModelPool>, std::less<>> models;
  Metrics* metrics = nullptr;

  // The model named `name`, or HttpError 404. Records the model for the request's metrics.
  ModelPool& Model(std::string_view name) const;
  // The `model` query parameter's model, or the only model when there is one.
  ModelPool& ModelFromQuery(const httplib::Request& req) const;
  Clock::time_point Deadline() const;
};

// Wraps a route: metrics (route name, model, status, latency), HttpError and any other
// exception to a JSON error. `route` must outlive the server (a string literal).
httplib::Server::Handler Route(Context& ctx, const char* route,
                               std::function<void(const httplib::Request&, httplib::Response&)> handler);
// Route for POST: reads the body itself (into req.body, or req.files for multipart/form-data)
// with the --max-body limit, so every Content-Type is read alike (cpp-httplib would cap
// application/x-www-form-urlencoded bodies, curl's default, at 8 KiB).
httplib::Server::HandlerWithContentReader PostRoute(
    Context& ctx, const char* route, std::function<void(const httplib::Request&, httplib::Response&)> handler);

void SendJson(httplib::Response& res, const nlohmann::json& body, int status = 200);
void SendError(httplib::Response& res, int status, const std::string& message, int retry_after_s = 0);

// `text` for an error message: quoted, at most 60 characters, control and non-ASCII bytes escaped.
std::string Quote(std::string_view text);

// Parses a JSON body; 400 "invalid JSON: ..." otherwise.
nlohmann::json ParseJson(std::string_view body);
// Standard base64 (RFC 4648, padding optional, no whitespace inside); 400 naming `what`.
std::string DecodeBase64(std::string_view text, const std::string& what);
// A positive integer query parameter, or `fallback` when absent; 400 when not a number in [1, max].
int IntParam(const httplib::Request& req, const char* name, int fallback, int max);

// JSON numbers as the raw bytes of a tensor of `type` (uint8, int8 or float32): integers in the
// type's range, or finite numbers within float range; 400 naming "<what>: element <i>".
std::string TensorFromJson(const std::vector<const nlohmann::json*>& elements, DataType type, const std::string& what);

// The HTTP status for a classification failure: 400 for the input's fault (bytes that are not
// an image, too many pixels, a tensor of the wrong type or size), 500 otherwise.
int HttpStatusFor(const Status& status);

// One classifier result per input, in input order; every class of every head, ranked.
using Ranking = std::vector<Classification>;

// Decodes and classifies encoded images on the model's pool. An input that fails throws
// HttpError naming "<what> <i>" and the problem.
std::vector<Ranking> ClassifyImages(Context& ctx, ModelPool& pool,
                                    const std::vector<std::string_view>& images, const std::string& what);
// Classifies `count` tensors laid out one after the other in `data` (the model's input type).
std::vector<Ranking> ClassifyTensors(Context& ctx, ModelPool& pool, DataType type,
                                     std::string_view data, size_t count, const std::string& what);

// The first `k` results of `head` in rank order.
std::vector<Classification> TopOfHead(const Ranking& ranking, int head, int k);
// Every class's score of `head`, by class index.
std::vector<float> ScoresOfHead(const Ranking& ranking, int head, int num_classes);
// A result as the CLI's JSON prints it: {"index", "label", "score"[, "display_name", "head"]}.
nlohmann::json ClassificationJson(const Classification& c);

}  // namespace labelite::server

#endif  // LABELITE_SERVER_HTTP_UTIL_H_
