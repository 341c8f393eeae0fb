#include "server/metrics.h"

#include <cstdio>

#include "server/http_util.h"
#include "server/routes.h"

namespace labelite::server {

namespace {

std::string LabelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string Number(double v, const char* format = "%.17g") {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

void Metrics::CountRequest(const std::string& route, const std::string& model, int code) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, model, code}];
}

void Metrics::ObserveLatency(const std::string& route, const std::string& model, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  Histogram& h = latency_[{route, model}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++h.counts[i];
      break;
    }
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render(const Context& ctx) const {
  std::string out;
  out += "# HELP labelite_requests_total HTTP requests by route, model and status code.\n"
         "# TYPE labelite_requests_total counter\n";
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, n] : requests_) {
    const auto& [route, model, code] = key;
    out += "labelite_requests_total{route=\"" + LabelValue(route) + "\",model=\"" + LabelValue(model) +
           "\",code=\"" + std::to_string(code) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP labelite_request_duration_seconds Time from a routed request to its response.\n"
         "# TYPE labelite_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    const std::string labels = "route=\"" + LabelValue(key.first) + "\",model=\"" + LabelValue(key.second) + "\"";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      out += "labelite_request_duration_seconds_bucket{" + labels + ",le=\"" + Number(kBuckets[i], "%g") + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    out += "labelite_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += "labelite_request_duration_seconds_sum{" + labels + "} " + Number(h.sum) + "\n";
    out += "labelite_request_duration_seconds_count{" + labels + "} " + std::to_string(h.count) + "\n";
  }
  out += "# HELP labelite_queue_depth Requests waiting for a free interpreter.\n"
         "# TYPE labelite_queue_depth gauge\n";
  for (const auto& [name, pool] : ctx.models)
    out += "labelite_queue_depth{model=\"" + LabelValue(name) + "\"} " + std::to_string(pool->queue_depth()) + "\n";
  out += "# HELP labelite_images_classified_total Images (or input tensors) classified.\n"
         "# TYPE labelite_images_classified_total counter\n";
  for (const auto& [name, pool] : ctx.models)
    out += "labelite_images_classified_total{model=\"" + LabelValue(name) + "\"} " + std::to_string(pool->images()) + "\n";
  out += "# HELP labelite_interpreters Interpreters (worker threads) per model.\n"
         "# TYPE labelite_interpreters gauge\n";
  for (const auto& [name, pool] : ctx.models)
    out += "labelite_interpreters{model=\"" + LabelValue(name) + "\"} " + std::to_string(pool->workers()) + "\n";
  return out;
}

void AddMetricsRoutes(httplib::Server& http, Context& ctx) {
  http.Get("/metrics", Route(ctx, "metrics", [&ctx](const httplib::Request&, httplib::Response& res) {
    res.set_content(ctx.metrics->Render(ctx), "text/plain; version=0.0.4; charset=utf-8");
  }));
}

}  // namespace labelite::server
