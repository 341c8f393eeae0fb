// Labels over HTTP: `http://HOST[:PORT]/PATH` fetched with cpp-httplib, then parsed like a
// file (format sniffed unless given). Steps:
//   1. split the URL (only http; the port defaults to 80);
//   2. GET with connection, read and write timeouts of options.http_timeout_ms each, and a
//      deadline of options.timeout_ms for the whole request: a watchdog thread stops the client
//      (shuts its socket down) when it passes, so a server that trickles bytes cannot hold us;
//   3. refuse non-200 answers ("HTTP 500") and bodies over options.max_bytes, stopping the
//      transfer early (Content-Length, then a content receiver that counts bytes);
//   4. ParseLabels on the body, named by the URL.
#include <httplib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "labels/label_map.h"

namespace labelite::labels_internal {

namespace {

struct HttpUrl {
  std::string host;
  int port = 80;
  std::string path;
};

Result<HttpUrl> SplitUrl(const std::string& url) {
  std::string_view rest = std::string_view(url).substr(7);  // after "http://"
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpUrl u;
  u.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  size_t colon = authority.rfind(':');
  u.host = std::string(authority.substr(0, colon));
  if (colon != std::string_view::npos) {
    std::optional<int64_t> port = ParseIndex(authority.substr(colon + 1));
    if (!port || *port < 1 || *port > 65535) return InvalidArgument(url + ": bad port");
    u.port = static_cast<int>(*port);
  }
  if (u.host.empty() || u.host.find('@') != std::string::npos) {
    return InvalidArgument(url + ": expected http://HOST[:PORT]/PATH");
  }
  return u;
}

// Why a request got no HTTP answer, in the user's words: refused, timed out, or the OS's reason.
// httplib connects without blocking and keeps the socket's error to itself: a connect that
// failed (errno EINPROGRESS) well before the timeout was refused, one that took it timed out.
std::string WhyNoAnswer(httplib::Error error, int err, int ms, double elapsed_ms) {
  const std::string timeout = "timed out after " + std::to_string(ms) + " ms";
  switch (error) {
    case httplib::Error::Connection:
      if (err == ECONNREFUSED) return "connection refused";
      if (err == EINPROGRESS || err == EAGAIN) return elapsed_ms < 0.9 * ms ? "connection refused" : "connection " + timeout;
      if (err == ETIMEDOUT) return "connection " + timeout;
      if (err == EHOSTUNREACH || err == ENETUNREACH) return "host unreachable";
      return err ? std::string("cannot connect: ") + std::strerror(err) : "cannot connect (unknown host?)";
    case httplib::Error::ConnectionTimeout: return "connection " + timeout;
    case httplib::Error::Read: return "no complete answer: read " + timeout + " or the server closed the connection";
    case httplib::Error::Write: return "the server closed the connection while the request was sent";
    default: return httplib::to_string(error);
  }
}
// Calls client.stop() (repeatedly, in case a connection was being opened) once `ms` have passed,
// until Finish() is called; Finish() returns whether the deadline was reached.
class Watchdog {
 public:
  Watchdog(httplib::Client& client, int ms)
      : deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(ms)),
        thread_([this, &client] { Run(client); }) {}
  ~Watchdog() { Finish(); }
  bool Finish() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    return fired_;
  }

 private:
  void Run(httplib::Client& client) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (cv_.wait_until(lock, deadline_, [this] { return done_; })) return;
    fired_ = true;
    while (!done_) {
      client.stop();
      cv_.wait_for(lock, std::chrono::milliseconds(20), [this] { return done_; });
    }
  }
  std::chrono::steady_clock::time_point deadline_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

}  // namespace

Result<LabelMap> LoadHttpLabels(const std::string& url, const LabelSourceOptions& options) {
  LABELITE_ASSIGN_OR_RETURN(HttpUrl u, SplitUrl(url));
  const uint64_t limit = std::min<uint64_t>(options.max_bytes, kMaxLabelBytes);
  const int ms = std::max(1, options.http_timeout_ms);
  const int deadline_ms = std::max(1, options.timeout_ms);
  int status = 0;
  bool too_large = false;
  std::string body;
  try {
    httplib::Client client(u.host, u.port);
    client.set_connection_timeout(ms / 1000, (ms % 1000) * 1000);
    client.set_read_timeout(ms / 1000, (ms % 1000) * 1000);
    client.set_write_timeout(ms / 1000, (ms % 1000) * 1000);
    client.set_follow_location(false);
    errno = 0;
    const auto start = std::chrono::steady_clock::now();
    Watchdog watchdog(client, deadline_ms);
    httplib::Result res = client.Get(
        u.path, httplib::Headers{{"Accept", "application/json, text/plain, text/csv, */*"}},
        [&](const httplib::Response& r) {
          status = r.status;
          if (r.status != 200) return false;
          std::optional<int64_t> length = ParseIndex(r.get_header_value("Content-Length"));
          if (r.has_header("Content-Length") &&
              (!length || static_cast<uint64_t>(*length) > limit)) {
            too_large = true;
            return false;
          }
          return true;
        },
        [&](const char* data, size_t n) {
          if (body.size() + n > limit) {
            too_large = true;
            return false;
          }
          body.append(data, n);
          return true;
        });
    const int err = errno;  // before anything else can touch it
    if (watchdog.Finish()) {
      return InvalidLabels(url + ": timed out after " + std::to_string(deadline_ms) +
                           " ms fetching labels");
    }
    if (too_large) {
      return ResourceExhausted(url + ": body is larger than the limit of " +
                               std::to_string(limit) + " bytes");
    }
    const double elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (status != 0 && status != 200) {
      std::string m = url + ": HTTP " + std::to_string(status) + " (expected 200)";
      return status == 404 ? NotFound(std::move(m)) : IoError(std::move(m));
    }
    if (!res) return IoError(url + ": cannot fetch labels: " + WhyNoAnswer(res.error(), err, ms, elapsed_ms));
  } catch (const std::exception& e) {
    return IoError(url + ": " + e.what());
  }
  return ParseLabels(std::string_view(body), url, options.format);
}

}  // namespace labelite::labels_internal
