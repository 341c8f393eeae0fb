#include "server/memory_http.h"

#include <algorithm>
#include <cstring>

namespace labelite::server {

namespace {

// A connection whose bytes are a string: reads consume it, writes collect the response.
class MemoryStream : public httplib::Stream {
 public:
  explicit MemoryStream(std::string_view in) : in_(in) {}

  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min(size, in_.size());
    std::memcpy(ptr, in_.data(), n);
    in_.remove_prefix(n);
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    out_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 0;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 0;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

  std::string& out() { return out_; }

 private:
  std::string_view in_;
  std::string out_;
};

}  // namespace

std::string MemoryHttpServer::Handle(std::string_view request) {
  MemoryStream stream(request);
  bool connection_closed = false;
  process_request(stream, /*close_connection=*/true, connection_closed, nullptr);
  return std::move(stream.out());
}

int ResponseStatus(std::string_view response) {
  // "HTTP/1.1 200 OK"
  if (response.size() < 12 || response.substr(0, 5) != "HTTP/") return 0;
  const size_t space = response.find(' ');
  if (space == std::string_view::npos || space + 4 > response.size()) return 0;
  int status = 0;
  for (size_t i = space + 1; i < space + 4; ++i) {
    if (response[i] < '0' || response[i] > '9') return 0;
    status = status * 10 + (response[i] - '0');
  }
  return status;
}

std::string_view ResponseBody(std::string_view response) {
  const size_t end = response.find("\r\n\r\n");
  return end == std::string_view::npos ? std::string_view() : response.substr(end + 4);
}

}  // namespace labelite::server
