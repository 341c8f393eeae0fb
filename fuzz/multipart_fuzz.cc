// libFuzzer target: uploads to the plain route (POST /v1/classify), multipart/form-data or raw,
// as a connection delivers them: cpp-httplib reads the request in memory (MemoryHttpServer,
// configured as `labelite serve` configures its server, with a 1 KiB --max-body), ReadBody
// collects the body or the form's parts (PostRoute), and UploadOf picks the image.
// Input: "<Content-Type value>\n<body>"; the body is sent twice, with a Content-Length and
// chunked (Transfer-Encoding: chunked, 64-byte chunks).
// Every answer must be a 200 whose image lies within the body and whose parts kept in memory
// fit --max-body, or a 400/413 JSON error with a one-line printable message.
// cpp-httplib is Debian's shared library, not instrumented: coverage guides only our side, so
// the seeds (fuzz/seeds/multipart/) and the dictionary (fuzz/multipart.dict, loaded unless
// -dict is given) carry the forms.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "server/memory_http.h"
#include "server/metrics.h"
#include "server/plain_request.h"
#include "server/routes.h"
#include "server_fuzz_util.h"

namespace {

using labelite::fuzz::Fail;
namespace server = labelite::server;

constexpr uint64_t kMaxBody = 1024;

struct Harness {
  server::Context ctx;
  server::Metrics metrics;
  server::MemoryHttpServer http;

  Harness() {
    ctx.options.max_body = kMaxBody;
    ctx.options.timeout_ms = 1000;
    ctx.metrics = &metrics;
    server::ConfigureHttp(http, ctx);
    auto route = [](const httplib::Request& req, httplib::Response& res) {
      const server::Upload upload = server::UploadOf(req);
      size_t kept = req.body.size();
      for (const auto& [name, part] : req.files) kept += part.content.size();
      server::SendJson(res, {{"file", upload.file}, {"bytes", upload.bytes.size()}, {"kept", kept}});
    };
    http.Post("/v1/classify", server::PostRoute(ctx, "plain_classify", route));
  }
};

void CheckResponse(std::string_view response, size_t body_size) {
  const int status = server::ResponseStatus(response);
  std::string_view text = server::ResponseBody(response);
  const nlohmann::json reply = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!reply.is_object()) Fail("the response body is not a JSON object", response.substr(0, 400));
  if (status == 200) {
    if (!reply.contains("bytes") || !reply["bytes"].is_number_unsigned() || reply["bytes"].get<uint64_t>() == 0 ||
        reply["bytes"].get<uint64_t>() > body_size)
      Fail("an upload larger than the body, or empty", text.substr(0, 400));
    if (!reply.contains("kept") || reply["kept"].get<uint64_t>() > kMaxBody)
      Fail("the request kept more than --max-body in memory", text.substr(0, 400));
    return;
  }
  if (status != 400 && status != 413) Fail("status other than 200/400/413", response.substr(0, 400));
  if (!reply.contains("error") || !reply["error"].is_string()) Fail("an error without a message", text.substr(0, 400));
  labelite::fuzz::CheckMessage(reply["error"].get<std::string>());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  labelite::fuzz::UseDictionary(argc, argv);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* harness = new Harness();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view type = input.substr(0, newline);
  // A header value ends at the line's end: CR and LF would make other headers.
  if (type.find('\r') != std::string_view::npos) return 0;
  const std::string_view body = input.substr(newline + 1);
  std::string head = "POST /v1/classify HTTP/1.1\r\nHost: fuzz\r\nContent-Type: ";
  head.append(type);
  std::string request = head + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  request.append(body);
  CheckResponse(harness->http.Handle(request), body.size());
  request = head + "\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (size_t i = 0; i < body.size(); i += 64) {
    const std::string_view chunk = body.substr(i, 64);
    char size_line[24];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
    request.append(size_line).append(chunk).append("\r\n");
  }
  request += "0\r\n\r\n";
  CheckResponse(harness->http.Handle(request), body.size());
  return 0;
}
