// BatchClassifier: many image files through one model at full machine speed.
//
// Purpose: classifies a list of files with a fixed pool of workers. Each worker owns one
// Classifier (Classifier::Clone) and runs the whole chain for one image at a time:
//   1. decode (with the classifier's DecodeOptions, so a JPEG is DCT-downscaled near the
//      model's input size),
//   2. preprocess (resize to the input size with the configured ResizeMode),
//   3. inference (tensor fill, Invoke, scores, top-k).
// Keeping the chain on one thread avoids handing pixels between threads; with W workers at
// most W decoded images exist at once, whatever the number of inputs.
//
// Threads: `threads` is split between workers and interpreters. With at least as many inputs
// as threads there are `threads` workers, each with a 1-thread interpreter (independent images
// scale better than one model split across cores); with fewer inputs, fewer workers share the
// threads inside their interpreters (one image: one worker using every thread).
//
// Order and memory: results go to a sink called on the thread that calls Run(). Ordered mode
// hands them over in input order; a worker does not start input i until i is within
// `window` of the next result to hand over, so the reorder buffer stays bounded. Unordered
// mode hands each result over as soon as it is ready.
//
// Cancellation: when *cancel becomes true, workers start no new input; results already
// computed are still handed to the sink (ordered mode keeps increasing input order, with gaps)
// and Run returns.
//
// Ownership and thread safety: a BatchClassifier owns its classifiers; one Run at a time.
// The sink never runs concurrently with itself.
//
//   ClassifierOptions options;
//   options.model_path = "mobilenet_v2_1.0_224_quant.tflite";
//   BatchOptions batch;
//   batch.threads = 2;
//   LABELITE_ASSIGN_OR_RETURN(auto classifier, BatchClassifier::Create(options, batch, paths.size()));
//   BatchStats stats = classifier->Run(paths, [](BatchResult&& r) {
//     printf("%s %s\n", r.path.c_str(), r.status.ok() ? r.classes[0].label.c_str() : "error");
//   });
// (The same example runs as BatchClassifierTest.HeaderExample in tests/classify/batch_test.cc.)
#ifndef LABELITE_CLASSIFY_BATCH_H_
#define LABELITE_CLASSIFY_BATCH_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "labelite/classifier.h"
#include "labelite/status.h"

namespace labelite {

struct BatchOptions {
  int threads = 0;     // total threads; 0: the number of cores
  int window = 0;      // ordered mode: inputs started ahead of the next result; 0: 4 per worker
  bool ordered = true; // false: results in completion order (lowest latency)
};

struct BatchResult {
  size_t index = 0;   // position in the input list
  std::string path;
  Status status;      // not OK: the file failed (message names the file); classes is empty
  std::vector<Classification> classes;
  // Time spent on this image by its worker: the worker thread's CPU time (user + system) with
  // 1-thread interpreters, wall time when interpreters have threads of their own.
  double decode_ms = 0, preprocess_ms = 0, inference_ms = 0;
};

struct BatchStats {
  size_t total = 0;      // inputs given
  size_t done = 0;       // results handed to the sink (successes and failures)
  size_t failed = 0;
  bool cancelled = false;
  double wall_s = 0;     // Run() from start to return
  // Sums over results (the workers' CPU time, as BatchResult says; not Run's wall time).
  double decode_s = 0, preprocess_s = 0, inference_s = 0;
  // Ordered mode: wall time workers spent waiting for the reorder window (summed over workers).
  double window_wait_s = 0;
};

class BatchClassifier {
 public:
  using Sink = std::function<void(BatchResult&&)>;

  // `num_inputs` sizes the pool (never more workers than inputs).
  static Result<std::unique_ptr<BatchClassifier>> Create(const ClassifierOptions& options,
                                                         const BatchOptions& batch,
                                                         size_t num_inputs);
  ~BatchClassifier();

  // Classifies every path ("-" reads standard input; give it at most once). Per-file errors
  // are results, never a failed Run.
  BatchStats Run(const std::vector<std::string>& paths, const Sink& sink,
                 const std::atomic<bool>* cancel = nullptr);

  // The first worker's classifier: summary(), notices(), decode_options().
  const Classifier& classifier() const { return *classifiers_[0]; }
  int workers() const { return static_cast<int>(classifiers_.size()); }
  int threads_per_worker() const { return threads_per_worker_; }

 private:
  BatchClassifier() = default;
  BatchResult ClassifyOne(Classifier& classifier, size_t index, const std::string& path) const;

  std::vector<std::unique_ptr<Classifier>> classifiers_;
  ResizeMode resize_ = ResizeMode::kStretch;
  PreprocessPreset preset_ = PreprocessPreset::kLabelite;  // others resize inside Classify
  int window_ = 0;
  bool ordered_ = true;
  int threads_per_worker_ = 1;
};

}  // namespace labelite

#endif  // LABELITE_CLASSIFY_BATCH_H_
