// labelite serve: an HTTP classification server over classify/.
//
// Purpose: serves one or more models over the Open Inference Protocol (KServe v2 REST, with
// the binary tensor data and classification extensions), TF Serving's REST API, a plain
// upload route, a small web page and Prometheus metrics. Routes live one protocol per file
// (kserve_v2.cc, tf_serving.cc, plain.cc, page.cc, metrics.cc) over the shared parsing, limits
// and JSON errors of http_util.h.
//
// Concurrency: every model gets a fixed pool of interpreters (Classifier::Clone), each on its
// own worker thread, fed by a bounded queue: a request that finds the queue full gets 503 with
// Retry-After, one still queued when its timeout passes gets 503 too. HTTP connections are
// served by a fixed pool of connection threads with keep-alive.
//
// Lifetime: Create loads every model (errors name the model); Bind opens the socket; Serve
// blocks until Stop, which may be called from any thread (the CLI calls it on SIGTERM/SIGINT):
// the listening socket closes, requests in flight finish and get their answer, then Serve
// returns.
//
//   ServerOptions options;
//   options.models.push_back({"mobilenet", classifier_options});
//   auto server = Server::Create(options);
//   auto port = (*server)->Bind();        // options.port 0: any free port
//   std::thread t([&] { (void)(*server)->Serve(); });
//   ...
//   (*server)->Stop();
//   t.join();
#ifndef LABELITE_SERVER_SERVER_H_
#define LABELITE_SERVER_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "labelite/classifier.h"
#include "labelite/status.h"

namespace labelite::server {

struct ModelConfig {
  std::string name;               // the name in URLs: [A-Za-z0-9_.-]+
  ClassifierOptions classifier;   // top_k is ignored: routes choose how many classes to return
};

struct ServerOptions {
  std::vector<ModelConfig> models;
  std::string host = "127.0.0.1";
  int port = 8080;                 // 0: any free port (Bind returns it)
  int workers = 0;                 // interpreters per model; 0: one per CPU
  int queue = 64;                  // requests waiting per model before 503
  int connections = 64;            // connection threads (keep-alive connections served at once)
  uint64_t max_body = 32ull << 20; // bytes; larger bodies get 413
  int timeout_ms = 30000;          // reading a request, and waiting for an interpreter
  int top_k = 5;                   // classes returned when the request does not say
};

// One model per subfolder of `dir`, named after the folder: its single .tflite file and, when
// present, a label file named labels.* (else the model's embedded labels). Folders without a
// .tflite are skipped with a notice; one with several is an error.
Result<std::vector<ModelConfig>> ModelsFromDir(const std::string& dir, const ClassifierOptions& base,
                                               std::vector<std::string>* notices);

// One model from a folder holding its single .tflite file and, optionally, labels.*.
Result<ModelConfig> ModelFromFolder(const std::string& name, const std::string& folder,
                                    const ClassifierOptions& base);

class Server {
 public:
  static Result<std::unique_ptr<Server>> Create(const ServerOptions& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the listening socket; returns the port (the chosen one when options.port is 0).
  Result<int> Bind();
  // Serves until Stop(); then drains the requests in flight and returns.
  Status Serve();
  // Thread-safe; idempotent.
  void Stop();

  // For the startup message: "name (file.tflite, 1001 classes)" per model.
  std::vector<std::string> Describe() const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace labelite::server

#endif  // LABELITE_SERVER_SERVER_H_
