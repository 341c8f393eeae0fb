// MemoryHttpServer: a cpp-httplib server that handles raw HTTP requests held in memory, with no
// socket, exactly as it would read them from a connection (request line, headers, Content-Length
// or chunked body, multipart/form-data parts, routing, error handler). For fuzz targets
// (fuzz/multipart_fuzz.cc) and unit tests of routes; `labelite serve` never uses it.
//
// Thread safety: as httplib::Server; Handle may run on several threads at once.
//
//   MemoryHttpServer http;
//   http.Post("/echo", [](const httplib::Request& req, httplib::Response& res) { res.body = req.body; });
//   std::string reply = http.Handle("POST /echo HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
//   // reply starts "HTTP/1.1 200 OK\r\n" and ends "hi"
#ifndef LABELITE_SERVER_MEMORY_HTTP_H_
#define LABELITE_SERVER_MEMORY_HTTP_H_

#include <httplib.h>

#include <string>
#include <string_view>

namespace labelite::server {

class MemoryHttpServer : public httplib::Server {
 public:
  // Handles one request read from `request` (bytes after it are ignored); returns everything
  // the server wrote back: status line, headers and body.
  std::string Handle(std::string_view request);
};

// The status code of a raw response ("HTTP/1.1 400 Bad Request..." -> 400); 0 if there is none.
int ResponseStatus(std::string_view response);
// The body of a raw response (after the blank line that ends the headers).
std::string_view ResponseBody(std::string_view response);

}  // namespace labelite::server

#endif  // LABELITE_SERVER_MEMORY_HTTP_H_
