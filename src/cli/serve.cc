// `labelite serve --model NAME=PATH ... | --model-dir DIR`: the classification server
// (src/server/). SIGTERM and SIGINT stop accepting connections, let the requests in flight
// finish, and exit 0.
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/options.h"
#include "server/server.h"

namespace labelite::cli {

namespace {

struct ServeFlags {
  std::vector<std::string> models, labels;
  std::string model_dir;
  server::ServerOptions server;
  uint64_t max_pixels = ClassifierOptions{}.max_image_pixels;
  KernelPath kernels = KernelPath::kFast;
};

// "NAME=VALUE" -> {NAME, VALUE}; a bare PATH is named after its file stem.
std::pair<std::string, std::string> SplitNamed(const std::string& s) {
  const size_t eq = s.find('=');
  if (eq == std::string::npos) return {std::filesystem::path(s).stem().string(), s};
  return {s.substr(0, eq), s.substr(eq + 1)};
}

Status BuildModels(ServeFlags& f) {
  ClassifierOptions base;
  base.kernels = f.kernels;
  base.max_image_pixels = f.max_pixels;
  std::map<std::string, std::string> labels;
  for (const std::string& l : f.labels) {
    if (l.find('=') == std::string::npos) return InvalidArgument("--labels takes NAME=SOURCE, not '" + l + "'");
    labels[SplitNamed(l).first] = SplitNamed(l).second;
  }
  for (const std::string& m : f.models) {
    auto [name, path] = SplitNamed(m);
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {  // a model folder: its .tflite and labels.*
      auto config = server::ModelFromFolder(name, path, base);
      if (!config.ok()) return config.status();
      f.server.models.push_back(std::move(*config));
      continue;
    }
    server::ModelConfig config{name, base};
    config.classifier.model_path = path;
    f.server.models.push_back(std::move(config));
  }
  if (!f.model_dir.empty()) {
    std::vector<std::string> notices;
    auto found = server::ModelsFromDir(f.model_dir, base, &notices);
    for (const std::string& n : notices) std::fprintf(stderr, "labelite: %s\n", n.c_str());
    if (!found.ok()) return found.status();
    for (auto& m : *found) f.server.models.push_back(std::move(m));
  }
  if (f.server.models.empty()) return InvalidArgument("give --model NAME=PATH or --model-dir DIR");
  for (auto& [name, source] : labels) {
    auto it = std::find_if(f.server.models.begin(), f.server.models.end(),
                           [&n = name](const server::ModelConfig& m) { return m.name == n; });
    if (it == f.server.models.end()) return InvalidArgument("--labels " + name + "=...: no model named '" + name + "'");
    it->classifier.labels = source;
  }
  return Status::Ok();
}

int RunServe(ServeFlags& f) {
  if (Status s = BuildModels(f); !s.ok()) return ReportError(s);
  // Every thread started from here on inherits the blocked signals; one thread takes them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = server::Server::Create(f.server);
  if (!server.ok()) {
    const Status& s = server.status();
    return s.origin() == ErrorOrigin::kUsage ? (ReportError(s), kExitUsage) : ReportError(s);
  }
  auto port = (*server)->Bind();
  if (!port.ok()) {
    ReportError(port.status());
    return kExitUsage;
  }
  for (const std::string& d : (*server)->Describe()) std::fprintf(stderr, "labelite: model %s\n", d.c_str());
  std::fprintf(stderr, "labelite: listening on http://%s:%d/\n", f.server.host.c_str(), *port);
  std::fflush(stderr);

  server::Server* s = server->get();
  std::thread stopper([s, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::fprintf(stderr, "labelite: %s: finishing the requests in flight\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    s->Stop();
  });
  stopper.detach();  // blocked in sigwait when Serve ends for another reason; exit ends it
  const Status served = (*server)->Serve();
  if (!served.ok()) return ReportError(served);
  server->reset();  // joins the interpreter workers
  std::fprintf(stderr, "labelite: stopped\n");
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ServeFlags>();
  const server::ServerOptions defaults;
  CLI::App* cmd = app.add_subcommand("serve", "Serve models over HTTP: KServe v2, TF Serving REST, an upload page, metrics");
  cmd->add_option("--model,-m", f->models, "NAME=PATH of a .tflite model or of a folder with one .tflite and labels.* (repeatable; a bare PATH is named after its file)");
  cmd->add_option("--labels", f->labels, "NAME=SOURCE: labels for model NAME (default: its embedded labels)");
  cmd->add_option("--model-dir", f->model_dir, "Serve DIR/NAME/*.tflite (+ DIR/NAME/labels.*) as model NAME");
  cmd->add_option("--host", f->server.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", f->server.port, "Port (0: any free port)")->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--threads", f->server.workers, "Interpreters per model, each on its own thread (0: one per CPU)")
      ->capture_default_str()->check(CLI::Range(0, 256));
  cmd->add_option("--queue", f->server.queue, "Requests that may wait per model before 503")
      ->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--connections", f->server.connections, "Connections served at once (connection threads)")
      ->capture_default_str()->check(CLI::Range(1, 10000));
  cmd->add_option("--max-body", f->server.max_body, "Largest request body in bytes (413 above)")->capture_default_str();
  cmd->add_option("--max-pixels", f->max_pixels, "Largest image, width x height (400 above)")->capture_default_str();
  cmd->add_option("--timeout-ms", f->server.timeout_ms, "Per-request timeout: reading it, and waiting for an interpreter")
      ->capture_default_str()->check(CLI::Range(1, 3600000));
  cmd->add_option("--top-k", f->server.top_k, "Classes returned when a request does not say")
      ->capture_default_str()->check(CLI::Range(1, 1000000));
  const std::map<std::string, KernelPath> kinds{{"reference", KernelPath::kReference}, {"fast", KernelPath::kFast}};
  cmd->add_option("--kernels", f->kernels, "Kernel path: fast (XNNPACK) or reference (the oracle)")
      ->transform(CLI::CheckedTransformer(kinds, CLI::ignore_case))->default_str("fast");
  cmd->callback([f, exit_code] { *exit_code = RunServe(*f); });
}

}  // namespace labelite::cli
