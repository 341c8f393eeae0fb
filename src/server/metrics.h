// Prometheus metrics of the server (text exposition format 0.0.4).
//
//   labelite_requests_total{route,model,code}              counter
//   labelite_request_duration_seconds{route,model}         histogram
//   labelite_queue_depth{model}                            gauge (requests waiting)
//   labelite_images_classified_total{model}                counter
//
// Thread safety: every method may be called from any thread. Label values are only route
// names, the served models' names and status codes, so a client cannot grow the series.
#ifndef LABELITE_SERVER_METRICS_H_
#define LABELITE_SERVER_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace labelite::server {

struct Context;

class Metrics {
 public:
  void CountRequest(const std::string& route, const std::string& model, int code);
  void ObserveLatency(const std::string& route, const std::string& model, double seconds);
  // The whole exposition, with the queue depth and image counts read from the models.
  std::string Render(const Context& ctx) const;

  static constexpr std::array<double, 14> kBuckets = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1,
                                                      0.2,   0.5,   1,     2,    5,    10,  30};

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};  // not cumulative; Render sums
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
};

}  // namespace labelite::server

#endif  // LABELITE_SERVER_METRICS_H_
