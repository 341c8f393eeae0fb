#include "server/server.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "server/http_util.h"
#include "server/metrics.h"
#include "server/routes.h"

namespace labelite::server {

struct Server::Impl {
  Context ctx;
  Metrics metrics;
  httplib::Server http;
  bool bound = false;
};

namespace {

bool ValidModelName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
  });
}

// The JSON body of errors cpp-httplib raises itself (no route, body too large, bad request line).
void FillLibraryError(const Context& ctx, const httplib::Request& req, httplib::Response& res) {
  std::string message;
  switch (res.status) {
    case 404: message = "no route for " + req.method + " " + Quote(req.path); break;
    case 413: message = "request body larger than " + std::to_string(ctx.options.max_body) + " bytes (--max-body)"; break;
    case 414: message = "request line too long"; break;
    case 400: message = "malformed HTTP request"; break;
    default: message = "HTTP " + std::to_string(res.status); break;
  }
  SendError(res, res.status, message);
}

}  // namespace

void ConfigureHttp(httplib::Server& http, Context& ctx) {
  const int connections = ctx.options.connections;
  http.new_task_queue = [connections] { return new httplib::ThreadPool(static_cast<size_t>(connections)); };
  http.set_payload_max_length(ctx.options.max_body);
  const auto timeout = std::chrono::milliseconds(ctx.options.timeout_ms);
  http.set_read_timeout(timeout);
  http.set_write_timeout(timeout);
  http.set_keep_alive_max_count(100000);
  http.set_keep_alive_timeout(5);
  http.set_tcp_nodelay(true);
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [&ctx](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // a route's own error
        FillLibraryError(ctx, req, res);
        ctx.metrics->CountRequest("none", "", res.status);  // routed requests count in their route
        return httplib::Server::HandlerResponse::Handled;
      }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    SendError(res, 500, "internal error: " + what);
  });
}

namespace {

void Configure(Server::Impl& impl) {
  Context& ctx = impl.ctx;
  httplib::Server& http = impl.http;
  ConfigureHttp(http, ctx);
  AddKServeV2Routes(http, ctx);
  AddTfServingRoutes(http, ctx);
  AddPlainRoutes(http, ctx);
  AddPageRoutes(http, ctx);
  AddMetricsRoutes(http, ctx);
}

}  // namespace

Result<ModelConfig> ModelFromFolder(const std::string& name, const std::string& folder,
                                    const ClassifierOptions& base) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> tflite, labels;
  for (const auto& e : fs::directory_iterator(folder, ec)) {
    if (!e.is_regular_file()) continue;
    if (e.path().extension() == ".tflite") tflite.push_back(e.path());
    else if (e.path().stem() == "labels") labels.push_back(e.path());
  }
  if (ec) return Status(StatusCode::kIoError, folder + ": cannot list: " + ec.message(), ErrorOrigin::kUsage);
  if (tflite.size() != 1 || labels.size() > 1)
    return Status(StatusCode::kInvalidArgument,
                  folder + ": a model folder holds one .tflite file (it has " + std::to_string(tflite.size()) +
                      ") and at most one labels.* file",
                  ErrorOrigin::kUsage);
  ModelConfig m{name, base};
  m.classifier.model_path = tflite[0].string();
  if (!labels.empty()) m.classifier.labels = labels[0].string();
  return m;
}

Result<std::vector<ModelConfig>> ModelsFromDir(const std::string& dir, const ClassifierOptions& base,
                                               std::vector<std::string>* notices) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status(StatusCode::kNotFound, dir + ": not a directory", ErrorOrigin::kUsage);
  std::vector<fs::path> folders;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory()) folders.push_back(e.path());
  if (ec) return Status(StatusCode::kIoError, dir + ": cannot list: " + ec.message(), ErrorOrigin::kUsage);
  std::sort(folders.begin(), folders.end());
  std::vector<ModelConfig> models;
  for (const fs::path& folder : folders) {
    bool has_model = false;
    for (const auto& e : fs::directory_iterator(folder, ec)) has_model |= e.path().extension() == ".tflite";
    if (!has_model) {
      notices->push_back(folder.string() + ": no .tflite file, skipped");
      continue;
    }
    LABELITE_ASSIGN_OR_RETURN(ModelConfig m, ModelFromFolder(folder.filename().string(), folder.string(), base));
    models.push_back(std::move(m));
  }
  if (models.empty()) return Status(StatusCode::kNotFound, dir + ": no model folder (DIR/NAME/*.tflite)", ErrorOrigin::kUsage);
  return models;
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Create(const ServerOptions& options) {
  if (options.models.empty()) return Status(StatusCode::kInvalidArgument, "no model to serve", ErrorOrigin::kUsage);
  auto impl = std::make_unique<Impl>();
  impl->ctx.options = options;
  impl->ctx.metrics = &impl->metrics;
  int workers = options.workers;
  if (workers <= 0) workers = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  for (const ModelConfig& m : options.models) {
    if (!ValidModelName(m.name))
      return Status(StatusCode::kInvalidArgument, "model name " + Quote(m.name) + ": use letters, digits, '_', '-' and '.'",
                    ErrorOrigin::kUsage);
    if (impl->ctx.models.count(m.name))
      return Status(StatusCode::kInvalidArgument, "model name " + Quote(m.name) + " given twice", ErrorOrigin::kUsage);
    auto pool = ModelPool::Create(m.name, m.classifier, workers, options.queue);
    if (!pool.ok()) return pool.status().WithPrefix("model " + Quote(m.name));
    impl->ctx.models.emplace(m.name, std::move(*pool));
  }
  Configure(*impl);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Result<int> Server::Bind() {
  const ServerOptions& o = impl_->ctx.options;
  int port = o.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(o.host);
    if (port < 0) return Status(StatusCode::kIoError, "cannot listen on " + o.host + " (any port)", ErrorOrigin::kUsage);
  } else if (!impl_->http.bind_to_port(o.host, port)) {
    return Status(StatusCode::kIoError, "cannot listen on " + o.host + ":" + std::to_string(port) +
                  " (in use, or not an address of this machine)", ErrorOrigin::kUsage);
  }
  impl_->bound = true;
  return port;
}

Status Server::Serve() {
  if (!impl_->bound) return Status(StatusCode::kInternal, "Serve() before Bind()");
  impl_->http.listen_after_bind();  // returns once Stop() closed the socket and requests drained
  return Status::Ok();
}

void Server::Stop() { impl_->http.stop(); }

std::vector<std::string> Server::Describe() const {
  std::vector<std::string> out;
  for (const auto& [name, pool] : impl_->ctx.models) {
    const ClassifierSummary& s = pool->summary();
    out.push_back(name + " (" + pool->file_name() + ", " + std::to_string(s.input_width) + "x" +
                  std::to_string(s.input_height) + " " + std::string(DataTypeName(s.input_type)) + " input, " +
                  std::to_string(s.num_classes.empty() ? 0 : s.num_classes[0]) + " classes, " +
                  std::to_string(pool->workers()) + " interpreters)");
  }
  return out;
}

}  // namespace labelite::server
