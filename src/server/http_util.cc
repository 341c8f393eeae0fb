#include "server/http_util.h"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "server/metrics.h"

namespace labelite::server {

namespace {

// The model of the request the current connection thread is handling (for its metrics).
thread_local std::string t_model;

}  // namespace


ModelPool& Context::Model(std::string_view name) const {
  auto it = models.find(name);
  if (it == models.end()) throw HttpError(404, "no model named " + Quote(name));
  t_model = it->first;
  return *it->second;
}

ModelPool& Context::ModelFromQuery(const httplib::Request& req) const {
  if (req.has_param("model")) return Model(req.get_param_value("model"));
  if (models.size() == 1) return Model(models.begin()->first);
  throw HttpError(400, "several models are served: say which with ?model=NAME");
}

Clock::time_point Context::Deadline() const {
  return Clock::now() + std::chrono::milliseconds(options.timeout_ms);
}

namespace {

void ReadBody(const Context& ctx, httplib::Request& req, const httplib::Response& res,
              const httplib::ContentReader& reader) {
  // Everything kept counts against --max-body: a chunked body has no Content-Length for
  // cpp-httplib to refuse, and a form may hold any number of parts.
  const uint64_t max = ctx.options.max_body;
  uint64_t kept = 0;
  bool too_large = false;
  auto keep = [&](size_t n) {
    if (n > max - kept) {
      too_large = true;
      return false;
    }
    kept += n;
    return true;
  };
  auto append = [&](std::string* to, const char* data, size_t n) {
    if (!keep(n)) return false;
    to->append(data, n);
    return true;
  };
  bool ok = true;
  if (req.is_multipart_form_data()) {
    httplib::MultipartFormData* part = nullptr;
    ok = reader(
        [&](const httplib::MultipartFormData& header) {
          if (!keep(header.name.size() + header.filename.size() + header.content_type.size())) return false;
          part = &req.files.emplace(header.name, header)->second;
          return true;
        },
        [&](const char* data, size_t n) { return part && append(&part->content, data, n); });
  } else {
    std::string body;
    ok = reader([&](const char* data, size_t n) { return append(&body, data, n); });
    req.body = std::move(body);
  }
  // cpp-httplib refuses a Content-Length over set_payload_max_length itself (status 413).
  too_large = too_large || (!ok && res.status == 413);
  if (too_large) throw HttpError(413, "request body larger than " + std::to_string(max) + " bytes (--max-body)");
  if (!ok) throw HttpError(400, "the request body could not be read (cut short, or malformed multipart data)");
}

}  // namespace

namespace {

// Runs one routed request: metrics, and every exception to a JSON error.
void RunRoute(Context& ctx, const char* route, httplib::Response& res, const std::function<void()>& work) {
  t_model.clear();
  const auto start = Clock::now();
  try {
    work();
  } catch (const HttpError& e) {
    SendError(res, e.status(), e.what(), e.retry_after_s());
  } catch (const std::bad_alloc&) {
    SendError(res, 503, "out of memory while handling the request", 1);
  } catch (const std::exception& e) {
    SendError(res, 500, std::string("internal error: ") + e.what());
  }
  // Counted before the response is written, so a client that reads /metrics next sees it.
  ctx.metrics->CountRequest(route, t_model, res.status < 0 ? 200 : res.status);
  ctx.metrics->ObserveLatency(route, t_model, std::chrono::duration<double>(Clock::now() - start).count());
}

}  // namespace

httplib::Server::Handler Route(Context& ctx, const char* route,
                               std::function<void(const httplib::Request&, httplib::Response&)> handler) {
  return [&ctx, route, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    RunRoute(ctx, route, res, [&] { handler(req, res); });
  };
}

httplib::Server::HandlerWithContentReader PostRoute(
    Context& ctx, const char* route, std::function<void(const httplib::Request&, httplib::Response&)> handler) {
  return [&ctx, route, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res,
                                                      const httplib::ContentReader& reader) {
    RunRoute(ctx, route, res, [&] {
      // The library's Request is ours for the request's lifetime; the signature only makes it const.
      ReadBody(ctx, const_cast<httplib::Request&>(req), res, reader);
      handler(req, res);
    });
  };
}

void SendJson(httplib::Response& res, const nlohmann::json& body, int status) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& message, int retry_after_s) {
  if (retry_after_s > 0) res.set_header("Retry-After", std::to_string(retry_after_s));
  SendJson(res, {{"error", message}}, status);
}

std::string Quote(std::string_view text) {
  std::string out = "'";
  size_t n = 0;
  for (unsigned char c : text) {
    if (++n > 60) {
      out += "...";
      break;
    }
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

nlohmann::json ParseJson(std::string_view body) {
  // Values nested deeper than any request of ours are dropped while parsing (a body of
  // brackets would otherwise become millions of empty arrays) and refused below.
  constexpr int kMaxDepth = 16;
  bool too_deep = false;
  auto limit_depth = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth <= kMaxDepth) return true;
    too_deep = true;
    return false;
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body, limit_depth);
  } catch (const nlohmann::json::parse_error& e) {  // the message would quote request bytes
    throw HttpError(400, "invalid JSON: syntax error at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::out_of_range&) {  // 406: a number beyond double's range
    throw HttpError(400, "invalid JSON: a number is out of range");
  }
  if (too_deep) throw HttpError(400, "invalid JSON: nested deeper than 16 levels");
  return j;
}

std::string DecodeBase64(std::string_view text, const std::string& what) {
  std::string padded(text);
  while (padded.size() % 4 != 0) padded += '=';
  if (padded.size() > static_cast<size_t>(INT32_MAX)) throw HttpError(413, what + " is too large");
  for (char c : padded) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '/' || c == '=';
    if (!ok) throw HttpError(400, what + ": not base64 (unexpected character " + Quote(std::string(1, c)) + ")");
  }
  std::string out(padded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(padded.data()), static_cast<int>(padded.size()));
  if (n < 0) throw HttpError(400, what + ": not base64");
  // EVP_DecodeBlock counts the padding as zero bytes; '=' may only end the text.
  size_t pad = 0;
  while (pad < padded.size() && padded[padded.size() - 1 - pad] == '=') ++pad;
  if (pad > 2 || padded.find('=') < padded.size() - pad) throw HttpError(400, what + ": not base64 (misplaced '=')");
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

int IntParam(const httplib::Request& req, const char* name, int fallback, int max) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  int n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < 1 || n > max)
    throw HttpError(400, std::string(name) + " must be an integer from 1 to " + std::to_string(max) + ", not " + Quote(v));
  return n;
}

std::string TensorFromJson(const std::vector<const nlohmann::json*>& elements, DataType type, const std::string& what) {
  if (type != DataType::kFloat32 && type != DataType::kUInt8 && type != DataType::kInt8)
    throw HttpError(400, what + ": the model's input type takes encoded images only");
  std::string out(elements.size() * DataTypeSize(type), '\0');
  for (size_t i = 0; i < elements.size(); ++i) {
    const nlohmann::json& e = *elements[i];
    const std::string element = what + ": element " + std::to_string(i);
    if (type == DataType::kFloat32) {
      const double v = e.is_number() ? e.get<double>() : 0.0;
      if (!e.is_number() || !(std::fabs(v) <= std::numeric_limits<float>::max()))
        throw HttpError(400, element + " is not a number in float32 range");
      const float f = static_cast<float>(v);
      std::memcpy(&out[i * 4], &f, 4);
      continue;
    }
    const bool u8 = type == DataType::kUInt8;
    if (!e.is_number_integer() || e.get<int64_t>() < (u8 ? 0 : -128) || e.get<int64_t>() > (u8 ? 255 : 127))
      throw HttpError(400, element + (u8 ? " is not a UINT8 value (an integer from 0 to 255)"
                                         : " is not an INT8 value (an integer from -128 to 127)"));
    out[i] = static_cast<char>(static_cast<uint8_t>(e.get<int64_t>() & 0xff));
  }
  return out;
}

int HttpStatusFor(const Status& status) {
  switch (status.origin()) {
    case ErrorOrigin::kInput:
    case ErrorOrigin::kUsage: return 400;
    case ErrorOrigin::kModel:
    case ErrorOrigin::kLabels: return 500;
    case ErrorOrigin::kUnknown: break;
  }
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidImage:
    case StatusCode::kResourceExhausted: return 400;
    default: return 500;
  }
}

namespace {

void CheckDeadline(Clock::time_point deadline, const std::string& model) {
  if (Clock::now() > deadline)
    throw HttpError(503, "timed out classifying with model " + Quote(model) + "; retry later", 1);
}

}  // namespace

std::vector<Ranking> ClassifyImages(Context& ctx, ModelPool& pool, const std::vector<std::string_view>& images,
                                    const std::string& what) {
  std::vector<Ranking> out(images.size());
  const auto deadline = ctx.Deadline();
  pool.Run([&](Classifier& c) {
    for (size_t i = 0; i < images.size(); ++i) {
      CheckDeadline(deadline, pool.name());
      const std::string name = images.size() == 1 ? what : what + " " + std::to_string(i);
      const auto* bytes = reinterpret_cast<const uint8_t*>(images[i].data());
      auto image = DecodeImage(std::span<const uint8_t>(bytes, images[i].size()), c.decode_options());
      if (!image.ok()) throw HttpError(400, name + ": " + image.status().message());
      auto r = c.Classify(*image);
      if (!r.ok()) throw HttpError(HttpStatusFor(r.status()), name + ": " + r.status().message());
      out[i] = std::move(*r);
    }
  }, deadline);
  pool.CountImages(images.size());
  return out;
}

std::vector<Ranking> ClassifyTensors(Context& ctx, ModelPool& pool, DataType type, std::string_view data,
                                     size_t count, const std::string& what) {
  std::vector<Ranking> out(count);
  if (count == 0) return out;
  const size_t each = data.size() / count;
  const auto deadline = ctx.Deadline();
  pool.Run([&](Classifier& c) {
    for (size_t i = 0; i < count; ++i) {
      CheckDeadline(deadline, pool.name());
      const auto* bytes = reinterpret_cast<const uint8_t*>(data.data()) + i * each;
      auto r = c.ClassifyTensor(type, std::span<const uint8_t>(bytes, each));
      if (!r.ok()) throw HttpError(HttpStatusFor(r.status()), what + ": " + r.status().message());
      out[i] = std::move(*r);
    }
  }, deadline);
  pool.CountImages(count);
  return out;
}

std::vector<Classification> TopOfHead(const Ranking& ranking, int head, int k) {
  std::vector<Classification> out;
  for (const Classification& c : ranking) {
    if (c.head != head) continue;
    if (static_cast<int>(out.size()) >= k) break;
    out.push_back(c);
  }
  return out;
}

std::vector<float> ScoresOfHead(const Ranking& ranking, int head, int num_classes) {
  std::vector<float> scores(static_cast<size_t>(num_classes), 0.0f);
  for (const Classification& c : ranking)
    if (c.head == head && c.index >= 0 && c.index < num_classes) scores[static_cast<size_t>(c.index)] = c.score;
  return scores;
}

nlohmann::json ClassificationJson(const Classification& c) {
  nlohmann::json r = {{"index", c.index}, {"label", c.label}, {"score", c.score}};
  if (!c.display_name.empty()) r["display_name"] = c.display_name;
  if (c.head != 0) r["head"] = c.head;
  return r;
}

}  // namespace labelite::server
